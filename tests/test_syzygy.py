"""The boundary-syzygy bound: its closed form against the rank of the multiplication map it
counts (built here over F_p), and against probe ranks of a naive RAC (tests/test_bottleneck.py)."""

import itertools
from math import comb

import numpy as np
import pytest

from test_bottleneck import P, _probe_rank
from tnrnn import Partition, multiset
from tnrnn.formulas import boundary_ideal_bound, boundary_syzygy_bound, bottleneck_degree_bound
from tnrnn.rank import rank_mod_p


def _image_dimension(u, R, m, seed):
    """dim of the degree-(m+1) part of the image of N = (alpha_ir z_r): (Sym^m)^R -> (Sym^(m+1))^u,
    for random alpha over F_p, as the rank of its matrix in the monomial bases."""
    rng = np.random.default_rng(seed)
    alpha = rng.integers(1, P, (u, R))
    source = list(itertools.combinations_with_replacement(range(R), m))
    target = {mono: i for i, mono in enumerate(itertools.combinations_with_replacement(range(R), m + 1))}
    N = np.zeros((u * len(target), R * len(source)), dtype=np.int64)
    for r in range(R):
        for j, mono in enumerate(source):
            row = target[tuple(sorted(mono + (r,)))]
            for i in range(u):
                N[i * len(target) + row, r * len(source) + j] = alpha[i, r]
    return rank_mod_p(N, P)


@pytest.mark.parametrize("R", [1, 2, 3, 4, 5])
def test_closed_form_is_the_dimension_of_the_image(R):
    for u, m in itertools.product(range(1, R + 2), range(1, 7)):
        M = u
        want = min(_image_dimension(min(u, R), R, m, seed=100 * R + 10 * u + m), R * multiset(R, m))
        assert boundary_syzygy_bound(M, R, 2, Partition.parse("split:2", m + 2)) == want, (u, R, m)


def test_where_it_applies():
    assert boundary_syzygy_bound(2, 3, 2, Partition.start_end(4)) == 3 * multiset(3, 2) - 1
    for name, T in (("split:1", 6), ("split:3", 6), ("interleaved", 6), ("split:4", 6)):
        assert boundary_syzygy_bound(2, 3, 2, Partition.parse(name, T)) is None
    assert boundary_syzygy_bound(2, 3, 3, Partition.parse("split:2", 6)) is None
    assert boundary_syzygy_bound(2, 3, 1, Partition.parse("split:2", 6)) is None
    # the prefix {1, 2} may be side B too
    assert boundary_syzygy_bound(2, 3, 2, Partition.from_sets([3, 4, 5], 5)) == 5 * 6 - 3


def test_the_atlas_exceptions_and_large_values():
    """The 25 depth-2 cases where min(ideal, bottleneck, min-cut) is above the rank: this bound is the rank."""
    for T in range(6, 26):
        assert boundary_syzygy_bound(2, 3, 2, Partition.parse("split:2", T)) == T * (T + 1) - 3
    assert [boundary_syzygy_bound(3, 4, 2, Partition.parse("split:2", T)) for T in (7, 8, 9, 10)] == [
        214, 316, 445, 604]
    big = Partition.parse("split:2", 2000)
    value = boundary_syzygy_bound(10**6, 60, 2, big)
    assert value == 60 * multiset(60, 1998)  # u >= R: the symmetric-copies bound
    assert boundary_syzygy_bound(5, 60, 2, big) < boundary_ideal_bound(5, 60, 2, big)


@pytest.mark.parametrize("M, R, T", [(2, 3, 4), (2, 3, 5), (2, 3, 6), (2, 4, 5), (3, 4, 5), (1, 3, 5), (3, 2, 5)])
@pytest.mark.parametrize("fill", [None, P - 1])
def test_naive_probe_rank_never_exceeds_it(M, R, T, fill):
    part = Partition.parse("split:2", T)
    got, _ = _probe_rank(M, R, 2, part, seed=11 * T + M, fill=fill)
    assert got <= boundary_syzygy_bound(M, R, 2, part)
    if fill is None and (M, R, T) == (2, 3, 6):  # the bound is the rank, below every other bound
        others = min(bottleneck_degree_bound(M, R, 2, part), boundary_ideal_bound(M, R, 2, part))
        assert got == boundary_syzygy_bound(M, R, 2, part) == 39 < others


def _depth3_span(m, seed):
    """dim of l_1 λ_1 E + l_2 λ_2 E over F_p (the space of the depth-3 proof), built monomial by monomial."""
    rng = np.random.default_rng(seed)
    c = m * (m + 1) // 2
    n = m + c
    E = [(b, g) for b in range(m + 1) for g in range(n + 1) if 0 <= g - b <= c]  # e1^b e2^(m-b) z1^g z2^(n-g)
    shifts = [(2, 1), (1, 0), (1, 1), (0, 0)]  # e1^2 z1, e1 e2 z2, e1 e2 z1, e2^2 z2
    target = {(b, g): i for i, (b, g) in enumerate((b, g) for b in range(m + 3) for g in range(n + 2))}
    cols = []
    for _ in range(2):
        p1, p2, r1, r2 = (int(x) for x in rng.integers(1, P, 4))
        coef = [p1 * r1 % P, p1 * r2 % P, p2 * r1 % P, p2 * r2 % P]  # (p1 e1 + p2 e2)(r1 e1 z1 + r2 e2 z2)
        for b, g in E:
            col = np.zeros(len(target), dtype=np.int64)
            for (db, dg), k in zip(shifts, coef):
                col[target[(b + db, g + dg)]] = (col[target[(b + db, g + dg)]] + k) % P
            cols.append(col)
    return rank_mod_p(np.stack(cols, 1), P)


@pytest.mark.parametrize("m", range(1, 9))
def test_depth3_closed_form_is_the_dimension_of_the_proof_space(m):
    c = m * (m + 1) // 2
    value = boundary_syzygy_bound(3, 2, 3, Partition.parse("split:2", m + 2))
    assert value == 2 * (m + 1) * (c + 1) - (m - 1) * c == _depth3_span(m, seed=m)
    assert boundary_syzygy_bound(1, 2, 3, Partition.parse("split:2", m + 2)) == value  # any M
    assert boundary_syzygy_bound(3, 3, 3, Partition.parse("split:2", m + 2)) is None
    assert boundary_syzygy_bound(3, 2, 4, Partition.parse("split:2", m + 2)) is None


@pytest.mark.parametrize("M, T", [(1, 5), (2, 4), (2, 5), (3, 5)])
@pytest.mark.parametrize("fill", [None, P - 1])
def test_depth3_naive_probe_rank_never_exceeds_it(M, T, fill):
    part = Partition.parse("split:2", T)
    got, _ = _probe_rank(M, 2, 3, part, seed=5 * T + M, fill=fill)
    assert got <= boundary_syzygy_bound(M, 2, 3, part)
    if fill is None and (M, T) in ((2, 5), (3, 5)):  # the atlas's rank 44, below every other bound
        others = min(bottleneck_degree_bound(M, 2, 3, part), boundary_ideal_bound(M, 2, 3, part))
        assert got == boundary_syzygy_bound(M, 2, 3, part) == (T - 1) * (comb(T, 2) + 1) == 44 < others
