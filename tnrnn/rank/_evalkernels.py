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


@nb.njit(inline="always", **_OPTS)
def _matvec_mod(W, x, out, p, pinv):  # pragma: no cover (compiled)
    """``out = W @ x mod p`` for W (R, R) and x, out (R, nc), entries in ``[0, p)``."""
    R, nc = out.shape
    for r in range(R):
        for j in range(nc):
            out[r, j] = 0
        for c in range(R):
            w = W[r, c]
            for j in range(nc):
                v = out[r, j] + _mulmod(w, x[c, j], p, pinv)
                out[r, j] = v - p if v >= p else v


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
                    _matvec_mod(WI[l], st[l - 1], below, p, pinv)
                _matvec_mod(WH[l], st[l], new, p, pinv)
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
def _lazy(x, p, pinv):  # pragma: no cover (compiled)
    """``x`` mod p up to one multiple of p: a float64 integer in ``(-p, 2p)`` congruent to x.

    For ``|x| < 2^52`` the quotient estimate ``floor(x / p)`` from ``x * (1/p)`` is off by at
    most one (its error is below ``|x / p| 2^-51 < 1``), and ``x - q p`` is an integer below
    ``2 p`` in magnitude, so it is exact (with or without a fused multiply-add).
    """
    return x - np.floor(x * pinv) * p


@nb.njit(inline="always", **_OPTS)
def _red(x, p, pinv):  # pragma: no cover (compiled)
    """``x mod p`` in ``[0, p)`` for a float64 integer ``|x| < 2^52`` (one correction each way)."""
    r = _lazy(x, p, pinv)
    if r < 0:
        r += p
    if r >= p:
        r -= p
    return r


#: Columns and rows of one tile of :func:`pure_suffix_float` (its column probes' transfer
#: matrices, ``S R^2 COLS`` floats, stay in the core's cache while the tile's rows use them).
TILE_COLS, TILE_ROWS = 128, 64


@nb.njit(parallel=True, fastmath={"contract"}, **_OPTS)
def pure_suffix_float(hh, Qt, WH, WI, WO, p, Y, rtag, ltag):  # pragma: no cover (compiled)
    """:func:`pure_suffix` in float64 for small primes (``2 max(R, 2) p^2 < 2^52``).

    ``rtag`` and ``ltag`` are tuples of lengths R and L - 1: their lengths are compile-time
    constants, so the loops over channels unroll and the loops over columns vectorise (one
    compiled version per (R, L), cached on disk). Values stay lazily reduced in
    ``(-p, 2p)`` (:func:`_lazy`): a sum of R products of a weight or state in ``[0, p)``
    and a lazy value is below ``2 R p^2``, a product of two lazy values below ``4 p^2``,
    both exact integers below ``2^52``; only the outputs are reduced to ``[0, p)``, and
    written to the int64 ``Y``. The work runs in tiles of ``cb`` columns by ``rb`` rows,
    one tile per task on every core.
    """
    R = len(rtag)
    n_up = len(ltag)
    nr = hh.shape[0]
    S = Qt.shape[0]
    nc = Qt.shape[3]
    pinv = 1.0 / p
    cb, rb = TILE_COLS, TILE_ROWS
    n_cb = (nc + cb - 1) // cb
    n_rb = (nr + rb - 1) // rb
    for t in nb.prange(n_cb * n_rb):  # column-block major: a core keeps its block of Qt
        c0 = (t // n_rb) * cb
        w = min(nc, c0 + cb) - c0
        r0 = (t % n_rb) * rb
        st = np.empty((n_up, R, cb))
        new = np.empty((R, cb))
        below = np.empty((R, cb))
        for i in range(r0, min(nr, r0 + rb)):
            for l in range(n_up):
                for c in range(R):
                    st[l, c, :w] = hh[i, l + 1, c]
            for s in range(S):
                for j in range(w):  # input of layer 2: Q_s(b_j) h^1(a_i)
                    for r in range(R):
                        acc = 0.0
                        for c in range(R):
                            acc += hh[i, 0, c] * Qt[s, r, c, c0 + j]
                        below[r, j] = _lazy(acc, p, pinv)
                for l in range(n_up):
                    if l > 0:  # input of layer l + 2: W^I h^(l+1) (already advanced)
                        for j in range(w):
                            for r in range(R):
                                acc = 0.0
                                for c in range(R):
                                    acc += WI[l, r, c] * st[l - 1, c, j]
                                below[r, j] = _lazy(acc, p, pinv)
                    for j in range(w):
                        for r in range(R):
                            acc = 0.0
                            for c in range(R):
                                acc += WH[l, r, c] * st[l, c, j]
                            new[r, j] = _lazy(_lazy(acc, p, pinv) * below[r, j], p, pinv)
                        for r in range(R):
                            st[l, r, j] = new[r, j]
            for j in range(w):
                acc = 0.0
                for r in range(R):
                    acc += WO[r] * st[n_up - 1, r, j]
                Y[i, c0 + j] = np.int64(_red(acc, p, pinv))


#: Columns of one tile of :func:`mixed` (a tile's states, ``L R COLS`` integers, stay in cache).
MIXED_COLS = 256


@nb.njit(parallel=True, **_OPTS)
def mixed(hh, ur, uct, side, idx, WH, WI, WO, p, Y):  # pragma: no cover (compiled)
    """Y[i, j] when the steps after the shared prefix alternate between the two sides.

    hh : (nr, L, R) states after the prefix; ur : (nr, Sr, R) and uct : (Sc, R, nc) the
    layer-1 inputs ``W^{I,1} f(x_t)`` of the row probes and (transposed) of the column
    probes on their own steps; ``side[s]`` (0 row, 1 column) and ``idx[s]`` say whose input
    step s of the suffix is; WH : (L, R, R) and WI : (L - 1, R, R) the weights of layers
    1..L and 2..L; WO : (R,); Y : (nr, nc) output. Every layer runs per pair (no linear
    shortcut: layer 1 sees both sides), row by row on every core, in tiles of
    :data:`MIXED_COLS` columns.
    """
    nr, L, R = hh.shape
    nc = Y.shape[1]
    S = side.shape[0]
    pinv = 1.0 / p
    cb = MIXED_COLS
    for i in nb.prange(nr):
        st = np.empty((L, R, cb), np.int64)
        new = np.empty((R, cb), np.int64)
        below = np.empty((R, cb), np.int64)
        for c0 in range(0, nc, cb):
            w = min(nc, c0 + cb) - c0
            for l in range(L):
                for r in range(R):
                    st[l, r, :w] = hh[i, l, r]
            for s in range(S):
                for l in range(L):
                    if l == 0:
                        for r in range(R):
                            if side[s] == 0:
                                below[r, :w] = ur[i, idx[s], r]
                            else:
                                below[r, :w] = uct[idx[s], r, c0:c0 + w]
                    else:  # input of layer l + 1: W^I h^l (already advanced)
                        _matvec_mod(WI[l - 1], st[l - 1, :, :w], below[:, :w], p, pinv)
                    _matvec_mod(WH[l], st[l, :, :w], new[:, :w], p, pinv)
                    for r in range(R):
                        for j in range(w):
                            st[l, r, j] = _mulmod(new[r, j], below[r, j], p, pinv)
            for j in range(w):
                Y[i, c0 + j] = 0
            for r in range(R):
                wo = WO[r]
                for j in range(w):
                    v = Y[i, c0 + j] + _mulmod(wo, st[L - 1, r, j], p, pinv)
                    Y[i, c0 + j] = v - p if v >= p else v
