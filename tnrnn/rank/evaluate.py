"""Evaluate ``Y[i, j] = y(a_i on the A steps, b_j on the B steps)`` for all pairs (i, j).

Exactly over F_p (int weights) or in float64, with work shared between pairs:

- The *row side* is the side holding step 1. Its probes are run over the longest prefix
  of steps on that side once per probe (:func:`tnrnn.rac.advance`); only then do states
  become per pair.
- Per-pair states are stored as one 2-D array ``(rows, cols)`` per layer and channel
  ("structure of arrays"), processed in row chunks small enough to stay in cache.
- When every remaining step is on the column side (A is a prefix: Start-End, splits),
  layer 1 is *linear* in its boundary state ``h^1_k(a_i)``:
  ``h^1_{k+s}(i, j) = P_s(b_j) h^1_k(a_i)`` with ``P_s(b) = diag(W^{I,1} f(b_s)) W^{H,1}
  P_{s-1}(b)``. So layer 1 is never run per pair: the input of layer 2 is
  ``Q_s(b_j) h^1_k(a_i)`` with ``Q_s = W^{I,2} P_s`` computed once per column probe, and
  for L = 1 the whole matrix is one product ``Y = H G^T``.
- Exact arithmetic uses uint64 entries in ``[0, p)`` with ``p < 2**31``: a product is below
  ``2**62``, so up to 4 products are summed before one ``% p``.
- Otherwise (interleaved and other partitions whose sides alternate after the prefix)
  every layer runs per pair.
- With numba installed, the exact per-pair recursions of both cases (L >= 2 for the first)
  run as fused compiled loops over the pairs on every core (:mod:`tnrnn.rank._evalkernels`),
  with the same field arithmetic, so the matrix is the same entry for entry
  (``engine="numpy"`` forces the numpy loops).
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError, MemoryLimitError
from ..modular import mod_matmul
from ..partition import Partition
from ..rac import advance, initial_states
from ..weights import RACWeights

__all__ = ["evaluate_pairs", "MAX_MATRIX_ENTRIES"]

#: Largest evaluation matrix (entries) allocated without an explicit override.
MAX_MATRIX_ENTRIES = 60_000_000

_CHUNK_ELEMENTS = 16_384


class _Arith:
    """Elementwise arithmetic on pair arrays: mod p in uint64, or plain float64."""

    def __init__(self, prime: int | None) -> None:
        self.prime = prime
        if prime is None:
            self.dtype = np.float64
            self.group = 1 << 30
        else:
            self.dtype = np.uint64
            self.P = np.uint64(prime)
            self.group = max(1, (2**64 - 1) // (prime - 1) ** 2)

    def reduce(self, x: np.ndarray) -> np.ndarray:
        if self.prime is not None:
            np.remainder(x, self.P, out=x)
        return x

    def scalars(self, arr: np.ndarray) -> np.ndarray:
        return np.asarray(arr, dtype=self.dtype)

    def sum_products(self, pairs, tmp: np.ndarray) -> np.ndarray | None:
        """``sum x * y`` over the (x, y) pairs (broadcasting), reduced often enough never to
        overflow; ``None`` when there are no pairs."""
        acc = None
        count = 0
        for x, y in pairs:
            if acc is None:
                acc = np.multiply(x, y)
                count = 1
                continue
            if count == self.group:
                self.reduce(acc)
                count = 1
            np.multiply(x, y, out=tmp)
            acc += tmp
            count += 1
        return None if acc is None else self.reduce(acc)

    def lincomb(self, coeffs: np.ndarray, arrays: list, tmp: np.ndarray) -> np.ndarray:
        """``sum_c coeffs[c] * arrays[c]`` (scalar coefficients), reduced."""
        acc = self.sum_products(((arrays[c], w) for c, w in enumerate(coeffs) if w != 0), tmp)
        return np.zeros_like(arrays[0]) if acc is None else acc

    def mul(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """``a * b`` reduced, in place in ``a`` (``b`` may broadcast)."""
        np.multiply(a, b, out=a)
        return self.reduce(a)


def _matmul(a: np.ndarray, b: np.ndarray, prime: int | None) -> np.ndarray:
    if prime is None:
        return a @ b
    return mod_matmul(a.astype(np.int64), b.astype(np.int64), prime)


def _side_inputs(weights: RACWeights, x: np.ndarray, name: str, steps: int) -> np.ndarray:
    arr = np.asarray(x)
    M = weights.spec.M
    if arr.ndim != 3 or arr.shape[1:] != (steps, M):
        raise InputError(f"{name} probes must have shape (n, {steps}, {M}), got {arr.shape}")
    return arr


def _proj1(weights: RACWeights, x: np.ndarray) -> np.ndarray:
    """Layer-1 input projections ``W^{I,1} x`` for inputs (n, t, M): (n, t, R)."""
    W = np.ascontiguousarray(weights.W_I[0].T)
    if weights.prime is None:
        return np.asarray(x, dtype=np.float64) @ W
    from ..modular import to_field

    return mod_matmul(to_field(x, weights.prime), W, weights.prime)


def evaluate_pairs(
    weights: RACWeights,
    partition: Partition,
    probes_A: np.ndarray,
    probes_B: np.ndarray,
    *,
    max_entries: int = MAX_MATRIX_ENTRIES,
    engine: str = "auto",
) -> np.ndarray:
    """The matrix ``Y[i, j] = y(a_i, b_j)`` of output 0.

    Parameters
    ----------
    weights : RACWeights
        Exact (``prime`` set: the result is int64 in ``[0, p)``) or float64.
    partition : Partition
        Over the spec's T steps.
    probes_A : array (n_A, |A|, M)
        Represented inputs ``f(x^t)`` on the steps of A, in increasing step order.
    probes_B : array (n_B, |B|, M)
    max_entries : int
        Refuse (``MemoryLimitError``) matrices with more entries.
    engine : {"auto", "numba", "numpy"}
        ``"auto"``: the compiled kernel where one exists (exact weights) and numba is
        installed. The result does not depend on it.

    Returns
    -------
    array (n_A, n_B)
    """
    spec = weights.spec
    partition.check_T(spec.T)
    a = _side_inputs(weights, probes_A, "A", len(partition.A))
    b = _side_inputs(weights, probes_B, "B", len(partition.B))
    if a.shape[0] * b.shape[0] > max_entries:
        raise MemoryLimitError(
            f"evaluation matrix {a.shape[0]} x {b.shape[0]} exceeds max_entries={max_entries}; "
            "use fewer probes or raise max_entries"
        )
    if not spec.plain:  # members of the family: the generic path
        from .members import evaluate_member_pairs

        return evaluate_member_pairs(weights, partition, a, b)
    if engine not in ("auto", "numba", "numpy"):
        raise InputError(f"engine must be 'auto', 'numba' or 'numpy', got {engine!r}")
    compiled = engine == "numba" or (engine == "auto" and _has_numba())
    if 1 in partition.A:
        return _evaluate_rows(weights, partition.A, a, partition.B, b, compiled)
    return _evaluate_rows(weights, partition.B, b, partition.A, a, compiled).T


def _has_numba() -> bool:
    import importlib.util

    return importlib.util.find_spec("numba") is not None


def _evaluate_rows(weights, row_steps, xr, col_steps, xc, compiled: bool = False) -> np.ndarray:
    """Y with rows over the side holding step 1."""
    spec = weights.spec
    p = weights.prime
    k = 0
    while k < len(row_steps) and row_steps[k] == k + 1:
        k += 1
    nr = xr.shape[0]
    h = advance(weights, initial_states(weights, nr), xr[:, :k])  # shared prefix
    rest = list(range(k + 1, spec.T + 1))
    where = {t: ("r", i) for i, t in enumerate(row_steps)}
    where.update({t: ("c", i) for i, t in enumerate(col_steps)})
    schedule = [where[t] for t in rest]
    ur = _proj1(weights, xr)  # (nr, |rows|, R)
    uc = _proj1(weights, xc)
    ar = _Arith(p)
    if all(side == "c" for side, _ in schedule):
        return _pure_suffix(weights, ar, h, uc[:, [i for _, i in schedule]], compiled)
    if compiled and p is not None:
        return _mixed_compiled(weights, h, ur, uc, schedule)
    return _mixed(weights, ar, h, ur, uc, schedule)


def _col_transfer(weights, uc: np.ndarray) -> list[np.ndarray]:
    """``Q_s = W^{I,2} P_s(b)`` per column probe and suffix step (or ``W^O P_S`` for L = 1)."""
    p = weights.prime
    nc, S, R = uc.shape
    dt = np.int64 if p is not None else np.float64
    P = np.broadcast_to(np.eye(R, dtype=dt), (nc, R, R)).copy()
    WH = np.asarray(weights.W_H[0], dtype=dt)
    out = []
    top = weights.W_I[1] if weights.spec.L >= 2 else weights.W_O[:1]
    top = np.asarray(top, dtype=dt)
    for s in range(S):
        P = _matmul(np.broadcast_to(WH, (nc, R, R)), P, p)
        P = P * uc[:, s, :, None]
        if p is not None:
            P %= p
        if weights.spec.L >= 2:
            out.append(_matmul(np.broadcast_to(top, (nc,) + top.shape), P, p))
    if weights.spec.L == 1:
        out.append(_matmul(np.broadcast_to(top, (nc,) + top.shape), P, p))
    return out


def _pure_suffix(weights, ar: _Arith, h: np.ndarray, uc: np.ndarray, compiled: bool = False) -> np.ndarray:
    """Every remaining step on the column side: layer 1 handled linearly."""
    spec = weights.spec
    p = weights.prime
    nr, nc = h.shape[0], uc.shape[0]
    R, L = spec.R, spec.L
    Q = _col_transfer(weights, uc)
    if L == 1:
        G = Q[0][:, 0, :]  # (nc, R): y = G(b) . h^1_k(a)
        Y = _matmul(h[:, 0], np.ascontiguousarray(G.T), p)
        return Y
    if compiled and p is not None:
        return _pure_suffix_compiled(weights, h, Q)
    Qs = [ar.scalars(q) for q in Q]  # each (nc, R, R)
    WH, WI, WO = _field_weights(ar, weights)
    hh = ar.scalars(h)
    Y = np.empty((nr, nc), dtype=ar.dtype)
    for r0, r1, tmp in _row_chunks(ar, nr, nc):
        m = r1 - r0
        h1 = [hh[r0:r1, 0, c][:, None] for c in range(R)]
        states = [[np.broadcast_to(hh[r0:r1, l, c][:, None], (m, nc)) for c in range(R)] for l in range(1, L)]
        for s, q in enumerate(Qs):
            below = []
            for r in range(R):  # v_r = sum_c h1_c(i) * Q_s(j)[r, c]
                below.append(_outer_sum(ar, h1, q[:, r, :], tmp))
            _advance_pairs(ar, WH[1:], WI[1:], states, below, tmp)
        Y[r0:r1] = ar.lincomb(WO, states[-1], tmp)
    return Y.astype(np.int64) if p is not None else Y


def _pure_suffix_compiled(weights, h: np.ndarray, Q: list) -> np.ndarray:
    """The L >= 2 pure-suffix recursion in one compiled loop (see :mod:`._evalkernels`)."""
    from . import _evalkernels

    p = weights.prime
    nr, nc = h.shape[0], Q[0].shape[0]
    Qt = np.ascontiguousarray(np.stack(Q).transpose(0, 2, 3, 1), dtype=np.int64)  # (S, R, R, nc)
    WH = np.ascontiguousarray(np.stack(weights.W_H[1:]), dtype=np.int64)
    WI = np.ascontiguousarray(np.stack(weights.W_I[1:]), dtype=np.int64)
    WO = np.ascontiguousarray(weights.W_O[0], dtype=np.int64)
    Y = np.empty((nr, nc), dtype=np.int64)
    R = weights.spec.R
    if 2 * max(R, 2) * p * p < 2**52:  # small prime: exact lazy float64 sums, vectorised
        f64 = lambda x: np.ascontiguousarray(x, dtype=np.float64)  # noqa: E731
        _evalkernels.pure_suffix_float(f64(h), f64(Qt), f64(WH), f64(WI), f64(WO), float(p), Y,
                                       (0,) * R, (0,) * (weights.spec.L - 1))
        return Y
    _evalkernels.pure_suffix(np.ascontiguousarray(h, dtype=np.int64), Qt, WH, WI, WO, p, Y)
    return Y


def _mixed_compiled(weights, h: np.ndarray, ur: np.ndarray, uc: np.ndarray, schedule) -> np.ndarray:
    """:func:`_mixed` in one compiled loop over the pairs (see :mod:`._evalkernels`)."""
    from . import _evalkernels

    i64 = lambda x: np.ascontiguousarray(x, dtype=np.int64)  # noqa: E731
    R, L = weights.spec.R, weights.spec.L
    WI = np.stack(weights.W_I[1:]) if L > 1 else np.zeros((0, R, R))
    Y = np.empty((h.shape[0], uc.shape[0]), dtype=np.int64)
    _evalkernels.mixed(i64(h), i64(ur), i64(uc.transpose(1, 2, 0)), i64([side == "c" for side, _ in schedule]),
                       i64([i for _, i in schedule]), i64(np.stack(weights.W_H)), i64(WI),
                       i64(weights.W_O[0]), weights.prime, Y)
    return Y


def _field_weights(ar: _Arith, weights: RACWeights) -> tuple[list, list, np.ndarray]:
    """``W^H``, ``W^I`` per layer and the ``W^O`` row of the evaluated output, as ``ar`` scalars."""
    return ([ar.scalars(w) for w in weights.W_H], [ar.scalars(w) for w in weights.W_I],
            ar.scalars(weights.W_O[0]))


def _row_chunks(ar: _Arith, nr: int, nc: int):
    """Row blocks ``(r0, r1, tmp)`` of about ``_CHUNK_ELEMENTS`` pairs, with a scratch array."""
    chunk = max(1, _CHUNK_ELEMENTS // nc)
    for r0 in range(0, nr, chunk):
        r1 = min(nr, r0 + chunk)
        yield r0, r1, np.empty((r1 - r0, nc), dtype=ar.dtype)


def _advance_pairs(ar: _Arith, WH: list, WI: list, states: list, below: list, tmp: np.ndarray) -> None:
    """One RAC step of a stack of layers on pair arrays, in place.

    ``states[k]`` holds the R channel arrays of the k-th layer of the stack, whose weights
    are ``WH[k]`` and ``WI[k]``; ``below`` is the input of the first layer of the stack.
    """
    for k in range(len(states)):
        R = len(states[k])
        if k > 0:
            below = [ar.lincomb(WI[k][r], states[k - 1], tmp) for r in range(R)]
        new = [ar.lincomb(WH[k][r], states[k], tmp) for r in range(R)]
        states[k] = [ar.mul(new[r], below[r]) for r in range(R)]


def _outer_sum(ar: _Arith, col_vecs: list, row_coeffs: np.ndarray, tmp: np.ndarray) -> np.ndarray:
    """``sum_c col_vecs[c] (m, 1) * row_coeffs[:, c] (nc,)``, reduced: shape (m, nc)."""
    return ar.sum_products(((col_vecs[c], row_coeffs[:, c][None, :]) for c in range(len(col_vecs))), tmp)


def _mixed(weights, ar: _Arith, h: np.ndarray, ur, uc, schedule) -> np.ndarray:
    """General case: every layer per pair after the shared prefix."""
    spec = weights.spec
    p = weights.prime
    nr, nc = h.shape[0], uc.shape[0]
    R, L = spec.R, spec.L
    WH, WI, WO = _field_weights(ar, weights)
    hh = ar.scalars(h)
    urr = ar.scalars(ur)
    ucc = ar.scalars(uc)
    Y = np.empty((nr, nc), dtype=ar.dtype)
    for r0, r1, tmp in _row_chunks(ar, nr, nc):
        m = r1 - r0
        states = [[np.broadcast_to(hh[r0:r1, l, c][:, None], (m, nc)) for c in range(R)] for l in range(L)]
        for side, idx in schedule:
            if side == "r":
                below = [urr[r0:r1, idx, r][:, None] for r in range(R)]
            else:
                below = [ucc[:, idx, r][None, :] for r in range(R)]
            _advance_pairs(ar, WH, WI, states, below, tmp)
        Y[r0:r1] = ar.lincomb(WO, states[-1], tmp)
    return Y.astype(np.int64) if p is not None else Y
