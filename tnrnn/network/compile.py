"""Compilers: a :class:`~tnrnn.RACSpec` becomes a :class:`RACNetwork` (structure only)."""

from __future__ import annotations

import numpy as np

from ..errors import MemoryLimitError, SpecError
from ..formulas import network_size
from ..numbers import format_int
from ..spec import RACSpec
from .members import check_member_size, compile_members
from .model import NodeKind, RACNetwork

__all__ = ["DEFAULT_MAX_NODES", "check_network_size", "compile_shallow", "compile_deep", "compile_network"]

#: Largest network (in nodes) compiled by default: about 1.3 GB of structure arrays, and
#: about 4 GB of work arrays for a min-cut.
DEFAULT_MAX_NODES = 20_000_000

_MAX_DIM = 2**63 - 1  # edge_dim is int64


def check_network_size(spec: RACSpec, *, merged: bool = False, max_nodes: int = DEFAULT_MAX_NODES) -> int:
    """The node count of ``spec``'s network; raises before any allocation above ``max_nodes``."""
    if not spec.plain:
        return check_member_size(spec, merged, max_nodes)
    for name in ("M", "R", "K"):
        if getattr(spec, name) > _MAX_DIM:
            raise MemoryLimitError(
                f"{name}={format_int(getattr(spec, name))} is above the largest bond dimension a network "
                f"holds ({_MAX_DIM:,} = 2**63 - 1); the formulas in tnrnn.formulas take any size"
            )
    if spec.L * spec.T > max_nodes:  # every layer has at least T sites: skip the exact count
        raise MemoryLimitError(
            f"the network of {spec} has more than {format_int(spec.L * spec.T)} nodes, above "
            f"max_nodes={max_nodes:,}; lower T or L"
        )
    nodes, _ = network_size(spec.M, spec.R, spec.L, spec.T, merged=merged)
    if nodes > max_nodes:
        raise MemoryLimitError(
            f"the network of {spec} has {format_int(nodes, max_digits=20)} nodes (about {nodes * 64 / 2**30:,.1f} GiB to "
            f"compile), above max_nodes={max_nodes:,}; lower T or L, use merged=True, or raise "
            "max_nodes (--max-nodes) if memory allows"
        )
    return nodes


def compile_shallow(spec: RACSpec, *, merged: bool = False, max_nodes: int = DEFAULT_MAX_NODES) -> RACNetwork:
    """The matrix product state of a shallow RAC (L = 1).

    Per step t a DELTA node joins W^H (applied to the previous bond), W^I (whose other
    leg meets the INPUT slot of x^t, dimension M) and the outgoing bond of dimension R;
    H0 starts the chain and W_O ends it. With ``merged=True`` each (DELTA, W_H, W_I)
    triple is one CORE node.

    Node order: H0, then per step (DELTA, W_H, W_I, INPUT) or (CORE, INPUT), then W_O.
    """
    if spec.L != 1:
        raise SpecError(f"compile_shallow needs L=1, got L={spec.L}; use compile_network for deep RACs")
    check_network_size(spec, merged=merged, max_nodes=max_nodes)
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


def _binom_small(n: np.ndarray, k: int) -> np.ndarray:
    """``C(n, k)`` elementwise for an int64 array n >= 0 and a small k (exact)."""
    out = np.ones_like(n)
    for i in range(k):
        out = out * (n - i) // (i + 1)  # C(n, i+1), exact at each step
    return out


def _site_lattice(spec: RACSpec) -> list[dict[str, np.ndarray]]:
    """Sites of each layer, top-down: ``layers[l - 1]`` describes layer l.

    Layer L is one chain over t = 1..T. Every site of layer l + 1 at step tau hangs the
    chain of a fresh copy of ``h^l_tau``: layer-l sites t = 1..tau, stored contiguously in
    the order of their parents. Each layer holds ``step``, ``parent`` (site index in layer
    l + 1, -1 on layer L) and ``copy``; layers l >= 2 also hold ``child_end``, the index
    in layer l - 1 of the last site of the chain each of their sites hangs.
    """
    T, L = spec.T, spec.L
    layers: list[dict[str, np.ndarray]] = [dict() for _ in range(L)]
    top = layers[L - 1]
    top["step"] = np.arange(1, T + 1, dtype=np.int64)
    top["parent"] = np.full(T, -1, dtype=np.int64)
    top["copy"] = np.zeros(T, dtype=np.int64)
    for l in range(L - 1, 0, -1):  # build layer l from layer l + 1
        up = layers[l]
        counts = up["step"]
        ends = np.cumsum(counts)
        total = int(ends[-1])
        parent = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
        step = np.arange(total, dtype=np.int64) - np.repeat(ends - counts, counts) + 1
        # copy = rank of (tau_{l+1}, ..., tau_L) among non-decreasing tuples in [t, T]:
        # tuples whose first entry lies in [t, tau_{l+1}) come first, then the parent's rank.
        m = L - l
        tau = counts[parent]
        copy = _binom_small(T - step + m, m) - _binom_small(T - tau + m, m) + up["copy"][parent]
        up["child_end"] = ends - 1
        layers[l - 1] = {"step": step, "parent": parent, "copy": copy}
    return layers


def compile_deep(spec: RACSpec, *, merged: bool = False, max_nodes: int = DEFAULT_MAX_NODES) -> RACNetwork:
    """The duplicated-input tensor network of a RAC of any depth (vectorised).

    The network of ``h^l_t`` is a DELTA node joining ``W^{H,l}`` applied to the network of
    ``h^l_{t-1}`` and ``W^{I,l}`` applied to a fresh copy of the network of ``h^{l-1}_t``.
    So layer L is one chain over t = 1..T, each layer-l site at step tau hangs a complete
    layer-(l-1) chain over steps 1..tau, and x^t has ``C(T - t + L - 1, L - 1)`` copies.
    Copy indices follow :mod:`tnrnn.network.model`. With ``merged=True`` each
    (DELTA, W_H, W_I) triple is one CORE node. For L = 1 the result equals
    :func:`compile_shallow` array for array. Built by
    :func:`tnrnn.network.members.compile_members`, the builder of every member of the
    family (for a plain spec it gives exactly this structure).

    Node order: for l = 1..L a block of layer l holding its H0 nodes (one per chain, in
    chain order) and then its sites in chain order, each site as (DELTA, W_H, W_I[, INPUT])
    or (CORE[, INPUT]); W_O last. Edge order: per layer, the four (merged: two) edge
    groups into W_H, DELTA, W_I, DELTA (merged: into CORE legs 0 and 1), then the edge to W_O.

    Parameters
    ----------
    spec : RACSpec
    merged : bool, default False

    Returns
    -------
    RACNetwork

    Examples
    --------
    >>> from tnrnn import RACSpec
    >>> net = compile_deep(RACSpec(M=2, R=3, L=2, T=4))
    >>> net.input_copies(1).size, net.input_copies(4).size
    (4, 1)
    """
    if not isinstance(spec, RACSpec):
        raise SpecError(f"spec must be a RACSpec, got {type(spec).__name__}")
    check_network_size(spec, merged=merged, max_nodes=max_nodes)
    return compile_members(spec, merged=merged, max_nodes=max_nodes, checked=True)  # one builder for every spec


def compile_network(spec: RACSpec, *, merged: bool = False, max_nodes: int = DEFAULT_MAX_NODES) -> RACNetwork:
    """Compile a RAC spec into its tensor network (structure only, no weights).

    The matrix product state for L = 1 (:func:`compile_shallow`), the duplicated-input
    network for L >= 2 (:func:`compile_deep`); members of the family (per-layer widths,
    ``cp``/``full`` cells, bias, dilations) go through
    :func:`tnrnn.network.members.compile_members` (the same structure for plain specs).

    Examples
    --------
    >>> from tnrnn import RACSpec
    >>> compile_network(RACSpec(M=2, R=3, L=1, T=4))
    RACNetwork(RACSpec(M=2, R=3, L=1, T=4, K=1), full, nodes=18, edges=17)
    """
    if not isinstance(spec, RACSpec):
        raise SpecError(f"spec must be a RACSpec, got {type(spec).__name__}")
    if not spec.plain:
        return compile_members(spec, merged=merged, max_nodes=max_nodes)
    if spec.L == 1:
        return compile_shallow(spec, merged=merged, max_nodes=max_nodes)
    return compile_deep(spec, merged=merged, max_nodes=max_nodes)
