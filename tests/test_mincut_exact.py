"""The exact min-cut for any set of edge dimensions (tnrnn.mincut.exact), against brute force.

The oracle enumerates every side assignment of the free nodes and multiplies the cut
dimensions with Python integers: no max-flow, no logarithm, no code shared with tnrnn.
"""

from __future__ import annotations

import math
from decimal import Decimal, getcontext

import numpy as np
import pytest

from tnrnn import MemoryLimitError, Partition, TnrnnError
from tnrnn.mincut import exact as exact_mod
from tnrnn.mincut.flow import FlowGraph


def random_graph(rng, dims, n_free, n_edges):
    """A random multigraph over n_free free nodes plus a source and a sink (last two nodes)."""
    n = n_free + 2
    u = rng.integers(0, n, n_edges)
    v = rng.integers(0, n, n_edges)
    # every terminal touches the graph, so the cut is not trivially empty
    u[:2], v[:2] = n - 2, rng.integers(0, n_free, 2)
    u[2:4], v[2:4] = n - 1, rng.integers(0, n_free, 2)
    dim = rng.choice(np.asarray(dims), n_edges)
    ro = [np.asarray(x, dtype=np.int64) for x in (u, v, dim)]
    return FlowGraph(None, Partition.split(2, 1), n, ro[0], ro[1], None, None, ro[2])


def brute_force_min(graph: FlowGraph) -> int:
    """Minimum over all 2^n_free assignments of the product of the crossing edges' dimensions."""
    k = graph.n - 2
    idx = np.arange(1 << k, dtype=np.int64)
    side = np.zeros((idx.size, graph.n), dtype=bool)
    for j in range(k):
        side[:, j] = (idx >> j) & 1
    side[:, graph.source] = True
    cross = side[:, graph.u] ^ side[:, graph.v]
    dims = sorted(set(graph.dim.tolist()))
    counts = np.stack([cross[:, graph.dim == d].sum(axis=1) for d in dims], axis=1)
    return min(math.prod(d**int(c) for d, c in zip(dims, row)) for row in np.unique(counts, axis=0))


def cut_product(graph: FlowGraph, side: np.ndarray) -> int:
    assert side[graph.source] and not side[graph.sink]
    cross = side[graph.u] != side[graph.v]
    return math.prod(int(d) for d in graph.dim[cross].tolist())


DIMS = [(2, 3, 5), (6, 12, 2, 3, 5), (6, 10, 15), (4, 6, 9), (2, 3, 6, 1), (5, 7, 11, 13),
        (12, 18), (3, 5, 1, 1), (2, 4, 8, 16, 3)]


@pytest.mark.parametrize("dims", DIMS, ids=str)
@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("start_scale", [None, 1, 3])
def test_random_graphs_vs_brute_force(dims, seed, start_scale):
    rng = np.random.default_rng([seed, *dims])
    graph = random_graph(rng, dims, int(rng.integers(3, 11)), int(rng.integers(10, 36)))
    cut = exact_mod.exact_min_cut(graph, start_scale=start_scale)
    assert cut_product(graph, cut.side) == brute_force_min(graph)


def test_small_scale_really_needs_later_rounds():
    """S = 1 fails the first certificate on some graphs: the doubling path is exercised."""
    rounds = []
    for seed in range(40):
        rng = np.random.default_rng(seed)
        graph = random_graph(rng, (2, 3, 5), 8, 30)
        cut = exact_mod.exact_min_cut(graph, start_scale=1)
        assert cut_product(graph, cut.side) == brute_force_min(graph)
        rounds.append(cut.flows // 3)
    assert max(rounds) >= 2 and min(rounds) == 1


def test_ties_between_distinct_cuts():
    """A 4-edge against two 2-edges, and a 6-edge against a 2-edge plus a 3-edge: equal products."""
    n = 4  # free nodes 0, 1; source 2, sink 3
    u = np.array([2, 0, 0, 2, 1, 1], np.int64)
    v = np.array([0, 3, 3, 1, 3, 3], np.int64)
    for dims in ([4, 2, 2, 6, 2, 3], [6, 2, 3, 4, 2, 2]):
        g = FlowGraph(None, Partition.split(2, 1), n, u, v, None, None, np.array(dims, np.int64))
        cut = exact_mod.exact_min_cut(g)
        assert cut_product(g, cut.side) == brute_force_min(g) == 24


def test_dimension_one_edges_are_free():
    """Edges of dimension 1 never cost anything: a path of 1-edges is cut for free."""
    u = np.array([2, 0, 1, 2], np.int64)
    v = np.array([0, 1, 3, 3], np.int64)
    g = FlowGraph(None, Partition.split(2, 1), 4, u, v, None, None, np.array([6, 1, 10, 15], np.int64))
    cut = exact_mod.exact_min_cut(g)
    assert cut_product(g, cut.side) == 15 == brute_force_min(g)


def test_a_bad_first_candidate_is_corrected(monkeypatch):
    """The first max-flow lies (returns a cut around the source, with its true weight): the
    certificate must fail at that generator and a later round must find the minimum."""
    real = exact_mod.min_cut_side
    calls = []

    def lying_once(graph, weight, *, upper=None):
        calls.append(1)
        if len(calls) > 1:
            return real(graph, weight, upper=upper)
        side = np.zeros(graph.n, dtype=bool)
        side[graph.source] = True
        cross = side[graph.u] != side[graph.v]
        return side, int(np.asarray(weight)[cross].sum())

    monkeypatch.setattr(exact_mod, "min_cut_side", lying_once)
    seen_extra_rounds = False
    for seed in range(6):
        calls.clear()
        rng = np.random.default_rng(seed)
        graph = random_graph(rng, (2, 3, 5), 8, 30)
        cut = exact_mod.exact_min_cut(graph)
        assert cut_product(graph, cut.side) == brute_force_min(graph)
        seen_extra_rounds |= "rounds)" in cut.method
    assert seen_extra_rounds


def test_certificate_check_is_what_makes_it_exact(monkeypatch):
    """Sanity of the oracle: without the certificate (keep the first flow's cut at S = 1)
    some graph gets a non-minimal product, so the tests above can fail."""
    wrong = 0
    for seed in range(40):
        rng = np.random.default_rng(seed)
        graph = random_graph(rng, (2, 3, 5), 8, 30)
        basis, table = exact_mod.cut_coordinates(graph.dim.tolist())
        g = exact_mod.generators(basis, 1)[0]
        w = np.array([sum(a * b for a, b in zip(g, table[int(d)])) if d > 1 else 0
                      for d in graph.dim.tolist()], np.int64)
        side, _ = exact_mod.min_cut_side(graph, w)
        wrong += cut_product(graph, side) != brute_force_min(graph)
    assert wrong > 0


@pytest.mark.parametrize("basis", [(2, 3), (2, 3, 5), (3, 5, 7, 11, 13), (6, 10, 15), (12, 18)])
@pytest.mark.parametrize("S", [1, 2, 5, 64, 4096])
def test_generators_span_a_cone_around_w(basis, S):
    """S log2 b = sum lambda_i g_i with lambda_i >= 0, checked at 60 digits (independent of
    the module's bit-length arithmetic)."""
    getcontext().prec = 60
    w = [Decimal(b).ln() / Decimal(2).ln() * S for b in basis]
    gens = exact_mod.generators(basis, S)
    k = len(basis)
    q = [int(x) for x in w]  # floor (positive)
    assert all(2**qi <= b**S < 2 ** (qi + 1) for qi, b in zip(q, basis))
    rho = sum(x - qi for x, qi in zip(w, q))
    c = gens[0][0] - q[0]
    assert gens == [tuple(qi + (c if i == j else 0) for j, qi in enumerate(q)) for i in range(k)]
    assert 1 <= c <= k and c - 1 < max(rho, Decimal(0)) + Decimal("1e-40") and rho <= c
    # solve sum lambda_i g_i = w: g = q 1^T + c I, so lambda = (w - (sum lambda) q) / c
    qs = sum(q)
    lam_sum = sum(w) / (c + qs)
    lam = [(x - lam_sum * qi) / c for x, qi in zip(w, q)]
    assert all(x >= 0 for x in lam)
    for i in range(k):
        assert abs(sum(l * g[i] for l, g in zip(lam, gens)) - w[i]) < Decimal("1e-40")


def test_cut_coordinates_are_independent_and_exact():
    assert exact_mod.cut_coordinates([2, 3, 6])[0] == (2, 3)
    assert exact_mod.cut_coordinates([4, 6, 9])[0] == (2, 3)
    assert exact_mod.cut_coordinates([6, 10])[0] == (6, 10)
    assert exact_mod.cut_coordinates([6, 10, 15])[0] == (6, 10, 15)
    assert exact_mod.cut_coordinates([4, 8, 64])[0] == (2,)
    assert exact_mod.cut_coordinates([1, 1])[0] == ()
    for dims in ([2, 3, 6], [4, 6, 9], [6, 10, 15, 2], [12, 18, 8], [35, 5, 7, 49]):
        basis, table = exact_mod.cut_coordinates(dims)
        assert all(math.prod(b**a for b, a in zip(basis, table[d])) == d for d in dims)


def test_int32_refusal_up_front(monkeypatch):
    """Capacities that cannot fit even at scale 1 are refused with one clear line."""
    rng = np.random.default_rng(0)
    graph = random_graph(rng, (2, 3, 5), 6, 20)
    monkeypatch.setattr(exact_mod, "INT32_LIMIT", 8)
    with pytest.raises(MemoryLimitError, match="int32 limit even at scale 1"):
        exact_mod.exact_min_cut(graph)


def test_int32_lowers_the_scale_and_stays_exact(monkeypatch):
    monkeypatch.setattr(exact_mod, "INT32_LIMIT", 4000)
    for seed in range(8):
        rng = np.random.default_rng(seed)
        graph = random_graph(rng, (2, 3, 5), 7, 24)
        cut = exact_mod.exact_min_cut(graph)
        assert "scale 4096" not in cut.method
        assert cut_product(graph, cut.side) == brute_force_min(graph)


def test_start_scale_must_be_positive():
    graph = random_graph(np.random.default_rng(1), (2, 3), 4, 10)
    with pytest.raises(TnrnnError, match="start_scale must be >= 1, got 0"):
        exact_mod.exact_min_cut(graph, start_scale=0)


@pytest.mark.parametrize("force_integers", [False, True])
def test_floor_log2_power_against_integers(force_integers, monkeypatch):
    """floor(S log2 b) equals the bit length of b^S minus 1; the integer fallback agrees."""
    if force_integers:
        monkeypatch.setattr(exact_mod, "DECISION_MARGIN", Decimal(1))
    rng = np.random.default_rng(5)
    cases = [(b, S) for b in (2, 3, 5, 6, 7, 8, 10, 12, 30, 97, 1000, 1023, 1024, 1025)
             for S in (1, 2, 3, 17, 100, 4096)]
    cases += [(int(rng.integers(2, 5000)), int(rng.integers(1, 20000))) for _ in range(60)]
    for b, S in cases:
        assert exact_mod.floor_log2_power(b, S) == (b**S).bit_length() - 1, (b, S)
