"""Compilers: a :class:`~tnrnn.RACSpec` becomes a :class:`RACNetwork` (structure only)."""

from __future__ import annotations

import numpy as np

from ..errors import SpecError
from ..spec import RACSpec
from .model import NodeKind, RACNetwork

__all__ = ["compile_shallow"]


def compile_shallow(spec: RACSpec, *, merged: bool = False) -> RACNetwork:
    """The matrix product state of a shallow RAC (L = 1).

    Per step t a DELTA node joins W^H (applied to the previous bond), W^I (whose other
    leg meets the INPUT slot of x^t, dimension M) and the outgoing bond of dimension R;
    H0 starts the chain and W_O ends it. With ``merged=True`` each (DELTA, W_H, W_I)
    triple is one CORE node.

    Node order: H0, then per step (DELTA, W_H, W_I, INPUT) or (CORE, INPUT), then W_O.
    """
    if spec.L != 1:
        raise SpecError(f"compile_shallow needs L=1, got L={spec.L}; use compile_network for deep RACs")
    T, M, R = spec.T, spec.M, spec.R
    t = np.arange(1, T + 1)
    per = 2 if merged else 4
    base = 1 + per * (t - 1)  # first node of step t
    n = 2 + per * T
    wo = n - 1
    kind = np.empty(n, np.int8)
    layer = np.ones(n, np.int16)
    step = np.empty(n, np.int32)
    kind[0], step[0] = NodeKind.H0, 0
    kind[wo], step[wo] = NodeKind.W_O, T
    site_kinds = [NodeKind.CORE, NodeKind.INPUT] if merged else [
        NodeKind.DELTA, NodeKind.W_H, NodeKind.W_I, NodeKind.INPUT]
    for offset, k in enumerate(site_kinds):
        kind[base + offset] = k
        step[base + offset] = t
    layer[kind == NodeKind.INPUT] = 0
    nxt = np.append(base[1:], wo)  # consumer of step t's outgoing bond

    if merged:
        core, inp = base, base + 1
        prev_out = np.concatenate([[0], core[:-1]])  # H0 or the previous core
        prev_leg = np.concatenate([[0], np.full(T - 1, 2)])
        u = np.concatenate([prev_out, inp])
        u_leg = np.concatenate([prev_leg, np.zeros(T)])
        v = np.concatenate([core, core])
        v_leg = np.concatenate([np.zeros(T), np.ones(T)])
        dim = np.concatenate([np.full(T, R), np.full(T, M)])
        u, u_leg, v, v_leg, dim = (np.append(a, b) for a, b in zip(
            (u, u_leg, v, v_leg, dim), (core[-1], 2, wo, 1, R)))
    else:
        delta, wh, wi, inp = base, base + 1, base + 2, base + 3
        prev_out = np.concatenate([[0], delta[:-1]])
        prev_leg = np.concatenate([[0], np.full(T - 1, 2)])
        u = np.concatenate([prev_out, wh, inp, wi, [delta[-1]]])
        u_leg = np.concatenate([prev_leg, np.zeros(T), np.zeros(T), np.zeros(T), [2]])
        v = np.concatenate([wh, delta, wi, delta, [wo]])
        v_leg = np.concatenate([np.ones(T), np.zeros(T), np.ones(T), np.ones(T), [1]])
        dim = np.concatenate([np.full(T, R), np.full(T, R), np.full(T, M), np.full(T, R), [R]])
    del nxt
    return RACNetwork(
        spec=spec,
        merged=merged,
        node_kind=kind,
        node_layer=layer,
        node_step=step,
        node_copy=np.zeros(n, np.int64),
        edge_u=u,
        edge_u_leg=u_leg,
        edge_v=v,
        edge_v_leg=v_leg,
        edge_dim=dim,
    )
