"""Every bound of one (spec, partition) without the exact rank: cheap even for large T."""

from __future__ import annotations

from typing import Any

from .._html import KeyValues
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
    extra = {"not_proven": bounds["not_proven"]} if "not_proven" in bounds else {}
    return KeyValues({
        "spec": fields,
        "partition": {"name": partition.name, "A": list(partition.A), "B": list(partition.B)},
        "mincut": cut.bound,
        "mincut_log2": cut.log2,
        "mincut_edges": cut.n_cut,
        "degree": bounds["degree"],
        "symmetric": bounds["symmetric"],
        "ideal": bounds["ideal"],
        "all_chains": bounds["all_chains"],
        "lower": bounds["lower"],
        "lower_status": bounds["lower_status"],
        **extra,
    }, "bounds_summary")
