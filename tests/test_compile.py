"""Tests of the compilers against closed forms and a brute-force walk of the graph."""

import itertools
import tracemalloc
from math import comb

import numpy as np
import pytest

from tnrnn import RACSpec, input_copies
from tnrnn.errors import SpecError, TnrnnError
from tnrnn.network import NodeKind, compile_deep, compile_network, compile_shallow

FIELDS = ("node_kind", "node_layer", "node_step", "node_copy",
          "edge_u", "edge_u_leg", "edge_v", "edge_v_leg", "edge_dim")


@pytest.mark.parametrize("merged", [False, True])
@pytest.mark.parametrize("L", [2, 3, 4])
@pytest.mark.parametrize("T", [1, 2, 3, 5, 8])
def test_input_copies_match_closed_form(L, T, merged):
    net = compile_network(RACSpec(M=2, R=3, L=L, T=T), merged=merged).validate()
    total = 0
    for t in range(1, T + 1):
        copies = net.node_copy[net.input_copies(t)]
        assert np.array_equal(copies, np.arange(input_copies(T, t, L)))
        total += copies.size
    assert total == net.input_nodes.size == comb(T + L - 1, L)


@pytest.mark.parametrize("merged", [False, True])
@pytest.mark.parametrize("L,T", [(2, 6), (3, 5), (4, 4)])
def test_node_counts(L, T, merged):
    """Layer l has one site per non-decreasing tuple t <= tau_{l+1} <= ... <= tau_L."""
    net = compile_network(RACSpec(M=3, R=2, L=L, T=T, K=2), merged=merged)
    site = NodeKind.CORE if merged else NodeKind.DELTA
    for l in range(1, L + 1):
        n_sites = int(np.sum((net.node_kind == site) & (net.node_layer == l)))
        assert n_sites == comb(T + L - l, L - l + 1)
        n_h0 = int(np.sum((net.node_kind == NodeKind.H0) & (net.node_layer == l)))
        assert n_h0 == (1 if l == L else comb(T + L - l - 1, L - l))
    counts = net.kind_counts()
    assert counts["W_O"] == 1
    if not merged:
        assert counts["W_H"] == counts["W_I"] == counts["DELTA"]


def _consumers(net):
    cons = np.full(net.n_nodes, -1)
    cons[net.edge_u] = net.edge_v
    return cons


def _tuple_above(net, cons, node):
    """Steps (tau_{l+1}, ..., tau_L) of the sites above ``node``, by walking to W_O."""
    kind, layer = net.node_kind, net.node_layer
    start = max(int(layer[node]), 1)
    taus = {}
    v = int(cons[node])
    while v >= 0:
        if kind[v] in (NodeKind.W_I, NodeKind.CORE) and layer[v] > start and layer[v] not in taus:
            taus[int(layer[v])] = int(net.node_step[v])
        v = int(cons[v])
    return start, tuple(taus[l] for l in sorted(taus))


@pytest.mark.parametrize("merged", [False, True])
@pytest.mark.parametrize("L,T", [(2, 5), (3, 4), (4, 3)])
def test_copy_index_is_lexicographic_rank(L, T, merged):
    """Brute force: every node's copy is the rank of the tuple of sites above it."""
    net = compile_network(RACSpec(M=2, R=2, L=L, T=T), merged=merged)
    cons = _consumers(net)
    for node in range(net.n_nodes):
        kind = net.node_kind[node]
        if kind == NodeKind.W_O:
            continue
        if kind == NodeKind.H0:  # copy of the step-1 site of its chain
            t, (layer, taus) = 1, _tuple_above(net, cons, node)
        else:
            t, (layer, taus) = int(net.node_step[node]), _tuple_above(net, cons, node)
        assert len(taus) == L - layer
        ranked = list(itertools.combinations_with_replacement(range(t, T + 1), L - layer))
        assert net.node_copy[node] == ranked.index(taus), (node, NodeKind(kind).name)


def test_l2_copy_is_tau_minus_t():
    T = 7
    net = compile_deep(RACSpec(M=2, R=2, L=2, T=T))
    cons = _consumers(net)
    for node in np.flatnonzero((net.node_kind == NodeKind.DELTA) & (net.node_layer == 1)):
        _, (tau,) = _tuple_above(net, cons, int(node))
        assert net.node_copy[node] == tau - net.node_step[node]


@pytest.mark.parametrize("merged", [False, True])
@pytest.mark.parametrize("T", [1, 2, 6])
def test_deep_compiler_reproduces_shallow_for_l1(T, merged):
    spec = RACSpec(M=2, R=3, L=1, T=T, K=2)
    a, b = compile_deep(spec, merged=merged), compile_shallow(spec, merged=merged)
    for name in FIELDS:
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


def test_network_is_a_tree_flowing_to_the_output():
    net = compile_network(RACSpec(M=2, R=3, L=3, T=5))
    assert net.n_edges == net.n_nodes - 1
    cons = _consumers(net)
    assert np.sum(cons < 0) == 1 and cons[net.output_node] == -1
    for node in range(net.n_nodes):  # every node reaches W_O
        steps, v = 0, node
        while cons[v] >= 0:
            v, steps = cons[v], steps + 1
            assert steps <= net.n_nodes
        assert v == net.output_node


def test_merged_has_cores_only():
    net = compile_network(RACSpec(M=2, R=3, L=2, T=4), merged=True)
    counts = net.kind_counts()
    assert set(counts) == {"CORE", "INPUT", "H0", "W_O"}
    assert net.merged


def test_network_is_immutable():
    net = compile_network(RACSpec(M=2, R=3, L=2, T=4))
    with pytest.raises(ValueError):
        net.node_copy[0] = 5
    with pytest.raises(AttributeError):
        net.merged = True


def test_errors():
    with pytest.raises(SpecError, match="L=2"):
        compile_shallow(RACSpec(M=2, R=3, L=2, T=4))
    with pytest.raises(SpecError, match="RACSpec"):
        compile_network((2, 3, 2, 4))
    assert issubclass(SpecError, TnrnnError)


@pytest.mark.parametrize("L,T", [(2, 1024), (3, 96)])
def test_large_compile_is_fast_and_small(L, T):
    tracemalloc.start()
    net = compile_network(RACSpec(M=2, R=4, L=L, T=T))  # its time: benchmarks/bench_guards.py
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 2 * 2**30
    assert net.input_nodes.size == comb(T + L - 1, L)
    net.validate()


def test_compile_refuses_before_allocating():
    from tnrnn import MemoryLimitError, RACSpec, compile_network, network_size

    spec = RACSpec(M=2, R=2, L=3, T=3000)
    nodes = network_size(2, 2, 3, 3000)[0]
    with pytest.raises(MemoryLimitError, match=f"has {nodes:,} nodes"):
        compile_network(spec)
    small = RACSpec(M=2, R=2, L=2, T=8)
    limit = network_size(2, 2, 2, 8)[0]
    assert compile_network(small, max_nodes=limit).n_nodes == limit
    with pytest.raises(MemoryLimitError):
        compile_network(small, max_nodes=limit - 1)
    with pytest.raises(MemoryLimitError):
        compile_network(RACSpec(M=2, R=2, L=1, T=8), max_nodes=10)
