"""The probe matrix ``Y[i, j] = y(a_i, b_j)`` for members of the RAC family.

A generic path, kept apart from the plain RAC's tuned kernels (:mod:`.evaluate`): the
side holding step 1 is run over its longest prefix of steps once per probe (member
states, :mod:`tnrnn.cells`); then every pair runs the remaining steps, in row blocks of
about :data:`_CHUNK_PAIRS` pairs, with the same field arithmetic as :func:`tnrnn.forward`
(exact over F_p for modular weights), so ``Y[i, j]`` equals ``forward`` on the merged
sequence entry for entry.
"""

from __future__ import annotations

import numpy as np

from ..cells import member_initial_states, member_step
from ..modular import mod_matmul, to_field
from ..partition import Partition
from ..weights import RACWeights

__all__ = ["evaluate_member_pairs"]

_CHUNK_PAIRS = 32_768


def _field(weights: RACWeights, x: np.ndarray) -> np.ndarray:
    """Probe inputs in the weights' arithmetic: F_p entries, or float64."""
    if weights.prime is not None:
        return to_field(x, weights.prime)
    return np.asarray(x).astype(np.float64)


def evaluate_member_pairs(
    weights: RACWeights, partition: Partition, probes_A: np.ndarray, probes_B: np.ndarray,
) -> np.ndarray:
    """``Y[i, j]`` = output 0 on ``a_i`` (steps of A) and ``b_j`` (steps of B): (n_A, n_B).

    Called by :func:`tnrnn.rank.evaluate.evaluate_pairs`, which has checked the probes'
    shapes and the size of the matrix.
    """
    a, b = _field(weights, probes_A), _field(weights, probes_B)
    if 1 in partition.A:
        return _rows(weights, partition.A, a, partition.B, b)
    return _rows(weights, partition.B, b, partition.A, a).T


def _rows(weights: RACWeights, row_steps, xr, col_steps, xc) -> np.ndarray:
    spec, p = weights.spec, weights.prime
    k = 0
    while k < len(row_steps) and row_steps[k] == k + 1:
        k += 1
    nr, nc = xr.shape[0], xc.shape[0]
    states = member_initial_states(weights, nr)
    for t in range(k):  # the shared prefix, once per row probe
        states = member_step(weights, states, xr[:, t])
    where = {t: (xr, i) for i, t in enumerate(row_steps)}
    where.update({t: (xc, i) for i, t in enumerate(col_steps)})
    w_out = np.ascontiguousarray(weights.W_O[0][:, None])
    Y = np.empty((nr, nc), dtype=np.int64 if p is not None else np.float64)
    chunk = max(1, _CHUNK_PAIRS // max(nc, 1))
    for r0 in range(0, nr, chunk):
        r1 = min(nr, r0 + chunk)
        m = r1 - r0
        h = tuple(np.repeat(s[r0:r1], nc, axis=0) for s in states)  # pair (i, j) at i * nc + j
        for t in range(k + 1, spec.T + 1):
            src, i = where[t]
            x_t = np.repeat(src[r0:r1, i], nc, axis=0) if src is xr else np.tile(src[:, i], (m, 1))
            h = member_step(weights, h, x_t)
        top = h[-1][:, -1]
        y = top @ w_out if p is None else mod_matmul(top, w_out, p)
        Y[r0:r1] = y.reshape(m, nc)
    return Y
