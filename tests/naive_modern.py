"""Reference loops for modern recurrent layers (tests only): the independent oracle.

Written straight from the equations, with no tnrnn import, for any stack of layers

- ``mi``: ``h_t = (W_H h_{t-1}) * (W_I z_t)`` (the RAC of Levine et al.), output ``o_t = h_t``
  (with optional biases ``b_H``, ``b_I`` in the layer's weights: ``(W_H h + b_H) * (W_I z + b_I)``);
- ``glru``: ``h_t = (A z_t) * h_{t-1} + B z_t`` (gated linear recurrence with input-dependent
  diagonal decay, the polynomial core of a selective SSM), output ``o_t = h_t``;
- ``linattn:K``: ``S_t = S_{t-1} + (W_K z_t)(W_V z_t)^T`` (a K x R state, ``S_0 = 0``),
  output ``o_t = S_t^T (W_Q z_t)`` (causal linear attention, one head),

where ``z_t = f(x^t)`` in F^M for layer 1 and ``o^{l-1}_t`` above it; ``y = w . o^L_T``.
The forward pass runs in float64 or exactly modulo a prime ``p < 2**31`` (every product is
reduced before it is summed, so int64 never overflows), vectorised over a batch of
sequences only; every channel sum is an explicit loop.

The exact separation rank of ``y`` for a partition (A, B) of the steps is the rank over F_p
of the direct probe matrix ``Y[i, j] = y(a_i, b_j)`` with random weights and random probe
inputs ``a_i`` (on A) and ``b_j`` (on B) in F_p^M, computed with python-flint. The number
of probes doubles until the rank is below it on both sides.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import comb

import numpy as np

#: The default prime: 2**31 - 1, so a product of two residues fits in int64.
P = 2_147_483_647


def parse_layer(cell: str) -> tuple[str, int | None]:
    """``"mi"`` -> ("mi", None), ``"glru"`` -> ("glru", None), ``"linattn:K"`` -> ("linattn", K)."""
    if cell in ("mi", "glru"):
        return cell, None
    head, _, rest = cell.partition(":")
    if head == "linattn" and rest.isdigit() and int(rest) >= 1:
        return "linattn", int(rest)
    raise ValueError(f"layer must be 'mi', 'glru' or 'linattn:K' (K >= 1), got {cell!r}")


@dataclass(frozen=True)
class Stack:
    """Weights of a stack of layers. ``layers[l]`` maps a weight name to its array."""

    M: int
    widths: tuple[int, ...]
    cells: tuple[str, ...]
    layers: tuple[dict, ...]
    w: np.ndarray
    p: int | None


def _draw(rng, shape, p):
    if p is None:
        return rng.standard_normal(shape)
    return rng.integers(0, p, size=shape, dtype=np.int64)


def random_stack(M: int, widths, cells, rng, p: int | None = P) -> Stack:
    """Random weights (normal in float64, uniform in F_p when ``p`` is given)."""
    widths = tuple(widths)
    cells = tuple(cells)
    if len(widths) != len(cells):
        raise ValueError(f"one width per layer: got {len(widths)} widths for {len(cells)} cells")
    layers = []
    below = M
    for R, cell in zip(widths, cells):
        kind, K = parse_layer(cell)
        if kind == "mi":
            layer = {"W_H": _draw(rng, (R, R), p), "W_I": _draw(rng, (R, below), p), "h0": _draw(rng, R, p)}
        elif kind == "glru":
            layer = {"A": _draw(rng, (R, below), p), "B": _draw(rng, (R, below), p), "h0": _draw(rng, R, p)}
        else:
            layer = {"W_K": _draw(rng, (K, below), p), "W_V": _draw(rng, (R, below), p),
                     "W_Q": _draw(rng, (K, below), p)}
        layers.append(layer)
        below = R
    return Stack(M, widths, cells, tuple(layers), _draw(rng, widths[-1], p), p)


def _mul(a, b, p):
    return a * b if p is None else (a * b) % p


def _matvec(W, x, p):
    """``W x`` for a batch x of shape (N, n): out[:, i] = sum_j W[i, j] x[:, j]."""
    out = np.zeros((x.shape[0], W.shape[0]), dtype=x.dtype)
    for i in range(W.shape[0]):
        acc = np.zeros(x.shape[0], dtype=x.dtype)
        for j in range(W.shape[1]):
            acc = acc + _mul(W[i, j], x[:, j], p)
            if p is not None:
                acc %= p
        out[:, i] = acc
    return out


def _add(a, b, p):
    return a + b if p is None else (a + b) % p


def layer_outputs(stack: Stack, l: int, z: np.ndarray) -> np.ndarray:
    """Outputs ``o^l_t`` for t = 1..T of layer ``l`` (0-based) fed with ``z`` of shape (N, T, n)."""
    p = stack.p
    kind, K = parse_layer(stack.cells[l])
    W = stack.layers[l]
    N, T, _ = z.shape
    R = stack.widths[l]
    out = np.zeros((N, T, R), dtype=z.dtype)
    if kind in ("mi", "glru"):
        h = np.tile(W["h0"], (N, 1)).astype(z.dtype)
    else:
        S = np.zeros((N, K, R), dtype=z.dtype)
    for t in range(T):
        zt = z[:, t, :]
        if kind == "mi":
            a, b = _matvec(W["W_H"], h, p), _matvec(W["W_I"], zt, p)
            if "b_H" in W:  # optional biases: (W_H h + b_H) * (W_I z + b_I)
                a, b = _add(a, W["b_H"], p), _add(b, W["b_I"], p)
            h = _mul(a, b, p)
        elif kind == "glru":
            h = _add(_mul(_matvec(W["A"], zt, p), h, p), _matvec(W["B"], zt, p), p)
        else:
            k, v, q = _matvec(W["W_K"], zt, p), _matvec(W["W_V"], zt, p), _matvec(W["W_Q"], zt, p)
            h = np.zeros((N, R), dtype=z.dtype)
            for a in range(K):
                for r in range(R):
                    S[:, a, r] = _add(S[:, a, r], _mul(k[:, a], v[:, r], p), p)
                    h[:, r] = _add(h[:, r], _mul(S[:, a, r], q[:, a], p), p)
        out[:, t, :] = h
    return out


def forward(stack: Stack, z: np.ndarray) -> np.ndarray:
    """``y = w . o^L_T`` for every sequence of ``z`` (shape (N, T, M)); shape (N,)."""
    x = z
    for l in range(len(stack.cells)):
        x = layer_outputs(stack, l, x)
    return _matvec(stack.w[None, :], x[:, -1, :], stack.p)[:, 0]


def probe_matrix(stack: Stack, T: int, A, n_rows: int, n_cols: int, rng) -> np.ndarray:
    """``Y[i, j] = y(a_i, b_j)`` with random probes in F_p^M on the steps of A (1-based) and B."""
    p = stack.p
    A = sorted(set(A))
    B = [t for t in range(1, T + 1) if t not in A]
    a = rng.integers(0, p, size=(n_rows, len(A), stack.M), dtype=np.int64)
    b = rng.integers(0, p, size=(n_cols, len(B), stack.M), dtype=np.int64)
    z = np.zeros((n_rows, n_cols, T, stack.M), dtype=np.int64)
    for i, t in enumerate(A):
        z[:, :, t - 1, :] = a[:, None, i, :]
    for j, t in enumerate(B):
        z[:, :, t - 1, :] = b[None, :, j, :]
    return forward(stack, z.reshape(n_rows * n_cols, T, stack.M)).reshape(n_rows, n_cols)


def rank_mod_p(Y: np.ndarray, p: int) -> int:
    """Rank over F_p of an integer matrix, with python-flint."""
    import flint

    rows, cols = Y.shape
    return flint.nmod_mat(rows, cols, [int(v) for v in Y.ravel()], p).rank()


def partition_steps(T: int, partition: str) -> list[int]:
    """Side A of ``"start-end"`` (T even) or ``"split:k"`` (steps 1..k)."""
    if partition == "start-end":
        if T % 2:
            raise ValueError(f"start-end needs even T, got T={T}")
        return list(range(1, T // 2 + 1))
    if partition.startswith("split:"):
        return list(range(1, int(partition[6:]) + 1))
    raise ValueError(f"partition must be 'start-end' or 'split:k', got {partition!r}")


def probe_rank(M: int, widths, cells, T: int, partition="start-end", seed: int = 0, p: int = P,
               start: int = 8, cap: int = 700) -> tuple[int, int]:
    """Exact rank over F_p of the probe matrix; returns (rank, probes per side).

    Probes double from ``start`` until the rank is below their number (so the rank is not
    limited by the probes) or ``cap`` is reached (then the rank returned equals the probes:
    a lower bound only).
    """
    rng = np.random.default_rng(seed)
    stack = random_stack(M, widths, cells, rng, p)
    A = partition_steps(T, partition) if isinstance(partition, str) else list(partition)
    n = start
    while True:
        r = rank_mod_p(probe_matrix(stack, T, A, n, n, rng), p)
        if r < n or n >= cap:
            return r, n
        n = min(2 * n, cap)


# ---- degrees and bounds (the formulas of docs/modern-layers-findings.md) ----

def _minkowski(a: frozenset, b: frozenset) -> frozenset:
    return frozenset(x + y for x in a for y in b)


def degree_supports(cells, T: int) -> list[frozenset]:
    """A superset of the degrees in which ``z_s`` occurs in ``y`` (index s - 1), by recursion
    over layers: a product adds supports (Minkowski sum), a sum unites them. ``sup[t][s]`` is
    the support of ``o^l_t`` in ``z_s`` for the current layer l."""
    sup = [[frozenset({1 if s == t else 0}) for s in range(T)] for t in range(T)]  # z_t itself
    zero = frozenset({0})
    for cell in cells:
        kind, _ = parse_layer(cell)
        new = []
        state = [zero if kind != "linattn" else frozenset() for _ in range(T)]  # h_0 or S_0 = 0
        for t in range(T):
            zt = sup[t]
            if kind == "mi":
                state = [_minkowski(state[s], zt[s]) for s in range(T)]
                new.append(state)
            elif kind == "glru":
                state = [_minkowski(state[s], zt[s]) | zt[s] for s in range(T)]
                new.append(state)
            else:
                state = [state[s] | _minkowski(zt[s], zt[s]) for s in range(T)]
                new.append([_minkowski(state[s], zt[s]) for s in range(T)])
        sup = new
    return sup[T - 1]


def input_degrees(cells, T: int) -> list[int]:
    """Upper bound ``d_s`` on the degree of ``y`` in ``z_s`` (index s - 1)."""
    return [max(d) for d in degree_supports(cells, T)]


def _side_dims(M: int, T: int, A, per_step) -> int:
    sides = []
    for side in (set(A), set(range(1, T + 1)) - set(A)):
        n = 1
        for s in side:
            n *= per_step(s)
        sides.append(n)
    return min(sides)


def degree_bound(M: int, cells, T: int, A, refined: bool = True) -> int:
    """min over the two sides of the product over their steps of the number of monomials in
    ``z_s`` that can occur: ``C(M + d_s, d_s)`` (degree at most ``d_s``), or, ``refined``,
    ``sum over d in the support of multiset(M, d)``."""
    sups = degree_supports(cells, T)
    if refined:
        return _side_dims(M, T, A, lambda s: sum(comb(M + d - 1, d) for d in sups[s - 1]))
    return _side_dims(M, T, A, lambda s: comb(M + max(sups[s - 1]), max(sups[s - 1])))


def glru_boundary_bound(widths, h: int) -> int:
    """Start-End (T = 2h) bound of a stack of glru layers: prod_l C(R_l + c_l, c_l) with
    ``c_l = C(h + L - l - 1, L - l)`` the degree of y in the boundary state h^l_h."""
    L = len(widths)
    out = 1
    for l, R in enumerate(widths, start=1):
        c = comb(h + L - l - 1, L - l)
        out *= comb(R + c, c)
    return out


def linattn_boundary_bound(M: int, widths, Ks) -> int:
    """Start-End bound of a stack of linattn layers, independent of T: y is a polynomial in
    sigma = S^L_h w (kappa_L coordinates, degree 1) and the states S^l_h, l < L (N_l = kappa_l
    rho_l coordinates, degree 3^(L-l)); the sigma terms carry degree at most 3^(L-1-l)."""
    L = len(widths)
    n_in = (M,) + tuple(widths[:-1])
    kappa = [min(K, n) for K, n in zip(Ks, n_in)]
    N = [min(K, n) * min(R, n) for K, R, n in zip(Ks, widths, n_in)]
    with_sigma, without = kappa[-1], 1
    for l in range(L - 1):
        with_sigma *= comb(N[l] + 3 ** (L - 2 - l), 3 ** (L - 2 - l))
        without *= comb(N[l] + 3 ** (L - 1 - l), 3 ** (L - 1 - l))
    return with_sigma + without


def measured_degree(stack: Stack, T: int, s: int, rng, d_max: int = 40) -> int:
    """Degree of ``y`` in ``z_s`` along a random line ``z_s = a + lam c`` (other steps random),
    over F_p: the least d with a vanishing (d+1)-th finite difference over lam = 0..d+1."""
    p = stack.p
    base = rng.integers(0, p, size=(T, stack.M), dtype=np.int64)
    c = rng.integers(0, p, size=stack.M, dtype=np.int64)
    z = np.tile(base, (d_max + 2, 1, 1))
    lam = np.arange(d_max + 2, dtype=np.int64)
    z[:, s - 1, :] = (base[s - 1][None, :] + (lam[:, None] * c[None, :]) % p) % p
    vals = [int(v) for v in forward(stack, z)]
    for d in range(d_max + 1):
        diff = sum((-1) ** (d + 1 - i) * comb(d + 1, i) * vals[i] for i in range(d + 2)) % p
        if diff == 0:
            return d
    raise ValueError(f"degree above d_max={d_max}")
