"""Rank over F_p by recursive LU elimination on top of float64 BLAS (FFLAS-FFPACK style).

Why this is exact
-----------------
Entries are kept as float64 integers in ``[0, p)``. A matrix product ``X @ Y`` is computed
by splitting ``Y`` into ``n_limbs`` limbs of ``b`` bits (``Y = sum_l Y_l 2^(b l)``,
``0 <= Y_l < 2^b``) and the inner dimension into chunks of at most ``k`` columns, with

    k * (p - 1) * (2^b - 1) < 2^52,

so every partial sum of every float64 product ``X[:, chunk] @ Y_l[chunk]`` is an integer
below ``2^52``: BLAS (any summation order, with or without FMA) computes it exactly. Each
chunk product is reduced mod p before the next is added (``x - floor(x / p) p`` with one
correction; the margin to ``2^53`` keeps ``floor(x / p) p`` exact), and the limbs are
recombined by Horner's rule (``Z * 2^b < 2^52``). Nothing is ever rounded. For
``p < 2^21`` one limb and chunks of 1024 suffice (one BLAS product per update); for
``p = 2^31 - 1`` three limbs of 11 bits (three products) keep chunks of 1024.

The elimination is Toledo's recursive LU with row pivoting, extended to rank-deficient
matrices: a column block is split in halves, the left half is eliminated recursively (its
pivot rows are moved to the top, the multipliers stored below them as in LAPACK, columns
without a pivot are skipped: their Schur complement is zero), the right half is updated by
a triangular solve and one product (the Schur complement), and eliminated recursively.
The rank is the number of pivots. Narrow panels (at most ``_BASE`` columns) are eliminated
column by column in int64 (``(p-1)^2 < 2^62``). Almost all the work is in the products, so
the elimination runs at BLAS speed on every core.

The reductions mod p are fused loops (numba, compiled once and cached on disk) when numba
is installed, else numpy expressions.
"""

from __future__ import annotations

import numpy as np

from ..errors import TnrnnError
from ..modular import check_prime, to_field

__all__ = ["blas_rank_mod_p", "blas_rank_bytes", "mulmod_plan", "mulmod"]

_EXACT = 2.0**52
_BASE = 16
_TARGET_CHUNK = 1024


def mulmod_plan(p: int, inner: int) -> tuple[int, int, int]:
    """``(n_limbs, bits, chunk)``: the cheapest exact split for products over F_p.

    Fewest limbs such that a chunk of ``min(inner, 1024)`` products is exact (see the
    module docstring), and the largest chunk those limbs allow (at most ``inner``).

    >>> mulmod_plan(2_097_143, 4000), mulmod_plan(2**31 - 1, 4000), mulmod_plan(1_048_573, 4000)
    ((1, 21, 1024), (3, 11, 1024), (1, 20, 4000))
    """
    want = max(1, min(int(inner), _TARGET_CHUNK))
    pbits = max(1, (p - 1).bit_length())
    for n_limbs in range(1, pbits + 1):
        bits = -(-pbits // n_limbs)
        chunk = int((_EXACT - 1) // ((p - 1) * (2**bits - 1)))
        if chunk >= want:
            return n_limbs, bits, min(chunk, max(int(inner), 1))
    raise TnrnnError(f"no exact float64 split for p={p}")  # pragma: no cover (p < 2**53)


def blas_rank_bytes(n: int, m: int, p: int) -> int:
    """Peak memory of :func:`blas_rank_mod_p` on an n x m matrix, in bytes (an upper estimate).

    The float64 working copy (``8 n m``) plus, at the top level of the recursion, the
    multipliers, the solved block, the product and the split of the solved block into
    limbs, each at most a quarter of the matrix: ``8 n m (1 + (5 + 2 (n_limbs - 1)) / 4)``
    (measured peaks: 2.25 n m words with one limb, 3.2 with three).

    >>> round(blas_rank_bytes(11_701, 11_701, 2_097_143) / 2**30, 2)   # GiB
    2.3
    """
    n_limbs = mulmod_plan(p, max(1, min(n, m) // 2))[0]
    return int(8 * n * m * (1 + (5 + 2 * (n_limbs - 1)) / 4))


def _reduce(x: np.ndarray, p: int) -> np.ndarray:
    """``x mod p`` in place, for float64 integers with ``0 <= x < 2^52``."""
    _kernels().reduce_2d(x, float(p))
    return x


def _sub_mod(c: np.ndarray, t: np.ndarray, p: int) -> None:
    """``c = (c - t) mod p`` in place, both in ``[0, p)`` (``c`` may be a strided view)."""
    _kernels().sub_mod_2d(c, t, float(p))


def mulmod(x: np.ndarray, y: np.ndarray, p: int) -> np.ndarray:
    """``x @ y mod p`` exactly, for float64 matrices with integer entries in ``[0, p)``.

    >>> import numpy as np
    >>> p = 2**31 - 1
    >>> x = np.full((2, 3), p - 1.0); y = np.full((3, 2), p - 1.0)
    >>> mulmod(x, y, p)   # 3 (p-1)^2 = 3 mod p
    array([[3., 3.],
           [3., 3.]])
    """
    k = x.shape[1]
    if k == 0 or x.shape[0] == 0 or y.shape[1] == 0:
        return np.zeros((x.shape[0], y.shape[1]), dtype=np.float64)
    n_limbs, bits, chunk = mulmod_plan(p, k)
    if n_limbs == 1 and k <= chunk:
        return _reduce(x @ y, p)
    scale = float(2**bits)
    limbs, rest = [], y
    for _ in range(n_limbs - 1):  # y = sum_l limbs[l] 2^(bits l), exact power-of-two steps
        high = np.floor(rest * (1.0 / scale))
        limbs.append(rest - high * scale)
        rest = high
    limbs.append(rest)
    acc = np.zeros((x.shape[0], y.shape[1]), dtype=np.float64)
    for l, limb in enumerate(reversed(limbs)):  # Horner, most significant limb first
        if l:
            acc *= scale
            _reduce(acc, p)
        for c0 in range(0, k, chunk):
            part = _reduce(x[:, c0 : c0 + chunk] @ limb[c0 : c0 + chunk], p)
            acc += part
            _reduce(acc, p)
    return acc


def _sub_mulmod(c: np.ndarray, x: np.ndarray, y: np.ndarray, p: int) -> None:
    """``c = (c - x @ y) mod p`` in place (``c`` may be a strided view of the matrix).

    With one limb each chunk's exact BLAS product goes into one reused buffer and is reduced
    and subtracted in the same pass (no product matrix, no separate reductions); with more
    limbs, :func:`mulmod` then a subtraction.
    """
    k = x.shape[1]
    if k == 0 or c.size == 0:
        return
    n_limbs, _, chunk = mulmod_plan(p, k)
    if n_limbs > 1:
        _sub_mod(c, mulmod(x, y, p), p)
        return
    buf = np.empty(c.shape, dtype=np.float64)
    for c0 in range(0, k, chunk):
        np.matmul(x[:, c0 : c0 + chunk], y[c0 : c0 + chunk], out=buf)
        _kernels().sub_reduce_2d(c, buf, float(p))


def _kernels():
    """The compiled kernels (numba; imported on first use, never at ``import tnrnn``)."""
    from . import _blaskernels

    return _blaskernels


def _panel(A: np.ndarray, r0: int, c0: int, c1: int, p: int) -> list[int]:
    """Eliminate the narrow panel ``A[r0:, c0:c1]`` column by column (int64, compiled)."""
    B = np.asfortranarray(A[r0:, c0:c1], dtype=np.int64)
    piv, swaps = _kernels().panel_lu(B, p)
    for t, k in enumerate(swaps.tolist()):  # the same row swaps on the whole rows of A
        if k != t:
            A[[r0 + t, r0 + k]] = A[[r0 + k, r0 + t]]
    A[r0:, c0:c1] = B
    return [c0 + int(j) for j in piv]


def _trsm(L: np.ndarray, X: np.ndarray, p: int) -> np.ndarray:
    """``L^{-1} X`` mod p for L unit lower triangular (strict part used), recursively."""
    r = L.shape[0]
    if r <= _BASE:
        Z = np.ascontiguousarray(X, dtype=np.int64)
        _kernels().trsm_unit_lower(np.ascontiguousarray(L, dtype=np.int64), Z, p)
        return Z.astype(np.float64)
    h = r // 2
    top = _trsm(L[:h, :h], X[:h], p)
    bottom = np.array(X[h:], dtype=np.float64)
    _sub_mulmod(bottom, L[h:, :h], top, p)
    return np.concatenate([top, _trsm(L[h:, h:], bottom, p)])


def _rlu(A: np.ndarray, r0: int, c0: int, c1: int, p: int, tick) -> list[int]:
    """Eliminate columns ``c0:c1`` below row ``r0``; returns the pivot columns.

    Afterwards rows ``r0 .. r0 + rank - 1`` are the pivot rows (whole rows of A swapped),
    the multipliers lie below them in the pivot columns, and the Schur complement of the
    non-pivot columns is zero.
    """
    m = A.shape[0]
    if r0 >= m or c0 >= c1:  # no rows left: nothing more to eliminate
        tick(c1 - c0)
        return []
    if c1 - c0 <= _BASE:
        piv = _panel(A, r0, c0, c1, p)
        tick(c1 - c0)
        return piv
    mid = (c0 + c1) // 2
    left = _rlu(A, r0, c0, mid, p, tick)
    r1 = len(left)
    if r1:
        # pivots in consecutive columns (the usual case): views; else the pivot columns gathered
        cols = slice(left[0], left[-1] + 1) if left[-1] - left[0] == r1 - 1 else left
        L = A[r0 : r0 + r1, cols]
        U12 = _trsm(L, A[r0 : r0 + r1, mid:c1], p)
        A[r0 : r0 + r1, mid:c1] = U12
        if r0 + r1 < m:
            _sub_mulmod(A[r0 + r1 :, mid:c1], A[r0 + r1 :, cols], U12, p)
    return left + _rlu(A, r0 + r1, mid, c1, p, tick)


def blas_rank_mod_p(matrix: np.ndarray, p: int, *, progress=None) -> int:
    """Rank over F_p by recursive LU on float64 BLAS products (exact, all cores).

    Parameters
    ----------
    matrix : array (n, m) of integers
        Reduced mod p first (negative values wrap).
    p : int
        A prime below ``2**31``. Primes below about ``2^21`` need one BLAS product per
        update, ``2^31 - 1`` three (see :func:`mulmod_plan`).
    progress : callable, optional
        Called with the number of columns finished after every narrow panel.

    Returns
    -------
    int

    Examples
    --------
    >>> import numpy as np
    >>> blas_rank_mod_p(np.array([[1, 2], [2, 4]]), 7), blas_rank_mod_p(np.eye(3, dtype=int), 5)
    (1, 3)
    """

    p = check_prime(p)
    arr = np.asarray(matrix)
    if arr.ndim != 2:
        raise TnrnnError(f"rank needs a 2-D matrix, got shape {arr.shape}")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        return 0
    if arr.shape[0] < arr.shape[1]:  # eliminate along the shorter side: tall matrix
        arr = arr.T
    if arr.dtype.kind in "iu" and arr.size and 0 <= arr.min() and arr.max() < p:
        A = np.array(arr, dtype=np.float64, order="C")  # already reduced: one copy, not two
    else:
        A = np.ascontiguousarray(to_field(arr, p), dtype=np.float64)
    tick = progress if progress is not None else (lambda k: None)
    return len(_rlu(A, 0, 0, A.shape[1], p, tick))
