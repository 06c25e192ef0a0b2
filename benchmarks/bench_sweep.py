"""Sweep benchmarks: worker processes, saving cost per row, and a Dask LocalCluster.

Prints, with the machine's load:

1. a sweep of about 500 bounds rows, serial (``workers=1``) against ``--workers N``
   (default 2): wall times and speed-up (target >= 1.7 with 2 workers on 2 quiet cores);
2. the cost of storing one row into a store that already holds 100 and 10,000 rows
   (flat: one indexed insert per row; the old CSV+JSON rewrite grew with the table), and,
   for comparison, the old way (rewrite the whole table as CSV and JSON after each row);
3. the same rows through a Dask ``LocalCluster`` with 2 worker processes: overhead per row
   against local workers.

Run: ``PYTHONPATH=. python benchmarks/bench_sweep.py [--workers 2] [--rows 500] [--skip-dask]``.
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

#: 448 rows of a few milliseconds to a few seconds each (no row dominates the sweep).
GRID = dict(L_values=(1, 2), M_values=(1, 2, 3, 4), R_values=(1, 2, 3, 4), T_values=(2, 4, 6, 8, 10, 12, 14),
            partitions=("start-end", "split:1"), max_row_seconds=float("inf"))


def _load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores"


def _grid(rows: int) -> dict:
    grid = dict(GRID)
    n = len(grid["L_values"]) * len(grid["M_values"]) * len(grid["R_values"]) * len(grid["T_values"]) * 2
    if rows < n:  # fewer lengths
        grid["T_values"] = grid["T_values"][: max(1, len(grid["T_values"]) * rows // n)]
    return grid


def bench_workers(workers: int, rows: int, folder: Path) -> dict:
    grid = _grid(rows)
    times = {}
    for w in (1, workers):
        t0 = time.perf_counter()
        out = bounds_table(folder / f"w{w}.sqlite", **grid, workers=w, progress=False)
        times[w] = time.perf_counter() - t0
    print(f"== {len(out)} rows ({sum(r['status'] == 'ok' for r in out)} ok), {_load()}")
    print(f"   serial {times[1]:.1f} s ({1000 * times[1] / len(out):.1f} ms/row); "
          f"{workers} workers {times[workers]:.1f} s; speed-up {times[1] / times[workers]:.2f}")
    return {"rows": len(out), **{f"workers_{k}": v for k, v in times.items()}}


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
    ap.add_argument("--rows", type=int, default=500)
    ap.add_argument("--skip-dask", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bench_workers(args.workers, args.rows, folder)
        bench_saving(folder)
        if not args.skip_dask:
            bench_dask(args.rows, folder)


if __name__ == "__main__":
    main()
