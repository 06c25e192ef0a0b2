"""The bottleneck degree bound: its closed form against a naive count, and against the rank
of probe matrices of a naive RAC evaluated here over F_p (no tnrnn rank code)."""

import itertools
from math import comb, log2

import numpy as np
import pytest

from tnrnn import Partition, TnrnnError, degree_bound, separation_rank
from tnrnn.formulas import (
    bottleneck_bound,
    bottleneck_bound_log2,
    bottleneck_degree_bound,
    bottleneck_degree_bound_log2,
)
from tnrnn.rank import rank_mod_p
from tnrnn.spec import RACSpec

P = 2**31 - 1


def _monomials(u, d):
    """Number of monomials of degree d in u variables, by listing them."""
    return sum(1 for _ in itertools.combinations_with_replacement(range(u), d))


def _copies(T, t, dilations):
    """Ways to write T - t = sum_l j_l d_l with j_l >= 0, by enumeration."""
    n = T - t
    ranges = [range(n // d + 1) for d in dilations]
    return sum(1 for js in itertools.product(*ranges) if sum(j * d for j, d in zip(js, dilations)) == n)


def _naive_bound(u, L, part, dilations=None):
    dil = dilations or (1,) * L
    degree = {t: _copies(part.T, t, dil) for t in range(1, part.T + 1)}
    sides = []
    for side in (part.A, part.B):
        value = 1
        for t in side:
            value *= _monomials(u, degree[t])
        sides.append(value)
    return min(sides)


def _partitions(T):
    yield Partition.start_end(T) if T % 2 == 0 else Partition.parse("split:1", T)
    yield Partition.interleaved(T)
    for k in range(1, T):
        yield Partition.parse(f"split:{k}", T)
    if T >= 3:
        yield Partition.from_sets([t for t in range(1, T + 1) if t % 3 == 1], T)


@pytest.mark.parametrize("L", [1, 2, 3, 4])
def test_closed_form_and_log2_against_a_naive_count(L):
    for u, T in itertools.product([1, 2, 3, 5], [2, 3, 5, 7]):
        for part in _partitions(T):
            want = _naive_bound(u, L, part)
            assert bottleneck_bound(u, L, part) == want
            assert bottleneck_bound_log2(u, L, part) == pytest.approx(log2(want), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("dilations", [(1, 2), (2, 1), (3,), (1, 1, 2)])
def test_dilated_degrees_against_a_naive_count(dilations):
    L = len(dilations)
    for u, T in itertools.product([1, 2, 3], [2, 4, 6, 7]):
        for part in _partitions(T):
            want = _naive_bound(u, L, part, dilations)
            assert bottleneck_bound(u, L, part, dilations=dilations) == want
            assert bottleneck_bound_log2(u, L, part, dilations=dilations) == pytest.approx(
                log2(want), rel=1e-12, abs=1e-12)


def test_plain_rac_reads_through_min_M_R():
    for M, R, L, T in itertools.product([1, 2, 3, 6], [1, 2, 4], [1, 2, 3], [2, 5, 8]):
        for part in _partitions(T):
            b = bottleneck_degree_bound(M, R, L, part)
            assert b == degree_bound(min(M, R), L, part) <= degree_bound(M, L, part)
            assert (b < degree_bound(M, L, part)) == (M > R)  # multiset(u, d) grows with u for d >= 1
            assert bottleneck_degree_bound_log2(M, R, L, part) == pytest.approx(log2(b), rel=1e-12, abs=1e-12)


def test_largest_sizes_are_exact_and_the_log2_cheap():
    part = Partition.start_end(400)
    value = bottleneck_degree_bound(10**6, 50, 4, part)
    assert value.bit_length() > 10**5  # a huge exact integer
    assert bottleneck_degree_bound_log2(10**6, 50, 4, part) == pytest.approx(log2(value), rel=1e-12)
    assert bottleneck_degree_bound(10**6, 1, 4, part) == 1  # one channel: y = product of scalars


@pytest.mark.parametrize("bad, says", [
    (dict(u=0), "u must be an integer >= 1"), (dict(u=2.0), "u must be an integer >= 1"),
    (dict(L=0), "L must be an integer >= 1"), (dict(dilations=(1,)), "dilations needs one value per layer"),
])
def test_bad_input_says_what_was_given(bad, says):
    args = {"u": 2, "L": 2, "dilations": None, **bad}
    with pytest.raises(TnrnnError, match=says):
        bottleneck_bound(args["u"], args["L"], Partition.start_end(4), dilations=args["dilations"])


# --- probe matrices of a naive RAC over F_p --------------------------------------------


def _weights(M, R, L, rng, fill=None):
    def draw(*shape):
        return np.full(shape, fill, dtype=np.int64) if fill is not None else rng.integers(0, P, shape)

    return [dict(WH=draw(R, R), WI=draw(R, M if l == 0 else R), h0=draw(R)) for l in range(L)], draw(R)


def _naive_outputs(weights, wo, X):
    """y for a batch of inputs X (n, T, M) of the RAC h^l_t = (W^H h^l_{t-1}) * (W^I h^{l-1}_t) mod p."""
    n, T, _ = X.shape
    below = [X[:, t, :] % P for t in range(T)]
    for layer in weights:
        h = np.broadcast_to(layer["h0"], (n, layer["h0"].size)) % P
        states = []
        for t in range(T):
            left = _matvec(layer["WH"], h)
            right = _matvec(layer["WI"], below[t])
            h = left * right % P
            states.append(h)
        below = states
    return _matvec(wo[None, :], below[-1])[:, 0]


def _matvec(W, H):
    """Rows of H times W^T mod p, without int64 overflow (entries < 2**31, split in halves)."""
    lo, hi = W % 2**16, W // 2**16
    return ((H @ lo.T) % P + ((H @ hi.T) % P) * 2**16) % P


def _probe_rank(M, R, L, part, seed, fill=None):
    """Rank over F_p of Y[i, j] = y(a_i on A, b_j on B) for random probes a_i, b_j."""
    rng = np.random.default_rng(seed)
    weights, wo = _weights(M, R, L, rng, fill)
    n = bottleneck_degree_bound(M, R, L, part) + 6  # more probes than the bound allows rank
    a = rng.integers(0, P, (n, part.T, M))
    b = rng.integers(0, P, (n, part.T, M))
    A = [t - 1 for t in part.A]
    X = np.repeat(b[None, :, :, :], n, axis=0).copy()  # X[i, j] = b_j ...
    X[:, :, A, :] = a[:, None, A, :]  # ... with the A steps of a_i
    Y = _naive_outputs(weights, wo, X.reshape(n * n, part.T, M)).reshape(n, n)
    return rank_mod_p(Y, P), n


#: Cases the atlas proves only with the bottleneck bound (M > R; the rank there is the bound).
ATLAS_TIGHT = [
    (3, 2, 2, 3, "interleaved", 3), (3, 2, 2, 4, "split:1", 5), (5, 2, 2, 6, "split:1", 7),
    (4, 3, 2, 3, "interleaved", 6), (3, 2, 3, 3, "split:1", 7), (3, 2, 3, 3, "interleaved", 4),
    (3, 2, 4, 3, "interleaved", 5), (4, 2, 2, 4, "interleaved", 8),
]


@pytest.mark.parametrize("M, R, L, T, name, rank", ATLAS_TIGHT)
def test_naive_probe_rank_meets_the_bound_where_the_atlas_says(M, R, L, T, name, rank):
    part = Partition.parse(name, T)
    bound = bottleneck_degree_bound(M, R, L, part)
    got, n = _probe_rank(M, R, L, part, seed=M * 1000 + R * 100 + L * 10 + T)
    assert got == bound == rank < degree_bound(M, L, part) and got < n
    assert separation_rank(RACSpec(M=M, R=R, L=L, T=T), part, rng=1).rank == bound


@pytest.mark.parametrize("fill", [None, P - 1, 1])
@pytest.mark.parametrize("M, R, L, T", [(2, 1, 2, 4), (3, 2, 2, 5), (4, 2, 2, 5), (3, 2, 3, 4), (5, 3, 2, 4),
                                        (2, 2, 2, 5), (3, 1, 4, 4)])
def test_naive_probe_rank_never_exceeds_the_bound(M, R, L, T, fill):
    """Random weights, and every weight entry p - 1 (that is, -1) or 1: the bound holds for all weights."""
    for part in _partitions(T):
        got, n = _probe_rank(M, R, L, part, seed=T + 7 * M + 13 * R, fill=fill)
        assert got <= bottleneck_degree_bound(M, R, L, part) and got < n
