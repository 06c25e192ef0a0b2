"""Tests of tnrnn.atlas_table: the compact table round-trips exactly and deterministically,
re-deriving keeps every stored value, and the CLI re-derives and exports on demand."""

import gzip
import json

import pytest

from tnrnn import Partition
from tnrnn.atlas import make_atlas, rederive_atlas
from tnrnn.atlas_table import (
    ATLAS_TABLE,
    UPPER_COLUMNS,
    atlas_table_bytes,
    read_atlas_table,
    rederive_row,
    write_atlas_table,
)
from tnrnn.bounds import read_bounds_table
from tnrnn.cli import main
from tnrnn.errors import TnrnnError
from tnrnn.formulas import bottleneck_degree_bound, degree_bound

SMALL = dict(L_values=[2, 3], M_values=[1, 3], R_values=[2], T_max={2: 7, 3: 5}, max_rank=40, progress=False)
KEEP = ("exact", "mincut", "certified", "failure_bound", "n_probes", "seed", "status", "A", "partition")
FORMS = ("lower", "lower_status", "degree", "symmetric", "ideal", "all_chains")


@pytest.fixture(scope="module")
def atlas(tmp_path_factory):
    out = tmp_path_factory.mktemp("atlas")
    make_atlas(out, **SMALL)
    return out, read_bounds_table(out / "atlas.sqlite")


def _same(a, b):
    return {k: a.get(k) for k in set(a) | set(b)} == {k: b.get(k) for k in set(a) | set(b)}


def test_table_round_trips_every_value_and_type(atlas):
    out, stored = atlas
    back = read_atlas_table(out / ATLAS_TABLE)
    assert len(back) == len(stored) > 20
    by_key = {(r["L"], r["M"], r["R"], r["T"], r["partition"]): r for r in back}
    for r in stored:
        new = by_key[(r["L"], r["M"], r["R"], r["T"], r["partition"])]
        for k in KEEP + FORMS:  # what the ranks and the network gave, and the closed forms: unchanged
            assert new.get(k) == r.get(k), (k, r, new)
        assert type(new.get("exact")) is type(r.get("exact"))


def test_table_bytes_are_deterministic_whatever_the_order(atlas):
    out, _ = atlas
    rows = read_atlas_table(out / ATLAS_TABLE)
    data = (out / ATLAS_TABLE).read_bytes()
    assert atlas_table_bytes(rows[::-1]) == data == atlas_table_bytes(rows)
    assert data[4:8] == b"\0\0\0\0" and not data[3] & 0x08  # gzip: mtime 0, no file name
    text = gzip.decompress(data).decode().splitlines()
    assert text[0].startswith("L,M,R,T,partition,A,status,")
    keys = [tuple(map(int, line.split(",")[:4])) for line in text[1:]]
    assert keys == sorted(keys)


def test_extreme_values_round_trip(tmp_path):
    """Integers of any size (beyond the 4300-digit str limit), huge and empty lists of steps, None."""
    huge = 3**20000  # 9,543 digits
    rows = [dict(L=4, M=6, R=6, T=200, partition="split:199", A=list(range(1, 200)), status="ok", exact=2**31 - 2,
                 degree=huge, ideal=None, proven=False, failure_bound=1e-300, proven_by="mincut, degree"),
            dict(L=1, M=1, R=1, T=2, partition="start-end", A=[1], status="too-large", error='a "quoted", line')]
    path = write_atlas_table(rows, tmp_path / "t.csv.gz")
    back = read_atlas_table(path)
    assert len(back) == 2 and all(_same(a, b) for a, b in zip(sorted(rows, key=lambda r: r["L"]), back))


@pytest.mark.parametrize("content, says", [
    (b"not gzip", "is not a gzip-compressed CSV"), (gzip.compress(b"x,y\n1,2\n"), "is not an atlas table"),
])
def test_bad_tables_are_refused_in_one_line(tmp_path, content, says):
    path = tmp_path / "bad.csv.gz"
    path.write_bytes(content)
    with pytest.raises(TnrnnError, match=says):
        read_atlas_table(path)
    with pytest.raises(TnrnnError, match="cannot read the atlas table"):
        read_atlas_table(tmp_path / "missing.csv.gz")
    with pytest.raises(TnrnnError, match="no atlas table at"):
        rederive_atlas(tmp_path / "nothing")
    with pytest.raises(TnrnnError, match="is a .csv.gz file"):
        write_atlas_table([], tmp_path / "t.csv")


def test_rederive_adds_the_bottleneck_bound_and_proves_more(atlas):
    out, stored = atlas
    derived = read_atlas_table(out / ATLAS_TABLE)
    for r in derived:
        if r["status"] != "ok":
            continue
        part = Partition.from_sets(r["A"], r["T"])
        assert r["bottleneck"] == bottleneck_degree_bound(r["M"], r["R"], r["L"], part)
        assert r["bottleneck"] <= r["degree"] == degree_bound(r["M"], r["L"], part)
        uppers = [r[k] for k in UPPER_COLUMNS if r.get(k) is not None]
        assert r["exact"] <= min(uppers) == r["tightest_upper"]
        assert r["proven"] == (r["certified"] and r["exact"] == min(uppers))
    # the sweep's rows already use every registered bound: re-deriving agrees with them, and
    # some cases are proven by the bottleneck bound alone (the older bounds sit above the rank)
    assert sum(bool(r.get("proven")) for r in stored) == sum(bool(r.get("proven")) for r in derived)
    older = ("mincut", "degree", "symmetric", "ideal", "all_chains")
    only = [r for r in derived if r.get("proven") and r["exact"] < min(r[k] for k in older if r.get(k) is not None)]
    assert only and all("bottleneck" in r["proven_by"] or "syzygy" in r["proven_by"] for r in only)


def test_rederive_flags_a_row_above_a_bound():
    row = dict(L=2, M=3, R=2, T=6, partition="split:1", A=[1], status="ok", exact=8, mincut=64, certified=True)
    new = rederive_row(row)
    assert new["status"] == "VIOLATION" and "bottleneck" in new["error"] and not new["proven"]
    assert rederive_row(dict(row, status="too-large")) == dict(row, status="too-large")


def test_rederive_is_idempotent_and_needs_no_rank(atlas, tmp_path, monkeypatch):
    out, _ = atlas
    import tnrnn.rank as rank

    monkeypatch.setattr(rank, "separation_rank", lambda *a, **k: pytest.fail("a rank was computed"))
    (tmp_path / ATLAS_TABLE).write_bytes((out / ATLAS_TABLE).read_bytes())
    paths = rederive_atlas(tmp_path)
    assert {p.name for p in paths} >= {ATLAS_TABLE, "atlas_summary.json", "atlas_summary.md", "atlas_L2.png"}
    assert (tmp_path / ATLAS_TABLE).read_bytes() == (out / ATLAS_TABLE).read_bytes()
    assert json.loads((tmp_path / "atlas_summary.json").read_text()) == json.loads(
        (out / "atlas_summary.json").read_text())


def test_cli_rederive_and_export_on_demand(atlas, tmp_path, capsys):
    out, stored = atlas
    (tmp_path / ATLAS_TABLE).write_bytes((out / ATLAS_TABLE).read_bytes())
    code = main(["atlas", "--out", str(tmp_path), "--rederive", "--export", str(tmp_path / "atlas.json"),
                 "--export", str(tmp_path / "atlas.csv")])
    printed = capsys.readouterr().out
    assert code == 0 and "atlas.json" in printed and "atlas_summary.md" in printed
    rows = read_bounds_table(tmp_path / "atlas.json")
    assert len(rows) == len(stored) and all("bottleneck" in r for r in rows if r["status"] == "ok")
    header = (tmp_path / "atlas.csv").read_text().splitlines()[0].split(",")
    assert header[:3] == ["L", "M", "R"] and {"T", "partition", "A", "status", "cell", "bottleneck"} <= set(header)


@pytest.mark.parametrize("argv, says", [
    (["--rederive"], "no atlas table at"), (["--rederive", "--export", "x.xlsx"], "cannot tell the table format"),
])
def test_cli_rederive_refuses_in_one_line(tmp_path, capsys, argv, says):
    code = main(["atlas", "--out", str(tmp_path), *argv])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and says in err[-1] and "Traceback" not in "\n".join(err)


def test_the_committed_atlas_reads_back_and_is_its_own_rederivation():
    """figures/atlas.csv.gz: readable, no row above a bound, and every 40th row unchanged by re-deriving
    (so the committed proven flags are what the code says today)."""
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "figures" / ATLAS_TABLE
    rows = read_atlas_table(path)
    ok = [r for r in rows if r["status"] == "ok"]
    assert len(rows) == 46564 and len(ok) == 46521
    assert all(r["exact"] <= r[k] for r in ok for k in UPPER_COLUMNS if r.get(k) is not None)
    for r in ok[::40]:
        assert _same(rederive_row(r), r), r
    assert sum(bool(r.get("proven")) for r in ok) == 46358


def test_member_rows_get_member_bounds_and_no_plain_only_bound():
    """Rows with spec columns (cell, bias, dilations, widths) are rebuilt as members: the
    syzygy bound (proven for the plain RAC) stays None there, the bottleneck bound is the
    member form (none with bias: the input then enters affinely)."""
    from tnrnn.family_bounds import member_degree_bound
    from tnrnn.formulas import bottleneck_bound
    from tnrnn.spec import RACSpec

    row = dict(L=2, M=3, R=2, T=6, partition="split:2", A=[1, 2], status="ok", exact=5, mincut=64, certified=True)
    plain = rederive_row(row)
    assert plain["bottleneck"] is not None and plain["syzygy"] is not None
    for extra, spec in ((dict(bias=True), RACSpec(M=3, R=2, L=2, T=6, bias=True)),
                        (dict(dilations=[1, 2]), RACSpec(M=3, R=2, L=2, T=6, dilations=(1, 2))),
                        (dict(widths=[2, 3], cell="mi"), RACSpec(M=3, R=(2, 3), L=2, T=6))):
        new = rederive_row({**row, **extra})
        part = Partition.from_sets([1, 2], 6)
        want = None if spec.bias else bottleneck_bound(min(3, spec.widths[0]), 2, part, dilations=spec.dilations)
        assert new["bottleneck"] == want and new["syzygy"] is None
        assert new["degree"] == member_degree_bound(spec, Partition.from_sets([1, 2], 6))
    with pytest.raises(TnrnnError, match="has a spec tnrnn cannot rebuild"):
        rederive_row({**row, "cell": "lstm"})
