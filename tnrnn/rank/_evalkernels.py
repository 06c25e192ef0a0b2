"""Compiled (numba) evaluation of the probe matrix over F_p, fused and on every core.

Imported by :mod:`tnrnn.rank.evaluate` on first use, never at ``import tnrnn``; compiled
code is cached on disk (``cache=True``). The arithmetic is the same exact field arithmetic
as the numpy path (entries in ``[0, p)``, ``p < 2^31``), so the matrices are identical.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from ._blaskernels import _mulmod  # a * b mod p, the same compiled helper as the rank

_OPTS = {"cache": True, "nogil": True}


@nb.njit(parallel=True, **_OPTS)
def pure_suffix(hh, Qt, WH, WI, WO, p, Y):  # pragma: no cover (compiled)
    """Y[i, j] for every step after the shared prefix on the column side (L >= 2).

    hh : (nr, L, R) states after the prefix; Qt : (S, R, R, nc) with
    ``Qt[s, r, c, j] = Q_s(b_j)[r, c]`` (layer 2's input is ``Q_s(b_j) h^1(a_i)``);
    WH, WI : (L - 1, R, R) weights of layers 2..L; WO : (R,); Y : (nr, nc) output.
    One row i per task; the inner loops run over the columns j (contiguous).
    """
    nr = hh.shape[0]
    S, R, _, nc = Qt.shape
    n_up = WH.shape[0]
    pinv = 1.0 / p
    for i in nb.prange(nr):
        st = np.empty((n_up, R, nc), np.int64)
        new = np.empty((R, nc), np.int64)
        below = np.empty((R, nc), np.int64)
        for l in range(n_up):
            for c in range(R):
                st[l, c, :] = hh[i, l + 1, c]
        for s in range(S):
            for r in range(R):  # input of layer 2: Q_s(b_j) h^1(a_i)
                for j in range(nc):
                    below[r, j] = 0
                for c in range(R):
                    h = hh[i, 0, c]
                    for j in range(nc):
                        v = below[r, j] + _mulmod(h, Qt[s, r, c, j], p, pinv)
                        below[r, j] = v - p if v >= p else v
            for l in range(n_up):
                if l > 0:  # input of layer l + 2: W^I h^(l+1) (already advanced)
                    for r in range(R):
                        for j in range(nc):
                            below[r, j] = 0
                        for c in range(R):
                            w = WI[l, r, c]
                            for j in range(nc):
                                v = below[r, j] + _mulmod(w, st[l - 1, c, j], p, pinv)
                                below[r, j] = v - p if v >= p else v
                for r in range(R):
                    for j in range(nc):
                        new[r, j] = 0
                    for c in range(R):
                        w = WH[l, r, c]
                        for j in range(nc):
                            v = new[r, j] + _mulmod(w, st[l, c, j], p, pinv)
                            new[r, j] = v - p if v >= p else v
                for r in range(R):
                    for j in range(nc):
                        st[l, r, j] = _mulmod(new[r, j], below[r, j], p, pinv)
        for j in range(nc):
            Y[i, j] = 0
        for r in range(R):
            w = WO[r]
            for j in range(nc):
                v = Y[i, j] + _mulmod(w, st[n_up - 1, r, j], p, pinv)
                Y[i, j] = v - p if v >= p else v


@nb.njit(inline="always", **_OPTS)
def _red(x, p, pinv):  # pragma: no cover (compiled)
    """``x mod p`` for a float64 integer ``0 <= x < 2^52`` (one correction each way)."""
    r = x - np.floor(x * pinv) * p
    if r < 0:
        r += p
    if r >= p:
        r -= p
    return r


@nb.njit(parallel=True, fastmath=False, **_OPTS)
def pure_suffix_float(hh, Qt, WH, WI, WO, p, Y):  # pragma: no cover (compiled)
    """:func:`pure_suffix` in float64 for small primes (``R (p - 1)^2 < 2^52``): every sum
    of R products is exact and reduced once, so the column loops vectorise."""
    nr = hh.shape[0]
    S, R, _, nc = Qt.shape
    n_up = WH.shape[0]
    pinv = 1.0 / p
    for i in nb.prange(nr):
        st = np.empty((n_up, R, nc))
        new = np.empty((R, nc))
        below = np.empty((R, nc))
        for l in range(n_up):
            for c in range(R):
                st[l, c, :] = hh[i, l + 1, c]
        for s in range(S):
            for r in range(R):
                below[r, :] = 0.0
                for c in range(R):
                    h = hh[i, 0, c]
                    for j in range(nc):
                        below[r, j] += h * Qt[s, r, c, j]
                for j in range(nc):
                    below[r, j] = _red(below[r, j], p, pinv)
            for l in range(n_up):
                if l > 0:
                    for r in range(R):
                        below[r, :] = 0.0
                        for c in range(R):
                            w = WI[l, r, c]
                            for j in range(nc):
                                below[r, j] += w * st[l - 1, c, j]
                        for j in range(nc):
                            below[r, j] = _red(below[r, j], p, pinv)
                for r in range(R):
                    new[r, :] = 0.0
                    for c in range(R):
                        w = WH[l, r, c]
                        for j in range(nc):
                            new[r, j] += w * st[l, c, j]
                    for j in range(nc):
                        new[r, j] = _red(_red(new[r, j], p, pinv) * below[r, j], p, pinv)
                for r in range(R):
                    for j in range(nc):
                        st[l, r, j] = new[r, j]
        for j in range(nc):
            acc = 0.0
            for r in range(R):
                acc += WO[r] * st[n_up - 1, r, j]
            Y[i, j] = _red(acc, p, pinv)
