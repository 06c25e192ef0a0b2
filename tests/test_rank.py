"""Tests of tnrnn.rank: exact separation ranks against closed forms and naive oracles."""

import itertools
import json
import warnings

import numpy as np
import pytest

from tnrnn import Partition, RACSpec, RACWeights, forward, random_modular_weights, random_weights
from tnrnn.errors import BoundViolationError, InputError, MemoryLimitError, TnrnnError, WeightsError
from tnrnn.formulas import degree_bound, input_copies, multiset, symmetric_copies_bound
from tnrnn.modular import DEFAULT_PRIME
from tnrnn.rank.probes import stage_sizes
from tnrnn.rank import (
    RankResult,
    evaluate_pairs,
    numpy_rank_mod_p,
    output_degree,
    probe_cap,
    rank_mod_p,
    schwartz_zippel_bound,
    separation_rank,
    svd_rank,
    templates_needed,
)
from tnrnn.rank.probes import probe_rank

P = DEFAULT_PRIME


# --------------------------------------------------------------------------- oracles
def naive_pairs(w, part, a, b):
    """Y[i, j] by the plain forward pass on the interleaved full sequences."""
    T, M = w.spec.T, w.spec.M
    X = np.zeros((len(a), len(b), T, M), dtype=a.dtype)
    for k, t in enumerate(part.A):
        X[:, :, t - 1] = a[:, None, k]
    for k, t in enumerate(part.B):
        X[:, :, t - 1] = b[None, :, k]
    return forward(w, X.reshape(len(a) * len(b), T, M))[:, 0].reshape(len(a), len(b))


def naive_grid_rank(w, part, templates):
    """Grid tensor by the forward pass over all K^T sequences, matricized, numpy rank."""
    T = w.spec.T
    K = len(templates)
    seqs = np.array(list(itertools.product(range(K), repeat=T)))
    V = forward(w, templates[seqs])[:, 0].reshape((K,) * T)
    perm = [t - 1 for t in part.A] + [t - 1 for t in part.B]
    mat = V.transpose(perm).reshape(K ** len(part.A), -1)
    return numpy_rank_mod_p(mat, w.prime)


PARTS = [
    lambda T: Partition.start_end(T) if T % 2 == 0 else Partition.split(T, T // 2),
    lambda T: Partition.interleaved(T),
    lambda T: Partition.split(T, 1),
    lambda T: Partition.from_sets([T], T),  # B is a prefix: the swapped orientation
    lambda T: Partition.from_sets([1, T], T),
]


# --------------------------------------------------------------------------- evaluation
@pytest.mark.parametrize("L", [1, 2, 3])
@pytest.mark.parametrize("T", [3, 4, 5])
@pytest.mark.parametrize("make", PARTS)
def test_evaluate_pairs_matches_forward_exact(L, T, make):
    rng = np.random.default_rng(100 * L + T)
    part = make(T)
    w = random_modular_weights(RACSpec(M=3, R=5, L=L, T=T), rng)
    a = rng.integers(0, P, (6, len(part.A), 3))
    b = rng.integers(0, P, (5, len(part.B), 3))
    np.testing.assert_array_equal(evaluate_pairs(w, part, a, b), naive_pairs(w, part, a, b))


@pytest.mark.parametrize("L", [1, 2, 3])
@pytest.mark.parametrize("make", PARTS)
def test_evaluate_pairs_matches_forward_float(L, make):
    rng = np.random.default_rng(L)
    part = make(4)
    w = random_weights(RACSpec(M=2, R=3, L=L, T=4), rng)
    a = rng.normal(size=(4, len(part.A), 2))
    b = rng.normal(size=(7, len(part.B), 2))
    Z = naive_pairs(w, part, a, b)
    np.testing.assert_allclose(evaluate_pairs(w, part, a, b), Z, rtol=1e-10, atol=1e-12 * np.abs(Z).max())


def test_evaluate_pairs_chunks_and_large_R():
    # R = 9 > 4 products per reduction; many rows force several chunks
    rng = np.random.default_rng(5)
    w = random_modular_weights(RACSpec(M=2, R=9, L=2, T=4), rng)
    part = Partition.start_end(4)
    a = rng.integers(0, P, (40, 2, 2))
    b = rng.integers(0, P, (3000, 2, 2))
    got = evaluate_pairs(w, part, a, b)
    np.testing.assert_array_equal(got[::7, ::97], naive_pairs(w, part, a[::7], b[::97]))


def test_evaluate_pairs_errors():
    w = random_modular_weights(RACSpec(M=2, R=2, L=1, T=4), 0)
    part = Partition.start_end(4)
    with pytest.raises(InputError, match="shape"):
        evaluate_pairs(w, part, np.zeros((3, 3, 2), dtype=int), np.zeros((3, 2, 2), dtype=int))
    with pytest.raises(MemoryLimitError, match="max_entries"):
        evaluate_pairs(w, part, np.zeros((30, 2, 2), dtype=int), np.zeros((30, 2, 2), dtype=int), max_entries=100)


# --------------------------------------------------------------------------- rank over F_p
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("shape", [(7, 7), (12, 5), (3, 20), (40, 40)])
def test_rank_mod_p_backends_agree_with_construction(seed, shape):
    rng = np.random.default_rng(seed)
    n, m = shape
    r = int(rng.integers(0, min(n, m) + 1))
    A = rng.integers(0, P, (n, r)) if r else np.zeros((n, 0), dtype=np.int64)
    B = rng.integers(0, P, (r, m)) if r else np.zeros((0, m), dtype=np.int64)
    from tnrnn.modular import mod_matmul

    Y = mod_matmul(A, B, P) if r else np.zeros((n, m), dtype=np.int64)
    # a random product of rank-r factors has rank r (with overwhelming probability)
    assert rank_mod_p(Y, P, backend="flint") == r
    assert rank_mod_p(Y, P, backend="numpy") == r


def test_rank_mod_p_small_prime_against_rationals():
    # over a small prime the rank can drop below the rank over Q, never rise above it
    rng = np.random.default_rng(3)
    for _ in range(30):
        Y = rng.integers(-3, 4, (6, 6))
        q = np.linalg.matrix_rank(Y.astype(float))
        for p in (3, 5, 7):
            r = rank_mod_p(Y, p)
            assert r == numpy_rank_mod_p(Y, p) and r <= q
        assert rank_mod_p(Y, P) == q


def test_rank_mod_p_bad_backend():
    with pytest.raises(TnrnnError, match="backend"):
        rank_mod_p(np.eye(2, dtype=int), 7, backend="magma")


# --------------------------------------------------------------------------- shallow theorem
@pytest.mark.parametrize("M", [1, 2, 3, 4])
@pytest.mark.parametrize("R", [1, 2, 3, 4])
@pytest.mark.parametrize("T", [2, 4, 6, 8, 10])
def test_shallow_start_end_rank_is_min_R_M_pow(M, R, T):
    res = separation_rank(RACSpec(M=M, R=R, L=1, T=T), "start-end", rng=M * 100 + R * 10 + T)
    assert res.rank == min(R, M ** (T // 2))
    assert res.n_probes_A > res.rank and res.n_probes_B > res.rank
    assert res.certified and res.method == "probes"


# --------------------------------------------------------------------------- deep: bounds
@pytest.mark.parametrize("L", [2, 3])
@pytest.mark.parametrize("M", [1, 2, 3])
@pytest.mark.parametrize("R", [1, 2, 3])
@pytest.mark.parametrize("T", [2, 4, 6])
def test_deep_rank_between_paper_bound_and_upper_bounds(L, M, R, T):
    from math import comb

    res = separation_rank(RACSpec(M=M, R=R, L=L, T=T), "start-end", rng=7)
    lower = multiset(min(M, R), comb(T // 2 + L - 2, L - 1))  # theorem L=2, conjecture L=3
    part = Partition.start_end(T)
    assert lower <= res.rank <= min(degree_bound(M, L, part), symmetric_copies_bound(R, L, T))


@pytest.mark.parametrize("L", [1, 2, 3])
@pytest.mark.parametrize("name", ["interleaved", "split:1", "A:2,3"])
def test_general_partitions_within_every_closed_form_and_symmetric_in_A_B(L, name):
    spec = RACSpec(M=2, R=2, L=L, T=5)
    part = Partition.parse(name, 5)
    res = separation_rank(spec, part, rng=1)
    res_swapped = separation_rank(spec, part.swapped(), rng=2)
    assert res.rank == res_swapped.rank  # sep_(A,B) = sep_(B,A)
    assert 1 <= res.rank <= degree_bound(2, L, part)
    if name == "split:1":  # a prefix side: the symmetric-copies bound over the other 4 steps
        assert res.rank <= symmetric_copies_bound(2, L, 2 * 4)


# --------------------------------------------------------------------------- depth-2 construction
def construction(n, T):
    I, ones = np.eye(n, dtype=np.int64), np.ones((n, n), dtype=np.int64)
    spec = RACSpec(M=n, R=n, L=2, T=T)
    return RACWeights(spec, (I, I), (I, ones), (np.ones(n), np.ones(n)), np.ones((1, n)), prime=P)


@pytest.mark.parametrize("n", [1, 2, 3, 4])
@pytest.mark.parametrize("T", [2, 4, 6, 8])
def test_depth2_construction_reaches_multiset_exactly(n, T):
    res = separation_rank(None, "start-end", construction(n, T), rng=0)
    assert res.rank == multiset(n, T // 2)
    assert res.weights_given and res.certified
    assert "given integer weights" in res.certifies


def test_depth2_construction_as_integer_float_weights():
    w = construction(3, 6).to_float()
    res = separation_rank(None, "start-end", w, rng=0)
    assert res.certified and res.rank == multiset(3, 3)
    assert any("integer-valued" in note for note in res.notes)


# --------------------------------------------------------------------------- probes vs grid
@pytest.mark.parametrize(
    "M,R,L,T,name",
    [(2, 2, 2, 4, "start-end"), (2, 3, 2, 3, "split:1"), (2, 2, 2, 4, "interleaved"),
     (1, 2, 3, 4, "start-end"), (3, 2, 1, 4, "A:1,4"), (2, 2, 3, 3, "A:2"),
     (3, 2, 2, 4, "start-end"), (2, 3, 2, 6, "start-end"), (2, 2, 3, 4, "start-end"),
     pytest.param(2, 2, 3, 5, "split:2", marks=pytest.mark.slow),
     pytest.param(3, 3, 2, 5, "A:1,3", marks=pytest.mark.slow)],
)
def test_probe_rank_equals_grid_rank_with_enough_templates(M, R, L, T, name):
    spec = RACSpec(M=M, R=R, L=L, T=T)
    part = Partition.parse(name, T)
    w = random_modular_weights(spec, 11)
    K = templates_needed(M, L, T)
    templates = np.random.default_rng(12).integers(0, P, (K, M))
    grid = separation_rank(None, part, w, method="grid", templates=templates, rng=0)
    probes = separation_rank(None, part, w, rng=13)
    assert grid.rank == probes.rank == naive_grid_rank(w, part, templates)
    # the grid is K^|A| x K^|B| (computed here, not read back), capped only at a full side
    sides = (K ** len(part.A), K ** len(part.B))
    assert (grid.n_probes_A, grid.n_probes_B) == sides
    assert grid.capped == (grid.rank == min(sides))


def test_grid_with_M_templates_warns_on_deep_networks_and_saturates():
    spec = RACSpec(M=2, R=3, L=2, T=6)
    with pytest.warns(UserWarning, match="K=2 <= M=2"):
        grid = separation_rank(spec, "start-end", method="grid", rng=0)
    exact = separation_rank(spec, "start-end", rng=0)
    assert grid.rank == 2**3 < exact.rank and grid.capped
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        separation_rank(RACSpec(M=2, R=3, L=1, T=6), "start-end", method="grid", rng=0)


def test_grid_too_large_is_refused():
    with pytest.raises(MemoryLimitError, match="K\\^T"):
        separation_rank(RACSpec(M=4, R=2, L=1, T=20), "start-end", method="grid", rng=0)


# --------------------------------------------------------------------------- float path
def test_float_path_is_labelled_and_agrees_on_small_case():
    spec = RACSpec(M=2, R=3, L=1, T=4)
    res = separation_rank(spec, "start-end", method="float", rng=0)
    assert res.rank == 3 and not res.certified and res.prime is None
    assert "NOT certified" in res.certifies and "NOT certified" in res.report()
    assert res.tolerance > 0 and res.sigma_gap > 1e6


def test_non_integer_float_weights_go_through_float_path():
    w = random_weights(RACSpec(M=2, R=2, L=2, T=4), 3)
    res = separation_rank(None, "start-end", w, rng=0)
    assert res.method == "float" and not res.certified
    assert any("float path" in note for note in res.notes)


def test_svd_rank_tolerance_and_gap():
    rng = np.random.default_rng(0)
    Y = rng.normal(size=(20, 3)) @ rng.normal(size=(3, 15))
    out = svd_rank(Y)
    assert out["rank"] == 3 and out["gap"] > 1e8
    assert svd_rank(Y, tol=out["singular_values"][1] * 1.0001)["rank"] == 1


# --------------------------------------------------------------------------- certificates
@pytest.mark.parametrize("L", [1, 2, 3])
@pytest.mark.parametrize("weights_random", [True, False])
def test_output_degree_by_homogeneity(L, weights_random):
    # y is jointly homogeneous: scaling every random quantity by c scales y by c^degree
    spec = RACSpec(M=2, R=3, L=L, T=5)
    w = random_modular_weights(spec, 4)
    x = np.random.default_rng(5).integers(0, P, (3, 5, 2))
    c = 12345
    if weights_random:
        scaled = RACWeights(spec, tuple(a * c % P for a in w.W_H), tuple(a * c % P for a in w.W_I),
                            tuple(a * c % P for a in w.h0), w.W_O * c % P, prime=P)
    else:
        scaled = w
    lhs = forward(scaled, x * c % P)[:, 0]
    deg = output_degree(spec, weights_random)
    assert np.array_equal(lhs, forward(w, x)[:, 0] * pow(c, deg, P) % P)
    if not weights_random:
        assert deg == sum(input_copies(5, t, L) for t in range(1, 6))


def test_schwartz_zippel_bound_and_stages():
    res = separation_rank(RACSpec(M=3, R=3, L=2, T=6), "start-end", rng=0, n_start=4)
    cap = probe_cap(RACSpec(M=3, R=3, L=2, T=6), Partition.start_end(6))
    assert cap == 30 and res.stages == (4, 8, 16, 31)
    assert res.failure_bound == pytest.approx(res.degree * (4 + 8 + 16 + 30) / P)
    assert schwartz_zippel_bound(10**12, [5], 5, P) == 1.0


def test_same_seed_same_answer_and_report():
    spec = RACSpec(M=2, R=3, L=3, T=6)
    r1 = separation_rank(spec, "interleaved", rng=42)
    r2 = separation_rank(spec, "interleaved", rng=42)
    r3 = separation_rank(spec, "interleaved", rng=np.random.default_rng(43))
    assert (r1.rank, r1.stages, r1.failure_bound) == (r2.rank, r2.stages, r2.failure_bound)
    assert r3.rank == r1.rank  # generic rank, independent of the draw
    d = r1.to_dict()
    assert json.loads(json.dumps(d))["rank"] == r1.rank and d["seed"] == 42
    assert f"separation rank {r1.rank}" in r1.report() and int(r1) == r1.rank
    assert isinstance(r1, RankResult)


def test_max_probes_reached_raises():
    with pytest.raises(MemoryLimitError, match="max_probes"):
        separation_rank(RACSpec(M=3, R=3, L=2, T=6), "start-end", rng=0, max_probes=8)


def test_argument_errors():
    spec = RACSpec(M=2, R=2, L=1, T=4)
    with pytest.raises(TnrnnError, match="method"):
        separation_rank(spec, method="svd")
    with pytest.raises(WeightsError, match="not for the given spec"):
        separation_rank(RACSpec(M=2, R=2, L=1, T=6), "start-end", random_modular_weights(spec, 0))
    with pytest.raises(TnrnnError, match="rng"):
        separation_rank(spec, rng=None)


def test_multiple_outputs_select_one():
    spec = RACSpec(M=2, R=3, L=2, T=4, K=3)
    w = random_modular_weights(spec, 0)
    ranks = {separation_rank(None, "start-end", w, output=c, rng=1).rank for c in range(3)}
    assert ranks == {separation_rank(None, "start-end", w.select_output(0), rng=1).rank}


# --------------------------------------------------------------------------- several primes
def test_several_primes_take_the_largest_and_multiply_the_bounds():
    """L=4, M=R=2 stays below its proven cap, so every prime runs; F_5 is too small.
    (L=3, M=R=2 no longer does: the boundary-ideal bound proves its rank.)"""
    spec, part = RACSpec(M=2, R=2, L=4, T=6), Partition.start_end(6)
    primes = (5, 2_097_143, DEFAULT_PRIME)
    res = separation_rank(spec, part, rng=3, prime=primes)
    assert res.primes == primes and len(res.prime_ranks) == 3
    assert res.rank == max(res.prime_ranks) and res.prime == primes[res.prime_ranks.index(res.rank)]
    # the first run is the single-prime run with the same seed (the draws are sequential)
    assert res.prime_ranks[0] == separation_rank(spec, part, rng=3, prime=5).rank < res.rank
    cap = probe_cap(spec, part)
    assert res.rank < cap
    degree = output_degree(spec, True)
    expect = 1.0
    for q in primes:
        expect *= schwartz_zippel_bound(degree, stage_sizes(64, cap + 1), cap, q)
    assert res.failure_bound == pytest.approx(expect) and 0 < expect < 1e-5
    assert f"independent primes 5, 2097143, {DEFAULT_PRIME}" in res.certifies
    assert "mod 2097143" in res.report() and res.to_dict()["primes"] == list(primes)


def test_several_primes_stop_at_the_proven_bound():
    spec = RACSpec(M=2, R=2, L=2, T=8)  # rank = symmetric-copies bound = T + 2
    res = separation_rank(spec, "start-end", rng=0, prime=[65_521, 65_519])
    assert res.rank == 10 and res.primes == (65_521,)
    assert any("stopped after 1 of 2" in n for n in res.notes)


def test_several_primes_errors():
    spec = RACSpec(M=2, R=2, L=1, T=4)
    with pytest.raises(TnrnnError, match="distinct"):
        separation_rank(spec, prime=[101, 101])
    with pytest.raises(TnrnnError, match="method='probes'"):
        separation_rank(spec, prime=[101, 103], method="grid")
    with pytest.raises(TnrnnError, match="fix the prime"):
        separation_rank(None, weights=random_modular_weights(spec, 0), prime=[101, 103])
    with pytest.raises(TnrnnError, match="at least one"):
        separation_rank(spec, prime=[])


@pytest.mark.parametrize("backend", ["blas", "flint", "numpy"])
def test_backends_give_the_same_probe_rank(backend):
    spec = RACSpec(M=3, R=3, L=2, T=6)
    ref = separation_rank(spec, "interleaved", rng=5, backend="flint")
    res = separation_rank(spec, "interleaved", rng=5, backend=backend)
    assert (res.rank, res.stages) == (ref.rank, ref.stages)


# --------------------------------------------------------------------------- up-front budget
def test_separation_rank_refuses_up_front_fast():
    import tracemalloc

    tracemalloc.start()  # work counted as memory: refused before any network or probe exists
    with pytest.raises(MemoryLimitError, match=r"may be as large as 987,594,736 \(the boundary-ideal bound"):
        separation_rank(RACSpec(M=4, R=4, L=3, T=30), "start-end", rng=0)
    with pytest.raises(MemoryLimitError, match=r"about 2\^758,356.4 \(the degree bound"):
        separation_rank(RACSpec(M=2, R=2, L=2, T=100_000), "interleaved", rng=0)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 64 * 2**20  # 17 MiB measured; the T=100,000 network alone would be ~5e9 nodes


def test_known_upper_bounds_lift_the_refusal_and_cap_the_probes():
    part = Partition.interleaved(6)
    with pytest.raises(MemoryLimitError, match="4,069,800"):  # degree = bottleneck bound for M = R = 5
        separation_rank(RACSpec(M=5, R=5, L=3, T=6), part, rng=0)
    spec = RACSpec(M=5, R=1, L=3, T=6)  # degree bound 4,069,800, bottleneck bound 1: no refusal
    res = separation_rank(spec, part, rng=0)
    assert res.rank == 1 and res.proven_by == "bottleneck" and res.stages == (2,)
    res = separation_rank(spec, part, rng=0, upper_bounds={"mincut": 1})
    assert res.rank == 1 and res.stages == (2,)  # probes capped at the smallest bound + 1


def test_a_wrong_upper_bound_is_a_loud_violation_not_a_resource_limit():
    # the rank is 18 (M = R = 3, L = 2, T = 4: the symmetric-copies bound); a "proven" 2 must be caught
    spec = RACSpec(M=3, R=3, L=2, T=4)
    assert separation_rank(spec, rng=0).rank == symmetric_copies_bound(3, 2, 4) == 18
    with pytest.raises(BoundViolationError, match=r"exceeds the proven upper bound 2 \(bogus bound\)"):
        separation_rank(spec, rng=0, upper_bounds={"bogus": 2})
    w = random_modular_weights(spec, 0)
    with pytest.raises(BoundViolationError):  # also when the probes hit max_probes exactly there
        probe_rank(w, Partition.start_end(4), np.random.default_rng(0), max_probes=3, known={"bogus": 2})


def test_probe_cap_is_the_smallest_of_every_bound():
    from tnrnn.formulas import (bottleneck_degree_bound, boundary_ideal_bound, boundary_syzygy_bound, degree_bound,
                                prefix_split, symmetric_copies_bound)

    for L, M, R, T in itertools.product([1, 2, 3], [1, 2, 3], [1, 2, 4], [2, 4, 5]):
        spec = RACSpec(M=M, R=R, L=L, T=T)
        for part in (Partition.split(T, 1), Partition.interleaved(T), Partition.split(T, T - 1)):
            # the closed forms on integers, written out
            everything = [degree_bound(M, L, part), bottleneck_degree_bound(M, R, L, part)]
            if prefix_split(part) is not None:
                everything.append(symmetric_copies_bound(R, L, 2 * prefix_split(part)[1]))
                if L >= 2:
                    everything.append(boundary_ideal_bound(M, R, L, part))
                if boundary_syzygy_bound(M, R, L, part) is not None:
                    everything.append(boundary_syzygy_bound(M, R, L, part))
            assert probe_cap(spec, part) == min(everything)
            assert probe_cap(spec, part, {"mincut": 3}) == min(everything + [3])


def test_result_seed_of_a_generator_is_a_fixed_description():
    spec = RACSpec(M=2, R=2, L=1, T=4)
    res = separation_rank(spec, rng=np.random.default_rng(5))
    assert res.seed == "numpy Generator (PCG64), state not recorded" == res.to_dict()["seed"]
    assert "0x" not in res.report()
    assert separation_rank(spec, rng=np.int64(7)).seed == 7


@pytest.mark.parametrize("L,M,R,T,n_start,name", [(2, 2, 2, 6, 8, "start-end"), (2, 3, 3, 6, 7, "split:2"),
                                                 (2, 2, 3, 6, 4, "interleaved"), (3, 2, 2, 4, 5, "start-end")])
def test_staged_matrices_equal_one_shot_evaluation_of_the_same_probes(L, M, R, T, n_start, name, monkeypatch):
    """Each stage reuses the block of the previous one: every stage's matrix must equal a fresh
    evaluation of all its probes, and the staged rank the one-shot rank (first cases: the rank
    lands exactly on a stage size, so the next stage is needed)."""
    from tnrnn.rank import probes
    from tnrnn.rank.evaluate import evaluate_pairs

    spec, part = RACSpec(M=M, R=R, L=L, T=T), Partition.parse(name, T)
    w = random_modular_weights(spec, 3, prime=2_097_143)
    draws, mats = [], []
    real_draw, real_rank = probes._draw, probes._rank
    monkeypatch.setattr(probes, "_draw", lambda *a: draws.append(real_draw(*a)) or draws[-1])
    monkeypatch.setattr(probes, "_rank", lambda Y, *a: mats.append(Y.copy()) or real_rank(Y, *a))
    staged = probe_rank(w, part, np.random.default_rng(0), n_start=n_start, backend="flint")
    assert len(staged["stages"]) >= 2
    a_all = np.concatenate(draws[0::2])
    b_all = np.concatenate(draws[1::2])
    for n, Y in zip(staged["stages"], mats):
        assert np.array_equal(Y, evaluate_pairs(w, part, a_all[:n], b_all[:n], engine="numpy"))
    one_shot = probe_rank(w, part, np.random.default_rng(1), n_start=staged["stages"][-1], backend="flint")
    assert one_shot["stages"] == (staged["stages"][-1],) and one_shot["rank"] == staged["rank"]
    if n_start == 8:
        assert staged["stages"][0] == staged["rank"]  # at the boundary: rank = first stage size
