"""Min-cut bounds: minimality against independent exhaustive oracles, closed forms, sweeps."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections import defaultdict

import numpy as np
import pytest

from tnrnn import (
    CutBound,
    MemoryLimitError,
    NodeKind,
    Partition,
    PartitionError,
    RACNetwork,
    RACSpec,
    TnrnnError,
    all_chains_cut,
    mincut_bound,
    mincut_table,
)
from tnrnn.mincut import exact as exact_mod
from tnrnn.mincut.flow import flow_graph
from tnrnn.network.compile import compile_network

# ----------------------------------------------------------------------------------
# Independent oracles (no max-flow, no code shared with tnrnn.mincut)
# ----------------------------------------------------------------------------------


def _terminals(net: RACNetwork, part: Partition) -> dict[int, bool]:
    """node -> True (A side) / False (B side) for every INPUT node."""
    out = {}
    for i in np.flatnonzero(net.node_kind == NodeKind.INPUT):
        out[int(i)] = int(net.node_step[i]) in set(part.A)
    return out


def brute_force_min(net: RACNetwork, part: Partition) -> int:
    """Minimum product of cut dimensions over ALL 2^(free nodes) side assignments."""
    term = _terminals(net, part)
    free = [i for i in range(net.n_nodes) if i not in term]
    k = len(free)
    assert k <= 21, f"brute force over 2^{k} assignments is too slow"
    assert net.n_edges < 1000  # count vectors are packed in base 1000 below
    u, v, d = net.edge_u, net.edge_v, net.edge_dim
    dims = sorted(set(int(x) for x in d))
    onehot = np.stack([d == x for x in dims], axis=1).astype(np.int64)  # (m, n_dims)
    seen = set()
    chunk = 1 << min(k, 16)
    for start in range(0, 1 << k, chunk):
        idx = np.arange(start, min(start + chunk, 1 << k), dtype=np.int64)
        side = np.zeros((idx.size, net.n_nodes), dtype=bool)
        for node, s in term.items():
            side[:, node] = s
        for j, node in enumerate(free):
            side[:, node] = (idx >> j) & 1
        cross = side[:, u] ^ side[:, v]
        counts = cross.astype(np.int64) @ onehot  # at most m < 1000 edges of each dim
        keys = np.unique(counts @ (1000 ** np.arange(len(dims), dtype=np.int64)))
        seen.update(keys.tolist())
    vectors = [[(key // 1000**i) % 1000 for i in range(len(dims))] for key in seen]
    return min(math.prod(x**c for x, c in zip(dims, cnt)) for cnt in vectors)


def tree_dp_min(net: RACNetwork, part: Partition) -> int:
    """Exact minimum product over all cuts of a tree network, by dynamic programming.

    cost[node][s] = best product inside the subtree when node is on side s; a child on
    the other side costs the dimension of the edge to it. Python integers throughout.
    """
    assert net.n_edges == net.n_nodes - 1
    term = _terminals(net, part)
    adj = defaultdict(list)
    for e in range(net.n_edges):
        a, b, dim = int(net.edge_u[e]), int(net.edge_v[e]), int(net.edge_dim[e])
        adj[a].append((b, dim))
        adj[b].append((a, dim))
    root = 0
    order, parent, stack = [], {root: None}, [root]
    while stack:
        x = stack.pop()
        order.append(x)
        for y, _ in adj[x]:
            if y != parent[x]:
                parent[y] = x
                stack.append(y)
    assert len(order) == net.n_nodes  # connected tree
    cost = {}
    for x in reversed(order):
        best = []
        for s in (False, True):
            if x in term and term[x] != s:
                best.append(None)
                continue
            total = 1
            for y, dim in adj[x]:
                if y == parent[x]:
                    continue
                opts = [c * (1 if t == s else dim) for t, c in zip((False, True), cost[y])
                        if c is not None]
                total *= min(opts)
            best.append(total)
        cost[x] = best
    return min(c for c in cost[root] if c is not None)


def separates(net: RACNetwork, part: Partition, cut_edges: np.ndarray) -> bool:
    """BFS from all A inputs over non-cut edges never meets a B input."""
    term = _terminals(net, part)
    cut = set(int(e) for e in cut_edges)
    adj = defaultdict(list)
    for e in range(net.n_edges):
        if e not in cut:
            adj[int(net.edge_u[e])].append(int(net.edge_v[e]))
            adj[int(net.edge_v[e])].append(int(net.edge_u[e]))
    seen = {x for x, s in term.items() if s}
    stack = list(seen)
    while stack:
        x = stack.pop()
        for y in adj[x]:
            if y not in seen:
                seen.add(y)
                stack.append(y)
    return not any(x in seen for x, s in term.items() if not s)


def check_result(cb: CutBound) -> None:
    """Consistency of a CutBound, with independent code."""
    net, part = cb.network, cb.partition
    assert separates(net, part, cb.cut_edges)
    assert cb.bound == math.prod(int(d) for d in net.edge_dim[cb.cut_edges])
    crossing = np.flatnonzero(cb.side[net.edge_u] != cb.side[net.edge_v])
    assert np.array_equal(np.sort(cb.cut_edges), crossing)
    for node, s in _terminals(net, part).items():
        assert bool(cb.side[node]) == s
    assert math.isclose(cb.log2, math.log2(cb.bound))


# ----------------------------------------------------------------------------------
# Minimality against exhaustive oracles
# ----------------------------------------------------------------------------------

TINY = [  # (L, T, merged): at most ~20 free nodes
    (1, 4, False), (1, 6, False), (1, 8, True), (1, 12, True),
    (2, 2, False), (2, 2, True), (2, 4, True), (3, 2, True),
]


@pytest.mark.parametrize("L,T,merged", TINY)
@pytest.mark.parametrize("M,R", [(2, 3), (3, 2), (2, 2), (4, 8), (5, 2), (1, 3)])
def test_minimal_vs_brute_force(L, T, merged, M, R):
    spec = RACSpec(M=M, R=R, L=L, T=T)
    net = compile_network(spec, merged=merged)
    rng = np.random.default_rng(1000 * L + 10 * T + M * R)
    parts = [Partition.start_end(T), Partition.interleaved(T)]
    if T > 2:
        parts.append(Partition.from_sets(rng.choice(np.arange(1, T + 1), T // 2, replace=False), T))
    for part in parts:
        cb = mincut_bound(net, part)
        check_result(cb)
        assert cb.bound == brute_force_min(net, part), (spec, part)


@pytest.mark.parametrize("L,T", [(1, 16), (2, 6), (2, 10), (3, 6), (4, 4)])
@pytest.mark.parametrize("merged", [False, True])
@pytest.mark.parametrize("M,R", [(2, 3), (3, 2), (7, 2), (2, 5), (6, 4)])
def test_minimal_vs_tree_dp(L, T, merged, M, R):
    spec = RACSpec(M=M, R=R, L=L, T=T)
    net = compile_network(spec, merged=merged)
    rng = np.random.default_rng(7 * L + T + 31 * M + R)
    k = int(rng.integers(1, T))
    parts = [Partition.start_end(T), Partition.interleaved(T), Partition.split(T, k),
             Partition.from_sets(rng.choice(np.arange(1, T + 1), T // 2, replace=False), T)]
    for part in parts:
        cb = mincut_bound(net, part)
        check_result(cb)
        assert cb.bound == tree_dp_min(net, part), (spec, part)


def _random_network(rng, dims, n_free, n_inputs, n_edges, T):
    """A random (cyclic, multi-) graph dressed as a RACNetwork, inputs at steps 1..T."""
    n = n_free + n_inputs + 1
    kind = np.full(n, NodeKind.DELTA, np.int8)
    step = np.zeros(n, np.int32)
    kind[n_free: n_free + n_inputs] = NodeKind.INPUT
    step[n_free: n_free + n_inputs] = np.concatenate(
        [np.arange(1, T + 1), rng.integers(1, T + 1, n_inputs - T)])
    kind[-1] = NodeKind.W_O
    u = rng.integers(0, n, n_edges)
    v = rng.integers(0, n, n_edges)
    keep = u != v
    return RACNetwork(
        spec=RACSpec(M=2, R=3, L=1, T=T), merged=False, node_kind=kind,
        node_layer=np.zeros(n, np.int16), node_step=step, node_copy=np.zeros(n, np.int64),
        edge_u=u[keep], edge_u_leg=np.zeros(keep.sum(), np.int8), edge_v=v[keep],
        edge_v_leg=np.zeros(keep.sum(), np.int8),
        edge_dim=rng.choice(dims, keep.sum()),
    )


DIM_SETS = [(2, 3), (2, 3, 1), (4, 8), (2, 4, 8), (3, 5), (6, 10), (2, 9, 27), (7,), (2, 3, 5), (4, 6, 9)]


@pytest.mark.parametrize("dims", DIM_SETS)
@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("tiny_scale", [False, True])
def test_random_graphs_vs_brute_force(dims, seed, tiny_scale, monkeypatch):
    """Cyclic graphs with parallel edges; tiny_scale (S = 1) makes the first certificate fail often."""
    if tiny_scale:
        monkeypatch.setattr(exact_mod, "START_SCALE", 1)
    rng = np.random.default_rng(seed + 100 * len(dims) + dims[0])
    T = int(rng.integers(2, 5))
    net = _random_network(rng, np.array(dims), int(rng.integers(4, 13)), T + 2,
                          int(rng.integers(12, 40)), T)
    part = Partition.from_sets([1] + [t for t in range(2, T + 1) if rng.random() < 0.5][: T - 2], T)
    cb = mincut_bound(net, part)
    check_result(cb)
    assert cb.bound == brute_force_min(net, part)


def test_tiny_scale_runs_more_rounds_and_agrees(monkeypatch):
    """With S = 1 the certificate needs extra rounds on a real RAC network and still agrees."""
    spec = RACSpec(M=2, R=3, L=2, T=8)
    net = compile_network(spec)
    ref = mincut_bound(net, "start-end")
    assert ref.flows == 2 and "1 round)" in ref.method
    monkeypatch.setattr(exact_mod, "START_SCALE", 1)
    walked = mincut_bound(net, "start-end")
    assert walked.bound == ref.bound == tree_dp_min(net, Partition.start_end(8))
    assert walked.flows > 2 and "rounds)" in walked.method


def test_power_base():
    for g in (2, 3, 5, 10):
        for k in (1, 2, 3, 7):
            assert exact_mod.power_base(g**k) == (g, k)
    assert exact_mod.power_base(12) == (12, 1)
    assert exact_mod.power_base(2**62) == (2, 62)


# ----------------------------------------------------------------------------------
# Closed forms
# ----------------------------------------------------------------------------------


@pytest.mark.parametrize("merged", [False, True])
@pytest.mark.parametrize("M", [1, 2, 3, 5])
@pytest.mark.parametrize("R", [1, 2, 3, 7, 30])
@pytest.mark.parametrize("T", [2, 4, 6, 10])
def test_shallow_start_end(M, R, T, merged):
    cb = mincut_bound(RACSpec(M=M, R=R, L=1, T=T), "start-end", merged=merged)
    assert cb.bound == min(R, M ** (T // 2))
    check_result(cb)


@pytest.mark.parametrize("merged", [False, True])
@pytest.mark.parametrize("M,R", [(2, 2), (3, 2), (3, 3), (5, 3), (100, 2), (9, 4)])
@pytest.mark.parametrize("T", [4, 6, 8, 12, 20])
def test_deep2_start_end_large_M(M, R, T, merged):
    """L = 2, M >= R: each chain across the boundary is cut once, R^(T/2+1)."""
    cb = mincut_bound(RACSpec(M=M, R=R, L=2, T=T), "start-end", merged=merged)
    assert cb.bound == R ** (T // 2 + 1) == all_chains_cut(R, 2, T)


def test_deep2_T2_is_cheaper_than_formula():
    """T = 2: x^2 has one copy, so cutting its W_I -> DELTA bond (dim R) suffices."""
    cb = mincut_bound(RACSpec(M=5, R=3, L=2, T=2), "start-end")
    assert cb.bound == 3 < all_chains_cut(3, 2, 2)


@pytest.mark.parametrize("L", [1, 2, 3, 4])
@pytest.mark.parametrize("T", [2, 4, 6, 8])
@pytest.mark.parametrize("M,R", [(2, 3), (3, 2), (50, 2), (2, 2)])
def test_all_chains_is_upper_bound(L, T, M, R):
    for merged in (False, True):
        cb = mincut_bound(RACSpec(M=M, R=R, L=L, T=T), "start-end", merged=merged)
        assert cb.bound <= all_chains_cut(R, L, T)


def test_small_M_cuts_input_legs_below_all_chains():
    """L = 2, M < R: cutting input legs beats cutting every chain (brute force)."""
    spec = RACSpec(M=2, R=3, L=2, T=4)
    net = compile_network(spec, merged=True)
    part = Partition.start_end(4)
    cb = mincut_bound(net, part)
    assert cb.bound == brute_force_min(net, part) < all_chains_cut(3, 2, 4)
    kinds = {r["u_kind"] for r in cb.cut_edge_records()} | {r["v_kind"] for r in cb.cut_edge_records()}
    assert "INPUT" in kinds
    big = mincut_bound(RACSpec(M=2, R=3, L=2, T=12), "start-end")
    assert big.bound == tree_dp_min(big.network, big.partition) < all_chains_cut(3, 2, 12)


@pytest.mark.parametrize("L,T,merged,brute", [
    (3, 2, True, True),     # tiny: exhaustive over 2^16 assignments
    (3, 8, False, False),   # full network, tree DP
    (4, 4, True, False),    # merged network: below from L = 4 at T = 4
    (4, 6, True, False),
])
def test_deep_large_M_below_all_chains(L, T, merged, brute):
    """L >= 3 and M huge (input legs never worth cutting): still below all chains."""
    M, R = 1000, 2
    net = compile_network(RACSpec(M=M, R=R, L=L, T=T), merged=merged)
    part = Partition.start_end(T)
    cb = mincut_bound(net, part)
    oracle = brute_force_min(net, part) if brute else tree_dp_min(net, part)
    assert cb.bound == oracle < all_chains_cut(R, L, T)
    assert M not in cb.dim_counts


@pytest.mark.parametrize("L", [1, 2, 3])
@pytest.mark.parametrize("T", [4, 6, 8])
@pytest.mark.parametrize("M,R", [(2, 3), (3, 2), (2, 2), (4, 3)])
def test_interleaved_larger_than_start_end(L, T, M, R):
    net = compile_network(RACSpec(M=M, R=R, L=L, T=T))
    se = mincut_bound(net, "start-end")
    il = mincut_bound(net, "interleaved")
    assert il.bound > se.bound


@pytest.mark.parametrize("L,T", [(1, 8), (2, 6), (3, 4), (2, 9)])
@pytest.mark.parametrize("M,R", [(2, 3), (2, 2), (3, 5), (1, 4)])
def test_merged_equals_full_when_M_le_R(L, T, M, R):
    spec = RACSpec(M=M, R=R, L=L, T=T)
    rng = np.random.default_rng(L * T + M + R)
    parts = [Partition.interleaved(T), Partition.split(T, int(rng.integers(1, T))),
             Partition.from_sets(rng.choice(np.arange(1, T + 1), T // 2, replace=False), T)]
    for part in parts:
        full = mincut_bound(spec, part)
        merged = mincut_bound(spec, part, merged=True)
        assert merged.merged and not full.merged
        assert merged.bound == full.bound


def test_merged_can_exceed_full_when_M_gt_R():
    """The full network may cut a W_I -> DELTA bond (R) where the merged one pays M."""
    spec = RACSpec(M=100, R=2, L=2, T=2)
    full = mincut_bound(spec, "start-end")
    merged = mincut_bound(spec, "start-end", merged=True)
    assert full.bound == 2 < merged.bound == 4
    for L, T in ((2, 6), (3, 4)):
        s = RACSpec(M=5, R=2, L=L, T=T)
        for p in ("interleaved", "start-end"):
            assert mincut_bound(s, p, merged=True).bound >= mincut_bound(s, p).bound


# ----------------------------------------------------------------------------------
# Result object, sweeps, errors
# ----------------------------------------------------------------------------------


def test_result_fields_report_and_dict():
    cb = mincut_bound(RACSpec(M=2, R=3, L=2, T=6), Partition.split(6, 2))
    assert isinstance(cb.bound, int) and cb.spec == RACSpec(M=2, R=3, L=2, T=6)
    assert cb.cut_edges.dtype.kind == "i" and cb.side.dtype == bool
    assert cb.side.shape == (cb.network.n_nodes,)
    recs = cb.cut_edge_records()
    assert len(recs) == cb.n_cut
    assert math.prod(r["dim"] for r in recs) == cb.bound
    for r in recs:
        assert r["u_side"] != r["v_side"]
        assert r["u_kind"] in NodeKind.__members__ and r["v_step"] >= 0
    text = cb.report()
    assert str(cb.bound) in text and "split:2" in text and cb.factored() in text
    d = json.loads(json.dumps(cb.to_dict(include_side=True)))
    assert d["bound"] == cb.bound and d["partition"]["A"] == [1, 2]
    assert sum(d["side"]) == int(cb.side.sum())
    with pytest.raises(ValueError, match="read-only"):
        cb.side[0] = not cb.side[0]


def test_huge_bound_is_exact_int():
    cb = mincut_bound(RACSpec(M=7, R=5, L=2, T=300), "start-end")
    assert cb.bound == 5**151
    assert "digits" in repr(cb)


def test_mincut_table_rows_match():
    rows = mincut_table([1, 2], [4, 5], [2, 3], [3],
                        partitions=("start-end", "interleaved", "split:1"),
                        skip_invalid=True, progress=False)
    assert len(rows) == 2 * 2 * (3 + 2)  # T=5 has no Start-End
    for r in rows:
        spec = RACSpec(M=r["M"], R=r["R"], L=r["L"], T=r["T"])
        cb = mincut_bound(spec, r["partition"])
        assert r["bound"] == cb.bound and r["n_cut"] == cb.n_cut
        assert r["cut_input_legs"] + r["cut_bonds"] == r["n_cut"]
        if r["partition"] == "start-end":
            assert r["all_chains_cut"] == all_chains_cut(r["R"], r["L"], r["T"])
        else:
            assert r["all_chains_cut"] is None
    json.dumps(rows)
    own = mincut_table([2], [4, 6], [2], [2], partitions=(Partition.from_sets([2, 3], 4),),
                       progress=True)
    assert [(r["T"], r["partition"]) for r in own] == [(4, "A:2,3")]
    assert own[0]["bound"] == mincut_bound(RACSpec(M=2, R=2, L=2, T=4), "A:2,3").bound
    with pytest.raises(PartitionError):
        mincut_table([1], [5], [2], [2], partitions=("start-end",), progress=False)


def test_errors():
    spec = RACSpec(M=2, R=3, L=2, T=4)
    with pytest.raises(PartitionError):
        mincut_bound(spec, Partition.start_end(6))
    with pytest.raises(PartitionError):
        mincut_bound(spec, "halves")
    with pytest.raises(MemoryLimitError, match="max_nodes"):
        mincut_bound(RACSpec(M=2, R=3, L=3, T=200), "start-end", max_nodes=10**6)
    with pytest.raises(TnrnnError, match="a RACNetwork, a RACSpec"):
        mincut_bound("spec", "start-end")
    with pytest.raises(TnrnnError, match="merged=True"):
        mincut_bound(compile_network(spec), "start-end", merged=True)


def test_import_stays_light():
    code = ("import sys, tnrnn; bad = [m for m in ('scipy', 'networkx', 'matplotlib') "
            "if m in sys.modules]; print(bad); assert not bad")
    subprocess.run([sys.executable, "-c", code], check=True)


# --------------------------------------------------------------------------- safety nets
@pytest.mark.parametrize("merged", [False, True])
def test_a_cut_that_does_not_separate_is_caught(monkeypatch, merged):
    """The independent re-check: a min-cut side that leaves A and B connected is a loud error."""
    import dataclasses

    from tnrnn.mincut import bound as bound_mod

    real = bound_mod.exact_min_cut

    def wrong(graph, *args, **kwargs):
        cut = real(graph, *args, **kwargs)
        side = np.zeros_like(cut.side)
        side[graph.source] = True  # only the source on its side: cuts nothing useful
        side[graph.sink] = True  # ... and the sink with it: A and B stay connected
        return dataclasses.replace(cut, side=side)

    monkeypatch.setattr(bound_mod, "exact_min_cut", wrong)
    # on the full network the sides are mapped back: put every node on one side there
    monkeypatch.setattr(bound_mod, "network_side", lambda graph, side: np.ones(graph.is_a_input.size, dtype=bool))
    spec = RACSpec(M=2, R=2, L=2, T=4)
    target = compile_network(spec, merged=True) if merged else spec
    with pytest.raises(TnrnnError, match="internal error: the (lean )?cut of .* leaves A and B"):
        mincut_bound(target, "start-end")


def test_int32_capacity_guard():
    from tnrnn.mincut.flow import INT32_LIMIT, min_cut_side

    net = compile_network(RACSpec(M=2, R=2, L=1, T=2))
    graph = flow_graph(net, Partition.start_end(2))
    huge = np.full(graph.u.shape, INT32_LIMIT // 2 + 1, dtype=np.int64)
    with pytest.raises(MemoryLimitError, match="above scipy's int32 limit"):
        min_cut_side(graph, huge)
    # just below the limit still runs and gives a cut
    ok = np.full(graph.u.shape, 1, dtype=np.int64)
    side, value = min_cut_side(graph, ok)
    assert side[graph.source] and not side[graph.sink] and value >= 1


def test_bounds_past_pythons_4300_digit_limit_print_and_serialise():
    """L=4, T=74: a 4,7xx-digit bound; report, repr and to_dict never call str() on it."""
    from tnrnn.numbers import decimal_digits, text_to_int

    cut = mincut_bound(RACSpec(M=2, R=3, L=4, T=74), "start-end")
    assert decimal_digits(cut.bound) > 4300
    d = cut.to_dict()
    assert text_to_int(d["bound_str"]) == cut.bound
    assert "e+" in repr(cut) and "e+" in cut.report()


# ----------------------------------------------------------------------------------
# Members of the RAC family (issue 17): the full network is cut, any set of dimensions
# ----------------------------------------------------------------------------------

from specs import CUT_MEMBERS as MEMBERS  # noqa: E402


@pytest.mark.parametrize("kw", MEMBERS, ids=lambda kw: repr(RACSpec(**kw))[8:-1])
@pytest.mark.parametrize("merged", [False, True])
def test_members_minimal_vs_tree_dp(kw, merged):
    spec = RACSpec(**kw)
    net = compile_network(spec, merged=merged)
    T = spec.T
    rng = np.random.default_rng(T + 7 * spec.L)
    parts = [Partition.start_end(T), Partition.interleaved(T), Partition.split(T, 1),
             Partition.from_sets(rng.choice(np.arange(1, T + 1), T // 2, replace=False), T)]
    for part in parts:
        cb = mincut_bound(spec, part, merged=merged)
        check_result(cb)
        assert cb.bound == tree_dp_min(net, part), (spec, part)
        assert cb.spec == spec


def test_member_spec_is_never_cut_on_the_plain_lean_graph():
    """The lean graph knows plain RACs only: a member spec is cut on its own network
    (before the fix, a biased spec got the plain spec's bound 54)."""
    from tnrnn.mincut.lean import lean_flow_graph

    spec = RACSpec(M=2, R=3, L=2, T=6, bias=True)
    assert mincut_bound(spec, "start-end").bound == mincut_bound(compile_network(spec), "start-end").bound == 4**3 * 3
    with pytest.raises(TnrnnError, match="plain RACs only"):
        lean_flow_graph(spec, Partition.start_end(6), max_nodes=10**6)


def test_steps_the_output_never_reads_cost_nothing():
    """L = 1, d = 2: y reads only the even steps, so A = {1} (no input slot) is cut for free."""
    spec = RACSpec(M=2, R=3, L=1, T=8, dilations=2)
    cb = mincut_bound(spec, Partition.split(8, 1))
    assert cb.bound == 1 and cb.n_cut == 0 and cb.factored() == "1"
    assert mincut_bound(spec, Partition.from_sets([1, 3, 5, 7], 8)).bound == 1
    assert mincut_bound(spec, Partition.from_sets([1, 2, 5, 7], 8)).bound == 2   # only x^2 is read: min(M, R)
