"""Sweeps into a store: semantics, resume after SIGKILL, concurrent sweeps, worker processes."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tnrnn import Partition, RACSpec
from tnrnn.bounds import bounds_table, case_seed, read_bounds_table
from tnrnn.bounds import table as table_mod
from tnrnn.bounds.table import table_paths, without_run_fields
from tnrnn.cli import main
from tnrnn.errors import PartitionError, TnrnnError
from tnrnn.rank import separation_rank
from tnrnn.store import ResultStore

REPO = Path(__file__).resolve().parents[1]
GRID = dict(L_values=(1, 2), M_values=(2,), R_values=(2, 3), T_values=(2, 4, 6), progress=False)


def values(rows):
    """What the rows computed (not when, where, or with which library versions)."""
    return [{k: v for k, v in r.items() if k not in ("key", "kind")} for r in without_run_fields(rows)]


def test_rows_match_an_independent_rank_computation():
    rows = bounds_table(None, **GRID)
    assert [(r["L"], r["R"], r["T"]) for r in rows] == [(L, R, T) for L in (1, 2) for R in (2, 3) for T in (2, 4, 6)]
    for r in rows:
        spec, part = RACSpec(M=r["M"], R=r["R"], L=r["L"], T=r["T"]), Partition.start_end(r["T"])
        assert r["seed"] == case_seed(0, spec, part)
        assert r["exact"] == separation_rank(spec, part, rng=r["seed"]).rank
        assert r["status"] == "ok" and r["host"] and r["numpy_version"] and r["flint_version"]


# --------------------------------------------------------------------------- semantics
def test_paths_and_suffixes(tmp_path):
    assert table_paths(None) == (None, [])
    assert table_paths(tmp_path / "t.sqlite") == (tmp_path / "t.sqlite", [])
    assert table_paths(tmp_path / "t.csv") == (tmp_path / "t.sqlite", [tmp_path / "t.csv"])
    assert table_paths(tmp_path / "t") == (tmp_path / "t.sqlite", [tmp_path / "t.csv", tmp_path / "t.json"])
    with pytest.raises(TnrnnError, match="t.txt"):
        table_paths(tmp_path / "t.txt")


def test_a_grid_with_no_case_is_refused_before_any_work(tmp_path):
    with pytest.raises(PartitionError, match="'start-end' fits none of T = 3, 5"):
        bounds_table(tmp_path / "t.sqlite", **{**GRID, "T_values": (3, 5)})
    with pytest.raises(PartitionError, match="cannot read partition 'strat-end'"):
        bounds_table(tmp_path / "t.sqlite", **GRID, partitions=("start-end", "strat-end"))
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("argv, expected", [
    (["-o", "t.txt"], "t.txt"),
    (["-o", "t"], "'t'"),
    (["--T", "3,5", "-o", "t.csv"], "fits none of T = 3, 5"),
    (["--partition", "start-end;interleavd", "-o", "t.csv"], "interleavd"),
    (["--workers", "0", "-o", "t.csv"], "--workers"),
])
def test_cli_sweep_refusals_are_one_line_exit_2_and_write_nothing(capsys, tmp_path, monkeypatch, argv, expected):
    monkeypatch.chdir(tmp_path)
    code = main(["sweep", "--L", "1", "--M", "2", "--R", "2", *argv])
    err = capsys.readouterr().err
    assert code == 2 and expected in err and err.count("\n") == 1
    assert not list(tmp_path.iterdir())


def test_cli_sweep_prints_the_paths_it_wrote_and_export_writes_paper_tables(capsys, tmp_path):
    out = tmp_path / "t.json"
    assert main(["sweep", "--L", "1,2", "--M", "2", "--R", "2", "--T", "2,4", "--workers", "1", "-o", str(out)]) == 0
    text = capsys.readouterr().out.strip()
    assert text == f"4 rows (4 ok) -> {tmp_path / 't.sqlite'}, {out}"
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(("-wal", "-shm"))) == [
        "t.json", "t.sqlite"]
    md, tex = tmp_path / "t.md", tmp_path / "t.tex"
    assert main(["export", str(tmp_path / "t.sqlite"), "-o", str(md), "-o", str(tex)]) == 0
    assert capsys.readouterr().out.strip() == f"4 rows -> {md}, {tex}"
    lines = md.read_text().splitlines()
    assert lines[0] == ("| L | T | lower | exact | mincut | degree | bottleneck | symmetric | ideal | syzygy "
                        "| all chains |")
    assert lines[2:] == [f"| {r['L']} | {r['T']} | {r['lower']} | {r['exact']} | {r['mincut']} | {r['degree']} | "
                         f"{r['bottleneck']} | {r['symmetric']} | {r['ideal'] or '-'} | {r['syzygy'] or '-'} | "
                         f"{r['all_chains']} |" for r in read_bounds_table(out)]
    assert "\\toprule" in tex.read_text() and "\\bottomrule" in tex.read_text()
    assert main(["export", str(tmp_path / "t.sqlite"), "-o", str(tmp_path / "t.txt")]) == 2
    assert main(["export", str(tmp_path / "nope.sqlite"), "-o", str(md)]) == 2


def test_another_seed_or_grid_is_recorded_beside_the_first(tmp_path):
    path = tmp_path / "t.csv"
    first = bounds_table(path, **GRID)
    second = bounds_table(path, **{**GRID, "T_values": (2, 4, 8)}, rng=1)
    assert {r["rng"] for r in first} == {0} and {r["rng"] for r in second} == {1}
    assert values(first) == values(bounds_table(None, **GRID))  # the first rows are untouched
    with ResultStore(tmp_path / "t.sqlite") as store:
        sweeps = store.sweeps()
        assert len(store) == len(first) + len(second)
    assert [s["meta"]["rng"] for s in sweeps] == [0, 1]
    assert [s["meta"]["T_values"] for s in sweeps] == [[2, 4, 6], [2, 4, 8]]
    exported = read_bounds_table(tmp_path / "t")  # the store: every row of both sweeps
    assert len(exported) == len(first) + len(second)
    import csv

    with open(path, newline="") as fh:
        assert len(list(csv.DictReader(fh))) == len(exported)  # the CSV export holds them all too


def test_rows_too_large_are_stored_with_their_reason_and_not_computed(tmp_path, monkeypatch):
    calls = []
    real = table_mod.bound_row
    monkeypatch.setattr(table_mod, "bound_row", lambda spec, *a, **k: calls.append(spec.T) or real(spec, *a, **k))
    rows = bounds_table(tmp_path / "t.sqlite", **{**GRID, "L_values": (2,)}, max_probes=9)
    too = [r for r in rows if r["status"] == "too-large"]
    assert too and all("max_probes=9" in r["error"] for r in too)
    assert sorted(calls) == sorted(r["T"] for r in rows if r["status"] == "ok")  # never sent
    assert all(r["T"] == min(x["T"] for x in too if x["R"] == r["R"]) for r in too)  # larger T stopped
    calls.clear()
    again = bounds_table(tmp_path / "t.sqlite", **{**GRID, "L_values": (2,)}, max_probes=10**6)
    assert all(r["status"] == "ok" for r in again) and len(again) == 6  # a larger limit computes them
    assert sorted(calls) == sorted(r["T"] for r in too) + [6] * sum(r["T"] < 6 for r in too)


# --------------------------------------------------------------------------- workers
def test_worker_processes_give_the_serial_rows(tmp_path):
    serial = bounds_table(None, **GRID)
    parallel = bounds_table(tmp_path / "p.sqlite", **GRID, workers=2)
    assert values(parallel) == values(serial)
    assert {r["pid"] for r in parallel} != {os.getpid()}  # computed elsewhere


# --------------------------------------------------------------------------- kills
_SWEEP = """
import sys, time
from tnrnn.bounds import table
from tnrnn.store import ResultStore
from tnrnn.store.db import key_text
put = ResultStore.put
def put_and_tell(self, key, row, **kw):
    done = put(self, key, row, **kw)
    print(key_text(key), flush=True)  # this row is stored: the parent checks it survives the kill
    return done
ResultStore.put = put_and_tell
real = table.bound_row
def slow(*a, **k):
    time.sleep(0.04)
    return real(*a, **k)
table.bound_row = slow
table.bounds_table(sys.argv[1], L_values=(1, 2), M_values=(2, 3), R_values=(2, 3), T_values=(2, 4, 6, 8),
                   rng=0, progress=False, workers=int(sys.argv[2]))
"""
KILL_GRID = dict(L_values=(1, 2), M_values=(2, 3), R_values=(2, 3), T_values=(2, 4, 6, 8), rng=0, progress=False)


def _start(path: Path, workers: int, extra_env=None) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO), **(extra_env or {})}
    return subprocess.Popen([sys.executable, "-c", _SWEEP, str(path), str(workers)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def _count(path: Path) -> int:
    if not path.exists():
        return 0
    with ResultStore(path) as store:
        return len(store)


def test_sigkill_at_random_moments_then_resume_gives_the_uninterrupted_table(tmp_path):
    reference = bounds_table(None, **KILL_GRID)
    path = tmp_path / "k.sqlite"
    rnd = random.Random(15)
    counts = []
    for attempt in range(5):
        proc = _start(path, workers=2 if attempt == 2 else 1)
        before, deadline = (counts[-1] if counts else 0), time.monotonic() + 120
        while _count(path) <= before and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)  # wait for this run's first stored row (imports are slow on a busy machine)
        time.sleep(rnd.uniform(0.0, 0.6))
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its worker processes
        except ProcessLookupError:  # it had already finished
            pass
        told = proc.communicate()[0].split()
        n = _count(path)
        assert n >= (counts[-1] if counts else 0)
        counts.append(n)
        with ResultStore(path) as store:
            assert store.integrity() == "ok"
            stored = set(store.statuses())
        assert set(told) <= stored  # every row reported stored before the kill is there
    assert any(0 < n < len(reference) for n in counts), counts  # some kill landed mid-sweep
    resumed = bounds_table(path, **KILL_GRID)
    assert values(resumed) == values(reference)
    with ResultStore(path) as store:
        assert store.integrity() == "ok" and len(store) == len(reference)


def test_two_sweeps_into_one_store_at_once(tmp_path):
    path = tmp_path / "c.sqlite"
    procs = [_start(path, workers=1) for _ in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err[-2000:]
    with ResultStore(path) as store:
        assert store.integrity() == "ok"
        assert len(store.sweeps()) == 2
    assert values(read_bounds_table(path)) == values(bounds_table(None, **KILL_GRID))


def test_worker_processes_get_their_share_of_the_threads():
    numba = pytest.importorskip("numba")
    import concurrent.futures as cf
    import multiprocessing

    from tnrnn.store.run import limit_threads

    with cf.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=limit_threads,
                                initargs=(1,)) as pool:
        assert pool.submit(numba.get_num_threads).result() == 1


_COMPILE_IN_WORKER = "import numba, numpy as np\nassert numba.njit(lambda a: a.sum() + 1)(np.arange(3)) == 4"


def test_a_worker_compiles_new_code_after_its_threads_are_limited():
    """Workers fork from a server that imported numba (with a pool size of every core); after
    limit_threads a compilation (a signature not in numba's disk cache) must still work. It
    raised "Cannot set NUMBA_NUM_THREADS to a different value once the threads have been
    launched" when limit_threads set that variable: the atlas with --workers 2 failed so."""
    pytest.importorskip("numba")
    import concurrent.futures as cf
    import multiprocessing

    from tnrnn.store.run import limit_threads

    if "forkserver" not in multiprocessing.get_all_start_methods():
        pytest.skip("needs the forkserver start method")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["tnrnn.store._preload"])
    with cf.ProcessPoolExecutor(1, mp_context=context, initializer=limit_threads, initargs=(1,)) as pool:
        assert pool.submit(exec, _COMPILE_IN_WORKER).result() is None
        assert pool.submit(__import__("numba").get_num_threads).result() == 1


def test_cli_sweep_with_workers_on_a_cold_compiled_code_cache(tmp_path):
    """A fresh machine has no numba cache, so every worker compiles: `tnrnn sweep --workers 2`
    died there with "Cannot set NUMBA_NUM_THREADS ..." (warm caches, as in most test runs,
    hid it)."""
    pytest.importorskip("numba")
    env = {**os.environ, "PYTHONPATH": str(REPO), "NUMBA_CACHE_DIR": str(tmp_path / "numba-cache")}
    out = tmp_path / "cold.sqlite"
    proc = subprocess.run([sys.executable, "-m", "tnrnn", "sweep", "--L", "2", "--M", "2", "--R", "2", "--T", "4",
                           "--workers", "2", "-o", str(out)], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert [(r["T"], r["exact"]) for r in read_bounds_table(out)] == [(4, 6)]


_UNGUARDED = """
from tnrnn.bounds import bounds_table
rows = bounds_table(None, L_values=[1], M_values=[2], R_values=[2], T_values=[2, 4], workers=2, progress=False)
print(len(rows))
"""


def test_a_script_without_main_guard_gets_one_clear_line(tmp_path):
    """Workers import the main script again: without the guard the sweep fails with the hint,
    not with Python's bootstrapping RuntimeError from every worker; with the guard it runs."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    plain = tmp_path / "plain.py"
    plain.write_text(_UNGUARDED)
    proc = subprocess.run([sys.executable, str(plain)], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("tnrnn.errors.TnrnnError: ") and 'if __name__ == "__main__":' in last
    assert str(plain) in last
    assert "RuntimeError" not in proc.stderr and "BrokenProcessPool" not in proc.stderr
    guarded = tmp_path / "guarded.py"
    body = "".join("    " + line + "\n" for line in _UNGUARDED.strip().splitlines()[1:])
    guarded.write_text(f"from tnrnn.bounds import bounds_table\nif __name__ == '__main__':\n{body}")
    proc = subprocess.run([sys.executable, str(guarded)], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["2"]


def test_the_up_front_check_equals_the_full_check_and_skips_needless_min_cuts(monkeypatch):
    """The sweep's process refuses exactly the cases the shared check refuses with the min-cut,
    and computes the min-cut only for cases the closed forms alone would refuse."""
    from tnrnn.bounds import rows as rows_mod
    from tnrnn.errors import MemoryLimitError
    from tnrnn.rank.probes import check_probe_budget
    from tnrnn.store import Job

    cuts = []
    real = rows_mod.mincut_upper_bounds
    monkeypatch.setattr(rows_mod, "mincut_upper_bounds", lambda *a: cuts.append(a) or real(*a))
    decided = []
    for L, M, R, T, name, limit in [(3, 5, 1, 6, "interleaved", 4), (2, 2, 2, 6, "start-end", 4),
                                    (2, 2, 2, 6, "start-end", 100), (2, 3, 3, 8, "interleaved", 50),
                                    (3, 2, 2, 6, "split:1", 30), (1, 3, 3, 6, "interleaved", 3)]:
        spec, part = RACSpec(M=M, R=R, L=L, T=T), Partition.parse(name, T)
        payload = {"M": M, "R": R, "L": L, "T": T, "K": 1, "A": list(part.A), "partition": part.name,
                   "rng": 0, "seed": 0, "with_mincut": True}
        cuts.clear()
        refused = table_mod._budget_refusal(Job((), payload), {"max_probes": limit}) is not None
        try:
            check_probe_budget(spec, part, limit, known=real(spec, part))
            full = False
        except MemoryLimitError:
            full = True
        assert refused == full, (L, M, R, T, name, limit)
        try:
            check_probe_budget(spec, part, limit)
            assert not cuts  # fits by the closed forms: no min-cut computed
        except MemoryLimitError:
            assert cuts
        decided.append(refused)
    assert decided[0] is False and True in decided  # the min-cut lets the first case through


@pytest.mark.parametrize("cheapest_first", [False, True])
def test_send_order_keeps_each_group_in_T_order_and_puts_costly_or_cheap_rows_first(cheapest_first):
    from tnrnn.bounds.table import _cases, _send_order
    from tnrnn.boundset import smallest_upper_bound_log2

    groups = _cases([1, 2, 3], [1, 2, 4], [1, 3], [2, 4, 6, 8, 10], ["start-end", "split:1", "interleaved"])
    order = _send_order(groups, cheapest_first)
    assert sorted((g, spec.T) for g, (spec, _) in order) == sorted(
        (g, spec.T) for g, group in enumerate(groups) for spec, _ in group)  # every case once
    for g, group in enumerate(groups):
        assert [spec.T for h, (spec, _) in order if h == g] == [spec.T for spec, _ in group]

    def cost(case):
        spec, part = case
        return smallest_upper_bound_log2(spec, part)[0], spec.T

    costs = [cost(case) for _, case in order]
    if cheapest_first:  # every group's costs grow with T here, so the merge is sorted
        assert costs == sorted(costs)
    else:  # waves: within the last wave, costliest first
        last = [cost(group[-1]) for group in groups if len(group) == max(map(len, groups))]
        assert costs[-len(last):] == sorted(last, reverse=True)
