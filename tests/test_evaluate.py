"""The compiled probe-matrix kernel against the numpy loops and the plain forward pass."""

from __future__ import annotations

import numpy as np
import pytest

from tnrnn import Partition, RACSpec, RACWeights, forward, random_modular_weights
from tnrnn.errors import InputError
from tnrnn.modular import DEFAULT_PRIME
from tnrnn.rank.evaluate import evaluate_pairs

CASES = [(2, 4, 4, 8), (2, 2, 3, 10), (3, 2, 3, 6), (3, 3, 2, 5), (4, 2, 2, 6), (2, 1, 5, 4)]
PRIMES = [7, 65_521, 2_097_143, DEFAULT_PRIME]


def _parts(T):
    """Prefix partitions (the pure-suffix kernel) and ones whose sides alternate after the
    prefix (the mixed kernel): interleaved, step 1 alone on its side, a random one."""
    rng = np.random.default_rng(T)
    random_A = sorted({1, *rng.choice(np.arange(2, T + 1), T // 2 - 1, replace=False).tolist()})
    return [Partition.start_end(T) if T % 2 == 0 else Partition.split(T, T // 2),
            Partition.split(T, 1), Partition.from_sets([T], T), Partition.interleaved(T),
            Partition.from_sets([2, T], T), Partition.from_sets(random_A, T)]


@pytest.mark.parametrize("L,M,R,T", CASES)
@pytest.mark.parametrize("p", PRIMES)
def test_compiled_equals_numpy_bit_for_bit(L, M, R, T, p):
    spec = RACSpec(M=M, R=R, L=L, T=T)
    w = random_modular_weights(spec, L + M + R + T, prime=p)
    rng = np.random.default_rng(T)
    for part in _parts(T):
        a = rng.integers(0, p, (23, len(part.A), M))
        b = rng.integers(0, p, (17, len(part.B), M))
        Y = evaluate_pairs(w, part, a, b, engine="numba")
        assert Y.dtype == np.int64 and np.array_equal(Y, evaluate_pairs(w, part, a, b, engine="numpy"))


@pytest.mark.parametrize("p", [65_521, DEFAULT_PRIME])
def test_compiled_at_p_minus_1_equals_forward(p):
    """Every weight, initial state and probe entry p - 1 (the largest products), against
    the plain forward pass over all pairs."""
    spec = RACSpec(M=3, R=3, L=3, T=6)
    full = lambda *shape: np.full(shape, p - 1, dtype=np.int64)  # noqa: E731
    w = RACWeights(spec, tuple(full(3, 3) for _ in range(3)), (full(3, 3), full(3, 3), full(3, 3)),
                   tuple(full(3) for _ in range(3)), full(1, 3), prime=p)
    part = Partition.start_end(6)
    a = np.concatenate([full(4, 3, 3), np.random.default_rng(0).integers(0, p, (5, 3, 3))])
    b = np.concatenate([full(3, 3, 3), np.random.default_rng(1).integers(0, p, (4, 3, 3))])
    Y = evaluate_pairs(w, part, a, b, engine="numba")
    X = np.concatenate([np.repeat(a, len(b), axis=0), np.tile(b, (len(a), 1, 1))], axis=1)
    assert np.array_equal(Y, forward(w, X)[:, 0].reshape(len(a), len(b)))


def test_engine_name_is_checked():
    spec = RACSpec(M=2, R=2, L=2, T=4)
    w = random_modular_weights(spec, 0)
    a = np.zeros((2, 2, 2), dtype=np.int64)
    with pytest.raises(InputError, match="engine"):
        evaluate_pairs(w, Partition.start_end(4), a, a, engine="cuda")


def _largest_prime_below(n: int) -> int:
    """The largest prime below n, by trial division (independent of tnrnn)."""
    def is_prime(q):
        return q > 1 and all(q % d for d in range(2, int(q**0.5) + 1))

    q = n - 1
    while not is_prime(q):
        q -= 1
    return q


def _float_limit(R: int) -> int:
    """The largest prime the lazy float64 kernel accepts: ``2 max(R, 2) p^2 < 2^52``."""
    bound = int((2**52 / (2 * max(R, 2))) ** 0.5)
    while 2 * max(R, 2) * bound * bound >= 2**52:
        bound -= 1
    return _largest_prime_below(bound + 1)


@pytest.mark.parametrize("R", [1, 3])
def test_float_kernel_at_its_largest_prime_with_entries_p_minus_1(R):
    """At the largest prime of the float64 kernel, with every weight, state and probe entry
    p - 1 (the largest lazy sums), against the plain forward pass over all pairs."""
    p = _float_limit(R)
    spec = RACSpec(M=2, R=R, L=3, T=6)
    full = lambda *shape: np.full(shape, p - 1, dtype=np.int64)  # noqa: E731
    w = RACWeights(spec, tuple(full(R, R) for _ in range(3)), (full(R, 2), full(R, R), full(R, R)),
                   tuple(full(R) for _ in range(3)), full(1, R), prime=p)
    part = Partition.start_end(6)
    rng = np.random.default_rng(R)
    a = np.concatenate([full(3, 3, 2), rng.integers(0, p, (4, 3, 2))])
    b = np.concatenate([full(2, 3, 2), rng.integers(0, p, (5, 3, 2))])
    Y = evaluate_pairs(w, part, a, b, engine="numba")
    X = np.concatenate([np.repeat(a, len(b), axis=0), np.tile(b, (len(a), 1, 1))], axis=1)
    assert np.array_equal(Y, forward(w, X)[:, 0].reshape(len(a), len(b)))


@pytest.mark.parametrize("R", [2, 5])
def test_float_kernel_only_below_its_limit(R, monkeypatch):
    """The largest prime of the float64 kernel takes it; the next prime takes the int64 one."""
    from tnrnn.rank import _evalkernels

    calls = []
    real = _evalkernels.pure_suffix_float
    monkeypatch.setattr(_evalkernels, "pure_suffix_float", lambda *a: calls.append(1) or real(*a))
    spec = RACSpec(M=2, R=R, L=2, T=4)
    lo = _float_limit(R)
    hi = lo + 2
    while any(hi % d == 0 for d in range(2, int(hi**0.5) + 1)):
        hi += 2
    used = []
    for p in (lo, hi):
        calls.clear()
        w = random_modular_weights(spec, 0, prime=p)
        a = np.random.default_rng(0).integers(0, p, (5, 2, 2))
        Y = evaluate_pairs(w, Partition.start_end(4), a, a, engine="numba")
        assert np.array_equal(Y, evaluate_pairs(w, Partition.start_end(4), a, a, engine="numpy"))
        used.append(bool(calls))
    assert used == [True, False]


@pytest.mark.parametrize("p", [2_097_143, DEFAULT_PRIME])
def test_compiled_over_several_tiles(p):
    """Matrices larger than one tile of the compiled kernel, with ragged last tiles."""
    from tnrnn.rank._evalkernels import TILE_COLS, TILE_ROWS

    spec = RACSpec(M=2, R=3, L=2, T=6)
    w = random_modular_weights(spec, 5, prime=p)
    rng = np.random.default_rng(6)
    for part in (Partition.start_end(6), Partition.from_sets([5, 6], 6)):
        a = rng.integers(0, p, (2 * TILE_ROWS + 3, len(part.A), 2))
        b = rng.integers(0, p, (2 * TILE_COLS + 5, len(part.B), 2))
        Y = evaluate_pairs(w, part, a, b, engine="numba")
        assert np.array_equal(Y, evaluate_pairs(w, part, a, b, engine="numpy"))


@pytest.mark.parametrize("p", [65_521, DEFAULT_PRIME])
@pytest.mark.parametrize("A", [[1, 3, 5], [1, 4, 5], [2, 6]])
def test_mixed_kernel_at_p_minus_1_equals_forward(p, A):
    """Partitions whose sides alternate after the prefix, every weight, initial state and
    probe entry p - 1 (the largest products), against the plain forward pass over all pairs."""
    spec = RACSpec(M=3, R=3, L=3, T=6)
    full = lambda *shape: np.full(shape, p - 1, dtype=np.int64)  # noqa: E731
    w = RACWeights(spec, tuple(full(3, 3) for _ in range(3)), (full(3, 3), full(3, 3), full(3, 3)),
                   tuple(full(3) for _ in range(3)), full(1, 3), prime=p)
    part = Partition.from_sets(A, 6)
    rng = np.random.default_rng(len(A))
    a = np.concatenate([full(4, len(part.A), 3), rng.integers(0, p, (5, len(part.A), 3))])
    b = np.concatenate([full(3, len(part.B), 3), rng.integers(0, p, (4, len(part.B), 3))])
    Y = evaluate_pairs(w, part, a, b, engine="numba")
    X = np.empty((len(a) * len(b), 6, 3), dtype=np.int64)
    X[:, [t - 1 for t in part.A]] = np.repeat(a, len(b), axis=0)
    X[:, [t - 1 for t in part.B]] = np.tile(b, (len(a), 1, 1))
    assert np.array_equal(Y, forward(w, X)[:, 0].reshape(len(a), len(b)))


def test_mixed_partitions_take_the_compiled_kernel_over_several_tiles(monkeypatch):
    """Interleaved (L = 1 and 2) goes to the mixed kernel, across more columns than one tile
    with a ragged last tile; Start-End does not."""
    from tnrnn.rank import _evalkernels

    calls = []
    real = _evalkernels.mixed
    monkeypatch.setattr(_evalkernels, "mixed", lambda *a: calls.append(1) or real(*a))
    rng = np.random.default_rng(9)
    for L, part in ((1, Partition.interleaved(6)), (2, Partition.interleaved(6)), (2, Partition.start_end(6))):
        spec = RACSpec(M=2, R=3, L=L, T=6)
        w = random_modular_weights(spec, L, prime=2_097_143)
        a = rng.integers(0, w.prime, (7, len(part.A), 2))
        b = rng.integers(0, w.prime, (2 * _evalkernels.MIXED_COLS + 5, len(part.B), 2))
        calls.clear()
        Y = evaluate_pairs(w, part, a, b, engine="numba")
        assert np.array_equal(Y, evaluate_pairs(w, part, a, b, engine="numpy"))
        assert bool(calls) == (part.name == "interleaved")
