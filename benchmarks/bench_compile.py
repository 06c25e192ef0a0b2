"""Benchmark: structure-only compilation and contraction of RAC tensor networks.

Run ``python benchmarks/bench_compile.py``. Prints, per case, wall time, the peak of
Python allocations during compilation (tracemalloc), the bytes held by the network's
arrays and the process's peak RSS; then the contraction of L = 2, T = 64 with inputs
against the forward pass. Timings are best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc

import numpy as np

from tnrnn import RACSpec, compile_network, contract, forward, random_modular_weights, random_weights

MIB = 2**20


def _best(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def bench_compile(L: int, T: int, merged: bool, repeat: int) -> None:
    spec = RACSpec(M=2, R=4, L=L, T=T)
    tracemalloc.start()
    compile_network(spec, merged=merged)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    seconds, net = _best(lambda: compile_network(spec, merged=merged), repeat)
    v_seconds, _ = _best(net.validate, 1)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    form = "merged" if merged else "full"
    print(
        f"compile L={L} T={T:5d} {form:6s}: {net.n_nodes:9d} nodes, {net.input_nodes.size:7d} input legs, "
        f"{seconds:6.3f} s (validate {v_seconds:.3f} s), tracemalloc peak {peak / MIB:7.1f} MiB, "
        f"arrays {net.nbytes() / MIB:6.1f} MiB, process peak RSS {rss:7.1f} MiB"
    )


def bench_contract(T: int, n: int, repeat: int) -> None:
    spec = RACSpec(M=4, R=4, L=2, T=T, K=2)
    net = compile_network(spec)
    rng = np.random.default_rng(0)
    w = random_weights(spec, rng=rng)
    x = rng.normal(size=(n, T, spec.M))
    t_fwd, y = _best(lambda: forward(w, x), repeat)
    print(f"contract L=2 T={T} N={n} ({net.n_nodes} nodes), float64:")
    print(f"  forward pass            {t_fwd * 1e3:9.2f} ms")
    for method in ("sweep", "einsum"):
        t, z = _best(lambda: contract(net, w, x, method=method), repeat)
        err = np.max(np.abs(z - y)) / np.max(np.abs(y))
        print(f"  contract {method:14s} {t * 1e3:9.2f} ms  ({t / t_fwd:7.0f}x forward), rel. error {err:.1e}")
    wm = random_modular_weights(spec, rng=rng)
    xm = rng.integers(0, wm.prime, size=(n, T, spec.M))
    t_fwd, ym = _best(lambda: forward(wm, xm), repeat)
    print(f"  exact mod p: forward    {t_fwd * 1e3:9.2f} ms")
    for method in ("sweep", "einsum"):
        t, zm = _best(lambda: contract(net, wm, xm, method=method), repeat)
        print(f"  contract {method:14s} {t * 1e3:9.2f} ms  ({t / t_fwd:7.0f}x forward), exact: {np.array_equal(zm, ym)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--n", type=int, default=16, help="input sequences for the contraction")
    args = parser.parse_args()
    for L, T in ((2, 1024), (3, 96)):
        for merged in (False, True):
            bench_compile(L, T, merged, args.repeat)
    bench_contract(64, args.n, args.repeat)


if __name__ == "__main__":
    main()
