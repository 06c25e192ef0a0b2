"""Spec-level closed-form upper bounds: the plain RAC's (:mod:`tnrnn.formulas`) or, for
members of the family, the ones proven for them.

The rank layer and the up-front refusals go through :func:`spec_upper_bounds` and
:func:`spec_smallest_upper_bound` (with its ``_log2`` twin), so a plain spec gets exactly
:func:`tnrnn.formulas.upper_bounds`, and a member gets only bounds proven for members:

- ``"degree"`` (:func:`member_degree_bound`), every member, every partition.

The paper's bounds, the symmetric-copies and the boundary-ideal bounds are derived for the
plain RAC only and are not applied to members here.
"""

from __future__ import annotations

from math import lgamma, log
from typing import Mapping

from .copies import copy_counts
from .formulas import _known, _log2, _product, multiset, smallest_upper_bound, smallest_upper_bound_log2, upper_bounds
from .partition import Partition
from .spec import RACSpec

__all__ = ["member_degree_bound", "member_degree_bound_log2", "spec_upper_bounds", "spec_smallest_upper_bound",
           "spec_smallest_upper_bound_log2"]


def member_degree_bound(spec: RACSpec, partition: Partition) -> int:
    """``min(prod_{t in A} multiset(M', d_t), prod_{t in B} multiset(M', d_t))``.

    ``d_t`` is the number of copies of ``x^t`` (:func:`tnrnn.formulas.copy_counts`, with
    dilations) and ``M' = M + 1`` with bias, M without. **Derived upper bound** (for
    tnrnn), every member, every partition, all weights. Proof: every cell is bilinear in
    (previous state, state below), so unrolling the recursion writes ``y`` as a sum over
    the copies of the network, each copy of ``x^t`` contributing one linear factor in
    ``f(x^t)`` (with bias: in ``(f(x^t), 1)``): ``y`` is a form of degree ``d_t`` in
    ``f(x^t)`` (with bias: in ``(f(x^t), 1)``). So for fixed B-side inputs, ``y`` lies in
    the span of products of such forms over ``t in A``, of dimension
    ``prod_{t in A} multiset(M', d_t)``; likewise with A and B exchanged, and the
    separation rank is at most the smaller dimension. For plain specs it equals
    :func:`tnrnn.formulas.degree_bound`.

    >>> member_degree_bound(RACSpec(M=2, R=3, L=2, T=4, dilations=(1, 2)), Partition.start_end(4))  # copies 2, 2 | 1, 1
    4
    >>> member_degree_bound(RACSpec(M=2, R=3, L=1, T=4, bias=True), Partition.start_end(4))
    9
    """
    d = copy_counts(spec.T, spec.dilations)
    Mp = spec.M + int(spec.bias)

    def side(steps: tuple[int, ...]) -> int:
        return _product([multiset(Mp, d[t - 1]) for t in steps])

    return min(side(partition.A), side(partition.B))


def member_degree_bound_log2(spec: RACSpec, partition: Partition) -> float:
    """``log2`` of :func:`member_degree_bound` from log-gamma sums (for refusals only)."""
    d = copy_counts(spec.T, spec.dilations)
    Mp = spec.M + int(spec.bias)

    def side(steps: tuple[int, ...]) -> float:
        return sum(lgamma(Mp + d[t - 1]) - lgamma(d[t - 1] + 1) - lgamma(Mp) for t in steps) / log(2)

    return min(side(partition.A), side(partition.B))


def spec_upper_bounds(spec: RACSpec, partition: Partition) -> dict[str, int]:
    """Every closed-form upper bound proven for ``spec``'s family member, by name.

    >>> spec_upper_bounds(RACSpec(M=2, R=3, L=2, T=8), Partition.start_end(8))
    {'degree': 120, 'symmetric': 45, 'ideal': 42}
    >>> spec_upper_bounds(RACSpec(M=2, R=3, L=2, T=8, cell="cp:2"), Partition.start_end(8))
    {'degree': 120}
    """
    if spec.plain:
        return upper_bounds(spec.M, spec.R, spec.L, partition)
    return {"degree": member_degree_bound(spec, partition)}


def spec_smallest_upper_bound_log2(
    spec: RACSpec, partition: Partition, *, known: Mapping[str, int | None] | None = None
) -> tuple[float, str]:
    """:func:`tnrnn.formulas.smallest_upper_bound_log2` for any member."""
    if spec.plain:
        return smallest_upper_bound_log2(spec.M, spec.R, spec.L, partition, known=known)
    logs = {"degree": member_degree_bound_log2(spec, partition)}
    logs.update({name: _log2(v) for name, v in _known(known).items()})
    name = min(logs, key=logs.__getitem__)
    return logs[name], name


def spec_smallest_upper_bound(
    spec: RACSpec, partition: Partition, *, known: Mapping[str, int | None] | None = None
) -> tuple[int, str]:
    """:func:`tnrnn.formulas.smallest_upper_bound` for any member (exact, with its name)."""
    if spec.plain:
        return smallest_upper_bound(spec.M, spec.R, spec.L, partition, known=known)
    given = _known(known)
    least, _ = spec_smallest_upper_bound_log2(spec, partition, known=given)
    values = {name: v for name, v in given.items() if _log2(v) <= least + 1}
    if member_degree_bound_log2(spec, partition) <= least + 1:
        values = {"degree": member_degree_bound(spec, partition), **values}
    name = min(values, key=values.__getitem__)
    return values[name], name
