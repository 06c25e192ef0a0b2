"""The forward pass through the cells, batched, in float64 or exactly modulo a prime.

``apply_cell(weights, l, prev, below)`` computes ``h^l_t`` from ``prev = h^l_{t-d_l}``
(N, R_l) and ``below = h^{l-1}_t`` (N, R_{l-1}) with the cell of layer l
(:meth:`Cell.step`). Member states (:func:`member_initial_states`) are a tuple of L
arrays of shape (N, d_l, R_l): the last ``d_l`` states of layer l, oldest first, so that
the oldest is the ``h^l_{t-d_l}`` the next step needs (all ``h^l_0`` at the start).

The plain RAC (:func:`uses_plain_kernel`) also has a vectorised kernel on states of shape
(N, L, R) (:func:`plain_advance`); :func:`advance_states` is the one place that picks it.
``weights`` is any object with ``spec``, ``prime``, ``h0``, ``W_H``, ``W_I`` and
``layer_params(i)`` (a :class:`tnrnn.weights.RACWeights`); this module imports no weights.
"""

from __future__ import annotations

import numpy as np

from ..modular import mod_matmul

__all__ = ["apply_cell", "member_initial_states", "member_step", "uses_plain_kernel", "plain_advance",
           "advance_states", "newest_states"]


def uses_plain_kernel(spec) -> bool:
    """True where the plain RAC's vectorised (N, L, R) kernels apply: one width, no bias,
    dilation 1, and cells whose step the kernel computes (``mi``)."""
    return spec.plain


def apply_cell(weights, layer: int, prev: np.ndarray, below: np.ndarray) -> np.ndarray:
    """``h^l_t`` (N, R_l) from ``h^l_{t-d_l}`` (N, R_l) and ``h^{l-1}_t`` (N, R_{l-1})."""
    spec = weights.spec
    cell = spec.cells[layer - 1]
    return cell.step(weights.layer_params(layer - 1), prev, below, spec.bias, weights.prime)


def member_initial_states(weights, n: int) -> tuple[np.ndarray, ...]:
    """``h^l_0`` repeated: a tuple of L arrays (n, d_l, R_l)."""
    spec = weights.spec
    return tuple(np.broadcast_to(h0, (n, d, h0.size)).copy() for h0, d in zip(weights.h0, spec.dilations))


def member_step(weights, states: tuple[np.ndarray, ...], x_t: np.ndarray, hook=None) -> tuple:
    """One time step of every layer: new member states from ``states`` and inputs (N, M).

    ``hook(l, h)`` (optional) may replace each new state before the layer above uses it.
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


def plain_advance(weights, h: np.ndarray, x: np.ndarray, record: bool):
    """The plain RAC's kernel: states (N, L, R) (updated in place) over inputs (N, t, M)."""
    p = weights.prime
    if p is None:
        matmul = np.matmul
        mul = np.multiply
    else:
        matmul = lambda a, b: mod_matmul(a, b, p)  # noqa: E731
        mul = lambda a, b: np.multiply(a, b) % p  # noqa: E731
    L = weights.spec.L
    n_steps = x.shape[1]
    proj1 = matmul(x, np.ascontiguousarray(weights.W_I[0].T))  # (N, t, R)
    W_H_T = [np.ascontiguousarray(w.T) for w in weights.W_H]
    W_I_T = [np.ascontiguousarray(w.T) for w in weights.W_I]
    traj = np.empty((h.shape[0], n_steps) + h.shape[1:], dtype=h.dtype) if record else None
    for t in range(n_steps):
        below = proj1[:, t]
        for l in range(L):
            if l > 0:
                below = matmul(h[:, l - 1], W_I_T[l])
            h[:, l] = mul(matmul(h[:, l], W_H_T[l]), below)
        if record:
            traj[:, t] = h
    return (h, traj) if record else h


def _member_advance(weights, states: tuple, x: np.ndarray, record: bool):
    traj = [] if record else None
    for t in range(x.shape[1]):
        states = member_step(weights, states, x[:, t])
        if record:
            traj.append(tuple(h[:, -1] for h in states))
    if not record:
        return states
    return states, tuple(np.stack([step[l] for step in traj], axis=1) if traj else
                         np.zeros((x.shape[0], 0, r), dtype=states[0].dtype)
                         for l, r in enumerate(weights.spec.widths))


def advance_states(weights, states, x: np.ndarray, record: bool = False):
    """Run from checked states over inputs (N, t, M) in the weights' arithmetic: the plain
    kernel on (N, L, R) states where it applies, the cells on member states otherwise."""
    if uses_plain_kernel(weights.spec):
        return plain_advance(weights, states, x, record)
    return _member_advance(weights, states, x, record)


def initial_states(weights, n: int):
    """``h^l_0`` repeated for n sequences, in the state form :func:`advance_states` takes."""
    if uses_plain_kernel(weights.spec):
        h0 = np.stack(weights.h0)  # (L, R)
        return np.broadcast_to(h0, (n,) + h0.shape).copy()
    return member_initial_states(weights, n)


def newest_states(spec, states) -> list[np.ndarray]:
    """Views (N, R_l) of the newest state of each layer, in either state form."""
    if uses_plain_kernel(spec):
        return [states[:, l] for l in range(spec.L)]
    return [h[:, -1] for h in states]
