"""Ranks over F_p: the BLAS backend against flint, numpy and matrices of known rank."""

from __future__ import annotations

import numpy as np
import pytest

from tnrnn.errors import TnrnnError
from tnrnn.modular import DEFAULT_PRIME, mod_matmul
from tnrnn.rank import blasrank
from tnrnn.rank.blasrank import blas_rank_mod_p, mulmod, mulmod_plan
from tnrnn.rank.fieldrank import flint_rank_mod_p, numpy_rank_mod_p, rank_mod_p, resolve_backend

PRIMES = [3, 65_521, 2_097_143, 33_554_393, DEFAULT_PRIME]  # one limb .. three limbs


def _known_rank(rng, n, m, r, p):
    """A product of random n x r and r x m factors mod p (exact int64 16-bit-split product)."""
    return mod_matmul(rng.integers(0, p, (n, r)), rng.integers(0, p, (r, m)), p)


def _full_rank_factor(rng, n, p):
    """Random unit lower and unit upper triangular factors (their product has full rank n)."""
    low = np.tril(rng.integers(0, p, (n, n)), -1) + np.eye(n, dtype=np.int64)
    up = np.triu(rng.integers(0, p, (n, n)), 1) + np.eye(n, dtype=np.int64)
    return low, up


@pytest.mark.parametrize("p", PRIMES)
@pytest.mark.parametrize("shape", [(1, 1), (5, 5), (40, 33), (33, 40), (60, 130), (130, 130)])
def test_blas_rank_equals_flint_and_numpy_on_random(p, shape):
    rng = np.random.default_rng(shape[0] * 7 + shape[1] + p % 97)
    Y = rng.integers(0, p, shape)
    r = blas_rank_mod_p(Y, p)
    assert r == flint_rank_mod_p(Y, p) == numpy_rank_mod_p(Y, p)


@pytest.mark.parametrize("p", PRIMES)
@pytest.mark.parametrize("n, m, r", [(60, 60, 17), (200, 150, 149), (150, 200, 1), (70, 300, 70), (257, 257, 200)])
def test_blas_rank_of_products_is_the_inner_size(p, n, m, r):
    """Products of random factors: the rank is r unless the factors are singular mod p."""
    rng = np.random.default_rng(n + m + r)
    Y = _known_rank(rng, n, m, r, p)
    expect = flint_rank_mod_p(Y, p)
    if p > 1000:
        assert expect == r  # would fail with probability ~ r / p
    assert blas_rank_mod_p(Y, p) == expect


@pytest.mark.parametrize("p", [65_521, DEFAULT_PRIME])
def test_blas_rank_full_size_from_triangular_factors(p):
    """L U with unit triangular factors is invertible for certain: rank = n exactly."""
    rng = np.random.default_rng(3)
    n = 150
    low, up = _full_rank_factor(rng, n, p)
    Y = mod_matmul(low, up, p)
    assert blas_rank_mod_p(Y, p) == n
    # A deficient one: drop a pivot of U (a zero row in U): rank n - 1, whatever the draws.
    up[n // 2, :] = 0
    Y = mod_matmul(low, up, p)
    assert blas_rank_mod_p(Y, p) == n - 1 == flint_rank_mod_p(Y, p)


@pytest.mark.parametrize("p", PRIMES)
def test_blas_rank_extreme_entries(p):
    n = 300
    top = np.full((n, n), p - 1, dtype=np.int64)
    assert blas_rank_mod_p(top, p) == 1
    assert blas_rank_mod_p(np.zeros((n, n), dtype=np.int64), p) == 0
    # (p-1) on the diagonal and p-1 in the whole last column: full rank
    Y = np.diag(np.full(n, p - 1)).astype(np.int64)
    Y[:, -1] = p - 1
    assert blas_rank_mod_p(Y, p) == n
    # negative entries wrap mod p
    assert blas_rank_mod_p(-np.eye(4, dtype=np.int64), p) == 4
    assert blas_rank_mod_p(np.array([[p]]), p) == 0


def test_blas_rank_zero_columns_and_late_pivots():
    """Zero columns and columns whose pivot is in the last row exercise the skip logic."""
    p = 65_521
    rng = np.random.default_rng(5)
    Y = np.zeros((300, 280), dtype=np.int64)
    Y[-1, 3] = 1
    Y[:, 100:140] = _known_rank(rng, 300, 40, 7, p)
    Y[:, 200] = Y[:, 101] * 3 % p
    assert blas_rank_mod_p(Y, p) == flint_rank_mod_p(Y, p) == 8


def test_mulmod_is_exact_at_the_chunk_limits():
    """All entries p - 1 with inner dimensions around the chunk size: (p-1)^2 k mod p = k."""
    for p in PRIMES:
        for inner in (1, 1023, 1024, 1025, 3000):
            x = np.full((3, inner), p - 1.0)
            y = np.full((inner, 2), p - 1.0)
            assert np.array_equal(mulmod(x, y, p), np.full((3, 2), float(inner % p)))
    rng = np.random.default_rng(0)
    p = DEFAULT_PRIME
    x = rng.integers(0, p, (7, 2500))
    y = rng.integers(0, p, (2500, 5))
    expect = (x.astype(object).dot(y.astype(object)) % p).astype(np.float64)
    assert np.array_equal(mulmod(x.astype(np.float64), y.astype(np.float64), p), expect)


def test_mulmod_plan_keeps_sums_below_2_to_52():
    for p in PRIMES:
        n_limbs, bits, chunk = mulmod_plan(p, 10**6)
        assert chunk * (p - 1) * (2**bits - 1) < 2**52
        assert n_limbs * bits >= (p - 1).bit_length()
    assert mulmod_plan(65_521, 100)[2] == 100


def test_unsafe_plan_is_caught(monkeypatch):
    """The safety net: a plan that lets sums pass 2^53 gives wrong products and ranks."""
    p = DEFAULT_PRIME
    monkeypatch.setattr(blasrank, "mulmod_plan", lambda p, inner: (1, 31, max(1, inner)))
    x = np.full((1, 4), p - 1.0)
    assert mulmod(x, x.T, p)[0, 0] != 4.0


def test_rank_mod_p_backends_and_errors():
    Y = np.array([[1, 2], [2, 4]])
    assert {rank_mod_p(Y, 7, backend=b) for b in ("auto", "blas", "flint", "numpy")} == {1}
    with pytest.raises(TnrnnError, match="backend must be one of"):
        rank_mod_p(Y, 7, backend="magma")
    with pytest.raises(TnrnnError, match="2-D"):
        blas_rank_mod_p(np.zeros(3, dtype=int), 7)
    with pytest.raises(TnrnnError, match="prime"):
        blas_rank_mod_p(Y, 8)
    assert resolve_backend("auto", (10, 10)) == "flint"
    assert resolve_backend("auto", (300, 300)) == "blas"
    assert blas_rank_mod_p(np.zeros((0, 3), dtype=int), 7) == 0


def test_progress_reports_every_column():
    seen = []
    blas_rank_mod_p(np.random.default_rng(0).integers(0, 101, (50, 70)), 101, progress=seen.append)
    assert sum(seen) == 50


@pytest.mark.parametrize("p", [65_521, DEFAULT_PRIME])
def test_blas_memory_estimate_bounds_the_measured_peak(p):
    import tracemalloc

    from tnrnn.rank.blasrank import blas_rank_bytes

    Y = np.random.default_rng(0).integers(0, p, (700, 600))
    blas_rank_mod_p(Y[:40, :40], p)  # load the compiled kernels outside the measurement
    tracemalloc.start()
    blas_rank_mod_p(Y, p)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    estimate = blas_rank_bytes(700, 600, p)
    assert 8 * Y.size < peak <= estimate < 4 * peak


def test_memory_is_refused_up_front():
    from tnrnn.errors import MemoryLimitError
    from tnrnn.rank.fieldrank import check_rank_memory

    from tnrnn.rank.blasrank import blas_rank_bytes

    need = (8 * 10**8 + blas_rank_bytes(10_000, 10_000, 65_521)) / 2**30
    with pytest.raises(MemoryLimitError, match=rf"10,000 x 10,000 .* needs about {need:.2f} GiB, but only 0.50 GiB"):
        check_rank_memory(10_000, 10_000, 65_521, "blas", max_bytes=2**29)
    assert check_rank_memory(100, 100, 65_521, "numpy", max_bytes=2**29) == 2 * 8 * 100 * 100


def test_probe_rank_refuses_a_stage_that_does_not_fit():
    from tnrnn import Partition, RACSpec, random_modular_weights
    from tnrnn.errors import MemoryLimitError
    from tnrnn.rank.probes import probe_rank

    w = random_modular_weights(RACSpec(M=4, R=4, L=2, T=16), 0)  # stages 64, 128, 256, 661
    gen = np.random.default_rng(0)
    with pytest.raises(MemoryLimitError, match="256 x 256"):  # stages 64, 128 fit, 256 does not
        probe_rank(w, Partition.start_end(16), gen, max_bytes=1_000_000)


@pytest.mark.parametrize("p", [65_521, 2_097_143])
def test_blas_rank_with_many_chunks_per_update(p, monkeypatch):
    """Exact plans with tiny chunks (one limb): every Schur update and triangular solve sums
    several chunk products, each reduced and subtracted in place; against flint and against
    products of known rank, including entries p - 1."""
    real = blasrank.mulmod_plan
    monkeypatch.setattr(blasrank, "mulmod_plan", lambda q, inner: (*real(q, inner)[:2], min(5, real(q, inner)[2])))
    assert blasrank.mulmod_plan(p, 100) == (1, (p - 1).bit_length(), 5)
    rng = np.random.default_rng(p % 1000)
    for Y in (rng.integers(0, p, (90, 70)), _known_rank(rng, 120, 100, 61, p), np.full((40, 40), p - 1)):
        assert blas_rank_mod_p(Y, p) == flint_rank_mod_p(Y, p)
    low, up = _full_rank_factor(rng, 80, p)
    up[:, :] = np.where(up != 0, p - 1, 0) + np.eye(80, dtype=np.int64) * (2 - p)  # unit diagonal, p-1 above
    assert blas_rank_mod_p(mod_matmul(low, up, p), p) == 80
