"""Integer max-flow on a RAC network with its input slots merged into two terminals.

The flow graph is built vectorised from the network's edge arrays: every INPUT node of
an A-step (every copy) is relabelled to one source node, every INPUT node of a B-step to
one sink node, and each network edge becomes a pair of opposite arcs of equal integer
capacity. Self-loops (an edge between two inputs of the same side) are dropped; edges of
weight 0 (dimension 1) are left out, so they are cut for free. :mod:`tnrnn.mincut.lean`
builds a smaller flow graph of the same form directly from a spec.

scipy's ``maximum_flow`` (Dinic) needs int32 capacities, and the flow value must fit in
int32 too; :func:`min_cut_side` checks an upper bound on the flow value before running.
scipy is imported inside the functions, never at ``import tnrnn``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import MemoryLimitError, TnrnnError
from ..network.model import NodeKind, RACNetwork
from ..partition import Partition

__all__ = ["FlowGraph", "flow_graph", "min_cut_side", "network_side", "cut_mask", "INT32_LIMIT"]

#: Largest capacity sum scipy's int32 max-flow can hold.
INT32_LIMIT = 2**31 - 1


@dataclass(frozen=True, eq=False)
class FlowGraph:
    """An undirected graph with integer edge dimensions and two terminals, for a max-flow.

    Attributes
    ----------
    network : RACNetwork or None
        The network whose edges these are (None for a lean graph built from a spec).
    partition : Partition
    n : int
        Number of flow-graph nodes, with ``source = n - 2`` and ``sink = n - 1`` (for a
        network: its nodes, whose INPUT nodes become isolated, then the two terminals).
    u, v : np.ndarray
        Endpoints of every edge in flow-graph numbering (int64, one per edge).
    dim : np.ndarray
        Dimension of every edge (the cut of a set of edges costs the product).
    is_a_input, is_b_input : np.ndarray or None
        Bool masks over the network's nodes (None for a lean graph).
    directed : np.ndarray or None
        Bool per edge: True for an arc that has capacity from u to v only (the hyperedge
        gadgets of :mod:`tnrnn.mincut.anynet`); None: every edge is undirected.
    infinite : np.ndarray or None
        Bool per edge: an arc no minimum cut may cross (its ``dim`` is 1 and
        :func:`min_cut_side` gives it a capacity above the ``upper`` it is told).
    """

    network: RACNetwork | None
    partition: Partition
    n: int
    u: np.ndarray
    v: np.ndarray
    is_a_input: np.ndarray | None
    is_b_input: np.ndarray | None
    dim: np.ndarray
    directed: np.ndarray | None = None
    infinite: np.ndarray | None = None

    @property
    def source(self) -> int:
        return self.n - 2

    @property
    def sink(self) -> int:
        return self.n - 1


def flow_graph(network: RACNetwork, partition: Partition) -> FlowGraph:
    """Relabel the INPUT nodes of ``network`` into a source (A steps) and a sink (B steps).

    Raises
    ------
    PartitionError
        If the partition is not over the network's T steps.
    TnrnnError
        If an INPUT node has no step in 1..T.

    Notes
    -----
    If one side has no INPUT node (with dilations the output may not read some steps at
    all), its terminal has no edge and the minimum cut is empty: the bound is 1, the
    separation rank of a function that does not depend on that side.
    """
    partition.check_T(network.spec.T)
    n_net = network.n_nodes
    is_input = network.node_kind == NodeKind.INPUT
    in_a = np.zeros(network.spec.T + 1, dtype=bool)
    in_a[list(partition.A)] = True
    steps = network.node_step.astype(np.int64)
    bad = is_input & ((steps < 1) | (steps > network.spec.T))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise TnrnnError(
            f"INPUT node {i} has step {int(steps[i])}, outside 1..{network.spec.T}; "
            "every input slot needs the time step it belongs to"
        )
    steps = np.where(is_input, steps, 0)
    is_a = is_input & in_a[steps]
    is_b = is_input & ~in_a[steps]
    # A side without INPUT nodes (a dilated member whose output never reads those steps)
    # leaves its terminal isolated: the empty cut separates, the bound is 1.
    source, sink = n_net, n_net + 1
    ids = np.arange(n_net, dtype=np.int64)
    ids[is_a] = source
    ids[is_b] = sink
    u = ids[network.edge_u]
    v = ids[network.edge_v]
    for arr in (u, v, is_a, is_b):
        arr.setflags(write=False)
    return FlowGraph(network, partition, n_net + 2, u, v, is_a, is_b, network.edge_dim)


def min_cut_side(
    graph: FlowGraph, weight: np.ndarray, *, upper: int | None = None
) -> tuple[np.ndarray, int]:
    """A minimum-weight cut for integer edge weights, by max-flow (Dinic, scipy).

    Parameters
    ----------
    graph : FlowGraph
    weight : np.ndarray
        Non-negative integer weight of every edge of the graph.
    upper : int, optional
        The weight of some cut known to separate the terminals (bounds the flow value).

    Returns
    -------
    side : np.ndarray
        Bool over the flow graph's nodes: True for nodes reachable from the source in the
        residual graph (the smallest source side among all minimum cuts); the source is
        True and the sink False (see :func:`network_side` for the network's nodes).
    value : int
        The max-flow value, equal to the minimum cut weight (max-flow min-cut theorem).

    Raises
    ------
    MemoryLimitError
        If the flow value could exceed scipy's int32 limit.
    """
    import scipy.sparse as sp
    from scipy.sparse.csgraph import breadth_first_order, maximum_flow

    weight = np.asarray(weight, dtype=np.int64)
    if weight.shape != graph.u.shape or (weight.size and weight.min() < 0):
        raise TnrnnError(f"weight needs {graph.u.size} non-negative entries, got shape {weight.shape}")
    if graph.infinite is not None and graph.infinite.any():
        if upper is None:
            raise TnrnnError("internal error: a graph with uncuttable arcs needs the upper= of a real cut")
        weight = np.where(graph.infinite, int(upper) + 1, weight)
    keep = (graph.u != graph.v) & (weight > 0)
    one_way = np.zeros(graph.u.size, bool) if graph.directed is None else graph.directed
    u, v, w, one_way = graph.u[keep], graph.v[keep], weight[keep], one_way[keep]
    # Any flow is bounded by the weight around the source (and around the sink).
    around = min(int(w[(u == graph.source) | (v == graph.source)].sum()),
                 int(w[(u == graph.sink) | (v == graph.sink)].sum()))
    if upper is not None:
        around = min(around, int(upper))
    if around > INT32_LIMIT or (w.size and int(w.max()) > INT32_LIMIT // 2):
        raise MemoryLimitError(
            f"integer capacities sum to {around} around a terminal, above scipy's int32 limit "
            f"{INT32_LIMIT}; use smaller weights"
        )
    n = graph.n
    back = ~one_way  # an undirected edge is a pair of opposite arcs; a directed one only u -> v
    data = np.concatenate([w, w[back]]).astype(np.int32)
    rows = np.concatenate([u, v[back]])
    cols = np.concatenate([v, u[back]])
    cap = sp.csr_array((data, (rows, cols)), shape=(n, n))
    cap.sum_duplicates()
    cap.sort_indices()
    if cap.nnz == 0:
        value, reach = 0, np.array([graph.source])
    else:
        res = maximum_flow(cap, graph.source, graph.sink, method="dinic")
        value = int(res.flow_value)
        flow = res.flow.tocsr()
        residual = (cap - flow).tocsr()
        residual.data = (residual.data > 0).astype(np.int8)
        residual.eliminate_zeros()
        reach = breadth_first_order(residual, graph.source, directed=True,
                                    return_predecessors=False)
    side_flow = np.zeros(n, dtype=bool)
    side_flow[reach] = True
    if side_flow[graph.sink]:
        raise TnrnnError("internal error: the sink is reachable after a maximum flow")
    return side_flow, value


def cut_mask(graph: FlowGraph, side: np.ndarray) -> np.ndarray:
    """Bool per edge: the edges a cut with source side ``side`` crosses (a directed arc
    only from the source side to the sink side; uncuttable arcs never count)."""
    cross = side[graph.u] != side[graph.v]
    if graph.directed is not None:
        cross &= ~graph.directed | side[graph.u]
    if graph.infinite is not None:
        cross &= ~graph.infinite
    return cross


def network_side(graph: FlowGraph, side_flow: np.ndarray) -> np.ndarray:
    """The side of every node of ``graph.network`` from a side over the flow graph's nodes:
    the flow-graph side, and every A input True, every B input False."""
    side = side_flow[: graph.n - 2].copy()
    side[graph.is_a_input] = True
    side[graph.is_b_input] = False
    return side
