"""Every bound of one (spec, partition) without the exact rank: cheap even for large T."""

from __future__ import annotations

from typing import Any

from .._html import KeyValues
from ..formulas import all_chains_cut, degree_bound, paper_lower_bound, symmetric_copies_bound
from ..partition import Partition
from ..spec import RACSpec

__all__ = ["bounds_summary"]


def bounds_summary(
    spec: RACSpec, partition: Partition | str = "start-end", *, max_nodes: int | None = None
) -> dict[str, Any]:
    """The min-cut, degree, symmetric-copies and all-chains upper bounds and the paper's
    lower bound of one case, as a JSON-ready dict of exact integers.

    ``symmetric``, ``all_chains`` and ``lower`` are defined for Start-End partitions only
    and are ``None`` otherwise; ``lower_status`` says whether the lower bound is a theorem
    (L <= 2) or the paper's conjecture (L >= 3).

    Examples
    --------
    >>> s = bounds_summary(RACSpec(M=3, R=3, L=2, T=4))
    >>> s["lower"], s["mincut"], s["degree"], s["symmetric"]
    (6, 27, 18, 18)
    """
    from ..mincut import mincut_bound

    partition = Partition.coerce(partition, spec.T)
    options = {} if max_nodes is None else {"max_nodes": max_nodes}
    cut = mincut_bound(spec, partition, **options)
    start_end = partition.is_start_end
    lower, status = paper_lower_bound(spec.M, spec.R, spec.L, spec.T) if start_end else (None, None)
    return KeyValues({
        "spec": {"M": spec.M, "R": spec.R, "L": spec.L, "T": spec.T},
        "partition": {"name": partition.name, "A": list(partition.A), "B": list(partition.B)},
        "mincut": cut.bound,
        "mincut_log2": cut.log2,
        "mincut_edges": cut.n_cut,
        "degree": degree_bound(spec.M, spec.L, partition),
        "symmetric": symmetric_copies_bound(spec.R, spec.L, spec.T) if start_end else None,
        "all_chains": all_chains_cut(spec.R, spec.L, spec.T) if start_end else None,
        "lower": lower,
        "lower_status": status,
    }, "bounds_summary")
