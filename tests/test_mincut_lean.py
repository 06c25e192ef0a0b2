"""The lean min-cut graph (one node per site, built from the spec) against the full network."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tnrnn import MemoryLimitError, NodeKind, Partition, RACSpec, mincut_bound
from tnrnn.formulas import network_size
from tnrnn.mincut.lean import lean_flow_graph, lean_size
from tnrnn.network.compile import compile_network

from test_mincut import check_result  # tests/ is on sys.path (pytest rootdir-relative import)

PARTS = {
    "start-end": lambda T: Partition.start_end(T) if T % 2 == 0 else Partition.split(T, T // 2),
    "interleaved": Partition.interleaved,
    "split1": lambda T: Partition.split(T, 1),
    "ends": lambda T: Partition.from_sets([1, T], T) if T > 2 else Partition.split(T, 1),
}
CASES = [(1, 2), (1, 5), (1, 8), (2, 2), (2, 3), (2, 6), (3, 2), (3, 4), (4, 2), (4, 3)]
DIMS = [(2, 3), (3, 2), (2, 2), (4, 2), (2, 8), (1, 3), (3, 1), (9, 3)]


@pytest.mark.parametrize("L,T", CASES)
@pytest.mark.parametrize("M,R", DIMS)
@pytest.mark.parametrize("part", sorted(PARTS))
def test_lean_bound_equals_full_network_bound(L, T, M, R, part):
    spec = RACSpec(M=M, R=R, L=L, T=T)
    p = PARTS[part](T)
    full = mincut_bound(compile_network(spec), p)
    lean = mincut_bound(spec, p)
    assert lean.expand is not None and full.expand is None
    assert lean.bound == full.bound, (spec, p)
    assert lean.dim_counts.get(1, 0) + math.log2(lean.bound) >= 0
    # mapping back: real edges of the full network, separating, same product and count
    n_cut = lean.n_cut
    check_result(lean)
    assert lean.network.n_nodes == full.network.n_nodes and lean.n_cut == n_cut


def test_lean_graph_is_a_quarter_of_the_network():
    spec = RACSpec(M=2, R=3, L=2, T=64)
    graph, _ = lean_flow_graph(spec, Partition.start_end(64), max_nodes=10**9)
    nodes, _ = network_size(2, 3, 2, 64)
    assert graph.n == lean_size(spec) == 64 + 64 * 65 // 2 + 2
    assert nodes > 4 * (graph.n - 2)
    # every site has exactly one input edge from below (a terminal or a chain end)
    assert np.array_equal(np.bincount(graph.v, minlength=graph.n)[:-2],
                          1 + (np.concatenate(_steps(spec)) > 1))


def _steps(spec):
    from tnrnn.network import site_lattice

    return [lay["step"] for lay in site_lattice(spec)]


def test_lean_result_maps_back_on_demand_only():
    spec = RACSpec(M=3, R=2, L=2, T=10)
    cb = mincut_bound(spec, "start-end")
    assert object.__getattribute__(cb, "network") is None  # not compiled yet
    assert cb.n_cut == sum(cb.dim_counts.values()) and not cb.merged
    d = cb.to_dict()  # needs the real cut edges: compiles and verifies
    assert object.__getattribute__(cb, "network") is not None
    assert d["n_cut"] == len(d["cut_edges"]) == cb.cut_edges.size
    kinds = {r["v_kind"] for r in d["cut_edges"]} | {r["u_kind"] for r in d["cut_edges"]}
    assert kinds <= {k.name for k in NodeKind}


def test_lean_graph_refused_up_front_and_network_on_demand():
    spec = RACSpec(M=2, R=2, L=2, T=200)
    with pytest.raises(MemoryLimitError, match="lean min-cut graph 20,302 "):
        mincut_bound(spec, "start-end", max_nodes=20_000)
    cb = mincut_bound(spec, "start-end", max_nodes=30_000)  # lean fits, network (80k) does not
    assert cb.bound == 2 ** (200 // 2 + 1)
    with pytest.raises(MemoryLimitError, match="max_nodes"):
        cb.network  # noqa: B018
