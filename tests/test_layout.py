"""Layouts: exact coordinates, one spot per node, and agreement with a graph-walking oracle."""

import numpy as np
import pytest

from tnrnn import RACSpec, compile_network
from tnrnn.drawing.layout import (chain_layout, copy_tuples, default_merged_view, lattice_layout,
                                  network_layout)
from tnrnn.errors import TnrnnError
from tnrnn.network.model import NodeKind as K


def _lookup(net, kind, layer, step, copy):
    idx = np.flatnonzero((net.node_kind == kind) & (net.node_layer == layer)
                         & (net.node_step == step) & (net.node_copy == copy))
    assert idx.size == 1, (kind, layer, step, copy)
    return int(idx[0])


def test_shallow_chain_exact_coordinates():
    net = compile_network(RACSpec(M=2, R=3, L=1, T=3))
    pos = chain_layout(net).pos
    expected = {(K.H0, 1, 0): (0, 0), (K.W_O, 1, 3): (3.5, 0)}
    for t in (1, 2, 3):
        expected.update({(K.DELTA, 1, t): (t, 0), (K.W_H, 1, t): (t - 0.5, 0),
                         (K.W_I, 1, t): (t, -1), (K.INPUT, 0, t): (t, -2)})
    assert len(expected) == net.n_nodes
    for (kind, layer, step), xy in expected.items():
        assert tuple(pos[_lookup(net, kind, layer, step, 0)]) == xy


def test_shallow_merged_exact_coordinates():
    net = compile_network(RACSpec(M=2, R=3, L=1, T=2), merged=True)
    pos = network_layout(net).pos
    expected = {(K.H0, 1, 0): (0, 0), (K.CORE, 1, 1): (1, 0), (K.INPUT, 0, 1): (1, -1),
                (K.CORE, 1, 2): (2, 0), (K.INPUT, 0, 2): (2, -1), (K.W_O, 1, 2): (2.5, 0)}
    assert len(expected) == net.n_nodes
    for (kind, layer, step), xy in expected.items():
        assert tuple(pos[_lookup(net, kind, layer, step, 0)]) == xy


def test_depth2_T2_exact_coordinates():
    """Worked by hand: layer 2 on top, the chains of sites 1 and 2 below, inputs under t."""
    net = compile_network(RACSpec(M=2, R=3, L=2, T=2))
    pos = lattice_layout(net).pos
    expected = {
        (K.H0, 2, 0, 0): (0, 0), (K.W_H, 2, 1, 0): (0.5, 0), (K.DELTA, 2, 1, 0): (1, 0),
        (K.W_H, 2, 2, 0): (1.5, 0), (K.DELTA, 2, 2, 0): (2, 0), (K.W_I, 2, 1, 0): (1, -1),
        (K.W_I, 2, 2, 0): (2, -1), (K.W_O, 2, 2, 0): (2.5, 0),
        # chain of layer-2 site 1 (copy 0 of step 1)
        (K.H0, 1, 0, 0): (0, -2), (K.W_H, 1, 1, 0): (0.5, -2), (K.DELTA, 1, 1, 0): (1, -2),
        (K.W_I, 1, 1, 0): (1, -3), (K.INPUT, 0, 1, 0): (1, -4),
        # chain of layer-2 site 2: x^1 copy 1, x^2 copy 0
        (K.H0, 1, 0, 1): (0, -5), (K.W_H, 1, 1, 1): (0.5, -5), (K.DELTA, 1, 1, 1): (1, -5),
        (K.W_I, 1, 1, 1): (1, -6), (K.INPUT, 0, 1, 1): (1, -7),
        (K.W_H, 1, 2, 0): (1.5, -5), (K.DELTA, 1, 2, 0): (2, -5), (K.W_I, 1, 2, 0): (2, -6),
        (K.INPUT, 0, 2, 0): (2, -7),
    }
    assert len(expected) == net.n_nodes
    for key, xy in expected.items():
        assert tuple(pos[_lookup(net, *key)]) == xy, key


def _oracle(net, merged_view):
    """Positions by walking the graph from W_O (ignores the copy attributes entirely)."""
    prod = {(int(v), int(vl)): int(u) for u, v, vl in zip(net.edge_u, net.edge_v, net.edge_v_leg)}
    kind = net.node_kind
    merged = merged_view or net.merged
    g, h1, drop = (1, 2, 1) if merged else (2, 3, 2)
    pos = {}

    def block(end, layer, y):
        chain, node = [], end
        while kind[node] in (K.DELTA, K.CORE):
            if kind[node] == K.CORE:
                chain.append((node, None, None))
                node = prod[(node, 0)]
            else:
                wh, wi = prod[(node, 0)], prod[(node, 1)]
                chain.append((node, wh, wi))
                node = prod[(wh, 1)]
        assert kind[node] == K.H0
        pos[node] = (0.0, y)
        chain.reverse()
        below = []
        for k, (d, wh, wi) in enumerate(chain, start=1):
            pos[d] = (k, y)
            if wh is not None:
                pos[wh] = (k, y) if merged else (k - 0.5, y)
                pos[wi] = (k, y) if merged else (k, y - 1)
            below.append(prod[(d, 1)] if wi is None else prod[(wi, 1)])
        if layer == 1:
            for k, inp in enumerate(below, start=1):
                assert kind[inp] == K.INPUT
                pos[inp] = (k, y - drop)
            return h1
        cur = y - g
        for node in below:
            cur -= block(node, layer - 1, cur)
        return y - cur

    wo = net.output_node
    pos[wo] = (net.spec.T + 0.5, 0.0)
    block(prod[(wo, 1)], net.spec.L, 0.0)
    assert len(pos) == net.n_nodes
    return np.array([pos[i] for i in range(net.n_nodes)], dtype=float)


GRID = [(1, 5), (2, 1), (2, 3), (2, 6), (3, 3), (3, 5), (4, 4)]


@pytest.mark.parametrize("L,T", GRID)
@pytest.mark.parametrize("form", ["full", "merged", "view"])
def test_layout_matches_graph_walk(L, T, form):
    net = compile_network(RACSpec(M=2, R=2, L=L, T=T), merged=form == "merged")
    lay = network_layout(net, merged=form != "full", deep="nested")
    np.testing.assert_array_equal(lay.pos, _oracle(net, form == "view"))


@pytest.mark.parametrize("L,T,deep,split", [(L, T, "auto", None) for L, T in GRID + [(2, 32), (3, 12)]]
                         + [(3, 5, "nested", None), (3, 6, "auto", 3), (4, 5, "auto", 2), (2, 6, "auto", 3),
                            (3, 16, "auto", 8)])
@pytest.mark.parametrize("form", ["full", "merged", "view"])
def test_every_node_once_no_overlap_no_crossing(L, T, deep, split, form):
    net = compile_network(RACSpec(M=3, R=2, L=L, T=T), merged=form == "merged")
    lay = network_layout(net, merged=form != "full", deep=deep, split=split)
    assert lay.pos.shape == (net.n_nodes, 2) and np.all(np.isfinite(lay.pos))
    shown = lay.pos[lay.visible]
    assert np.unique(shown, axis=0).shape[0] == shown.shape[0]  # no two nodes on one spot
    assert lay.visible.sum() == net.n_nodes - (form == "view") * int(
        np.isin(net.node_kind, [K.W_H, K.W_I]).sum())
    # hidden nodes sit on a visible node (their DELTA)
    hidden = lay.pos[~lay.visible]
    assert all((shown == p).all(axis=1).any() for p in hidden)
    # every drawn edge is a path of horizontal and vertical pieces through no other node
    e = np.flatnonzero(lay.edge_visible)
    assert set(lay.routes) <= set(e.tolist())
    paths = lay.edge_paths(net.edge_u, net.edge_v, e)
    pu = np.concatenate([p[:-1] for p in paths])
    pv = np.concatenate([p[1:] for p in paths])
    assert np.all((pu[:, 0] == pv[:, 0]) | (pu[:, 1] == pv[:, 1]))
    if shown.shape[0] < 1500:
        for path in paths:
            hits = 0
            for a, b in zip(path[:-1], path[1:]):
                lo, hi = np.minimum(a, b), np.maximum(a, b)
                hits += np.all((shown >= lo) & (shown <= hi), axis=1).sum()
            assert hits == 2, path  # only its two ends (bends are empty points)


def test_copies_of_an_input_are_aligned_under_their_step():
    net = compile_network(RACSpec(M=2, R=2, L=3, T=5))
    lay = network_layout(net, merged=False, deep="nested")
    for t in range(1, 6):
        xs = lay.pos[net.input_copies(t), 0]
        assert xs.size == net.input_copies(t).size > 0 and np.all(xs == t)


def test_layout_is_deterministic_and_read_only():
    spec = RACSpec(M=2, R=2, L=3, T=4)
    a, b = network_layout(compile_network(spec)), network_layout(compile_network(spec))
    np.testing.assert_array_equal(a.pos, b.pos)
    with pytest.raises(ValueError):
        a.pos[0, 0] = 1.0


@pytest.mark.parametrize("length,T", [(1, 5), (2, 4), (3, 4), (2, 6)])
def test_copy_tuples_against_enumeration(length, T):
    import itertools
    for t in range(1, T + 1):
        tuples = sorted(c for c in itertools.combinations_with_replacement(range(t, T + 1), length))
        got = copy_tuples(np.full(len(tuples), t), np.arange(len(tuples)), length, T)
        assert [tuple(r) for r in got.tolist()] == tuples
    with pytest.raises(TnrnnError, match="out of range"):
        copy_tuples(np.array([T]), np.array([1]), length, T)


def test_errors_and_auto_view():
    merged = compile_network(RACSpec(M=2, R=2, L=2, T=3), merged=True)
    with pytest.raises(TnrnnError, match="merged view"):
        network_layout(merged, merged=False)
    shallow, deep = compile_network(RACSpec(M=2, R=2, L=1, T=3)), compile_network(RACSpec(M=2, R=2, L=2, T=3))
    with pytest.raises(TnrnnError, match="lattice_layout"):
        chain_layout(deep)
    with pytest.raises(TnrnnError, match="chain_layout"):
        lattice_layout(shallow)
    assert default_merged_view(merged) and not default_merged_view(deep)
    assert default_merged_view(deep, max_full_nodes=10)
    assert network_layout(deep).merged_view is False
