"""Tests of tnrnn.bounds: every bound against the exact rank, loud violations, the sweep."""

import csv
import dataclasses
import json

import pytest

import tnrnn.bounds.table as table_mod
from tnrnn import Partition, RACSpec
from tnrnn.bounds import (
    BoundRow,
    bound_row,
    bounds_table,
    case_seed,
    check_bounds,
    check_row,
    read_bounds_table,
    violations,
)
from tnrnn.errors import BoundViolationError, MemoryLimitError, TnrnnError
from tnrnn.formulas import multiset, symmetric_copies_bound
from tnrnn.rank import probe_cap
from tnrnn.rank import separation_rank

GRID = [RACSpec(M=M, R=R, L=L, T=T) for L in (1, 2, 3) for M in (1, 2, 3) for R in (1, 2, 3) for T in (2, 4, 6)]


def test_mincut_package_is_there():
    from tnrnn.mincut import mincut_bound

    assert mincut_bound(RACSpec(M=2, R=2, L=1, T=4), "start-end").bound == 2


@pytest.fixture(scope="module")
def grid_rows():
    return check_bounds(GRID, rng=0)


def test_grid_orderings_hold(grid_rows):
    assert len(grid_rows) == len(GRID)
    for row in grid_rows:
        uppers = [row.mincut, row.degree, row.bottleneck, row.symmetric, row.all_chains] + (
            [row.ideal] if row.L >= 2 else [])
        assert None not in uppers  # Start-End: every bound is defined (ideal for L >= 2)
        uppers += [row.syzygy] if row.syzygy is not None else []  # prefix {1, 2} only
        assert row.lower <= row.exact <= min(uppers) == row.tightest_upper
        assert row.certified and row.failure_bound < 1e-3
        assert row.lower_status == ("conjecture" if row.L >= 3 else "theorem")


def test_grid_shallow_rows_equal_theorem_and_depth2_rows_exceed_it(grid_rows):
    for row in grid_rows:
        if row.L == 1:
            assert row.exact == row.lower == min(row.R, row.M ** (row.T // 2))
        if row.L == 2:
            assert row.lower == multiset(min(row.M, row.R), row.T // 2)
    # on this grid the generic depth-2 rank is often well above the paper's bound
    assert any(r.exact > 2 * r.lower for r in grid_rows if r.L == 2)


def test_rows_are_reproducible_from_their_seed(grid_rows):
    for row in grid_rows[::7]:
        spec = RACSpec(M=row.M, R=row.R, L=row.L, T=row.T)
        part = Partition.start_end(row.T)
        assert row.seed == case_seed(0, spec, part)
        assert separation_rank(spec, part, rng=row.seed).rank == row.exact


@pytest.mark.parametrize("L", [1, 2, 3])
@pytest.mark.parametrize("name", ["interleaved", "split:2", "A:1,4,5"])
def test_general_partitions(L, name):
    spec = RACSpec(M=2, R=2, L=L, T=5)
    (row,) = check_bounds([(spec, name)], rng=3)
    assert row.lower is None and row.all_chains is None
    if name == "split:2":  # a prefix side: symmetric copies over the m = 3 other steps
        assert row.symmetric == symmetric_copies_bound(2, L, 6)
        assert row.ideal == {1: None, 2: 2 * (multiset(2, 3) - multiset(0, 3)), 3: symmetric_copies_bound(2, 3, 6) - 4}[L]
    else:
        assert row.symmetric is None and row.ideal is None
    assert 1 <= row.exact <= min(row.mincut, row.degree, row.symmetric or row.mincut)


def _row(**changes):
    base = bound_row(RACSpec(M=2, R=2, L=2, T=4), "start-end", rng=0)
    return dataclasses.replace(base, **changes)


def test_violated_theorem_raises_loudly():
    row = _row(exact=2)  # lower bound is 3 (theorem)
    assert violations(row)
    with pytest.raises(BoundViolationError, match="Theorem 1 of the paper"):
        check_row(row)


def test_violated_conjecture_says_so():
    row = dataclasses.replace(bound_row(RACSpec(M=2, R=2, L=3, T=4), "start-end", rng=0), exact=1)
    with pytest.raises(BoundViolationError, match="conjecture for L=3"):
        check_row(row)


@pytest.mark.parametrize("name", ["mincut", "degree", "symmetric", "ideal", "all_chains"])
def test_violated_upper_bound_raises(name):
    row = _row(**{name: 1})
    with pytest.raises(BoundViolationError, match=f"{name} upper bound 1"):
        check_row(row)


def test_check_row_passes_a_good_row_and_to_dict_is_json():
    row = _row()
    assert check_row(row) is row
    d = json.loads(json.dumps(row.to_dict()))
    assert d["exact"] == row.exact and d["tightest_upper"] == row.tightest_upper


def test_check_bounds_argument_errors():
    with pytest.raises(TnrnnError, match="RACSpec"):
        check_bounds([("not a spec", "start-end")])
    with pytest.raises(TnrnnError, match="seed"):
        check_bounds([RACSpec(M=2, R=2, L=1, T=2)], rng=-1)


# --------------------------------------------------------------------------- the sweep
SMALL = dict(L_values=(1, 2), M_values=(2,), R_values=(2, 3), T_values=(2, 3, 4, 6), progress=False)


def test_table_writes_csv_and_json(tmp_path):
    rows = bounds_table(tmp_path / "t", **SMALL)
    assert len(rows) == 2 * 2 * 3  # odd T has no Start-End partition
    with open(tmp_path / "t.csv", newline="") as fh:
        csv_rows = list(csv.DictReader(fh))
    js = json.loads((tmp_path / "t.json").read_text())
    assert len(csv_rows) == len(js["rows"]) == len(rows)
    for c, r in zip(csv_rows, rows):
        assert int(c["exact"]) == r["exact"] and c["status"] == "ok" and float(c["seconds"]) >= 0
        assert int(c["lower"]) <= r["exact"] <= int(c["tightest_upper"])
    assert js["meta"]["sweeps"][-1]["meta"]["R_values"] == [2, 3]
    assert (tmp_path / "t.sqlite").exists()  # the store the exports come from
    assert not list(tmp_path.glob(".*.tmp"))  # atomic writes leave no temporary files


def test_table_resumes_after_interruption(tmp_path, monkeypatch):
    fresh = bounds_table(tmp_path / "fresh", **SMALL)
    calls = {"n": 0}
    real = table_mod.bound_row

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(table_mod, "bound_row", flaky)
    with pytest.raises(KeyboardInterrupt):
        bounds_table(tmp_path / "r", **SMALL)
    assert len(read_bounds_table(tmp_path / "r")) == 4  # finished rows kept
    monkeypatch.setattr(table_mod, "bound_row", real)
    counted = {"n": 0}

    def counting(*args, **kwargs):
        counted["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(table_mod, "bound_row", counting)
    resumed = bounds_table(tmp_path / "r.json", **SMALL)
    assert counted["n"] == len(fresh) - 4  # only the missing rows were computed
    key = lambda r: (r["L"], r["M"], r["R"], r["T"])  # noqa: E731
    assert sorted((key(r), r["exact"], r["seed"]) for r in resumed) == sorted(
        (key(r), r["exact"], r["seed"]) for r in fresh
    )


def test_table_stops_growing_T_when_rows_are_slow_or_too_large(tmp_path):
    rows = bounds_table(tmp_path / "a", **{**SMALL, "L_values": (2,)}, max_row_seconds=0.0)
    assert sorted({r["T"] for r in rows}) == [2]
    rows = bounds_table(tmp_path / "b", **{**SMALL, "L_values": (2,), "progress": True}, max_probes=4)
    assert {r["T"]: r["status"] for r in rows if r["R"] == 3} == {2: "ok", 4: "too-large"}


def test_table_violation_is_written_then_raised(tmp_path, monkeypatch):
    real = table_mod.bound_row

    def broken(*args, **kwargs):
        return dataclasses.replace(real(*args, **kwargs), degree=0)

    monkeypatch.setattr(table_mod, "bound_row", broken)
    with pytest.raises(BoundViolationError, match="degree upper bound 0"):
        bounds_table(tmp_path / "v", **SMALL)
    (row,) = read_bounds_table(tmp_path / "v")
    assert row["status"] == "VIOLATION"


def test_boundrow_is_a_dataclass_of_the_whole_spec_and_every_registered_bound():
    from tnrnn.boundset import bound_names

    assert {f.name for f in dataclasses.fields(BoundRow)} >= {"M", "R", "L", "T", "cell", "bias", "dilations",
                                                              "exact", "bounds"}
    row = bound_row(RACSpec(M=2, R=2, L=2, T=4), "start-end", rng=0)
    assert tuple(row.bounds) == bound_names()
    assert (row.lower, row.degree, row.mincut) == (row.bounds["lower"], row.bounds["degree"], row.bounds["mincut"])
    assert dataclasses.replace(row, degree=5).bounds["degree"] == 5 and row.degree == 6
    with pytest.raises(AttributeError, match="no field or bound 'nope'"):
        row.nope


# --------------------------------------------------------------------------- boundary-ideal bound and proven ranks
def _depth2_cases(M_max, R_max, cap, T_max):
    """Every (L = 2 spec, split:k) with M, R, T <= the maxima whose probe cap is <= cap."""
    for M in range(1, M_max + 1):
        for R in range(1, R_max + 1):
            for T in range(2, T_max + 1):
                spec = RACSpec(M=M, R=R, L=2, T=T)
                parts = [p for p in (Partition.split(T, k) for k in range(1, T)) if probe_cap(spec, p) <= cap]
                yield from ((spec, p) for p in parts)


def _formula(r) -> int:
    """min(ideal, degree, bottleneck, mincut, syzygy where it applies) of a depth-2 row."""
    return min(v for v in (r.ideal, r.degree, r.bottleneck, r.mincut, r.syzygy) if v is not None)


def _check_depth2_formula(rows):
    """Start-End rows: exact = min(ideal, degree, bottleneck, mincut, syzygy), hence proven.
    Every row: exact <= ideal (check_bounds raises otherwise). Returns the Start-End rows and
    the other prefix rows where the min is not met."""
    se = [r for r in rows if r.partition == "start-end" or 2 * len(r.A) == r.T]
    failed = [r for r in se if r.exact != _formula(r)]
    assert not failed, [(r.M, r.R, r.T, r.partition, r.exact, r.ideal, r.degree, r.mincut) for r in failed]
    for r in rows:
        assert r.exact <= r.ideal
        if r.exact == _formula(r):  # the min is met: proven, and by that bound
            assert r.proven and r.exact == r.tightest_upper
            assert all(getattr(r, name) == r.exact for name in r.proven_by.split(", "))
        else:
            assert not r.proven
    return se, [r for r in rows if r.exact != _formula(r)]


def test_depth2_rank_is_min_of_ideal_degree_mincut_on_a_small_grid():
    rows = check_bounds(list(_depth2_cases(4, 4, 120, 6)), rng=0)
    se, other = _check_depth2_formula(rows)
    assert len(se) == 4 * 4 * 3
    # the ideal bound alone is what makes these rows proven (M < R, several steps)
    assert any(r.proven_by == "ideal" and r.M < r.R for r in se)
    # away from Start-End the bottleneck bound proves what the others miss (M=3, R=2, split:1: rank
    # T + 1 = multiset(2, T), below the ideal, degree and min-cut bounds); here every prefix row meets the min
    assert any(r.M == 3 and r.R == 2 and r.partition == "split:1" and r.exact == r.T + 1 == r.bottleneck
               and r.proven_by == "bottleneck" for r in rows)
    assert other == []


@pytest.mark.slow
def test_depth2_rank_is_min_of_ideal_degree_mincut_on_the_big_grid():
    se, _ = _check_depth2_formula(check_bounds(list(_depth2_cases(6, 6, 1500, 16)), rng=1))
    assert len(se) > 150


def test_ideal_bound_violation_is_loud_and_the_probe_cap_catches_it(monkeypatch):
    spec, part = RACSpec(M=2, R=3, L=2, T=8), Partition.start_end(8)
    row = bound_row(spec, part, rng=0)
    assert row.exact == row.ideal == 42 < row.symmetric and row.proven_by == "ideal"
    with pytest.raises(BoundViolationError, match="ideal upper bound 41"):
        check_row(dataclasses.replace(row, ideal=41))
    # a wrong (too small) ideal bound in the probe cap: the growth loop reaches cap + 1 and says so
    from tnrnn.boundset import get_bound, register  # the one registry the probe cap reads

    real = get_bound("ideal")
    register(dataclasses.replace(real, value=lambda s, p: real.value(s, p) - 1), replace=True)
    try:
        with pytest.raises(BoundViolationError, match="exceeds the proven upper bound 41"):
            separation_rank(spec, part, rng=0)
    finally:
        register(real, replace=True)


def test_proven_flag_of_rows_and_results():
    # proven: M < R at depth 2, where only the ideal bound meets the rank
    spec = RACSpec(M=2, R=3, L=2, T=8)
    res = separation_rank(spec, "start-end", rng=0)
    assert res.proven and res.proven_by == "ideal" and res.upper_bound == res.rank == 42
    assert res.to_dict()["proven"] is True and "PROVEN" in res.report()
    # depth 3, R = 2: the generalised ideal bound (4 below symmetric copies) proves the rank
    (row3,) = check_bounds([RACSpec(M=2, R=2, L=3, T=8)], rng=0)
    assert row3.exact == row3.ideal == row3.symmetric - 4 == 106 and row3.proven_by == "ideal"
    # not proven: depth 4, where the rank sits below every upper bound
    spec3 = RACSpec(M=2, R=2, L=4, T=6)
    (row,) = check_bounds([spec3], rng=0)
    assert row.exact < row.tightest_upper and not row.proven and row.proven_by is None
    res3 = separation_rank(spec3, "start-end", rng=0)
    assert not res3.proven and "certified lower bound" in res3.status and res3.to_dict()["proven"] is False
    # the float path is never proven, even when its number meets a bound
    fl = separation_rank(RACSpec(M=2, R=2, L=1, T=4), "start-end", method="float", rng=0)
    assert fl.rank == 2 and not fl.proven and fl.upper_bound is None
    # the paper's lower bound plays no part: a row whose exact equals `lower` only is not proven
    assert not dataclasses.replace(row, exact=row.lower, proven_by=None).proven


def test_check_bounds_takes_one_case_and_refuses_up_front():
    import tracemalloc

    spec = RACSpec(M=2, R=2, L=2, T=4)
    (row,) = check_bounds((spec, "interleaved"), with_mincut=False)
    assert row.partition == "interleaved" and row.exact == separation_rank(spec, "interleaved",
                                                                        rng=row.seed).rank
    assert len(check_bounds(spec, with_mincut=False)) == 1
    with pytest.raises(TnrnnError, match="cases must be"):
        check_bounds(7)
    tracemalloc.start()  # work counted as memory: refused before the network is built
    with pytest.raises(MemoryLimitError, match="may be as large as 987,594,736"):
        check_bounds([RACSpec(M=4, R=4, L=3, T=30)])
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 64 * 2**20  # 14 MiB measured


def test_rows_use_the_mincut_for_the_budget(tmp_path):
    import tracemalloc

    spec = RACSpec(M=5, R=1, L=3, T=6)  # degree bound 4,069,800; the min-cut and the bottleneck prove 1
    (row,) = check_bounds([(spec, "interleaved")])
    assert row.exact == row.mincut == row.bottleneck == 1 and row.degree == 4_069_800
    assert bound_row(spec, "interleaved", with_mincut=False).exact == 1  # the API takes it too
    with pytest.raises(MemoryLimitError):  # degree = bottleneck bound when M = R
        bound_row(RACSpec(M=5, R=5, L=3, T=6), "interleaved", with_mincut=False)
    tracemalloc.start()
    rows = bounds_table(tmp_path / "t", L_values=(3,), M_values=(4,), R_values=(4,), T_values=(30,),
                        progress=False)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert [r["status"] for r in rows] == ["too-large"] and "987,594,736" in rows[0]["error"]
    assert peak < 64 * 2**20  # 2.3 MiB measured: refused up front, nothing built


def test_mincut_upper_bounds_skips_large_networks():
    from tnrnn.bounds import mincut_upper_bounds
    from tnrnn.mincut import mincut_bound

    spec = RACSpec(M=3, R=2, L=2, T=6)
    assert mincut_upper_bounds(spec, "split:2") == {"mincut": mincut_bound(spec, "split:2").bound}
    assert mincut_upper_bounds(spec, "split:2", max_nodes=10) == {}
