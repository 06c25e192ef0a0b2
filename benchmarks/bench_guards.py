"""Benchmark: the timings that tests used to assert (tests now count work instead).

Run ``python benchmarks/bench_guards.py``. Prints the seconds of each case, best of
``--repeat`` runs, beside the limit the old test asserted on an idle machine (a guide, not a
pass/fail: the time depends on the machine and its load). Nothing here is run by pytest.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from tnrnn import (Partition, RACSpec, check_bounds, compile_network, contract, random_weights,
                   separation_rank)
from tnrnn.errors import MemoryLimitError


def _best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _refused(fn):
    def run():
        try:
            fn()
        except MemoryLimitError:
            return
        raise AssertionError("expected a refusal")
    return run


def cases(tmp: Path) -> list[tuple[str, float, object]]:
    """(name, old limit in seconds, function) of every case."""
    from tnrnn.bounds import bounds_table
    from tnrnn.drawing import draw
    from tnrnn.drawing.jupyter import network_html, network_png, network_svg
    from tnrnn.drawing.render import figure_bytes
    from tnrnn.formulas import smallest_upper_bound, smallest_upper_bound_log2

    x = np.random.default_rng(1).normal(size=(8, 64, 4))
    spec64 = RACSpec(M=4, R=4, L=2, T=64, K=2)
    net64, w64 = compile_network(spec64), random_weights(spec64, rng=0)
    net32 = compile_network(RACSpec(M=2, R=2, L=2, T=32))
    big = compile_network(RACSpec(M=2, R=2, L=2, T=250))
    from tnrnn.cli import main

    return [
        ("rank refused up front (L=3 T=30; L=2 T=100,000)", 2.0, lambda: (
            _refused(lambda: separation_rank(RACSpec(M=4, R=4, L=3, T=30), "start-end", rng=0))(),
            _refused(lambda: separation_rank(RACSpec(M=2, R=2, L=2, T=100_000), "interleaved", rng=0))())),
        ("check_bounds refused up front (L=3 T=30)", 2.0,
         _refused(lambda: check_bounds([RACSpec(M=4, R=4, L=3, T=30)]))),
        ("bounds_table too-large row (L=3 T=30)", 2.0, lambda: bounds_table(
            tmp / "t", L_values=(3,), M_values=(4,), R_values=(4,), T_values=(30,), progress=False)),
        ("smallest upper bound, M=1000 T=20,000", 2.0, lambda: (
            smallest_upper_bound(1000, 3, 2, Partition.start_end(20000)),
            smallest_upper_bound_log2(1000, 3, 2, Partition.interleaved(20000)))),
        ("contract L=2 T=64 (8 sequences)", 5.0, lambda: contract(net64, w64, x)),
        ("compile L=2 T=1024", 5.0, lambda: compile_network(RACSpec(M=2, R=4, L=2, T=1024))),
        ("compile L=3 T=96", 5.0, lambda: compile_network(RACSpec(M=2, R=4, L=3, T=96))),
        ("draw + PNG L=2 T=32", 5.0, lambda: figure_bytes(draw(net32, Partition.start_end(32)), "png")),
        ("notebook summary L=2 T=250", 1.0, lambda: (network_svg(big), network_png(big), network_html(big))),
        ("draw + PNG L=2 T=1000 (merged view)", 5.0, lambda: figure_bytes(
            draw(compile_network(RACSpec(M=2, R=2, L=2, T=1000)), Partition.start_end(1000)), "png")),
        ("CLI draw refused up front (L=2 T=2000)", 2.0, lambda: main(
            ["draw", "--M", "2", "--R", "2", "--L", "2", "--T", "2000", "-o", str(tmp / "x.png")])),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'case':<52} {'seconds':>8} {'old limit':>9}")
        for name, limit, fn in cases(Path(tmp)):
            print(f"{name:<52} {_best(fn, args.repeat):>8.3f} {limit:>9.1f}")


if __name__ == "__main__":
    main()
