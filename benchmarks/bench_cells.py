"""Benchmark: the paths that go through the cells for members of the family (forward,
stabilised random weights, compile, an exact rank), beside the plain RAC's.

Run ``python benchmarks/bench_cells.py``; prints best-of-``--repeat`` wall times. Meant to
be run for two checkouts in turns (``PYTHONPATH=/path/to/other``) on the same machine.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from tnrnn import Partition, RACSpec, compile_network, forward, random_modular_weights, random_weights, separation_rank


def _best(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"load average {os.getloadavg()}")
    specs = [RACSpec(M=4, R=4, L=2, T=64), RACSpec(M=4, R=(4, 3), L=2, T=64, cell=("cp:3", "mi"), dilations=(1, 2)),
             RACSpec(M=4, R=4, L=2, T=64, cell="full", bias=False)]
    x = np.random.default_rng(0).normal(size=(256, 64, 4))
    for spec in specs:
        w = random_weights(spec, 0)
        wm = random_modular_weights(spec, 0)
        xm = np.random.default_rng(1).integers(0, wm.prime, size=(256, 64, 4))
        t_w = _best(lambda: random_weights(spec, 0), args.repeat)
        t_f = _best(lambda: forward(w, x), args.repeat)
        t_m = _best(lambda: forward(wm, xm), args.repeat)
        t_c = _best(lambda: compile_network(spec), args.repeat)
        print(f"{spec!r}: random_weights {t_w * 1e3:7.1f} ms, forward float {t_f * 1e3:7.1f} ms, "
              f"mod p {t_m * 1e3:7.1f} ms, compile {t_c * 1e3:7.1f} ms")
    for spec in (RACSpec(M=3, R=3, L=2, T=8), RACSpec(M=3, R=3, L=2, T=8, cell="cp:2")):
        part = Partition.start_end(8)
        t0 = time.perf_counter()
        r = separation_rank(spec, part, rng=0)
        print(f"{spec!r}: exact rank {r.rank} in {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
