"""Compiled loops (numba) of the BLAS rank: reductions mod p and narrow panels.

Imported only by :mod:`tnrnn.rank.blasrank`, on first use, never at ``import tnrnn``.
Compiled code is cached on disk (``cache=True``), so only the very first call in a fresh
checkout pays the compile time (a few seconds; the benchmarks report it).

Products of two entries in ``[0, p)`` with ``p < 2^31`` are below ``2^62``: exact in int64.
``_mulmod`` reduces one with a float64 quotient estimate (off by at most one, corrected),
which avoids an integer division per entry.
"""

from __future__ import annotations

import numba as nb
import numpy as np

_OPTS = {"cache": True, "nogil": True}


def _reduce_rows(x, p):  # pragma: no cover (compiled)
    """``x mod p`` in place for float64 integers ``0 <= x < 2^52``."""
    pinv = 1.0 / p
    for i in nb.prange(x.shape[0]):
        for j in range(x.shape[1]):
            v = x[i, j]
            r = v - np.floor(v * pinv) * p
            if r < 0:
                r += p
            elif r >= p:
                r -= p
            x[i, j] = r


def _sub_rows(c, t, p):  # pragma: no cover (compiled)
    """``c = (c - t) mod p`` in place, both in ``[0, p)``."""
    for i in nb.prange(c.shape[0]):
        for j in range(c.shape[1]):
            v = c[i, j] - t[i, j]
            if v < 0:
                v += p
            c[i, j] = v


def _sub_reduce_rows(c, t, p):  # pragma: no cover (compiled)
    """``c = (c - t) mod p`` in place, c in ``[0, p)``, t a float64 integer in ``[0, 2^52)``."""
    pinv = 1.0 / p
    for i in nb.prange(c.shape[0]):
        for j in range(c.shape[1]):
            v = c[i, j] - t[i, j]  # exact: |v| < 2^52
            r = v - np.floor(v * pinv) * p  # the quotient is off by at most one
            if r < 0:
                r += p
            elif r >= p:
                r -= p
            c[i, j] = r


_reduce_serial = nb.njit(**_OPTS)(_reduce_rows)
_reduce_parallel = nb.njit(parallel=True, **_OPTS)(_reduce_rows)
_sub_serial = nb.njit(**_OPTS)(_sub_rows)
_sub_parallel = nb.njit(parallel=True, **_OPTS)(_sub_rows)
_sub_reduce_serial = nb.njit(**_OPTS)(_sub_reduce_rows)
_sub_reduce_parallel = nb.njit(parallel=True, **_OPTS)(_sub_reduce_rows)
#: Arrays with fewer entries run on one thread (waking threads costs more than it saves).
PARALLEL_MIN = 1 << 20


def reduce_2d(x, p):
    """``x mod p`` in place for float64 integers ``0 <= x < 2^52`` (2-D)."""
    (_reduce_parallel if x.size >= PARALLEL_MIN else _reduce_serial)(x, p)


def sub_mod_2d(c, t, p):
    """``c = (c - t) mod p`` in place, both 2-D float64 in ``[0, p)``."""
    (_sub_parallel if c.size >= PARALLEL_MIN else _sub_serial)(c, t, p)


def sub_reduce_2d(c, t, p):
    """``c = (c - t) mod p`` in place: c 2-D float64 in ``[0, p)`` (may be a strided view), t an
    unreduced float64 integer product below ``2^52``."""
    (_sub_reduce_parallel if c.size >= PARALLEL_MIN else _sub_reduce_serial)(c, t, p)


@nb.njit(inline="always", **_OPTS)
def _mulmod(a, b, p, pinv):  # pragma: no cover (compiled)
    prod = a * b
    q = np.int64(np.float64(prod) * pinv)
    r = prod - q * p
    if r < 0:
        r += p
    elif r >= p:
        r -= p
    return r


@nb.njit(**_OPTS)
def _inverse(a, p):  # pragma: no cover (compiled)
    result, base, e = np.int64(1), np.int64(a % p), p - 2
    pinv = 1.0 / p
    while e > 0:
        if e & 1:
            result = _mulmod(result, base, p, pinv)
        base = _mulmod(base, base, p, pinv)
        e >>= 1
    return result


@nb.njit(**_OPTS)
def panel_lu(B, p):  # pragma: no cover (compiled)
    """Eliminate the int64 panel ``B`` (rows x w, column-major) in place over F_p.

    Returns ``(piv, swaps)``: the local pivot columns, and for the t-th pivot the row that
    was swapped with row t (LAPACK ``ipiv`` style, applied in order). Multipliers are
    stored below the pivots.
    """
    mr, w = B.shape
    pinv = 1.0 / p
    piv = np.empty(w, np.int64)
    swaps = np.empty(w, np.int64)
    r = 0
    for j in range(w):
        if r >= mr:
            break
        k = -1
        for i in range(r, mr):
            if B[i, j] != 0:
                k = i
                break
        if k < 0:
            continue
        if k != r:
            for c in range(w):
                tmp = B[r, c]
                B[r, c] = B[k, c]
                B[k, c] = tmp
        inv = _inverse(B[r, j], p)
        for i in range(r + 1, mr):
            B[i, j] = _mulmod(B[i, j], inv, p, pinv)
        for c in range(j + 1, w):
            u = B[r, c]
            if u == 0:
                continue
            for i in range(r + 1, mr):
                v = B[i, c] - _mulmod(B[i, j], u, p, pinv)
                B[i, c] = v + p if v < 0 else v
        piv[r] = j
        swaps[r] = k
        r += 1
    return piv[:r], swaps[:r]


@nb.njit(**_OPTS)
def trsm_unit_lower(L, X, p):  # pragma: no cover (compiled)
    """Solve ``L Z = X`` in place in X (int64), L unit lower triangular (strict part used)."""
    pinv = 1.0 / p
    r, n = X.shape
    for i in range(1, r):
        for j in range(i):
            lij = L[i, j]
            if lij == 0:
                continue
            for c in range(n):
                v = X[i, c] - _mulmod(lij, X[j, c], p, pinv)
                X[i, c] = v + p if v < 0 else v
