"""Closed forms against hand-computed values and brute-force counting."""

import itertools
from math import comb

import pytest

from tnrnn import (
    Partition,
    TnrnnError,
    all_chains_cut,
    boundary_ideal_bound,
    conjectured_lower_bound,
    degree_bound,
    depth2_lower_bound,
    input_copies,
    multiset,
    paper_lower_bound,
    paper_lower_bound_status,
    shallow_start_end_rank,
    symmetric_copies_bound,
)
import numpy as np

from tnrnn.formulas import layer_copies, prefix_split
from tnrnn.rank import rank_mod_p


@pytest.mark.parametrize("n", range(0, 6))
@pytest.mark.parametrize("k", range(0, 6))
def test_multiset_counts_multisets(n, k):
    brute = sum(1 for _ in itertools.combinations_with_replacement(range(n), k))
    assert multiset(n, k) == brute


def test_hand_values():
    assert shallow_start_end_rank(2, 5, 4) == 4  # min(5, 2^2)
    assert shallow_start_end_rank(3, 5, 100) == 5
    assert depth2_lower_bound(3, 4, 6) == 10  # C(3+3-1, 3)
    assert depth2_lower_bound(4, 4, 100) == comb(53, 50)  # exact big integer
    assert conjectured_lower_bound(2, 3, 3, 6) == multiset(2, comb(4, 2))  # = 7
    assert conjectured_lower_bound(2, 3, 3, 6) == 7
    assert conjectured_lower_bound(3, 3, 2, 6) == depth2_lower_bound(3, 3, 6)
    assert paper_lower_bound(2, 3, 1, 4) == 3 and paper_lower_bound_status(1) == "theorem"
    assert paper_lower_bound(2, 3, 2, 4) == depth2_lower_bound(2, 3, 4) == 3
    assert paper_lower_bound(2, 3, 3, 6) == 7 and paper_lower_bound_status(3) == "conjecture"
    assert all_chains_cut(3, 2, 8) == 3**5
    assert all_chains_cut(2, 3, 4) == 2 ** comb(4, 2)
    assert all_chains_cut(7, 2, 400).bit_length() > 64


def test_input_copies_count_nondecreasing_paths():
    T = 6
    for L in range(1, 5):
        for t in range(1, T + 1):
            paths = itertools.combinations_with_replacement(range(t, T + 1), L - 1)
            assert input_copies(T, t, L) == sum(1 for _ in paths)
    with pytest.raises(TnrnnError):
        input_copies(4, 5, 2)


def test_layer_copies_sum_to_all_chains():
    for L in range(1, 5):
        for T in (2, 4, 8):
            total = sum(layer_copies(T, L, l) for l in range(1, L + 1))
            assert R_power(all_chains_cut(2, L, T)) == total
    assert [layer_copies(8, 2, l) for l in (1, 2)] == [4, 1]


def R_power(value, R=2):
    e = 0
    while value > 1:
        value //= R
        e += 1
    return e


def test_degree_bound_by_hand():
    # shallow: every degree is 1, so each side gives M^|side|
    assert degree_bound(3, 1, Partition.start_end(4)) == 9
    assert degree_bound(2, 1, Partition.split(5, 1)) == 2
    # L = 2, T = 4: degrees 4, 3, 2, 1; M = 2: multiset(2, d) = d + 1
    assert degree_bound(2, 2, Partition.start_end(4)) == min(5 * 4, 3 * 2)
    assert degree_bound(2, 2, Partition.interleaved(4)) == min(5 * 3, 4 * 2)


def test_symmetric_copies_bound_by_hand():
    assert symmetric_copies_bound(3, 1, 10) == 3
    assert symmetric_copies_bound(2, 2, 4) == 2 * multiset(2, 2)
    assert symmetric_copies_bound(3, 2, 8) == 3 * comb(6, 4)
    assert symmetric_copies_bound(2, 3, 4) == multiset(2, 3) * multiset(2, 2) * 2


def test_formula_errors():
    with pytest.raises(TnrnnError, match="even T, got T=5"):
        depth2_lower_bound(2, 2, 5)
    with pytest.raises(TnrnnError, match="M must be an integer >= 1, got 0"):
        shallow_start_end_rank(0, 2, 4)


@pytest.mark.parametrize("L", [1, 2, 3, 4])
@pytest.mark.parametrize("T", [1, 2, 5])
def test_network_size_matches_a_recursive_count(L, T):
    from tnrnn.formulas import network_size

    def count(l, t):  # nodes of the network of h^l_t, by the recursion in the notes
        if l == 0:
            return 1  # an INPUT slot
        if t == 0:
            return 1  # H0
        return 3 + count(l, t - 1) + count(l - 1, t)

    def count_merged(l, t):
        if l == 0 or t == 0:
            return 1
        return 1 + count_merged(l, t - 1) + count_merged(l - 1, t)

    assert network_size(2, 2, L, T) == (count(L, T) + 1, count(L, T))
    assert network_size(2, 2, L, T, merged=True)[0] == count_merged(L, T) + 1


# --------------------------------------------------------------------------- boundary-ideal bound
def _ideal_dimension_by_monomials(R, u, m):
    """Degree-m monomials in R variables divisible by one of z_1..z_u (a monomial ideal)."""
    return sum(1 for mono in itertools.combinations_with_replacement(range(R), m) if min(mono) < u)


def _ideal_dimension_of_random_forms(R, u, m, p=2**31 - 1, seed=0):
    """dim of the degree-m part of the ideal of u random linear forms in R variables, over F_p:
    the rank of {form * monomial of degree m - 1} written in the monomial basis."""
    gen = np.random.default_rng(seed)
    forms = gen.integers(0, p, size=(u, R))
    basis = {mono: i for i, mono in enumerate(itertools.combinations_with_replacement(range(R), m))}
    rows = []
    for form in forms:
        for low in itertools.combinations_with_replacement(range(R), m - 1):
            row = np.zeros(len(basis), dtype=np.int64)
            for var in range(R):
                row[basis[tuple(sorted(low + (var,)))]] += form[var]
            rows.append(row % p)
    return rank_mod_p(np.array(rows), p) if rows else 0


@pytest.mark.parametrize("R", range(1, 6))
@pytest.mark.parametrize("m", range(1, 5))
def test_boundary_ideal_bound_counts_the_ideal(R, m):
    """R times the dimension of the ideal's degree-m part, counted two independent ways."""
    for M in range(1, 7):
        u = min(M, R)
        want = R * _ideal_dimension_by_monomials(R, u, m)
        assert boundary_ideal_bound(M, R, 2, Partition.split(m + 3, 3)) == want
        if R <= 4 and m <= 3:
            assert want == R * _ideal_dimension_of_random_forms(R, u, m, seed=R * 10 + m)


def test_boundary_ideal_bound_against_symmetric_copies():
    for M in range(1, 8):
        for R in range(1, 8):
            for T in (2, 4, 6, 10, 40):
                ideal = boundary_ideal_bound(M, R, 2, Partition.start_end(T))
                sym = symmetric_copies_bound(R, 2, T)
                assert ideal == sym if M >= R else ideal < sym
    # exact big integers, past 64 bits
    big = boundary_ideal_bound(3, 60, 2, Partition.start_end(400))
    assert big == 60 * (comb(259, 200) - comb(256, 200)) and big.bit_length() > 64


def test_boundary_ideal_bound_where_it_applies():
    assert boundary_ideal_bound(2, 3, 2, Partition.start_end(8)) == 3 * (15 - 1)
    # a prefix on either side; m counts the other side's steps
    assert boundary_ideal_bound(2, 3, 2, Partition.parse("A:4,5", 5)) == 3 * (multiset(3, 2) - 1)
    assert boundary_ideal_bound(2, 3, 2, Partition.split(5, 2)) == 3 * (multiset(3, 3) - 1)
    assert prefix_split(Partition.split(5, 2)) == (2, 3)
    assert boundary_ideal_bound(2, 3, 2, Partition.interleaved(6)) is None
    assert boundary_ideal_bound(2, 3, 2, Partition.parse("A:1,3", 4)) is None
    assert boundary_ideal_bound(2, 3, 1, Partition.start_end(8)) is None
    # L >= 3: below the symmetric-copies bound even for M >= R; L = 3, R = 2: by exactly 4
    for L, T in ((3, 6), (3, 8), (3, 20), (4, 6), (4, 10)):
        for M in (2, 3, 7):
            ideal, sym = boundary_ideal_bound(M, 2, L, Partition.start_end(T)), symmetric_copies_bound(2, L, T)
            assert ideal == sym - 4 if L == 3 else ideal < sym - 4
    assert boundary_ideal_bound(3, 3, 3, Partition.start_end(6)) == 759 < symmetric_copies_bound(3, 3, 6) == 840
    with pytest.raises(TnrnnError, match="R must be an integer >= 1, got 0"):
        boundary_ideal_bound(2, 0, 2, Partition.start_end(4))


def _multigraded_ideal_dimension(R, u, c, p=2**31 - 1, seed=0):
    """dim of the multidegree-c part of the ideal of u random multilinear forms (one variable of
    each of len(c) groups of R variables), over F_p: the rank of {form * monomial of
    multidegree c - (1..1)} in the monomial basis. A direct count, no Hilbert series."""
    gen = np.random.default_rng(seed)
    groups = len(c)

    def monomials(degrees):
        return list(itertools.product(*(itertools.combinations_with_replacement(range(R), d) for d in degrees)))

    basis = {mono: i for i, mono in enumerate(monomials(c))}
    rows = []
    for _ in range(u):
        form = gen.integers(0, p, size=(R,) * groups)
        for low in monomials([d - 1 for d in c]):
            row = np.zeros(len(basis), dtype=np.int64)
            for idx in itertools.product(range(R), repeat=groups):
                mono = tuple(tuple(sorted(low[g] + (idx[g],))) for g in range(groups))
                row[basis[mono]] = (row[basis[mono]] + int(form[idx])) % p
            rows.append(row)
    return rank_mod_p(np.array(rows), p)


@pytest.mark.parametrize("L, R, T", [(3, 2, 4), (3, 2, 6), (3, 3, 4), (3, 3, 6), (4, 2, 4), (4, 2, 6), (4, 3, 4)])
def test_deep_boundary_ideal_bound_counts_the_multigraded_ideal(L, R, T):
    """L >= 3: R times the generic dimension of the ideal of u multilinear forms, counted directly."""
    c = [layer_copies(T, L, l) for l in range(1, L)]
    for M in range(1, R + 2):
        want = R * _multigraded_ideal_dimension(R, min(M, R), c, seed=M)
        assert boundary_ideal_bound(M, R, L, Partition.start_end(T)) == want


# --------------------------------------------------------------------------- smallest bound
def _naive_degree_bound(M, L, part):
    def side(steps):
        out = 1
        for t in steps:
            out *= multiset(M, input_copies(part.T, t, L))
        return out

    return min(side(part.A), side(part.B))


def _partitions(T):
    yield Partition.interleaved(T)
    for k in range(1, T):
        yield Partition.split(T, k)
    if T >= 3:
        yield Partition.from_sets([t for t in range(1, T + 1) if t % 3 == 1], T)


@pytest.mark.parametrize("L", [1, 2, 3, 4])
def test_degree_bound_and_its_log2_against_a_naive_product(L):
    from math import log2

    from tnrnn.formulas import degree_bound_log2

    for M, T in itertools.product([1, 2, 3, 7], [2, 3, 5, 8, 13]):
        for part in _partitions(T):
            want = _naive_degree_bound(M, L, part)
            assert degree_bound(M, L, part) == want
            assert degree_bound_log2(M, L, part) == pytest.approx(log2(want), rel=1e-12, abs=1e-12)


def test_smallest_upper_bound_is_the_minimum_of_every_bound():
    from tnrnn.formulas import smallest_upper_bound, smallest_upper_bound_log2, upper_bounds

    for L, M, R, T in itertools.product([1, 2, 3], [1, 2, 5], [1, 2, 3], [2, 3, 6, 7]):
        for part in _partitions(T):
            bounds = upper_bounds(M, R, L, part)
            prefix = part.A[0] == 1 and part.A == tuple(range(1, len(part.A) + 1))
            prefix_b = part.B == tuple(range(1, len(part.B) + 1))
            if prefix or prefix_b:  # the other side's length m gives a Start-End of 2m steps
                m = [len(part.B)] * prefix + [len(part.A)] * prefix_b
                assert bounds["symmetric"] == min(symmetric_copies_bound(R, L, 2 * k) for k in m)
            else:
                assert "symmetric" not in bounds
            for known in ({}, {"mincut": 3}, {"mincut": None}):
                value, name = smallest_upper_bound(M, R, L, part, known=known)
                everything = {**bounds, **{k: v for k, v in known.items() if v is not None}}
                assert value == min(everything.values()) and everything[name] == value
                log2_value, _ = smallest_upper_bound_log2(M, R, L, part, known=known)
                assert 2**log2_value == pytest.approx(value, rel=1e-9)
    with pytest.raises(TnrnnError, match="positive integer, got mincut=0"):
        smallest_upper_bound(2, 2, 1, Partition.start_end(4), known={"mincut": 0})


def test_smallest_upper_bound_of_huge_cases_is_fast():
    import tracemalloc

    from tnrnn.formulas import smallest_upper_bound, smallest_upper_bound_log2

    tracemalloc.start()
    # the degree bound has 45 million bits here; only the symmetric one is formed exactly
    assert smallest_upper_bound(1000, 3, 2, Partition.start_end(20000)) == (
        symmetric_copies_bound(3, 2, 20000), "symmetric")
    log2_value, name = smallest_upper_bound_log2(1000, 3, 2, Partition.interleaved(20000))
    assert name == "degree" and 4.47e7 < log2_value < 4.48e7
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 64 * 2**20  # 5 MiB measured (time: benchmarks/bench_guards.py)


def test_smallest_upper_bound_survives_rounding_in_the_logarithms(monkeypatch):
    import tnrnn.formulas as f

    part = Partition.interleaved(6)  # degree bound 4,069,800 for M = 5, L = 3
    exact = degree_bound(5, 3, part)
    # a log2 half a bit too small must not make the degree bound win against a smaller one
    monkeypatch.setattr(f, "degree_bound_log2", lambda M, L, p: f.log2(exact) - 0.5)
    assert f.smallest_upper_bound(5, 1, 3, part, known={"mincut": exact - 1}) == (exact - 1, "mincut")
