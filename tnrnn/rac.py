"""The RAC forward pass, batched over N sequences, in float64 or exactly modulo a prime.

``h^l_t = (W^{H,l} h^l_{t-1}) * (W^{I,l} h^{l-1}_t)`` with ``h^0_t = f(x^t)`` and
``y = W^O h^L_T``. Inputs are already-represented vectors ``f(x^t)`` of shape (N, T, M).
States are arrays of shape (N, L, R) (layer index 0 is layer 1), so a run can be stopped
at any step and continued later with :func:`advance`.

Every step goes through the layer's cell (:meth:`tnrnn.cells.Cell.step`); the plain RAC
keeps its vectorised kernel on (N, L, R) states, chosen in one place
(:func:`tnrnn.cells.step.advance_states`). Members of the family (``spec.plain`` False:
per-layer widths, ``cp``/``full`` cells, biases, dilations; see :mod:`tnrnn.spec`) run
the same functions with member states: a tuple of L arrays (N, d_l, R_l) holding the last
``d_l`` states of each layer, oldest first; :func:`hidden_states` then returns a tuple
of L arrays (N, T + 1, R_l).
"""

from __future__ import annotations

import numpy as np

from .cells.step import advance_states, initial_states as _initial, uses_plain_kernel
from .errors import InputError, WeightsError
from .modular import mod_matmul, to_field
from .weights import RACWeights

__all__ = ["initial_states", "advance", "hidden_states", "readout", "forward"]


def _check_weights(weights: object) -> RACWeights:
    if not isinstance(weights, RACWeights):
        hint = " (a spec has no weights: pass random_weights(spec, rng=0) or random_modular_weights(spec))"
        raise WeightsError(f"expected RACWeights, got {type(weights).__name__}"
                           + (hint if type(weights).__name__ == "RACSpec" else ""))
    return weights


def _prepare_inputs(weights: RACWeights, inputs: np.ndarray, steps: int | None) -> np.ndarray:
    _check_weights(weights)
    arr = np.asarray(inputs)
    M = weights.spec.M
    if arr.ndim != 3 or arr.shape[2] != M:
        raise InputError(f"inputs must have shape (N, T, M) with M={M}, got {arr.shape}")
    if steps is not None and arr.shape[1] != steps:
        raise InputError(f"inputs must have T={steps} steps for {weights.spec}, got {arr.shape[1]}")
    if weights.prime is not None:
        return to_field(arr, weights.prime)
    if arr.dtype.kind not in "iuf" or not np.all(np.isfinite(arr)):
        raise InputError(f"inputs must hold finite real numbers, got dtype {arr.dtype}")
    return arr.astype(np.float64, copy=False)


def _check_member_states(weights: RACWeights, states: object) -> tuple[np.ndarray, ...]:
    s = weights.spec
    shapes = ", ".join(f"(N, {d}, {r})" for d, r in zip(s.dilations, s.widths))
    if not isinstance(states, (tuple, list)) or len(states) != s.L:
        raise InputError(f"states of {s} must be a tuple of L={s.L} arrays {shapes}, got {type(states).__name__}")
    arrs = [np.asarray(a) for a in states]
    n = arrs[0].shape[0] if arrs[0].ndim == 3 else -1
    for a, d, r in zip(arrs, s.dilations, s.widths):
        if a.shape != (n, d, r):
            raise InputError(f"states of {s} must be arrays {shapes}, got {[x.shape for x in arrs]}")
    if weights.prime is not None:
        return tuple(to_field(a, weights.prime) for a in arrs)
    return tuple(a.astype(np.float64, copy=False) for a in arrs)


def _check_states(weights: RACWeights, states: np.ndarray) -> np.ndarray:
    s = weights.spec
    if not uses_plain_kernel(s):
        return _check_member_states(weights, states)
    arr = np.asarray(states)
    if arr.ndim != 3 or arr.shape[1:] != (s.L, s.R):
        raise InputError(f"states must have shape (N, L, R) = (N, {s.L}, {s.R}), got {arr.shape}")
    if weights.prime is not None:
        return to_field(arr, weights.prime)
    return arr.astype(np.float64, copy=False)


def initial_states(weights: RACWeights, n: int) -> np.ndarray:
    """The initial states ``h^l_0`` repeated for ``n`` sequences: shape (n, L, R).

    Members: a tuple of L arrays (n, d_l, R_l) (see the module docstring)."""
    return _initial(weights, n)


def advance(
    weights: RACWeights,
    states: np.ndarray,
    inputs: np.ndarray,
    *,
    record: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Run the RAC from ``states`` over ``inputs`` (N, t, M) and return the new states.

    Parameters
    ----------
    weights : RACWeights
    states : array (N, L, R)
        States after some step s (e.g. from :func:`initial_states`, or a previous call).
    inputs : array (N, t, M)
        The represented inputs of steps s+1 .. s+t.
    record : bool
        Also return every intermediate state, shape (N, t, L, R).

    Returns
    -------
    states : array (N, L, R), or (states, trajectory) when ``record``.
    """
    x = _prepare_inputs(weights, inputs, None)
    h = _check_states(weights, states)
    n = h.shape[0] if isinstance(h, np.ndarray) else h[0].shape[0]
    if x.shape[0] != n:
        raise InputError(f"states and inputs disagree on N: {n} vs {x.shape[0]}")
    return advance_states(weights, h.copy() if isinstance(h, np.ndarray) else h, x, record)


def hidden_states(weights: RACWeights, inputs: np.ndarray) -> np.ndarray | tuple[np.ndarray, ...]:
    """All states ``h^l_t`` for t = 0..T: shape (N, T+1, L, R); index 0 holds ``h_0``.

    Members: a tuple of L arrays (N, T+1, R_l)."""
    x = _prepare_inputs(weights, inputs, weights.spec.T)
    h0 = initial_states(weights, x.shape[0])
    _, traj = advance(weights, h0, x, record=True)
    if isinstance(traj, tuple):  # member states: one array per layer
        return tuple(np.concatenate([w[None, None].repeat(x.shape[0], 0), tr], axis=1)
                     for w, tr in zip(weights.h0, traj))
    return np.concatenate([h0[:, None], traj], axis=1)


def readout(weights: RACWeights, states: np.ndarray) -> np.ndarray:
    """Outputs ``y = W^O h^L`` from states (N, L, R): shape (N, K)."""
    h = _check_states(weights, states)
    h = h[-1][:, -1] if isinstance(h, tuple) else h[:, -1]
    if weights.prime is None:
        return h @ weights.W_O.T
    return mod_matmul(h, np.ascontiguousarray(weights.W_O.T), weights.prime)


def forward(weights: RACWeights, inputs: np.ndarray) -> np.ndarray:
    """The RAC's outputs for inputs (N, T, M): shape (N, K).

    Float weights: an output that overflows float64 (inf or nan) raises
    :class:`~tnrnn.errors.InputError` instead of being returned; :func:`advance` and
    :func:`hidden_states` return such values as they are.

    Examples
    --------
    >>> import numpy as np
    >>> from tnrnn import RACSpec, random_weights, forward
    >>> spec = RACSpec(M=3, R=4, L=2, T=5, K=2)
    >>> w = random_weights(spec, rng=0)
    >>> forward(w, np.ones((7, 5, 3))).shape
    (7, 2)
    """
    x = _prepare_inputs(_check_weights(weights), inputs, weights.spec.T)
    with np.errstate(over="ignore", invalid="ignore"):
        h = advance(weights, initial_states(weights, x.shape[0]), x)
        y = readout(weights, h)
    if weights.prime is None and not np.all(np.isfinite(y)):
        bad = int(np.count_nonzero(~np.all(np.isfinite(y), axis=1)))
        raise InputError(
            f"float64 overflow: {bad} of {y.shape[0]} outputs are inf or nan (largest |input| "
            f"{float(np.max(np.abs(x))) if x.size else 0:.3g}); scale the inputs down, or use exact "
            "weights (random_modular_weights) for exact values at any size"
        )
    return y
