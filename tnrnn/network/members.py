"""The compiler of every spec (the plain RAC and every member of the family), and the one
node count.

:func:`compile_members` builds the duplicated-input network of any spec from the site
lattice (:func:`tnrnn.network.lattice.site_lattice`) and each layer's cell
(:meth:`tnrnn.cells.Cell.site`: the nodes and edges of one site); see
:mod:`tnrnn.copies` for the structure and its counts and :mod:`tnrnn.network.model` for
node kinds and legs. :func:`~tnrnn.compile_network`, :func:`~tnrnn.network.compile_deep`
and :func:`~tnrnn.network.compile_shallow` all call it.
"""

from __future__ import annotations

import numpy as np

from ..errors import SpecError
from ..netsize import check_member_size, member_network_size, site_kinds, spec_network_size
from ..spec import RACSpec
from .lattice import site_lattice
from .model import NodeKind, RACNetwork, layer_dims

__all__ = ["compile_members", "member_network_size", "spec_network_size", "site_kinds", "check_member_size"]

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
    layers = site_lattice(spec)
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
        site = spec.cells[l - 1].site(merged)
        out_node, out_leg = first + site.out[0], site.out[1]
        is_start = s_step <= spec.dilations[l - 1]
        ends = {"prev": (np.where(is_start, h0[chain], np.roll(out_node, 1)), np.where(is_start, 0, out_leg))}
        if l == 1:
            ends["below"] = (first + per - 1, 0)
        else:
            ends["below"] = (layers[l - 2]["out"][lay["child_end"]], layers[l - 2]["out_leg"])
        dims = {"S": state[l], "B": state[l - 1], "I": inner[l]}
        for u, u_leg, v, v_leg, d in site.edges:
            if isinstance(u, str):
                edge(*ends[u], first + v, v_leg, dims[d])
            else:
                edge(first + u, u_leg, first + v, v_leg, dims[d])
        lay["out"], lay["out_leg"] = out_node, out_leg
    edge(layers[L - 1]["out"][-1], layers[L - 1]["out_leg"], wo, 1, state[L])
    u, ul, v, vl, dim = (np.concatenate([e[i] for e in edges]) for i in range(5))
    return RACNetwork(spec=spec, merged=merged, node_kind=kind, node_layer=layer, node_step=step,
                      node_copy=copy, edge_u=u, edge_u_leg=ul, edge_v=v, edge_v_leg=vl, edge_dim=dim)
