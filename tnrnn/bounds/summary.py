"""Every bound of one (spec, partition) without the exact rank: cheap even for large T."""

from __future__ import annotations

from typing import Any

from .._html import KeyValues
from ..boundset import registered
from ..partition import Partition
from ..spec import RACSpec
from .rows import formula_bounds

__all__ = ["bounds_summary"]


def bounds_summary(
    spec: RACSpec, partition: Partition | str = "start-end", *, max_nodes: int | None = None
) -> dict[str, Any]:
    """The min-cut, degree, symmetric-copies, boundary-ideal and all-chains upper bounds
    and the paper's lower bound of one case, as a JSON-ready dict of exact integers.

    ``all_chains`` and ``lower`` are defined for Start-End partitions only, ``symmetric``
    for partitions with a prefix side ``1..k``, ``ideal`` for those at L >= 2
    (:func:`tnrnn.formulas.boundary_ideal_bound`); each is ``None`` where undefined.
    ``lower_status`` says whether the lower bound is a theorem (L <= 2) or the paper's
    conjecture (L >= 3). For a member of the RAC family the spec lists its widths, cells,
    bias and dilations, the bounds are those proven for it (:mod:`tnrnn.family_bounds`;
    the min-cut holds for every member) and ``not_proven`` says, one line per bound, why
    the others are None.

    Examples
    --------
    >>> s = bounds_summary(RACSpec(M=2, R=3, L=2, T=8))
    >>> s["lower"], s["mincut"], s["degree"], s["symmetric"], s["ideal"]
    (5, 162, 120, 45, 42)
    """
    from ..mincut import mincut_bound

    partition = Partition.coerce(partition, spec.T)
    options = {} if max_nodes is None else {"max_nodes": max_nodes}
    cut = mincut_bound(spec, partition, **options)
    bounds = formula_bounds(spec, partition)
    fields = {"M": spec.M, "R": spec.R, "L": spec.L, "T": spec.T}
    if not spec.plain:
        fields.update({"R": list(spec.widths), "cell": list(spec.cells), "bias": spec.bias,
                       "dilations": list(spec.dilations)})
    out = {"spec": fields, "partition": {"name": partition.name, "A": list(partition.A), "B": list(partition.B)},
           "mincut": cut.bound, "mincut_log2": cut.log2, "mincut_edges": cut.n_cut}
    for b in registered("upper"):  # every registered bound, uppers first, in table order
        if not b.network:
            out[b.name] = bounds[b.name]
    for b in registered("lower"):
        out[b.name] = bounds[b.name]
        if b.status is not None:
            out[f"{b.name}_status"] = bounds[f"{b.name}_status"]
    if "not_proven" in bounds:
        out["not_proven"] = bounds["not_proven"]
    return KeyValues(out, "bounds_summary")
