"""Field arithmetic shared by the cells: float64 when ``p`` is None, else exactly mod p."""

from __future__ import annotations

import numpy as np
import opt_einsum as oe

from ..modular import mod_matmul

__all__ = ["linear", "mul", "add", "mod_einsum"]

# Products of two field elements fit in 62 bits; splitting one factor into 16-bit halves
# lets sums of up to 2**16 products fit in int64.
MAX_INNER = 1 << 16


def linear(x: np.ndarray, w: np.ndarray, p: int | None) -> np.ndarray:
    """``x @ w.T`` (mod p), x (N, n), w (m, n)."""
    wt = np.ascontiguousarray(w.T)
    return x @ wt if p is None else mod_matmul(x, wt, p)


def mul(a: np.ndarray, b: np.ndarray, p: int | None) -> np.ndarray:
    """``a * b`` (mod p)."""
    return a * b if p is None else (a * b) % p


def add(a: np.ndarray, b: np.ndarray, p: int | None) -> np.ndarray:
    """``a + b`` (mod p)."""
    return a + b if p is None else (a + b) % p


def mod_einsum(eq: str, a: np.ndarray, b: np.ndarray, p: int) -> np.ndarray:
    """``oe.contract(eq, a, b) mod p`` exactly, for int64 entries in ``[0, p)``."""
    inputs, out = eq.split("->")
    left, right = inputs.split(",")
    sizes = dict(zip(left, a.shape)) | dict(zip(right, b.shape))
    inner = 1
    for ch in set(left) | set(right):
        if ch not in out:
            inner *= sizes[ch]
    if inner > MAX_INNER:  # rare: fall back to Python integers
        res = oe.contract(eq, a.astype(object), b.astype(object))
        return np.asarray(res % p, dtype=np.int64)
    lo = oe.contract(eq, a, b & 0xFFFF) % p
    hi = oe.contract(eq, a, b >> 16) % p
    return (hi * 65536 + lo) % p
