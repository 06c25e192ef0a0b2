"""The one node count of tnrnn's networks, for any spec, without building the network.

Below :mod:`tnrnn.spec` (it takes any object with a spec's fields), so that the spec, the
compiler (:mod:`tnrnn.network.members` re-exports these functions) and the readers all
count the same way.
"""

from __future__ import annotations

from .cells import MAX_BOND
from .copies import lattice_size
from .errors import MemoryLimitError
from .formulas import network_size
from .nodekind import NodeKind
from .numbers import format_int

__all__ = ["spec_network_size", "count_cost", "member_network_size", "check_member_size", "site_kinds"]

_MAX_DIM = MAX_BOND


def site_kinds(spec, layer: int, merged: bool) -> list[NodeKind]:
    """The nodes of one site of ``layer``, in node order (its cell's
    :meth:`~tnrnn.cells.Cell.site`; INPUT last on layer 1)."""
    kinds = list(spec.cells[layer - 1].site(merged).kinds)
    return kinds + ([NodeKind.INPUT] if layer == 1 else [])


def count_cost(spec) -> int:
    """Rough work of :func:`spec_network_size` (1 for the closed form, else a lower bound
    on the sites it walks), for callers that only want a count when it is cheap."""
    return 1 if spec.plain else sum(-(-spec.T // d) for d in spec.dilations)


def spec_network_size(spec, *, merged: bool = False, max_nodes: int | None = None) -> tuple[int, int]:
    """``(nodes, edges)`` of the network of any spec, without building it (exact): the one
    node count of tnrnn.

    The plain RAC's closed form (:func:`tnrnn.formulas.network_size`) is the fast case;
    every other spec is counted from its chains and its cells' sites in O(L T). With
    ``max_nodes``, refuses (:class:`~tnrnn.errors.MemoryLimitError`) before counting
    when a cheap lower bound (``sum_l ceil(T / d_l)`` sites) or T itself is above it.

    >>> from tnrnn import RACSpec
    >>> spec_network_size(RACSpec(M=2, R=3, L=2, T=4))
    (58, 57)
    >>> spec_network_size(RACSpec(M=2, R=3, L=2, T=4, cell="cp:2"))  # one U more on each of 14 sites
    (72, 71)
    """
    if max_nodes is not None:
        least = sum(-(-spec.T // d) for d in spec.dilations)
        if least > max_nodes or spec.T > max_nodes:
            raise MemoryLimitError(
                f"the network of {spec} has more than {format_int(min(least, spec.T))} nodes, above "
                f"max_nodes={max_nodes:,}; lower T or L"
            )
    if spec.plain:  # the fast case: closed form, any T
        return network_size(spec.M, spec.R, spec.L, spec.T, merged=merged)
    per = tuple(len(site_kinds(spec, l, merged)) for l in range(1, spec.L + 1))
    return lattice_size(spec.T, spec.dilations, per)


#: The earlier name of :func:`spec_network_size` (same function).
member_network_size = spec_network_size


def check_member_size(spec, merged: bool, max_nodes: int) -> int:
    """The node count of ``spec``'s network; raises before any allocation above
    ``max_nodes`` or with a dimension above the largest bond dimension."""
    for name, v in [("M", spec.M), ("K", spec.K)] + [(f"R_{l}", r) for l, r in enumerate(spec.widths, 1)]:
        if v + int(spec.bias) > _MAX_DIM:
            raise MemoryLimitError(
                f"{name}={format_int(v)} is above the largest bond dimension a network holds "
                f"({_MAX_DIM:,} = 2**63 - 1); the formulas in tnrnn.formulas take any size"
            )
    nodes, _ = spec_network_size(spec, merged=merged, max_nodes=max_nodes)
    if nodes > max_nodes:
        raise MemoryLimitError(
            f"the network of {spec} has {format_int(nodes, max_digits=20)} nodes (about {nodes * 64 / 2**30:,.1f} GiB "
            f"to compile), above max_nodes={max_nodes:,}; lower T or L, use merged=True, or raise "
            "max_nodes (--max-nodes) if memory allows"
        )
    return nodes
