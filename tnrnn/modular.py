"""Exact arithmetic modulo a prime ``p < 2**31`` on int64 numpy arrays.

Entries are kept in ``[0, p)``. A product of two entries is below ``2**62`` and fits in
int64; a matrix product splits one factor into 16-bit halves so that sums of up to
``2**16`` products cannot overflow.
"""

from __future__ import annotations

import numbers

import numpy as np

from .errors import TnrnnError

__all__ = ["DEFAULT_PRIME", "check_prime", "is_prime", "to_field", "mod_matmul", "mod_mul"]

#: The default modulus: the Mersenne prime ``2**31 - 1``.
DEFAULT_PRIME: int = 2_147_483_647

_MAX_INNER = 1 << 16


def is_prime(n: int) -> bool:
    """Deterministic Miller-Rabin primality test, exact for ``n < 3.3e24``."""
    if n < 2:
        return False
    small = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)
    for q in small:
        if n % q == 0:
            return n == q
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for a in small:
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def check_prime(p: object) -> int:
    """Return ``p`` as an int if it is a prime with ``2 < p < 2**31``, else raise."""
    if isinstance(p, bool) or not isinstance(p, numbers.Integral):
        raise TnrnnError(f"prime must be an integer, got {p!r}")
    p = int(p)
    if not (2 < p < 2**31) or not is_prime(p):
        raise TnrnnError(
            f"prime must be a prime with 2 < p < 2**31, got {p}; "
            f"the default is {DEFAULT_PRIME} (2**31 - 1)"
        )
    return p


def to_field(values: np.ndarray | int, p: int) -> np.ndarray:
    """Reduce integer data into ``[0, p)`` as int64 (negative values wrap)."""
    arr = np.asarray(values)
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
            raise TnrnnError("modular arithmetic needs integer data, got non-integer floats")
        if np.any(np.abs(arr) >= 2.0**53):
            raise TnrnnError("float data too large to convert exactly to integers (|x| >= 2**53)")
        arr = arr.astype(np.int64)
    elif arr.dtype.kind not in "iu":
        if arr.dtype == object:
            return np.asarray([int(v) % p for v in arr.ravel()], dtype=np.int64).reshape(arr.shape)
        raise TnrnnError(f"modular arithmetic needs integer data, got dtype {arr.dtype}")
    return np.mod(arr.astype(np.int64, copy=False), p)


def mod_mul(a: np.ndarray, b: np.ndarray, p: int) -> np.ndarray:
    """Elementwise ``a * b mod p`` for entries in ``[0, p)`` (broadcasting)."""
    return np.multiply(a, b) % p


def mod_matmul(a: np.ndarray, b: np.ndarray, p: int) -> np.ndarray:
    """Matrix product ``a @ b mod p`` for int64 entries in ``[0, p)``, exactly.

    Broadcasts like :func:`numpy.matmul`. The inner dimension may be up to ``2**16``.
    """
    inner = a.shape[-1]
    if inner > _MAX_INNER:
        raise TnrnnError(f"mod_matmul supports inner dimension up to {_MAX_INNER}, got {inner}")
    b_lo = b & 0xFFFF
    b_hi = b >> 16
    lo = np.matmul(a, b_lo) % p
    hi = np.matmul(a, b_hi) % p
    return (hi * 65536 + lo) % p
