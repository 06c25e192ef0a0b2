"""Benchmark: min-cut bounds on large duplicated-input networks, and networkx for comparison.

Run ``python benchmarks/bench_mincut.py`` (add ``--quick`` to skip T = 1024), or
``python benchmarks/bench_mincut.py --targets`` for issue 14's whole ``tnrnn bound``
processes (L=2 T=4096, L=3 T=384; wall time and the child's peak RSS) and the lean cut
against networkx at T=256, all in the same run. Prints, per
case, the network size, compile and cut times, and the bound; then the same flow graph
(terminals merged, the same integer capacities as tnrnn's first max-flow) through
``networkx.minimum_cut`` at T = 256, with the speed-up. Targets (issue 4): L=2, T=256 under
2 s; L=2, T=1024 under 60 s; L=3, T=96 under 30 s; tnrnn >= 10x faster than networkx.
"""

from __future__ import annotations

import argparse
import math
import os
import time

import numpy as np

from tnrnn import Partition, RACSpec, all_chains_cut, compile_network, mincut_bound
from tnrnn.mincut.flow import flow_graph

TARGETS = {(2, 256): 2.0, (2, 1024): 60.0, (3, 96): 30.0}


def run_case(L: int, T: int, M: int, R: int) -> tuple[float, object]:
    t0 = time.perf_counter()
    net = compile_network(RACSpec(M=M, R=R, L=L, T=T))
    t1 = time.perf_counter()
    cb = mincut_bound(net, "start-end")
    t2 = time.perf_counter()
    total = t2 - t0
    target = TARGETS.get((L, T))
    verdict = "" if target is None else f"target < {target:g} s: {'OK' if total < target else 'MISSED'}"
    print(f"L={L} T={T:<5} M={M} R={R}  nodes={net.n_nodes:>9,}  compile {t1 - t0:6.3f} s  "
          f"cut {t2 - t1:6.3f} s ({cb.flows} flows)  total {total:6.3f} s  "
          f"bound {cb.factored():<14} log2 {cb.log2:9.2f}  all-chains log2 "
          f"{math.log2(all_chains_cut(R, L, T)):9.2f}  {verdict}")
    return total, cb


def networkx_case(cb) -> float:
    """The first flow of tnrnn's pipeline, on networkx: same graph, same integer capacities."""
    import networkx as nx

    net, part = cb.network, cb.partition
    graph = flow_graph(net, part)
    weights = {net.spec.M: 631, net.spec.R: 1000}  # any integer weights: same graph size
    w = np.array([weights.get(int(d), 0) for d in net.edge_dim.tolist()])
    t0 = time.perf_counter()
    G = nx.Graph()
    keep = graph.u != graph.v
    for a, b, c in zip(graph.u[keep].tolist(), graph.v[keep].tolist(), w[keep].tolist()):
        if G.has_edge(a, b):
            G[a][b]["capacity"] += c
        else:
            G.add_edge(a, b, capacity=c)
    t1 = time.perf_counter()
    value, _ = nx.minimum_cut(G, graph.source, graph.sink)
    t2 = time.perf_counter()
    print(f"networkx: build {t1 - t0:.3f} s, minimum_cut {t2 - t1:.3f} s (value {value})")
    return t2 - t1


def bench_process_targets(M: int, R: int) -> None:
    """Issue 14's targets: whole ``tnrnn bound`` processes, and networkx at T=256."""
    from _process import load, run_process

    from tnrnn.formulas import network_size

    print(f"== whole `tnrnn bound` processes (M={M}, R={R}, Start-End), {load()}")
    for L, T, target_s, target_gib in ((2, 4096, 30, 4), (3, 384, 60, 8), (3, 192, None, None)):
        nodes, _ = network_size(M, R, L, T)
        secs, gib, rc, out = run_process(["bound", "--M", str(M), "--R", str(R), "--L", str(L), "--T", str(T),
                                          "--max-nodes", "200000000"])
        line = next((x.strip() for x in out.splitlines() if "min-cut bound" in x), out.strip()[-200:])
        verdict = "" if target_s is None else (
            f"target < {target_s} s and < {target_gib} GiB: "
            f"{'OK' if secs < target_s and gib < target_gib else 'MISSED'}")
        print(f"   L={L} T={T} ({nodes:,} nodes in the full network): {secs:.2f} s, peak RSS {gib:.2f} GiB, "
              f"exit {rc}; {verdict}\n      {line}")
    spec = RACSpec(M=M, R=R, L=2, T=256)
    mincut_bound(RACSpec(M=M, R=R, L=2, T=4), "start-end")  # imports (scipy) outside the timing
    t0 = time.perf_counter()
    lean = mincut_bound(spec, "start-end")
    t_lean = time.perf_counter() - t0
    t0 = time.perf_counter()
    full = mincut_bound(compile_network(spec), "start-end")
    t_full = time.perf_counter() - t0
    nx_time = networkx_case(full)
    print(f"   T=256: tnrnn lean {t_lean:.3f} s (bound log2 {lean.log2:.2f}), full network compile + cut "
          f"{t_full:.3f} s, networkx minimum_cut alone {nx_time:.3f} s: {nx_time / t_lean:.1f}x "
          f"(target >= 20x: {'OK' if nx_time >= 20 * t_lean else 'MISSED'})")
    print(f"   {load()}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="skip L=2, T=1024")
    ap.add_argument("--targets", action="store_true", help="issue 14's whole-process targets only")
    ap.add_argument("-M", type=int, default=2)
    ap.add_argument("-R", type=int, default=3)
    args = ap.parse_args()
    if args.targets:
        bench_process_targets(args.M, args.R)
        return
    print(f"load average before: {os.getloadavg()}")
    M, R = args.M, args.R
    ours, cb256 = run_case(2, 256, M, R)
    nx_time = networkx_case(cb256)
    print(f"speed-up at L=2, T=256 (networkx minimum_cut alone vs tnrnn compile + exact cut): "
          f"{nx_time / ours:.1f}x  target >= 10x: {'OK' if nx_time >= 10 * ours else 'MISSED'}")
    run_case(3, 96, M, R)
    run_case(2, 256, R, R)
    if not args.quick:
        run_case(2, 1024, M, R)
        run_case(2, 1024, R, M)
    for p in ("interleaved", "split:100"):
        t0 = time.perf_counter()
        cb = mincut_bound(cb256.network, Partition.parse(p, 256))
        print(f"L=2 T=256 {p:<12} cut {time.perf_counter() - t0:.3f} s  bound log2 {cb.log2:.2f}")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
