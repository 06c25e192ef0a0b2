"""``mincut_bound``: the best upper bound on a separation rank that one cut of the network gives."""

from __future__ import annotations

import math
import time

import numpy as np

from ..errors import TnrnnError
from ..network.compile import DEFAULT_MAX_NODES
from ..network.model import RACNetwork
from ..partition import Partition
from ..spec import RACSpec
from .exact import exact_min_cut
from .flow import flow_graph, network_side
from .lean import expand_cut, lean_applies, lean_flow_graph
from .result import CutBound

__all__ = ["mincut_bound", "as_partition", "DEFAULT_MAX_NODES"]



def as_partition(partition: Partition | str, T: int) -> Partition:
    """A :class:`Partition` from a Partition or a text such as ``'start-end'``, ``'split:3'``."""
    return Partition.coerce(partition, T)


def _network(network_or_spec: RACNetwork | RACSpec, merged: bool, max_nodes: int) -> RACNetwork:
    if isinstance(network_or_spec, RACNetwork):
        if merged and not network_or_spec.merged:
            raise TnrnnError(
                "merged=True was given with a full (unmerged) RACNetwork; pass the spec instead, "
                "or compile_network(spec, merged=True)"
            )
        return network_or_spec
    if isinstance(network_or_spec, RACSpec):
        from ..network.compile import compile_network

        return compile_network(network_or_spec, merged=merged, max_nodes=max_nodes)
    raise TnrnnError(
        f"mincut_bound needs a RACNetwork or a RACSpec, got {type(network_or_spec).__name__}"
    )


def mincut_bound(
    network_or_spec: RACNetwork | RACSpec,
    partition: Partition | str,
    *,
    merged: bool = False,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> CutBound:
    """The minimum over cuts of the product of cut dimensions, separating A inputs from B inputs.

    Every INPUT slot of an A step (all its copies) is a source terminal, every slot of a
    B step a sink terminal; the open output leg of W_O is ignored (a fixed class c). For
    any such cut, ``sep_(A,B)(y) <= prod dim(e)`` over the cut edges, for every setting
    of the weights. The minimum is computed exactly with integer max-flows
    (:mod:`tnrnn.mincut.exact` explains why no floating-point tie can spoil it), and the
    result is verified before it is returned: removing the cut edges disconnects every A
    input from every B input, and the bound equals the product of their dimensions.

    Parameters
    ----------
    network_or_spec : RACNetwork or RACSpec
        A compiled network, or a spec. From a plain spec (``merged=False``) the cut is
        computed on the lean graph of :mod:`tnrnn.mincut.lean` (one node per site, same
        bound) without compiling the network; ``network``, ``side`` and ``cut_edges`` of
        the result are mapped back (and verified on the full network) on first access.
        A member of the RAC family (``spec.plain`` False: widths, cp:K, full, bias,
        dilations) is compiled and cut on its full network. The bound holds for every
        member and every weight setting: it only uses that the network contracts to y.
    partition : Partition or str
        The partition of the steps 1..T (``'start-end'``, ``'interleaved'``, ``'split:K'``,
        ``'A:1,2,5'`` are parsed with :meth:`Partition.parse`).
    merged : bool, default False
        Compile the merged network (CORE nodes) when a spec is given. The merged network
        gives the same bound as the full one when M <= R, and may give a larger one when
        M > R (the full network can cut a W_I->DELTA bond of dimension R instead of an
        input leg of dimension M).
    max_nodes : int
        Refuse to compile networks with more nodes than this (MemoryLimitError); from a
        spec the limit applies to the lean graph, and to the full network when it is
        compiled on demand.

    Returns
    -------
    CutBound

    Raises
    ------
    PartitionError
        If the partition does not fit T or cannot be parsed.
    MemoryLimitError
        If the network would be too large.

    Examples
    --------
    >>> from tnrnn import RACSpec
    >>> mincut_bound(RACSpec(M=2, R=3, L=1, T=6), "start-end").bound   # min(R, M^(T/2))
    3
    >>> cb = mincut_bound(RACSpec(M=3, R=2, L=2, T=4), "start-end")
    >>> cb.bound, cb.factored()                                          # R^(T/2+1)
    (8, '2^3')
    """
    if isinstance(network_or_spec, RACSpec) and not merged and lean_applies(network_or_spec):
        return _lean_bound(network_or_spec, partition, max_nodes)
    network = _network(network_or_spec, merged, max_nodes)
    part = as_partition(partition, network.spec.T)
    t0 = time.perf_counter()
    graph = flow_graph(network, part)
    cut = exact_min_cut(graph)
    side = network_side(graph, cut.side)
    cut_edges = np.flatnonzero(side[network.edge_u] != side[network.edge_v])
    dim_counts = _dim_counts(network.edge_dim[cut_edges])
    bound = math.prod(d**c for d, c in dim_counts.items())
    _verify(network, graph, cut_edges, bound)
    seconds = time.perf_counter() - t0
    cut_edges.setflags(write=False)
    side.setflags(write=False)
    return CutBound(
        bound=bound, log2=math.log2(bound), cut_edges=cut_edges, side=side, partition=part,
        spec=network.spec, network=network, dim_counts=dim_counts, weights=cut.weights,
        flows=cut.flows, method=cut.method, seconds=seconds,
    )


def _dim_counts(dims: np.ndarray) -> dict[int, int]:
    values, counts = np.unique(dims, return_counts=True)
    return {int(d): int(c) for d, c in zip(values, counts)}


def _lean_bound(spec: RACSpec, partition, max_nodes: int) -> CutBound:
    """The bound on the lean graph (one node per site), mapped back to the network on demand."""
    part = as_partition(partition, spec.T)
    t0 = time.perf_counter()
    graph, layout = lean_flow_graph(spec, part, max_nodes=max_nodes)
    cut = exact_min_cut(graph)
    cross = cut.side[graph.u] != cut.side[graph.v]
    dim_counts = _dim_counts(graph.dim[cross])
    bound = math.prod(d**c for d, c in dim_counts.items())
    _verify_lean(graph, cut.side, cross)
    seconds = time.perf_counter() - t0

    def expand():
        from ..network.compile import compile_network

        network = compile_network(spec, max_nodes=max_nodes)
        side = expand_cut(layout, part, cut.side, network)
        cut_edges = np.flatnonzero(side[network.edge_u] != side[network.edge_v])
        _verify(network, flow_graph(network, part), cut_edges, bound)
        if _dim_counts(network.edge_dim[cut_edges]) != dim_counts:
            raise TnrnnError("internal error: the network cut differs from the lean cut")
        side.setflags(write=False)
        cut_edges.setflags(write=False)
        return network, side, cut_edges

    return CutBound(
        bound=bound, log2=math.log2(bound), cut_edges=None, side=None, partition=part,
        spec=spec, network=None, dim_counts=dim_counts, weights=cut.weights,
        flows=cut.flows, method=cut.method, seconds=seconds, expand=expand,
    )


def _verify_lean(graph, side_flow: np.ndarray, cross: np.ndarray) -> None:
    """Check independently that removing the crossing edges disconnects the terminals."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    keep = ~cross
    adj = sp.csr_array((np.ones(int(keep.sum()), np.int8), (graph.u[keep], graph.v[keep])),
                       shape=(graph.n, graph.n))
    _, labels = connected_components(adj, directed=False)
    if labels[graph.source] == labels[graph.sink] or not side_flow[graph.source] or side_flow[graph.sink]:
        raise TnrnnError(f"internal error: the lean cut of {int(cross.sum())} edges leaves A and B connected")


def _verify(network: RACNetwork, graph, cut_edges: np.ndarray, bound: int) -> None:
    """Check independently that the cut edges separate A inputs from B inputs."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    keep = np.ones(network.n_edges, dtype=bool)
    keep[cut_edges] = False
    n = network.n_nodes
    adj = sp.csr_array(
        (np.ones(int(keep.sum()), np.int8), (network.edge_u[keep], network.edge_v[keep])),
        shape=(n, n),
    )
    _, labels = connected_components(adj, directed=False)
    shared = np.intersect1d(labels[graph.is_a_input], labels[graph.is_b_input])
    if shared.size:
        raise TnrnnError(
            f"internal error: the cut of {cut_edges.size} edges leaves A and B inputs connected"
        )
    check = math.prod(int(d) for d in network.edge_dim[cut_edges].tolist())
    if check != bound:
        raise TnrnnError(f"internal error: cut product {check} differs from the bound {bound}")
