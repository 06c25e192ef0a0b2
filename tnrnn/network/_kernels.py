"""Low-level pieces of contraction: node tensors, exact modular einsum, data-flow rounds.

Private to :mod:`tnrnn.network`; the public API is in :mod:`tnrnn.network.contract`.
"""

from __future__ import annotations

import numpy as np
import opt_einsum as oe

from ..cells._arith import MAX_INNER, mod_einsum
from ..errors import TnrnnError
from ..weights import RACWeights
from .model import NodeKind, RACNetwork

#: The outgoing (producer) leg of each kind, -1 for W_O (its output leg stays open).
OUT_LEG = np.array([2, 0, 0, -1, 0, 0, 2, 0], dtype=np.int64)

_MAX_INNER = MAX_INNER


def weight_tensor(weights: RACWeights, kind: NodeKind, layer: int) -> np.ndarray:
    """The tensor a weight node holds, legs in the order of :mod:`tnrnn.network.model`.

    H0 holds ``h^l_0`` and W_O the output matrix (each with the constant coordinate of a
    bias spec); every other weight node comes from its layer's cell
    (:meth:`tnrnn.cells.Cell.node_tensor`: W_H, W_I, U, CORE, with biases folded in).
    DELTA and INPUT nodes hold no weights and are refused.
    """
    kind = NodeKind(kind)
    spec, p = weights.spec, weights.prime
    bias = spec.bias
    if kind == NodeKind.W_O:
        if not bias:
            return weights.W_O
        return np.concatenate([weights.W_O, np.zeros((spec.K, 1), weights.W_O.dtype)], axis=1)
    if kind in (NodeKind.DELTA, NodeKind.INPUT):
        raise TnrnnError(f"{kind.name} nodes hold no weights")
    if not 1 <= layer <= spec.L:
        raise TnrnnError(f"layer must be in 1..{spec.L} for a {kind.name} node, got {layer}")
    i = layer - 1
    if kind == NodeKind.H0:
        return np.append(weights.h0[i], np.ones(1, weights.h0[i].dtype)) if bias else weights.h0[i]
    cell = spec.cells[i]
    if kind not in cell.site(False).kinds + cell.site(True).kinds:
        raise TnrnnError(f"a {cell} layer of {spec} has no {kind.name} node")
    return cell.node_tensor(kind, weights.layer_params(i), bias, p)


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
