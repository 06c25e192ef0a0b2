"""The compiler for members of the RAC family: any widths, cells, bias and dilations.

:func:`compile_members` builds the duplicated-input network of any spec (see
:mod:`tnrnn.copies` for the structure and its counts and :mod:`tnrnn.network.model` for
node kinds and legs). For a plain spec it gives exactly the arrays of
:func:`~tnrnn.network.compile.compile_deep` (the tests hold it to that), which
:func:`~tnrnn.compile_network` keeps using for plain specs.
"""

from __future__ import annotations

import numpy as np

from ..copies import lattice_size
from ..errors import MemoryLimitError, SpecError
from ..numbers import format_int
from ..spec import RACSpec
from .model import NodeKind, RACNetwork, layer_dims

__all__ = ["compile_members", "member_network_size", "spec_network_size", "site_kinds"]

_MAX_DIM = 2**63 - 1


def site_kinds(spec: RACSpec, layer: int, merged: bool) -> list[NodeKind]:
    """The nodes of one site of ``layer``, in node order (the first holds leg 0 of the
    previous-state edge's consumer chain; INPUT last on layer 1)."""
    cell = spec.cells[layer - 1]
    if merged or cell == "full":
        kinds = [NodeKind.CORE]
    elif cell == "mi":
        kinds = [NodeKind.DELTA, NodeKind.W_H, NodeKind.W_I]
    else:
        kinds = [NodeKind.DELTA, NodeKind.W_H, NodeKind.W_I, NodeKind.U]
    return kinds + ([NodeKind.INPUT] if layer == 1 else [])


def member_network_size(spec: RACSpec, *, merged: bool = False, max_nodes: int | None = None) -> tuple[int, int]:
    """``(nodes, edges)`` of the network of any spec, without building it (exact).

    With ``max_nodes``, refuses (:class:`~tnrnn.errors.MemoryLimitError`) before counting
    when a cheap lower bound (``sum_l ceil(T / d_l)`` sites) or T itself is above it.
    """
    per = tuple(len(site_kinds(spec, l, merged)) for l in range(1, spec.L + 1))
    if max_nodes is not None:
        least = sum(-(-spec.T // d) for d in spec.dilations)
        if least > max_nodes or spec.T > max_nodes:
            raise MemoryLimitError(
                f"the network of {spec} has more than {format_int(min(least, spec.T))} nodes, above "
                f"max_nodes={max_nodes:,}; lower T or L"
            )
    return lattice_size(spec.T, spec.dilations, per)


def spec_network_size(spec: RACSpec, *, merged: bool = False) -> tuple[int, int]:
    """``(nodes, edges)`` of any spec's network: :func:`tnrnn.formulas.network_size` for a
    plain spec (closed form), :func:`member_network_size` for a member (an O(L T) count)."""
    if spec.plain:
        from ..formulas import network_size

        return network_size(spec.M, spec.R, spec.L, spec.T, merged=merged)
    return member_network_size(spec, merged=merged)


def check_member_size(spec: RACSpec, merged: bool, max_nodes: int) -> int:
    for name, v in [("M", spec.M), ("K", spec.K)] + [(f"R_{l}", r) for l, r in enumerate(spec.widths, 1)]:
        if v + int(spec.bias) > _MAX_DIM:
            raise MemoryLimitError(
                f"{name}={format_int(v)} is above the largest bond dimension a network holds "
                f"({_MAX_DIM:,} = 2**63 - 1)"
            )
    nodes, _ = member_network_size(spec, merged=merged, max_nodes=max_nodes)
    if nodes > max_nodes:
        raise MemoryLimitError(
            f"the network of {spec} has {format_int(nodes, max_digits=20)} nodes (about {nodes * 64 / 2**30:,.1f} GiB "
            f"to compile), above max_nodes={max_nodes:,}; lower T or L, use merged=True, or raise "
            "max_nodes (--max-nodes) if memory allows"
        )
    return nodes


def _lattice(spec: RACSpec) -> list[dict[str, np.ndarray]]:
    """Sites of each layer (``layers[l - 1]``): ``step``, ``parent`` (site index in layer
    l + 1, -1 on layer L), ``anc`` (steps of the sites above, (n, L - l)) and, on layers
    l >= 2, ``child_end`` (index in layer l - 1 of the top site of the chain each site hangs)."""
    T, L, d = spec.T, spec.L, spec.dilations
    layers: list[dict[str, np.ndarray]] = [dict() for _ in range(L)]
    r = (T - 1) % d[L - 1] + 1
    layers[L - 1] = {"step": np.arange(r, T + 1, d[L - 1], dtype=np.int64),
                     "anc": np.zeros((0, 0), np.int64)}
    layers[L - 1]["parent"] = np.full(layers[L - 1]["step"].size, -1, np.int64)
    layers[L - 1]["anc"] = np.zeros((layers[L - 1]["step"].size, 0), np.int64)
    for l in range(L - 1, 0, -1):  # layer l from layer l + 1
        up, dl = layers[l], d[l - 1]
        tau = up["step"]
        counts = (tau - 1) // dl + 1
        ends = np.cumsum(counts)
        parent = np.repeat(np.arange(tau.size, dtype=np.int64), counts)
        pos = np.arange(int(ends[-1]), dtype=np.int64) - np.repeat(ends - counts, counts)
        step = ((tau - 1) % dl + 1)[parent] + dl * pos
        up["child_end"] = ends - 1
        anc = np.concatenate([tau[parent][:, None], up["anc"][parent]], axis=1)
        layers[l - 1] = {"step": step, "parent": parent, "anc": anc}
    for lay in layers:
        lay["copy"] = _copy_ranks(lay["step"], lay["anc"])
    return layers


def _copy_ranks(step: np.ndarray, anc: np.ndarray) -> np.ndarray:
    """Rank of ``(tau_{l+1}, ..., tau_L)`` (lexicographic, ``tau_{l+1}`` first) among the
    sites of the same step."""
    if anc.shape[1] == 0:
        return np.zeros(step.size, np.int64)
    keys = [anc[:, j] for j in range(anc.shape[1] - 1, -1, -1)] + [step]
    order = np.lexsort(keys)
    s = step[order]
    new_group = np.concatenate([[True], s[1:] != s[:-1]])
    starts = np.maximum.accumulate(np.where(new_group, np.arange(s.size), 0))
    copy = np.empty(step.size, np.int64)
    copy[order] = np.arange(s.size) - starts
    return copy


def compile_members(spec: RACSpec, *, merged: bool = False, max_nodes: int = 20_000_000,
                    checked: bool = False) -> RACNetwork:
    """The duplicated-input network of any member of the RAC family (vectorised).

    Node order, for l = 1..L: layer l's H0 nodes (one per chain, in chain order), then its
    sites in chain order (chains in the order of the sites they hang from, each chain by
    increasing step), each site as :func:`site_kinds`; W_O last. Edge order per layer:
    previous state -> W_H, W_H -> DELTA, below -> W_I, W_I -> DELTA[, DELTA -> U] (CORE:
    previous state -> leg 0, below -> leg 1), then the edge into W_O. The size is checked
    against ``max_nodes`` first, unless the caller did (``checked=True``).

    Examples
    --------
    >>> from tnrnn import RACSpec
    >>> net = compile_members(RACSpec(M=2, R=(3, 2), L=2, T=4, cell="cp:2", dilations=(1, 2)))
    >>> net.kind_counts()
    {'DELTA': 8, 'W_H': 8, 'W_I': 8, 'W_O': 1, 'H0': 3, 'INPUT': 6, 'U': 8}
    >>> [net.input_copies(t).size for t in range(1, 5)]
    [2, 2, 1, 1]
    """
    if not isinstance(spec, RACSpec):
        raise SpecError(f"spec must be a RACSpec, got {type(spec).__name__}")
    if not checked:
        check_member_size(spec, merged, max_nodes)
    layers = _lattice(spec)
    L = spec.L
    state, inner = layer_dims(spec)
    base, h0_start, n = [], [], 0
    for l in range(1, L + 1):
        lay = layers[l - 1]
        lay["kinds"] = site_kinds(spec, l, merged)
        lay["n_chains"] = 1 if l == L else layers[l]["step"].size
        h0_start.append(n)
        base.append(n + lay["n_chains"])
        n += lay["n_chains"] + len(lay["kinds"]) * lay["step"].size
    wo = n
    n += 1
    kind = np.empty(n, np.int8)
    layer = np.empty(n, np.int16)
    step = np.empty(n, np.int32)
    copy = np.empty(n, np.int64)
    kind[wo], layer[wo], step[wo], copy[wo] = NodeKind.W_O, L, spec.T, 0
    edges: list[tuple] = []

    def edge(u, ul, v, vl, dim):
        size = np.size(v)
        edges.append(tuple(np.broadcast_to(np.asarray(a, np.int64), size) for a in (u, ul, v, vl, dim)))

    for l in range(1, L + 1):
        lay = layers[l - 1]
        kinds, s_step, s_copy = lay["kinds"], lay["step"], lay["copy"]
        per = len(kinds)
        first = base[l - 1] + per * np.arange(s_step.size, dtype=np.int64)
        chain = np.zeros(s_step.size, np.int64) if l == L else lay["parent"]
        h0 = h0_start[l - 1] + np.arange(lay["n_chains"], dtype=np.int64)
        starts = np.flatnonzero(s_step <= spec.dilations[l - 1])
        kind[h0], layer[h0], step[h0], copy[h0] = NodeKind.H0, l, 0, s_copy[starts]
        for off, k in enumerate(kinds):
            kind[first + off], step[first + off], copy[first + off] = k, s_step, s_copy
            layer[first + off] = 0 if k == NodeKind.INPUT else l
        out_node, out_leg = (first + 3, 0) if NodeKind.U in kinds else (first, 2)
        is_start = s_step <= spec.dilations[l - 1]
        prev = np.where(is_start, h0[chain], np.roll(out_node, 1))
        prev_leg = np.where(is_start, 0, out_leg)
        if l == 1:
            below, below_leg = first + per - 1, 0
        else:
            below, below_leg = layers[l - 2]["out"][lay["child_end"]], layers[l - 2]["out_leg"]
        S, B, I = state[l], state[l - 1], inner[l]
        if kinds[0] == NodeKind.CORE:
            edge(prev, prev_leg, first, 0, S)
            edge(below, below_leg, first, 1, B)
        else:
            edge(prev, prev_leg, first + 1, 1, S)
            edge(first + 1, 0, first, 0, I)
            edge(below, below_leg, first + 2, 1, B)
            edge(first + 2, 0, first, 1, I)
            if NodeKind.U in kinds:
                edge(first, 2, first + 3, 1, I)
        lay["out"], lay["out_leg"] = out_node, out_leg
    edge(layers[L - 1]["out"][-1], layers[L - 1]["out_leg"], wo, 1, state[L])
    u, ul, v, vl, dim = (np.concatenate([e[i] for e in edges]) for i in range(5))
    return RACNetwork(spec=spec, merged=merged, node_kind=kind, node_layer=layer, node_step=step,
                      node_copy=copy, edge_u=u, edge_u_leg=ul, edge_v=v, edge_v_leg=vl, edge_dim=dim)
