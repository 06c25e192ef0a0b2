"""Exact separation ranks of RAC-family members against a brute-force matricization.

The independent computation: for the same modular weights, the matrix
``Y[i, j] = y(a_i, b_j)`` over random inputs on each side, more of them than the dimension
of the space of polynomials y can be in (the degree bound), evaluated by the forward pass
(tested against nested loops in test_members.py) on the merged sequences, and its rank
by a Gaussian elimination over F_p written here. Every bound proven for members must hold.
"""

import numpy as np
import pytest

from tnrnn import Partition, RACSpec, compile_network, forward, mincut_bound, random_modular_weights, separation_rank
from tnrnn.errors import MemoryLimitError
from tnrnn.family_bounds import member_degree_bound, member_upper_bounds, spec_smallest_upper_bound
from tnrnn.formulas import degree_bound
from tnrnn.rank import evaluate_pairs, output_degree

P = 1_000_003


def rank_mod_p(mat, p):
    """Rank over F_p by row reduction with Python integers."""
    rows = [[int(v) % p for v in row] for row in mat]
    rank, ncols = 0, len(rows[0]) if rows else 0
    for c in range(ncols):
        pivot = next((r for r in range(rank, len(rows)) if rows[r][c]), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        inv = pow(rows[rank][c], p - 2, p)
        rows[rank] = [v * inv % p for v in rows[rank]]
        for r in range(len(rows)):
            if r != rank and rows[r][c]:
                f = rows[r][c]
                rows[r] = [(v - f * w) % p for v, w in zip(rows[r], rows[rank])]
        rank += 1
    return rank


def brute_rank(weights, partition, n, seed):
    spec = weights.spec
    gen = np.random.default_rng(seed)
    a = gen.integers(0, P, size=(n, len(partition.A), spec.M))
    b = gen.integers(0, P, size=(n, len(partition.B), spec.M))
    x = np.empty((n * n, spec.T, spec.M), dtype=np.int64)
    A, B = np.array(partition.A) - 1, np.array(partition.B) - 1
    x[:, A] = np.repeat(a, n, axis=0)
    x[:, B] = np.tile(b, (n, 1, 1))
    Y = forward(weights, x)[:, 0].reshape(n, n)
    assert np.array_equal(Y, evaluate_pairs(weights, partition, a, b))  # the engine's matrix, entry for entry
    return rank_mod_p(Y.tolist(), P)


CASES = [
    (RACSpec(M=2, R=(3, 2), L=2, T=4), "start-end"),
    (RACSpec(M=2, R=3, L=2, T=4, cell="cp:2"), "start-end"),
    (RACSpec(M=2, R=2, L=2, T=4, cell="full"), "interleaved"),
    (RACSpec(M=2, R=2, L=1, T=6, cell="full"), "start-end"),
    (RACSpec(M=2, R=2, L=2, T=4, bias=True), "start-end"),
    (RACSpec(M=2, R=2, L=1, T=6, bias=True), "interleaved"),
    (RACSpec(M=2, R=2, L=2, T=6, dilations=(1, 2)), "start-end"),
    (RACSpec(M=2, R=3, L=1, T=6, dilations=2), "split:2"),
    (RACSpec(M=2, R=(2, 3), L=2, T=4, cell=("full", "cp:2"), dilations=(2, 1)), "A:2,3"),
    (RACSpec(M=2, R=(2, 2, 2), L=3, T=4, cell=("mi", "cp:3", "full")), "start-end"),
]


@pytest.mark.parametrize("spec, part", CASES, ids=lambda v: repr(v) if isinstance(v, RACSpec) else v)
def test_member_rank_equals_brute_force_matricization(spec, part):
    partition = Partition.coerce(part, spec.T)
    w = random_modular_weights(spec, rng=7, prime=P)
    got = separation_rank(None, partition, weights=w, rng=1)
    deg = member_degree_bound(spec, partition)
    n = min(deg + 4, 90)  # more probes than the space's dimension (or far above the rank)
    want = brute_rank(w, partition, n, seed=2)
    assert want < n or n == deg + 4
    assert got.rank == want
    assert got.certified and got.prime == P
    cut = mincut_bound(compile_network(spec), partition).bound
    assert got.rank <= min(deg, cut)
    assert got.upper_bound == spec_smallest_upper_bound(spec, partition)[0]


@pytest.mark.parametrize("spec", [c[0] for c in CASES], ids=repr)
def test_drawn_weights_rank_is_deterministic_and_within_bounds(spec):
    part = Partition.parse("split:2", spec.T)
    r1 = separation_rank(spec, part, rng=3)
    r2 = separation_rank(spec, part, rng=3)
    assert r1.rank == r2.rank and r1.rank >= 1
    assert r1.rank <= min(member_upper_bounds(spec, part).values())
    assert r1.rank <= mincut_bound(compile_network(spec), part).bound


def test_member_degree_bound_equals_plain_formula_on_plain_specs():
    for spec in (RACSpec(2, 3, 1, 6), RACSpec(3, 2, 2, 6), RACSpec(2, 2, 3, 6)):
        for part in (Partition.start_end(6), Partition.interleaved(6), Partition.parse("A:1,5", 6)):
            assert member_degree_bound(spec, part) == degree_bound(spec.M, spec.L, part)


def test_output_degree_counts_weight_factors():
    """Degree of y in the random quantities: checked by the recursion on a tiny case by hand.

    L = 1, cp (3 weight factors per step), T = 2, d = 1: deg h_0 = 1, deg h_1 = 1 + 1 + 3 = 5,
    deg h_2 = 5 + 1 + 3 = 9, plus W^O: 10. Given weights: the input copies, 2.
    """
    spec = RACSpec(M=2, R=2, L=1, T=2, cell="cp:2")
    assert output_degree(spec, True) == 10 and output_degree(spec, False) == 2
    dil = RACSpec(M=2, R=2, L=1, T=4, dilations=2)  # chains 2, 4: deg h_2 = 1 + 1 + 2, deg h_4 = 4 + 1 + 2
    assert output_degree(dil, True) == 8 and output_degree(dil, False) == 2
    plain = RACSpec(M=2, R=2, L=2, T=3)
    assert output_degree(plain, False) == 3 + 2 + 1


def test_member_refused_up_front_on_its_degree_bound():
    spec = RACSpec(M=4, R=4, L=3, T=30, cell="cp:4")
    with pytest.raises(MemoryLimitError, match="above max_probes=4096"):
        separation_rank(spec, "start-end", max_probes=4096)


def test_a_wrong_small_bound_is_caught():
    spec = RACSpec(M=2, R=3, L=2, T=4, cell="cp:3")
    with pytest.raises(Exception, match="exceeds the proven upper bound"):
        separation_rank(spec, "start-end", upper_bounds={"fake": 2})


def test_plain_only_bounds_are_not_applied_to_members():
    from tnrnn.bounds import bounds_summary, check_bounds, formula_bounds
    from tnrnn.errors import TnrnnError
    from tnrnn.mincut.lean import lean_flow_graph

    spec = RACSpec(M=2, R=3, L=2, T=6, cell="cp:2")
    part = Partition.start_end(6)
    # from a spec, the min-cut of a member is that of its compiled network (not the plain lean graph)
    assert mincut_bound(spec, part).bound == mincut_bound(compile_network(spec), part).bound == 16
    with pytest.raises(TnrnnError, match="plain RACs only"):
        lean_flow_graph(spec, part, max_nodes=10**6)
    fb = formula_bounds(spec, part)
    assert fb["lower"] is None and fb["all_chains"] is None
    assert {k: fb[k] for k in ("degree", "bottleneck", "symmetric", "ideal", "syzygy")
            if fb.get(k) is not None} == member_upper_bounds(spec, part)
    s = bounds_summary(spec, part)
    assert s["mincut"] == 16 and RACSpec(**s["spec"]) == spec
    (row,) = check_bounds([(spec, part)])
    assert row.exact == separation_rank(spec, part, rng=0).rank <= row.mincut == 16


def test_member_with_three_edge_dimensions_still_gets_its_rank():
    """cp:6 with widths 3, 2 and M = 2: edge dimensions 2, 3, 6 (three bases for the exact min-cut)."""
    from tnrnn.bounds import check_bounds, mincut_upper_bounds

    spec = RACSpec(M=2, R=(3, 2), L=2, T=6, cell="cp:6")
    part = Partition.start_end(6)
    known = mincut_upper_bounds(spec, part)
    assert known == {"mincut": mincut_bound(compile_network(spec), part).bound}
    res = separation_rank(spec, part, rng=0, upper_bounds=known)
    assert res.rank <= member_degree_bound(spec, part)
    (row,) = check_bounds([(spec, part)])
    assert row.exact == res.rank


@pytest.mark.parametrize("spec", [RACSpec(M=2, R=(3, 2), L=2, T=6, cell="cp:3", dilations=(1, 2)),
                                  RACSpec(M=2, R=(3, 2), L=2, T=6, bias=True)], ids=repr)
def test_every_rank_method_works_for_members(spec):
    exact = separation_rank(spec, "start-end", rng=0).rank
    assert separation_rank(spec, "start-end", rng=0, method="float").rank == exact
    assert separation_rank(spec, "start-end", rng=0, method="grid", n_templates=6).rank == exact
    assert separation_rank(spec, "start-end", rng=0, prime=[P, 13_000_027]).rank == exact
