"""One step of each cell of the RAC family, batched, in float64 or exactly modulo a prime.

``apply_cell(weights, l, prev, below)`` computes ``h^l_t`` from ``prev = h^l_{t-d_l}``
(N, R_l) and ``below = h^{l-1}_t`` (N, R_{l-1}) for the cell of layer l (see
:mod:`tnrnn.spec`):

- ``mi``: ``(W^H prev [+ b^H]) * (W^I below [+ b^I])``;
- ``cp:K``: ``U [(V prev) * (W below)]`` (V and W are stored as ``W_H`` and ``W_I``);
- ``full``: ``sum_{a,b} A[c, a, b] prev[a] below[b]``.

Member states (:func:`member_initial_states`) are a tuple of L arrays of shape
(N, d_l, R_l): the last ``d_l`` states of layer l, oldest first, so that the oldest is the
``h^l_{t-d_l}`` the next step needs (all ``h^l_0`` at the start).
"""

from __future__ import annotations

import numpy as np

from .modular import mod_matmul
from .weights import RACWeights

__all__ = ["apply_cell", "member_initial_states", "member_step"]


def _linear(x: np.ndarray, w: np.ndarray, p: int | None) -> np.ndarray:
    """``x @ w.T`` (mod p), x (N, n), w (m, n)."""
    wt = np.ascontiguousarray(w.T)
    return x @ wt if p is None else mod_matmul(x, wt, p)


def _mul(a: np.ndarray, b: np.ndarray, p: int | None) -> np.ndarray:
    return a * b if p is None else (a * b) % p


def _add(a: np.ndarray, b: np.ndarray, p: int | None) -> np.ndarray:
    return a + b if p is None else (a + b) % p


def apply_cell(weights: RACWeights, layer: int, prev: np.ndarray, below: np.ndarray) -> np.ndarray:
    """``h^l_t`` (N, R_l) from ``h^l_{t-d_l}`` (N, R_l) and ``h^{l-1}_t`` (N, R_{l-1})."""
    spec, p, i = weights.spec, weights.prime, layer - 1
    cell = spec.cells[i]
    if cell == "full":
        A = weights.A[i]  # (c, a, b)
        R, Ra, Rb = A.shape
        inner = _linear(below, A.reshape(R * Ra, Rb), p).reshape(-1, R, Ra)  # [n, c, a]
        if p is None:
            return np.einsum("nca,na->nc", inner, prev)
        return mod_matmul(prev[:, None, :], np.ascontiguousarray(inner.transpose(0, 2, 1)), p)[:, 0]
    a = _linear(prev, weights.W_H[i], p)
    b = _linear(below, weights.W_I[i], p)
    if spec.bias:
        a = _add(a, weights.b_H[i], p)
        b = _add(b, weights.b_I[i], p)
    out = _mul(a, b, p)
    if cell == "mi":
        return out
    return _linear(out, weights.U[i], p)


def member_initial_states(weights: RACWeights, n: int) -> tuple[np.ndarray, ...]:
    """``h^l_0`` repeated: a tuple of L arrays (n, d_l, R_l)."""
    spec = weights.spec
    return tuple(np.broadcast_to(h0, (n, d, h0.size)).copy() for h0, d in zip(weights.h0, spec.dilations))


def member_step(weights: RACWeights, states: tuple[np.ndarray, ...], x_t: np.ndarray, hook=None) -> tuple:
    """One time step of every layer: new member states from ``states`` and inputs (N, M).

    ``hook(l, h)`` (optional) may replace each new state before the layer above uses it
    (the stabiliser renormalises there).
    """
    below = x_t
    out = []
    for l, hist in enumerate(states, start=1):
        h = apply_cell(weights, l, hist[:, 0], below)
        if hook is not None:
            h = hook(l, h)
        out.append(np.concatenate([hist[:, 1:], h[:, None]], axis=1))
        below = h
    return tuple(out)
