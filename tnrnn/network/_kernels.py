"""Low-level pieces of contraction: node tensors, exact modular einsum, data-flow rounds.

Private to :mod:`tnrnn.network`; the public API is in :mod:`tnrnn.network.contract`.
"""

from __future__ import annotations

import numpy as np
import opt_einsum as oe

from ..errors import TnrnnError
from ..weights import RACWeights
from .model import NodeKind, RACNetwork

#: The outgoing (producer) leg of each kind, -1 for W_O (its output leg stays open).
OUT_LEG = np.array([2, 0, 0, -1, 0, 0, 2, 0], dtype=np.int64)

# Products of two field elements fit in 62 bits; splitting one factor into 16-bit halves
# lets sums of up to 2**16 products fit in int64.
_MAX_INNER = 1 << 16


def weight_tensor(weights: RACWeights, kind: NodeKind, layer: int) -> np.ndarray:
    """The tensor a weight node holds, legs in the order of :mod:`tnrnn.network.model`.

    W_H, W_I and W_O give the matrices, H0 the vector ``h^l_0``, CORE the order-3 tensor
    ``C[a, b, c] = W^H[c, a] W^I[c, b]`` (reduced mod p for modular weights). DELTA and
    INPUT nodes hold no weights and are refused.
    """
    kind = NodeKind(kind)
    if not weights.spec.plain:
        return _member_tensor(weights, kind, layer)
    if kind == NodeKind.W_O:
        return weights.W_O
    if not 1 <= layer <= weights.spec.L:
        raise TnrnnError(f"layer must be in 1..{weights.spec.L} for a {kind.name} node, got {layer}")
    if kind == NodeKind.W_H:
        return weights.W_H[layer - 1]
    if kind == NodeKind.W_I:
        return weights.W_I[layer - 1]
    if kind == NodeKind.H0:
        return weights.h0[layer - 1]
    if kind == NodeKind.CORE:
        core = np.einsum("ca,cb->abc", weights.W_H[layer - 1], weights.W_I[layer - 1])
        return core if weights.prime is None else core % weights.prime
    raise TnrnnError(f"{kind.name} nodes hold no weights")


def _augment(matrix: np.ndarray, bias: np.ndarray | None, prime: int | None) -> np.ndarray:
    """``[[W, b], [0, 1]]`` (bias None: ``[[W, 0], [0, 1]]``): the map on states with a
    constant last coordinate 1 that keeps it 1."""
    out = np.zeros((matrix.shape[0] + 1, matrix.shape[1] + 1), dtype=matrix.dtype)
    out[:-1, :-1] = matrix
    if bias is not None:
        out[:-1, -1] = bias
    out[-1, -1] = 1
    return out


def _member_tensor(weights: RACWeights, kind: NodeKind, layer: int) -> np.ndarray:
    """:func:`weight_tensor` of a member: bias layers act on states with a constant last
    coordinate (see :mod:`tnrnn.network.model`); cp and full layers hold their own tensors."""
    spec, p = weights.spec, weights.prime
    bias = spec.bias
    if kind == NodeKind.W_O:
        if not bias:
            return weights.W_O
        return np.concatenate([weights.W_O, np.zeros((spec.K, 1), weights.W_O.dtype)], axis=1)
    if not 1 <= layer <= spec.L:
        raise TnrnnError(f"layer must be in 1..{spec.L} for a {kind.name} node, got {layer}")
    i = layer - 1
    cell = spec.cells[i]
    if kind == NodeKind.H0:
        return np.append(weights.h0[i], np.ones(1, weights.h0[i].dtype)) if bias else weights.h0[i]
    if kind == NodeKind.U and cell.startswith("cp:"):
        return weights.U[i]
    if kind in (NodeKind.W_H, NodeKind.W_I) and cell != "full":
        w = weights.W_H[i] if kind == NodeKind.W_H else weights.W_I[i]
        b = (weights.b_H if kind == NodeKind.W_H else weights.b_I)
        return _augment(w, b[i], p) if bias else w
    if kind == NodeKind.CORE:
        if cell == "full":
            return np.ascontiguousarray(weights.A[i].transpose(1, 2, 0))
        wh, wi = weight_tensor(weights, NodeKind.W_H, layer), weight_tensor(weights, NodeKind.W_I, layer)
        pair = np.einsum("ka,kb->kab", wh, wi)  # entries below p**2 < 2**62
        if p is not None:
            pair %= p
        if cell == "mi":
            return np.ascontiguousarray(pair.transpose(1, 2, 0))
        U = weights.U[i]
        if p is None:
            return np.einsum("ck,kab->abc", U, pair)
        return mod_einsum("kab,ck->abc", pair, U, p)
    raise TnrnnError(f"a {spec.cells[i]} layer of {spec} has no {kind.name} node")


def mod_einsum(eq: str, a: np.ndarray, b: np.ndarray, p: int) -> np.ndarray:
    """``oe.contract(eq, a, b) mod p`` exactly, for int64 entries in ``[0, p)``."""
    inputs, out = eq.split("->")
    left, right = inputs.split(",")
    sizes = dict(zip(left, a.shape)) | dict(zip(right, b.shape))
    inner = 1
    for ch in set(left) | set(right):
        if ch not in out:
            inner *= sizes[ch]
    if inner > _MAX_INNER:  # rare: fall back to Python integers
        res = oe.contract(eq, a.astype(object), b.astype(object))
        return np.asarray(res % p, dtype=np.int64)
    lo = oe.contract(eq, a, b & 0xFFFF) % p
    hi = oe.contract(eq, a, b >> 16) % p
    return (hi * 65536 + lo) % p


def mod_matvec(x: np.ndarray, w: np.ndarray, p: int | None) -> np.ndarray:
    """``x[..., i] -> sum_i w[o, i] x[..., i]`` (mod p when p is not None)."""
    eq = "...i,oi->...o"
    if p is None:
        return oe.contract(eq, x, w)
    if w.shape[1] > _MAX_INNER:
        raise TnrnnError(f"inner dimension {w.shape[1]} too large for exact int64 products")
    lo = oe.contract(eq, x, w & 0xFFFF) % p
    hi = oe.contract(eq, x, w >> 16) % p
    return (hi * 65536 + lo) % p


def producers(network: RACNetwork) -> np.ndarray:
    """``prod[v, leg]``: the node feeding leg ``leg`` of node v (-1 where none), shape (n, 3)."""
    key = "producers"
    if key not in network._cache:
        kind = network.node_kind.astype(np.int64)
        u, v = network.edge_u, network.edge_v
        ok = (network.edge_u_leg == OUT_LEG[kind[u]]) & (network.edge_v_leg != OUT_LEG[kind[v]])
        if not np.all(ok):
            e = int(np.flatnonzero(~ok)[0])
            raise TnrnnError(
                f"edge {e} does not run from an output leg to an input leg, so the network "
                "does not follow the data-flow convention of tnrnn.network.model; "
                "contract it with method='einsum'"
            )
        prod = np.full((network.n_nodes, 3), -1, dtype=np.int64)
        prod[v, network.edge_v_leg.astype(np.int64)] = u
        prod.setflags(write=False)
        network._cache[key] = prod
    return network._cache[key]


def flow_rounds(network: RACNetwork) -> list[np.ndarray]:
    """Nodes grouped into rounds: a node's producers all lie in earlier rounds.

    Round 0 holds the leaves (H0, INPUT); the last round holds W_O. Vectorised Kahn
    sweep, one numpy pass per round. Cached on the network.
    """
    key = "flow_rounds"
    if key in network._cache:
        return network._cache[key]
    producers(network)  # checks the orientation
    n = network.n_nodes
    consumer = np.full(n, -1, dtype=np.int64)
    consumer[network.edge_u] = network.edge_v
    remaining = np.bincount(network.edge_v, minlength=n)
    frontier = np.flatnonzero(remaining == 0)
    rounds, done = [], 0
    while frontier.size:
        frontier.setflags(write=False)
        rounds.append(frontier)
        done += frontier.size
        nxt = consumer[frontier]
        nxt = nxt[nxt >= 0]
        remaining -= np.bincount(nxt, minlength=n)
        nxt = np.unique(nxt)
        frontier = nxt[remaining[nxt] == 0]
    if done != n:
        raise TnrnnError(f"the network has a cycle: only {done} of {n} nodes can be evaluated")
    network._cache[key] = rounds
    return rounds
