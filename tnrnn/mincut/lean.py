"""A lean flow graph built from the spec: one node per RAC site, terminals for the inputs.

The full network of a RAC has, per site (layer l, step t, copy), a DELTA node and the
order-2 nodes W^H and W^I (and, on layer 1, an INPUT slot); H0 and W_O are leaves. For a
cut between the A inputs and the B inputs:

- a chain ``DELTA -> W^H -> DELTA`` of two legs of dimension R is one edge of dimension
  R (a minimum cut never cuts both legs of an order-2 node: one of them separates as well
  and costs no more), and likewise ``below -> W^I -> DELTA`` is one edge of dimension
  ``min(M, R)`` on layer 1 (the cheapest leg) and R above;
- leaves (H0, W_O, and the W^H fed by H0) never need cutting: they sit on the side of
  the node they hang from;
- every INPUT slot of an A step is the source, of a B step the sink.

So the flow graph has one node per site plus two terminals (a quarter of the full
network's nodes at L = 2), is built straight from :func:`tnrnn.network.site_lattice`
without the network in memory, and has the same minimum product of cut dimensions. The
cut is mapped back to real network edges on demand (:func:`expand_cut`): each contracted
edge that is cut becomes the real leg of that dimension, and the whole-network cut is
verified again there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import MemoryLimitError, TnrnnError
from ..network import site_lattice, spec_network_size
from ..network.model import NodeKind, RACNetwork
from ..partition import Partition
from ..spec import RACSpec
from .flow import FlowGraph

__all__ = ["LeanLayout", "lean_applies", "lean_flow_graph", "lean_size", "expand_cut"]


def lean_applies(spec: RACSpec) -> bool:
    """True where the lean graph (one node per site) is built: the plain RAC, whose sites
    all have the same (DELTA, W_H, W_I) shape and dimensions. The one place that picks
    this faster path; every other spec is cut on its full network."""
    return spec.plain


@dataclass(frozen=True, eq=False)
class LeanLayout:
    """Where each layer's sites sit in the lean graph, for mapping a cut back."""

    spec: RACSpec
    offsets: tuple[int, ...]
    steps: tuple[np.ndarray, ...]
    child_end: tuple[np.ndarray | None, ...]


def lean_size(spec: RACSpec) -> int:
    """Nodes of the lean graph: the number of sites, ``sum_l C(T + L - l, L - l + 1)``, plus 2.

    >>> lean_size(RACSpec(M=2, R=2, L=2, T=4))   # 4 + 10 sites, 2 terminals
    16
    """
    from math import comb

    return sum(comb(spec.T + spec.L - l, spec.L - l + 1) for l in range(1, spec.L + 1)) + 2


def lean_flow_graph(spec: RACSpec, partition: Partition, *, max_nodes: int) -> tuple[FlowGraph, LeanLayout]:
    """The lean flow graph of the full (unmerged) network of ``spec`` and its layout.

    Raises
    ------
    MemoryLimitError
        If the lean graph has more than ``max_nodes`` nodes (checked before building).
    """
    partition.check_T(spec.T)
    if not lean_applies(spec):
        raise TnrnnError(
            f"the lean min-cut graph is built for plain RACs only, got {spec}; "
            "compile_network(spec) and cut the full network (mincut_bound does so)"
        )
    n_nodes = lean_size(spec)
    if n_nodes > max_nodes:
        full, _ = spec_network_size(spec)
        raise MemoryLimitError(
            f"the network of {spec} has {full:,} nodes and its lean min-cut graph {n_nodes:,} "
            f"(one per site), above max_nodes={max_nodes:,}; lower T or L, or raise max_nodes "
            "(--max-nodes) if memory allows"
        )
    layers = site_lattice(spec)
    sizes = [lay["step"].size for lay in layers]
    offsets = tuple(int(x) for x in np.concatenate([[0], np.cumsum(sizes)[:-1]]))
    n_sites = int(sum(sizes))
    source, sink = n_sites, n_sites + 1
    in_a = np.zeros(spec.T + 1, dtype=bool)
    in_a[list(partition.A)] = True
    us, vs, ds = [], [], []
    R = spec.R
    for l, lay in enumerate(layers, start=1):
        off, step = offsets[l - 1], lay["step"]
        h = np.flatnonzero(step > 1)  # the previous site of the same chain: through W^H
        us.append(off + h - 1)
        vs.append(off + h)
        ds.append(np.full(h.size, R))
        sites = np.arange(off, off + step.size, dtype=np.int64)
        if l == 1:  # the input slot through W^I: the cheaper of its two legs
            us.append(np.where(in_a[step], source, sink).astype(np.int64))
            ds.append(np.full(step.size, min(spec.M, R)))
        else:  # the end of the chain below through W^I
            us.append(offsets[l - 2] + lay["child_end"])
            ds.append(np.full(step.size, R))
        vs.append(sites)
    u, v, dim = (np.concatenate(x).astype(np.int64) for x in (us, vs, ds))
    for arr in (u, v, dim):
        arr.setflags(write=False)
    graph = FlowGraph(None, partition, n_sites + 2, u, v, None, None, dim)
    layout = LeanLayout(spec, offsets, tuple(lay["step"] for lay in layers),
                        tuple(lay.get("child_end") for lay in layers))
    return graph, layout


def expand_cut(layout: LeanLayout, partition: Partition, side_flow: np.ndarray, network: RACNetwork) -> np.ndarray:
    """The side of every node of the full network from the side of every lean node.

    Order-2 nodes go to their producer's side, except a layer-1 W^I with M <= R, which goes
    to its DELTA's side (so the cheaper INPUT leg is the one cut); leaves go with the node
    they hang from; INPUT slots with their terminal.
    """
    spec = layout.spec
    if network.merged or network.spec != spec:
        raise TnrnnError("expand_cut needs the full (unmerged) network of the lean graph's spec")
    kind, layer = network.node_kind, network.node_layer
    side = np.zeros(network.n_nodes, dtype=bool)
    in_a = np.zeros(spec.T + 1, dtype=bool)
    in_a[list(partition.A)] = True
    for l, step in enumerate(layout.steps, start=1):
        deltas = np.flatnonzero((kind == NodeKind.DELTA) & (layer == l))
        kinds = [NodeKind.W_H, NodeKind.W_I] + ([NodeKind.INPUT] if l == 1 else [])
        if deltas.size != step.size or any(np.any(kind[deltas + i + 1] != k) for i, k in enumerate(kinds)):
            raise TnrnnError(f"internal error: layer {l} of the network is not in lattice order")
        off = layout.offsets[l - 1]
        own = side_flow[off : off + step.size]
        side[deltas] = own
        side[deltas + 1] = np.where(step > 1, np.roll(own, 1), own)  # W^H: with the previous site
        if l == 1:
            slot = in_a[step]
            side[deltas + 3] = slot
            side[deltas + 2] = own if spec.M <= spec.R else slot
        else:
            side[deltas + 2] = side_flow[layout.offsets[l - 2] + layout.child_end[l - 1]]
        h0 = np.flatnonzero((kind == NodeKind.H0) & (layer == l))
        side[h0] = own[step == 1]
    side[network.output_node] = side_flow[layout.offsets[-1] + layout.steps[-1].size - 1]
    return side
