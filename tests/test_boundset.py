"""The registry of bounds (tnrnn.boundset): each bound declared once, read by every consumer."""

import itertools
from math import log2
from pathlib import Path

import pytest

from tnrnn import Partition, RACSpec, TnrnnError
from tnrnn import boundset as bs
from tnrnn.formulas import (all_chains_cut, boundary_ideal_bound, degree_bound, paper_lower_bound,
                            symmetric_copies_bound)

from specs import MEMBERS, PARTITIONS


def _partitions(T):
    yield Partition.interleaved(T)
    for k in range(1, T):
        yield Partition.split(T, k)
    if T >= 3:
        yield Partition.from_sets([t for t in range(1, T + 1) if t % 3 == 1], T)


def _plain(M, R, L, T):
    return RACSpec(M=M, R=R, L=L, T=T)


def test_every_bound_is_declared_once_in_table_order():
    assert bs.bound_names() == ("lower", "mincut", "degree", "bottleneck", "symmetric", "ideal", "syzygy",
                                "all_chains")
    assert bs.bound_names("upper") == ("mincut", "degree", "bottleneck", "symmetric", "ideal", "syzygy",
                                       "all_chains")
    assert [b.name for b in bs.registered() if b.cap] == ["degree", "bottleneck", "symmetric", "ideal", "syzygy"]
    for b in bs.registered():
        assert b.label and b.marker and b.proof  # a label, a marker and a proof each
    assert bs.get_bound("mincut").network and bs.get_bound("mincut").value is None


def test_a_declaration_is_checked():
    with pytest.raises(TnrnnError, match="identifier"):
        bs.Bound("two words", "x", "upper", lambda s, p: None, lambda s, p: 1)
    with pytest.raises(TnrnnError, match="'upper' or 'lower'"):
        bs.Bound("x", "x", "sideways", lambda s, p: None, lambda s, p: 1)
    with pytest.raises(TnrnnError, match="already registered"):
        bs.register(bs.get_bound("degree"))
    with pytest.raises(TnrnnError, match="no bound named 'nope'"):
        bs.unregister("nope")


@pytest.mark.parametrize("L", [1, 2, 3])
def test_plain_values_equal_the_closed_forms_on_integers(L):
    """The registry's values for plain specs against formulas.py, written out per bound."""
    for M, R, T in itertools.product([1, 2, 5], [1, 2, 3], [2, 4, 6]):
        spec = _plain(M, R, L, T)
        for part in [Partition.start_end(T), *_partitions(T)]:
            got = bs.bound_values(spec, part)
            se = part.is_start_end
            split = next(((len(t),) for h, t in ((part.A, part.B), (part.B, part.A))
                          if h == tuple(range(1, len(h) + 1))), None)
            assert got["degree"] == degree_bound(M, L, part)
            assert got["symmetric"] == (symmetric_copies_bound(R, L, 2 * split[0]) if split else None)
            assert got["ideal"] == (boundary_ideal_bound(M, R, L, part) if split and L >= 2 else None)
            assert got["lower"] == (paper_lower_bound(M, R, L, T) if se else None)
            assert got["all_chains"] == (all_chains_cut(R, L, T) if se else None)
            assert got["mincut"] is None  # needs the network: tnrnn.bounds computes it


def test_smallest_upper_bound_is_the_minimum_of_every_bound():
    for L, M, R, T in itertools.product([1, 2, 3], [1, 2, 5], [1, 2, 3], [2, 3, 6, 7]):
        for part in _partitions(T):
            spec = _plain(M, R, L, T)
            bounds = bs.upper_bounds(spec, part)
            prefix = part.A[0] == 1 and part.A == tuple(range(1, len(part.A) + 1))
            prefix_b = part.B == tuple(range(1, len(part.B) + 1))
            if prefix or prefix_b:  # the other side's length m gives a Start-End of 2m steps
                m = [len(part.B)] * prefix + [len(part.A)] * prefix_b
                assert bounds["symmetric"] == min(symmetric_copies_bound(R, L, 2 * k) for k in m)
            else:
                assert "symmetric" not in bounds
            for known in ({}, {"mincut": 3}, {"mincut": None}):
                value, name = bs.smallest_upper_bound(spec, part, known=known)
                everything = {**bounds, **{k: v for k, v in known.items() if v is not None}}
                assert value == min(everything.values()) and everything[name] == value
                log2_value, _ = bs.smallest_upper_bound_log2(spec, part, known=known)
                assert 2**log2_value == pytest.approx(value, rel=1e-9)
    with pytest.raises(TnrnnError, match="positive integer, got mincut=0"):
        bs.smallest_upper_bound(_plain(2, 2, 1, 4), Partition.start_end(4), known={"mincut": 0})


def test_smallest_upper_bound_of_huge_cases_forms_only_the_smallest():
    # the degree bound has 45 million bits here; only the symmetric one is formed exactly
    # (forming the degree bound would take minutes: the test would time out)
    import tracemalloc

    spec = _plain(1000, 3, 2, 20000)
    tracemalloc.start()
    assert bs.smallest_upper_bound(spec, Partition.start_end(20000)) == (
        symmetric_copies_bound(3, 2, 20000), "symmetric")
    log2_value, name = bs.smallest_upper_bound_log2(spec, Partition.interleaved(20000))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    from tnrnn.formulas import bottleneck_degree_bound_log2

    # the bottleneck bound (u = min(M, R) = 3) is the smallest there, far below the degree bound
    assert name == "bottleneck" and log2_value == pytest.approx(
        bottleneck_degree_bound_log2(1000, 3, 2, Partition.interleaved(20000)), rel=1e-12)
    assert peak < 64 * 2**20  # work counted as memory: the 45-million-bit bound is never formed


def test_smallest_upper_bound_survives_rounding_in_the_logarithms(monkeypatch):
    import tnrnn.boundset.declarations as d

    part = Partition.interleaved(6)  # degree = bottleneck bound 4,069,800 for M = R = 5, L = 3
    exact = degree_bound(5, 3, part)
    # a log2 half a bit too small must not make these bounds win against a smaller one
    monkeypatch.setattr(d, "degree_bound_log2", lambda M, L, p: log2(exact) - 0.5)
    monkeypatch.setattr(d, "bottleneck_bound_log2", lambda u, L, p, dilations=None: log2(exact) - 0.5)
    assert bs.smallest_upper_bound(_plain(5, 5, 3, 6), part, known={"mincut": exact - 1}) == (exact - 1, "mincut")


@pytest.mark.parametrize("spec", MEMBERS, ids=repr)
def test_member_values_are_the_member_forms(spec):
    for name in PARTITIONS:
        part = Partition.parse(name, spec.T)
        got = bs.bound_values(spec, part)
        assert got["degree"] == bs.member_degree_bound(spec, part)
        reasons = bs.not_applied(spec, part)
        if not spec.plain:  # stated for the plain RAC only
            assert got["lower"] is None and got["all_chains"] is None
            assert "plain RAC only" in reasons["lower"] and "plain RAC only" in reasons["all_chains"]
        if got["ideal"] is None:
            assert "ideal" in reasons
        else:
            assert got["ideal"] == bs.member_ideal_bound(spec, part)


def test_the_ideal_sum_past_its_term_limit_is_left_out_with_a_reason():
    spec = RACSpec(M=5000, R=5000, L=3, T=4)
    part = Partition.start_end(4)
    assert bs.bound_values(spec, part)["ideal"] is None
    assert "sum of min(M, R_1) = 5,000 terms" in bs.not_applied(spec, part)["ideal"]
    assert "ideal" not in bs.upper_bounds(spec, part)


ATLAS = Path(__file__).resolve().parent.parent / "figures" / "atlas.csv.gz"


def _atlas_sample(per_kind: int = 40) -> list[dict]:
    """Rows of the committed atlas of every depth and partition kind (start-end,
    interleaved, split:k), ``per_kind`` of each, spread over the file."""
    from tnrnn.atlas_table import read_atlas_table

    rows = [r for r in read_atlas_table(ATLAS) if r.get("status") == "ok"]
    out = []
    for L in sorted({r["L"] for r in rows}):
        for kind in ("start-end", "interleaved", "split"):
            rs = [r for r in rows if r["L"] == L and r["partition"].split(":")[0] == kind]
            out += rs[:: max(1, len(rs) // per_kind)][:per_kind]
    return out


def test_recomputed_atlas_rows_have_the_same_bounds():
    """The committed atlas's bound columns are what the registry computes today (the table's
    older columns were checked equal to the atlas computed before the registry existed)."""
    sample = _atlas_sample()
    assert len(sample) >= 400 and len({(r["L"], r["partition"].split(":")[0]) for r in sample}) == 12
    for r in sample:
        spec = RACSpec(M=r["M"], R=r["R"], L=r["L"], T=r["T"])
        part = Partition(tuple(r["A"]), tuple(t for t in range(1, r["T"] + 1) if t not in r["A"]), r["partition"])
        got = bs.bound_values(spec, part)
        for name, value in got.items():
            if name != "mincut":
                assert value == r.get(name), (r["M"], r["R"], r["L"], r["T"], r["partition"], name)


def test_the_registry_sits_below_the_rank_layer():
    """boundset imports only the spec, the partition, copies, formulas and errors (not even
    lazily): the rank layer reads it, and the min-cut's value is computed above it."""
    import ast

    import tnrnn.boundset

    allowed = {"errors", "partition", "spec", "copies", "formulas", "registry", "members", "declarations"}
    for path in Path(tnrnn.boundset.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level > 0:
                names = [node.module or a.name for a in node.names]
                assert all(n.split(".")[0] in allowed for n in names), (path.name, names)
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith("tnrnn") for a in node.names), (path.name, node.names)
