"""The command line for RAC-family members: --R 3,2, --cell, --bias, --dilations."""

import json

import pytest

import tnrnn
from test_cli import run
from tnrnn.family_bounds import member_degree_bound, member_upper_bounds




MEMBERS = [
    (["--R", "3,2", "--L", "2"], dict(R=(3, 2), L=2)),
    (["--R", "3", "--L", "2", "--cell", "cp:2"], dict(R=3, L=2, cell="cp:2")),
    (["--R", "2", "--L", "2", "--cell", "full"], dict(R=2, L=2, cell="full")),
    (["--R", "2", "--L", "2", "--bias"], dict(R=2, L=2, bias=True)),
    (["--R", "2", "--L", "2", "--dilations", "1,2"], dict(R=2, L=2, dilations=(1, 2))),
    (["--R", "3,2", "--L", "2", "--cell", "full,cp:3", "--dilations", "2,1"],
     dict(R=(3, 2), L=2, cell=("full", "cp:3"), dilations=(2, 1))),
]


@pytest.mark.parametrize("argv, fields", MEMBERS, ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_bound_json_for_each_member(capsys, argv, fields):
    code, out, err = run(capsys, "bound", "--M", "2", "--T", "6", *argv, "--json")
    assert code == 0, err
    got = json.loads(out)
    spec = tnrnn.RACSpec(M=2, T=6, **fields)
    part = tnrnn.Partition.start_end(6)
    assert got["mincut"] == tnrnn.mincut_bound(tnrnn.compile_network(spec), part).bound
    assert got["degree"] == member_degree_bound(spec, part)
    assert got["lower"] is None and got["all_chains"] is None
    assert got["symmetric"] == member_upper_bounds(spec, part)["symmetric"]
    assert tnrnn.RACSpec(**got["spec"]) == spec


@pytest.mark.parametrize("argv, fields", MEMBERS, ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_rank_json_for_each_member(capsys, argv, fields):
    code, out, err = run(capsys, "rank", "--M", "2", "--T", "6", *argv, "--json")
    assert code == 0, err
    got = json.loads(out)
    spec = tnrnn.RACSpec(M=2, T=6, **fields)
    want = tnrnn.separation_rank(spec, "start-end", rng=0)
    assert got["rank"] == want.rank and got["spec"] == repr(spec)
    assert tnrnn.RACSpec(**got["spec_fields"]) == spec
    code, out, err = run(capsys, "check", "--M", "2", "--T", "6", *argv)
    assert code == 0 and "ordering holds" in out, err


def test_plain_bound_json_keeps_its_values(capsys):
    code, out, _ = run(capsys, "bound", "--M", "3", "--R", "3", "--L", "2", "--T", "8", "--json")
    got = json.loads(out)
    assert got["mincut"] == 3**5 and got["spec"] == {"M": 3, "R": 3, "L": 2, "T": 8}


@pytest.mark.parametrize("argv, message", [
    (["--R", "3,2", "--L", "3"], "R needs one value or one per layer (L=3), got 2: (3, 2)"),
    (["--R", "3", "--cell", "cp:0"], "cp:0"),
    (["--R", "3", "--cell", "full", "--bias"], "bias is defined for 'mi' layers only"),
    (["--R", "3", "--dilations", "0"], "--dilations"),
    (["--R", "3", "--dilations", "1,2,3", "--L", "2"], "dilations needs one value or one per layer (L=2)"),
    (["--R", "3,x"], "--R"),
    (["--R", "3", "--cell", "rnn"], "got 'rnn'"),
])
@pytest.mark.parametrize("command", ["bound", "rank"])
def test_bad_member_values_one_line_exit_2(capsys, command, argv, message):
    code, out, err = run(capsys, command, "--M", "2", "--T", "6", *argv)
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1
