"""Tables of min-cut bounds over grids of L, T, M, R and partitions."""

from __future__ import annotations

import itertools
import time
from typing import Any, Iterable

from .._html import RowTable
from ..errors import PartitionError
from ..formulas import all_chains_cut
from ..network.compile import compile_network
from ..network.model import NodeKind
from ..partition import Partition
from ..spec import RACSpec
from .bound import DEFAULT_MAX_NODES, as_partition, mincut_bound

__all__ = ["mincut_table"]


def mincut_table(
    Ls: Iterable[int],
    Ts: Iterable[int],
    Ms: Iterable[int],
    Rs: Iterable[int],
    partitions: Iterable[str | Partition] = ("start-end", "interleaved"),
    *,
    merged: bool = False,
    skip_invalid: bool = False,
    max_nodes: int = DEFAULT_MAX_NODES,
    progress: bool = True,
) -> list[dict[str, Any]]:
    """Min-cut bounds for every combination of L, T, M, R and partition, as records.

    Each network is compiled once and cut for every partition. The rows load directly
    with ``pandas.DataFrame(rows)`` (tnrnn itself does not need pandas).

    Parameters
    ----------
    Ls, Ts, Ms, Rs : iterables of int
    partitions : iterable of str or Partition
        Texts as accepted by :meth:`Partition.parse` (``'start-end'``, ``'interleaved'``,
        ``'split:K'``, ``'A:1,2'``) or Partition objects (used where their T matches).
    merged : bool, default False
        Cut the merged networks instead of the full ones.
    skip_invalid : bool, default False
        Leave out combinations whose partition does not fit T (e.g. Start-End with odd T)
        instead of raising PartitionError.
    progress : bool, default True
        Show a tqdm progress bar over the networks.

    Returns
    -------
    list of dict
        Keys: L, T, M, R, partition, merged, bound (int, exact), log2, factored (e.g.
        ``'3^5 * 2^1'``), n_cut, cut_input_legs (cut edges at INPUT slots), cut_bonds
        (the other cut edges), all_chains_cut (Start-End only, else None), n_nodes,
        flows (max-flow runs), seconds (cut only).

    Examples
    --------
    >>> rows = mincut_table([1, 2], [4], [2], [3], progress=False)
    >>> [(r["L"], r["partition"], r["bound"]) for r in rows]
    [(1, 'start-end', 3), (1, 'interleaved', 4), (2, 'start-end', 8), (2, 'interleaved', 16)]
    """
    grid = list(itertools.product(list(Ls), list(Ts), list(Ms), list(Rs)))
    cases: Iterable = grid
    if progress:  # no tqdm at all otherwise (a disabled notebook bar still warns)
        from tqdm.auto import tqdm

        cases = tqdm(grid, desc="min-cut")
    parts = list(partitions)
    rows: list[dict[str, Any]] = []
    for L, T, M, R in cases:
        spec = RACSpec(M=M, R=R, L=L, T=T)
        chosen = []
        for p in parts:
            if isinstance(p, Partition) and p.T != T:
                continue
            try:
                chosen.append(as_partition(p, T))
            except PartitionError:
                if not skip_invalid:
                    raise
        if not chosen:
            continue
        net = compile_network(spec, merged=merged, max_nodes=max_nodes)
        for part in chosen:
            rows.append(_row(net, spec, part, merged))
    return RowTable(rows, "mincut_table")


def _row(net, spec: RACSpec, part: Partition, merged: bool) -> dict[str, Any]:
    t0 = time.perf_counter()
    cb = mincut_bound(net, part)
    seconds = time.perf_counter() - t0
    chains = None
    if part.name == "start-end":
        chains = all_chains_cut(spec.R, spec.L, spec.T)
    net_kind = net.node_kind
    e = cb.cut_edges
    legs = int(((net_kind[net.edge_u[e]] == NodeKind.INPUT)
                | (net_kind[net.edge_v[e]] == NodeKind.INPUT)).sum())
    return {
        "L": spec.L, "T": spec.T, "M": spec.M, "R": spec.R,
        "partition": part.name if part.name != "explicit" else "A:" + ",".join(map(str, part.A)),
        "merged": merged,
        "bound": cb.bound,
        "log2": cb.log2,
        "factored": cb.factored(),
        "n_cut": cb.n_cut,
        "cut_input_legs": legs,
        "cut_bonds": cb.n_cut - legs,
        "all_chains_cut": chains,
        "n_nodes": net.n_nodes,
        "flows": cb.flows,
        "seconds": seconds,
    }

