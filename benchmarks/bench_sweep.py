"""Sweep benchmarks: worker processes, saving cost per row, and a Dask LocalCluster.

Prints, with the machine's load:

1. a sweep of about 500 bounds rows (640 rows of 2 ms to 4 s), as whole ``tnrnn sweep``
   processes, ``--workers 1`` against ``--workers N`` (default 2), in turns (serial, N
   workers, serial, ...; ``--repeat`` pairs, default 3): wall times, CPU times (user + sys of
   every process), the speed-up serial / N-worker wall time of each pair and of the medians
   (target >= 1.7 with 2 workers on 2 quiet cores). Every run pays its own start (imports,
   compiled-code cache), as a user's command does. Then the same for 432 heavier rows (T up
   to 24, up to about 10 s each), where that start weighs less;
2. the cost of storing one row into a store that already holds 100 and 10,000 rows
   (flat: one indexed insert per row; the old CSV+JSON rewrite grew with the table), and,
   for comparison, the old way (rewrite the whole table as CSV and JSON after each row);
3. the same rows through a Dask ``LocalCluster`` with 2 worker processes: overhead per row
   against local workers.

Run: ``PYTHONPATH=. python benchmarks/bench_sweep.py [--workers 2] [--rows 640] [--repeat 3]
[--grid light|heavy|both] [--skip-dask]``.
Timings on a shared machine are noisy: compare the ratios measured in one run.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from tnrnn.bounds import bounds_table
from tnrnn.store import ResultStore, write_tables

#: 640 rows of a few milliseconds to about two seconds each (no row dominates the sweep; the
#: work, about 15 s on one core, outweighs the start of a process, about 1.5 s).
GRID = dict(L_values=(1, 2), M_values=(1, 2, 3, 4), R_values=(1, 2, 3, 4),
            T_values=(2, 4, 6, 8, 10, 12, 14, 16, 18, 20), partitions=("start-end", "split:1"),
            max_row_seconds=float("inf"))

#: 432 heavier rows (T up to 24, rows up to about 10 s): the start of the worker processes
#: weighs less against the work, so the speed-up comes nearer to what the workers give per row.
HEAVY_GRID = dict(L_values=(1, 2), M_values=(2, 3, 4), R_values=(2, 3, 4), T_values=tuple(range(2, 25, 2)),
                  partitions=("start-end", "split:1"), max_row_seconds=float("inf"))


def _load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores"


def _grid(rows: int, base: dict = GRID) -> dict:
    grid = dict(base)
    n = len(grid["L_values"]) * len(grid["M_values"]) * len(grid["R_values"]) * len(grid["T_values"]) * 2
    if rows < n:  # fewer lengths
        grid["T_values"] = grid["T_values"][: max(1, len(grid["T_values"]) * rows // n)]
    return grid


def _cli_args(grid: dict) -> list[str]:
    join = lambda xs: ",".join(map(str, xs))  # noqa: E731
    widths = [a for R in grid["R_values"] for a in ("--R", str(R))]  # repeated: a grid of widths (3,2 is per layer)
    return ["sweep", "--L", join(grid["L_values"]), "--M", join(grid["M_values"]), *widths,
            "--T", join(grid["T_values"]), "--partition", ";".join(grid["partitions"])]


def bench_workers(workers: int, rows: int, folder: Path, repeat: int = 3, base: dict = GRID) -> dict:
    """Serial against ``workers`` processes, each a whole ``tnrnn sweep`` command (the rows
    all finish within the CLI's 30 s per row, so the CLI computes the same grid), in turns."""
    import statistics

    from _process import run_timed

    grid = _grid(rows, base)
    runs: dict[int, list[dict]] = {1: [], workers: []}
    print(f"== workers: the same sweep as whole `tnrnn sweep` processes, in turns, T up to "
          f"{grid['T_values'][-1]}, {_load()}")
    for i in range(repeat):
        for w in (1, workers):
            out = folder / f"w{w}-{i}-{grid['T_values'][-1]}.sqlite"
            r = run_timed([*_cli_args(grid), "--workers", str(w), "-o", str(out)])
            if r["rc"] != 0:
                raise SystemExit(f"tnrnn sweep --workers {w} failed:\n{r['out'][-2000:]}")
            with ResultStore(out) as store:
                n = len(store)
            runs[w].append(r)
            print(f"   --workers {w}: {n} rows, {r['seconds']:.1f} s wall, {r['cpu']:.1f} s CPU "
                  f"({1000 * r['seconds'] / n:.1f} ms/row wall), {_load()}")
    pairs = [a["seconds"] / b["seconds"] for a, b in zip(runs[1], runs[workers])]
    med = {w: statistics.median(r["seconds"] for r in rs) for w, rs in runs.items()}
    cpu = {w: statistics.median(r["cpu"] for r in rs) for w, rs in runs.items()}
    print(f"   speed-up serial / {workers} workers, pair by pair: " + ", ".join(f"{x:.2f}" for x in pairs))
    print(f"   medians: {med[1]:.1f} s / {med[workers]:.1f} s = {med[1] / med[workers]:.2f} (target >= 1.7 with "
          f"2 workers; median CPU {cpu[1]:.1f} s vs {cpu[workers]:.1f} s)")
    return {"rows": n, "pairs": pairs, **{f"workers_{k}": v for k, v in med.items()}}


def bench_saving(folder: Path, sizes=(100, 10_000), probe: int = 200) -> None:
    row = bounds_table(None, L_values=(2,), M_values=(2,), R_values=(2,), T_values=(6,), progress=False)[0]
    print(f"== saving one row, {_load()}")
    for size in sizes:
        store = ResultStore(folder / f"s{size}.sqlite")
        for i in range(size):
            store.put((("kind", "bench"), ("i", i)), row)
        t0 = time.perf_counter()
        for i in range(size, size + probe):
            store.put((("kind", "bench"), ("i", i)), row)
        per = (time.perf_counter() - t0) / probe
        store.close()
        old = [dict(row) for _ in range(size)]
        t0 = time.perf_counter()
        n_old = max(3, min(probe, 2_000_000 // (size * 50)))
        for _ in range(n_old):
            write_tables(old, [folder / f"o{size}.csv", folder / f"o{size}.json"])
        per_old = (time.perf_counter() - t0) / n_old
        print(f"   store holding {size:>6,} rows: {1000 * per:.2f} ms/row   "
              f"(old way, rewrite CSV+JSON: {1000 * per_old:.1f} ms/row)")


def bench_dask(rows: int, folder: Path) -> None:
    try:
        import distributed
    except ImportError:
        print("== dask: distributed is not installed (pip install -e '.[distributed]')")
        return
    grid = _grid(rows)
    with distributed.LocalCluster(processes=True, n_workers=2, threads_per_worker=1, dashboard_address=None,
                                  silence_logs=50) as cluster:
        bounds_table(None, **{**grid, "T_values": (2,)}, scheduler=cluster.scheduler_address, progress=False)
        t0 = time.perf_counter()
        out = bounds_table(folder / "dask.sqlite", **grid, scheduler=cluster.scheduler_address, progress=False)
        t_dask = time.perf_counter() - t0
    t0 = time.perf_counter()
    bounds_table(folder / "local.sqlite", **grid, workers=2, progress=False)
    t_local = time.perf_counter() - t0
    print(f"== {len(out)} rows through a LocalCluster (2 worker processes), {_load()}")
    print(f"   dask {t_dask:.1f} s, local workers {t_local:.1f} s: overhead "
          f"{1000 * (t_dask - t_local) / len(out):+.1f} ms/row")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rows", type=int, default=640, help="fewer rows: fewer lengths (default: the whole grid)")
    ap.add_argument("--repeat", type=int, default=3, help="pairs of runs, serial then workers (default 3)")
    ap.add_argument("--grid", choices=("light", "heavy", "both"), default="both",
                    help="the 640 light rows, the 432 heavier ones, or both (default)")
    ap.add_argument("--skip-dask", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.grid in ("light", "both"):
            bench_workers(args.workers, args.rows, folder, args.repeat)
        if args.grid in ("heavy", "both"):
            bench_workers(args.workers, args.rows, folder, args.repeat, HEAVY_GRID)
        bench_saving(folder)
        if not args.skip_dask:
            bench_dask(args.rows, folder)


if __name__ == "__main__":
    main()
