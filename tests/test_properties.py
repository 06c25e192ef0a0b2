"""Property tests (hypothesis): no input gives anything but a result or a tnrnn error.

The partition parser, the command line (argv lists, cheap subcommands only, so the tests stay
fast) and the network JSON reader are fed arbitrary and near-valid input.
"""

import json

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tnrnn import Partition, RACSpec, compile_network, from_json, to_json  # noqa: E402
from tnrnn.cli import main  # noqa: E402
from tnrnn.errors import TnrnnError  # noqa: E402

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_PARTITION_WORDS = st.sampled_from(["start-end", "interleaved", "split:", "A:", ",", ":", "-", " ", "1",
                                    "2", "3", "0", "-1", "99", "x", "split", "A", "\x00", "é", "1e3"])
partition_text = st.one_of(st.text(max_size=20), st.lists(_PARTITION_WORDS, max_size=6).map("".join))


@FAST
@given(text=partition_text, T=st.integers(min_value=-2, max_value=12))
def test_partition_parse_gives_a_partition_or_a_tnrnn_error(text, T):
    try:
        part = Partition.parse(text, T)
    except TnrnnError:
        return
    steps = set(range(1, T + 1))
    assert part.A and part.B and set(part.A) | set(part.B) == steps and not set(part.A) & set(part.B)


_NUMBERS = st.one_of(st.integers(min_value=-3, max_value=7).map(str),
                     st.sampled_from(["10^30", "1e3", "", "x", "9" * 30, " 2", "0x10", "٣"]))
_FLAGS = st.sampled_from(["--M", "--R", "--L", "--T", "--seed", "--partition", "--json", "--max-probes",
                          "--max-nodes", "--bogus", "-o"])


@st.composite
def argv_lists(draw):
    command = draw(st.sampled_from(["bound", "rank", "check", "nonsense", "--version-ish", ""]))
    argv = [command] if command else []
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        flag = draw(_FLAGS)
        argv.append(flag)
        if flag == "--partition":
            argv.append(draw(partition_text.filter(lambda s: not s.startswith("-"))))
        elif flag not in ("--json",):
            argv.append(draw(_NUMBERS))
    return argv


@FAST
@given(argv=argv_lists())
def test_cli_gives_exit_0_1_2_and_one_line_errors(argv):
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(argv)
        except SystemExit as exc:  # --help / --version
            code = exc.code
    text = err.getvalue()
    assert code in (0, 1, 2), (argv, code, text)
    assert "Traceback" not in text
    if code == 2 and text:
        lines = [line for line in text.splitlines() if line.strip()]
        # argparse may print its usage line before the one-line error
        assert len(lines) == 1 or (lines[0].startswith("usage:") and "error:" in lines[-1]), (argv, text)


_VALID = json.loads(to_json(compile_network(RACSpec(M=2, R=2, L=2, T=3))))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)


@st.composite
def near_valid_networks(draw):
    data = json.loads(json.dumps(_VALID))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        section = draw(st.sampled_from(["top", "spec", "nodes", "edges"]))
        target = data if section == "top" else data.get(section)
        if not isinstance(target, dict) or not target:
            break
        key = draw(st.sampled_from(sorted(target)))
        action = draw(st.sampled_from(["drop", "replace", "tweak"]))
        if action == "drop":
            del target[key]
        elif action == "replace":
            target[key] = draw(json_values)
        elif isinstance(target[key], list) and target[key]:
            i = draw(st.integers(min_value=0, max_value=len(target[key]) - 1))
            target[key][i] = draw(st.integers(min_value=-2, max_value=2**40))
        elif isinstance(target[key], int):
            target[key] = draw(st.integers(min_value=-5, max_value=10**12))
    return json.dumps(data)


@FAST
@given(text=st.one_of(st.binary(max_size=64), st.text(max_size=64), json_values.map(json.dumps),
                      near_valid_networks()))
@pytest.mark.parametrize("check_spec", [True, False])
def test_from_json_gives_a_network_or_a_tnrnn_error(text, check_spec):
    try:
        net = from_json(text, check_spec=check_spec)
    except TnrnnError:
        return
    assert net.n_nodes >= 1 and net.n_edges == net.n_nodes - 1
