"""Benchmark of exact separation ranks (probes over F_p) against the issue's targets.

Run:  python benchmarks/bench_rank.py --targets [--skip-48 | --only-48]   (issue 14: whole processes)
      python benchmarks/bench_rank.py --interleaved   (the compiled mixed kernel against numpy)
      python benchmarks/bench_rank.py [--no-baseline] [--grid-T 12]
      python benchmarks/bench_rank.py --table results/bounds [--budget 900]   (the sweep only)

``--targets`` runs whole ``tnrnn rank`` processes (wall time and the child's peak RSS) at
L=2, M=R=4, T=32 (rank 3,876) beside python-flint's ``nmod_mat.rank`` alone on a random
matrix of the same size, measured in the same run, and at T=48 (rank 11,700).

Prints, for each target case, the rank, the probe stages, the time and the target; then a
plain baseline at L=2, M=R=4, T=16 (every pair run through the forward pass, no shared
prefix, no linear layer 1); then the dense grid-tensor + float SVD path (K = M templates)
at the largest size it can do, beside the probe method at the same size, with the ratio.
Timings are wall-clock on a shared machine: report the load average with them.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from tnrnn import Partition, RACSpec, forward, random_modular_weights, random_weights
from tnrnn.formulas import paper_lower_bound, symmetric_copies_bound
from tnrnn.rank import rank_mod_p, separation_rank, svd_rank
from tnrnn.rank.grid import grid_matrix

TARGETS = [  # (L, M, R, T, seconds)
    (2, 4, 4, 16, 3.0),
    (2, 4, 4, 24, 20.0),
    (3, 3, 3, 8, 30.0),
]


def bench_process_targets(skip_48: bool, only_48: bool = False) -> None:
    """Issue 14's targets: whole ``tnrnn rank`` processes against flint's elimination alone."""
    import flint

    from _process import load

    print(f"== whole `tnrnn rank` processes (L=2 M=R=4, Start-End), {load()}")
    if only_48:
        _run_cases([(48, ["--prime", "2097143"])], None)
        return
    n, p = 3877, 2**31 - 1
    Y = np.random.default_rng(0).integers(0, p, (n, n))
    mat = flint.nmod_mat(n, n, Y.ravel().tolist(), p)
    t0 = time.perf_counter()
    r = mat.rank()
    t_flint = time.perf_counter() - t0
    print(f"   baseline: flint nmod_mat.rank alone, random {n} x {n} mod 2^31-1: rank {r}, {t_flint:.2f} s")
    cases = [(32, []), (32, ["--prime", "2097143"])]
    if not skip_48:
        cases += [(48, ["--prime", "2097143"])]
    _run_cases(cases, t_flint)


def _run_cases(cases, t_flint) -> None:
    from _process import load, run_timed

    for T, extra in cases:
        args = ["rank", "--M", "4", "--R", "4", "--L", "2", "--T", str(T), "--max-probes", "20000",
                "--json", *extra]
        r = run_timed(args)
        secs, gib, rc, out, cpu = r["seconds"], r["gib"], r["rc"], r["out"], r["cpu"]
        rank = "?"
        if rc == 0:
            import json

            rank = json.loads(out[out.index("{"):])["rank"]
        label = " ".join(extra) or "default prime 2^31-1"
        if T == 32:
            verdict = f"ratio flint-alone / process = {t_flint / secs:.2f} (target > 1)"
        else:
            verdict = f"target < 60 s and < 4 GiB: {'OK' if secs < 60 and gib < 4 else 'MISSED'}"
        print(f"   T={T} ({label}): rank {rank}, {secs:.2f} s wall, {cpu:.1f} s CPU, peak RSS {gib:.2f} GiB, "
              f"exit {rc}; {verdict}; {load()}")


def _load() -> str:
    return "load average %.2f %.2f %.2f" % os.getloadavg()


def bench_targets() -> None:
    print(f"== probe method (exact over F_p), {_load()}")
    print(f"{'L':>2} {'M':>2} {'R':>2} {'T':>3} {'rank':>6} {'lower':>6} {'symm':>6}  {'stages':<32} {'time':>8} {'target':>7}")
    for L, M, R, T, target in TARGETS:
        spec = RACSpec(M=M, R=R, L=L, T=T)
        t0 = time.perf_counter()
        res = separation_rank(spec, "start-end", rng=0)
        dt = time.perf_counter() - t0
        stages = ",".join(map(str, res.stages))
        ok = "ok" if dt < target else "SLOW"
        print(f"{L:>2} {M:>2} {R:>2} {T:>3} {res.rank:>6} {paper_lower_bound(M, R, L, T):>6} "
              f"{symmetric_copies_bound(R, L, T):>6}  {stages:<32} {dt:>7.2f}s {target:>6.0f}s {ok}"
              f"   P(fail)<={res.failure_bound:.1e}")


def bench_baseline(T: int = 16) -> None:
    """Plain numpy: every pair through the full forward pass, then the F_p rank."""
    spec = RACSpec(M=4, R=4, L=2, T=T)
    w = random_modular_weights(spec, 0)
    p = w.prime
    n = symmetric_copies_bound(4, 2, T) + 1
    rng = np.random.default_rng(1)
    a = rng.integers(0, p, (n, T // 2, 4))
    b = rng.integers(0, p, (n, T // 2, 4))
    t0 = time.perf_counter()
    Y = np.empty((n, n), dtype=np.int64)
    rows = max(1, 200_000 // n)
    for i in range(0, n, rows):
        m = min(rows, n - i)
        x = np.concatenate([np.repeat(a[i : i + m], n, axis=0), np.tile(b, (m, 1, 1))], axis=1)
        Y[i : i + m] = forward(w, x)[:, 0].reshape(m, n)
    t_eval = time.perf_counter() - t0
    r = rank_mod_p(Y, p)
    dt = time.perf_counter() - t0
    t1 = time.perf_counter()
    res = separation_rank(spec, "start-end", rng=0, n_start=n)  # one stage, same matrix size
    dt_fast = time.perf_counter() - t1
    print(f"== plain baseline L=2 M=R=4 T={T}, one {n} x {n} matrix, {_load()}")
    print(f"   plain forward per pair: rank {r}, {dt:.2f}s (evaluation {t_eval:.2f}s)")
    print(f"   tnrnn probes, same size: rank {res.rank}, {dt_fast:.2f}s   speed-up {dt / dt_fast:.1f}x")


def bench_interleaved(n: int = 4481) -> None:
    """The probe matrix of a partition whose sides alternate (interleaved, L=2, M=R=4, T=6,
    rank 4,480): the compiled mixed kernel against the numpy loops, same matrix, same run."""
    from tnrnn.rank.evaluate import evaluate_pairs

    spec = RACSpec(M=4, R=4, L=2, T=6)
    part = Partition.interleaved(6)
    w = random_modular_weights(spec, 0)
    rng = np.random.default_rng(2)
    a = rng.integers(0, w.prime, (n, len(part.A), 4))
    b = rng.integers(0, w.prime, (n, len(part.B), 4))
    evaluate_pairs(w, part, a[:4], b[:4], engine="numba")  # compiled code loaded
    print(f"== interleaved L=2 M=R=4 T=6, one {n} x {n} probe matrix, {_load()}")
    times = {}
    for engine in ("numpy", "numba"):
        t0 = time.perf_counter()
        Y = evaluate_pairs(w, part, a, b, engine=engine)
        times[engine] = time.perf_counter() - t0
        print(f"   evaluation, engine {engine}: {times[engine]:.2f}s")
    print(f"   speed-up {times['numpy'] / times['numba']:.1f}x; rank of that matrix {rank_mod_p(Y, w.prime)}")
    t0 = time.perf_counter()
    res = separation_rank(spec, part, rng=0, max_probes=n)
    print(f"   separation_rank (whole, stages {','.join(map(str, res.stages))}): rank {res.rank}, "
          f"{time.perf_counter() - t0:.2f}s")


def bench_grid(T: int) -> None:
    """Dense grid tensor (K = M templates, all K^T entries) + float SVD vs probes."""
    spec = RACSpec(M=4, R=4, L=2, T=T)
    part = Partition.start_end(T)
    w = random_weights(spec, 0)
    templates = np.random.default_rng(2).standard_normal((4, 4))
    t0 = time.perf_counter()
    Y = grid_matrix(w, part, templates, max_entries=4**T)
    t_grid = time.perf_counter() - t0
    out = svd_rank(Y)
    dt_grid = time.perf_counter() - t0
    t1 = time.perf_counter()
    res = separation_rank(spec, part, rng=0)
    dt_probe = time.perf_counter() - t1
    s = out["singular_values"]
    r = out["rank"]
    print(f"== dense grid tensor + float SVD, L=2 M=R=4 T={T}: {Y.shape[0]} x {Y.shape[1]} "
          f"({Y.size:,} entries), {_load()}")
    print(f"   grid+SVD: float rank {r} (tol {out['tolerance']:.2e}, gap {out['gap']:.2e}, "
          f"sigma_1 {s[0]:.2e}, sigma_min {s[-1]:.2e}), {dt_grid:.2f}s (tensor {t_grid:.2f}s, NOT certified)")
    print(f"   probes:   exact rank {res.rank}, {dt_probe:.2f}s")
    print(f"   ratio grid+SVD / probes = {dt_grid / dt_probe:.1f}")


def run_table(path: str, budget: float, max_row_seconds: float) -> None:
    """The bounds sweep: L = 1..3, M, R = 1..4, even T up to 24 as time allows (resumable)."""
    from tnrnn.bounds import bounds_table

    t0 = time.perf_counter()
    rows = bounds_table(path, L_values=(1, 2, 3), M_values=(1, 2, 3, 4), R_values=(1, 2, 3, 4),
                        T_values=range(2, 25, 2), rng=0, max_row_seconds=max_row_seconds,
                        budget_seconds=budget)
    ok = [r for r in rows if r["status"] == "ok"]
    print(f"{len(rows)} rows ({len(ok)} ok) in {time.perf_counter() - t0:.1f}s, {_load()}")
    for L in (1, 2, 3):
        Ts = [r["T"] for r in ok if r["L"] == L]
        if Ts:
            print(f"  L={L}: T up to {max(Ts)}; exact > lower in "
                  f"{sum(r['exact'] > r['lower'] for r in ok if r['L'] == L)} of {len(Ts)} rows; "
                  f"exact == tightest upper in {sum(r['exact'] == r['tightest_upper'] for r in ok if r['L'] == L)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-baseline", action="store_true", help="skip the plain baseline")
    ap.add_argument("--grid-T", type=int, default=12, help="T of the dense grid-tensor run (default 12)")
    ap.add_argument("--table", help="run only the bounds sweep, writing TABLE.csv and TABLE.json")
    ap.add_argument("--budget", type=float, default=900.0, help="sweep time budget in seconds")
    ap.add_argument("--max-row-seconds", type=float, default=20.0, help="stop growing T after a slower row")
    ap.add_argument("--targets", action="store_true", help="issue 14's whole-process targets only")
    ap.add_argument("--skip-48", action="store_true", help="with --targets: skip T=48")
    ap.add_argument("--only-48", action="store_true", help="with --targets: only T=48")
    ap.add_argument("--interleaved", action="store_true", help="only the interleaved evaluation, both engines")
    args = ap.parse_args()
    if args.interleaved:
        bench_interleaved()
        return
    if args.targets:
        bench_process_targets(args.skip_48, args.only_48)
        return
    if args.table:
        run_table(args.table, args.budget, args.max_row_seconds)
        return
    bench_targets()
    bench_interleaved()
    if not args.no_baseline:
        bench_baseline()
    bench_grid(args.grid_T)


if __name__ == "__main__":
    main()
