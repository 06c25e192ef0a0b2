"""The registry of bounds: each bound on the separation rank is one :class:`Bound` declaration.

A declaration holds what every consumer needs: its name (the column of rows, tables and
stores), a human label (tables, plots, the CLI), a plot marker and line style, whether it is
an upper or a lower bound, where it applies (``applies(spec, partition)`` returns None, or a
one-line reason why not), its exact value, a cheap ``log2`` of it, and its proof (the
docstring of ``value``). Rows (:class:`tnrnn.bounds.BoundRow`), tables, exports, ``check``,
the probe budget of the rank layer, the atlas, plots and the CLI read this registry and
never name a bound again: **adding a bound is one** :func:`register` **call**.

The min-cut is declared here too (``network=True``), but its value needs the compiled
network, so it is computed by :mod:`tnrnn.bounds`, the layer that may import
:mod:`tnrnn.mincut`; the rank layer receives it as a ``known`` bound.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from math import log2
from typing import Callable, Mapping

from ..errors import TnrnnError
from ..partition import Partition
from ..spec import RACSpec

__all__ = [
    "Bound", "register", "unregister", "registered", "get_bound", "bound_names",
    "bound_values", "not_applied", "upper_bounds", "smallest_upper_bound", "smallest_upper_bound_log2",
]

Applies = Callable[[RACSpec, Partition], "str | None"]
Value = Callable[[RACSpec, Partition], int]
Log2 = Callable[[RACSpec, Partition], "float | None"]


@dataclass(frozen=True)
class Bound:
    """One bound on the separation rank of a (spec, partition).

    Attributes
    ----------
    name : str
        Column name in rows, stores and exports (an identifier, e.g. ``"degree"``).
    label : str
        Human label for tables, plot legends and the CLI (e.g. ``"degree bound"``).
    kind : {"upper", "lower"}
        Upper bounds hold for every weight setting; lower bounds for almost all weights.
    applies : callable (spec, partition) -> str or None
        None where the bound is proven (and computable), else one line saying why not.
    value : callable (spec, partition) -> int, or None
        The exact value where ``applies`` is None; its docstring is the proof. None for a
        bound that needs the network (``network=True``), computed by a higher layer.
    log2 : callable (spec, partition) -> float or None, optional
        A cheap ``log2`` of the value (for refusals and ordering when the value has millions
        of digits). Default: ``log2(value(...))``.
    marker, linestyle : plot marker and matplotlib dash pattern of the bound.
    order : int
        Position in tables and plots (smaller first; ties in registration order).
    cap : bool
        An upper bound the rank layer uses for its probe cap and up-front refusal.
    plotted : bool
        Drawn by :func:`tnrnn.drawing.plot_bounds` by default.
    network : bool
        The value needs the compiled network (the min-cut).
    status : callable spec -> str, optional
        For a lower bound: ``"theorem"`` or ``"conjecture"``.
    """

    name: str
    label: str
    kind: str
    applies: Applies
    value: Value | None
    log2: Log2 | None = None
    marker: str = "."
    linestyle: object = "--"
    order: int = 100
    cap: bool = False
    plotted: bool = True
    network: bool = False
    status: Callable[[RACSpec], str] | None = None

    def __post_init__(self) -> None:
        if not self.name.isidentifier():
            raise TnrnnError(f"a bound's name must be an identifier (a column name), got {self.name!r}")
        if self.kind not in ("upper", "lower"):
            raise TnrnnError(f"a bound's kind must be 'upper' or 'lower', got {self.kind!r}")
        if self.value is None and not self.network:
            raise TnrnnError(f"bound {self.name!r} has no value; only a network bound may leave it to a higher layer")

    @property
    def proof(self) -> str:
        """The proof of the bound: the docstring of its value function."""
        return (self.value.__doc__ or "") if self.value is not None else "computed from the network"

    def exact(self, spec: RACSpec, partition: Partition) -> int | None:
        """The value, or None where the bound does not apply (or needs the network)."""
        if self.value is None or self.applies(spec, partition) is not None:
            return None
        return self.value(spec, partition)

    def log2_of(self, spec: RACSpec, partition: Partition) -> float | None:
        """``log2`` of the value (cheap where ``log2`` is declared); None where not applied."""
        if self.log2 is not None:
            return self.log2(spec, partition)
        return _log2(self.value(spec, partition))


_REGISTRY: dict[str, Bound] = {}
_ORDERED: list[Bound] = []


def register(bound: Bound, *, replace: bool = False) -> Bound:
    """Add ``bound`` to the registry (every row, table, plot and cap picks it up); returns it."""
    if not isinstance(bound, Bound):
        raise TnrnnError(f"register expects a Bound, got {type(bound).__name__}")
    if bound.name in _REGISTRY and not replace:
        raise TnrnnError(f"a bound named {bound.name!r} is already registered; pass replace=True")
    _REGISTRY[bound.name] = bound
    _reorder()
    return bound


def unregister(name: str) -> Bound:
    """Remove a registered bound (returns it)."""
    if name not in _REGISTRY:
        raise TnrnnError(f"no bound named {name!r}; registered: {bound_names()}")
    bound = _REGISTRY.pop(name)
    _reorder()
    return bound


def _reorder() -> None:
    _ORDERED[:] = sorted(_REGISTRY.values(), key=lambda b: b.order)  # stable: ties by registration


def registered(kind: str | None = None) -> tuple[Bound, ...]:
    """Every registered bound in table order (only ``"upper"`` or ``"lower"`` ones if given)."""
    return tuple(b for b in _ORDERED if kind is None or b.kind == kind)


def bound_names(kind: str | None = None) -> tuple[str, ...]:
    """The names of :func:`registered` bounds, in table order."""
    return tuple(b.name for b in registered(kind))


def get_bound(name: str) -> Bound:
    """The registered bound called ``name``."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise TnrnnError(f"no bound named {name!r}; registered: {bound_names()}") from None


def _check(spec: RACSpec, partition: Partition) -> None:
    if not isinstance(spec, RACSpec):
        raise TnrnnError(f"expected a RACSpec, got {type(spec).__name__}")
    if not isinstance(partition, Partition):
        raise TnrnnError(f"expected a Partition, got {type(partition).__name__}; use Partition.coerce")
    partition.check_T(spec.T)


def bound_values(spec: RACSpec, partition: Partition) -> dict[str, int | None]:
    """Every registered closed-form bound of one case, by name (None where it does not
    apply); network bounds (the min-cut) are None here."""
    _check(spec, partition)
    return {b.name: b.exact(spec, partition) for b in _ORDERED}


def not_applied(spec: RACSpec, partition: Partition) -> dict[str, str]:
    """Why each closed-form bound that does not apply is left out, one line each."""
    out = {}
    for b in _ORDERED:
        reason = None if b.network else b.applies(spec, partition)
        if reason is not None:
            out[b.name] = reason
    return out


def _caps(spec: RACSpec, partition: Partition) -> list[Bound]:
    return [b for b in _ORDERED if b.cap and b.applies(spec, partition) is None]


def upper_bounds(spec: RACSpec, partition: Partition) -> dict[str, int]:
    """Every closed-form upper bound the rank layer uses (``cap``) that applies, by name.

    >>> from tnrnn import RACSpec, Partition
    >>> upper_bounds(RACSpec(M=2, R=3, L=2, T=8), Partition.start_end(8))
    {'degree': 120, 'bottleneck': 120, 'symmetric': 45, 'ideal': 42}
    >>> upper_bounds(RACSpec(M=2, R=3, L=2, T=8, bias=True), Partition.start_end(8))
    {'degree': 2700, 'symmetric': 140}
    """
    _check(spec, partition)
    return {b.name: b.value(spec, partition) for b in _caps(spec, partition)}


def _log2(value: int) -> float:
    return log2(value) if value > 0 else float("-inf")


def _known(known: Mapping[str, int | None] | None) -> dict[str, int]:
    out = {}
    for name, value in (known or {}).items():
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise TnrnnError(f"a proven upper bound must be a positive integer, got {name}={value!r}")
        out[name] = int(value)
    return out


def _logs(spec: RACSpec, partition: Partition, given: dict[str, int]) -> tuple[dict, dict]:
    """(name -> log2, name -> Bound) of the cap bounds with a cheap log2, and of ``given``."""
    logs, forms = {}, {}
    for b in _caps(spec, partition):
        lg = b.log2_of(spec, partition)
        if lg is not None:  # None: too costly to evaluate for a refusal (the others still hold)
            logs[b.name], forms[b.name] = lg, b
    logs.update({name: _log2(v) for name, v in given.items()})
    return logs, forms


def smallest_upper_bound_log2(spec: RACSpec, partition: Partition, *,
                              known: Mapping[str, int | None] | None = None) -> tuple[float, str]:
    """``log2`` of the smallest proven upper bound and its name, cheap for any size.

    See :func:`smallest_upper_bound`; no big product is formed.

    >>> from tnrnn import RACSpec, Partition
    >>> smallest_upper_bound_log2(RACSpec(M=2, R=2, L=1, T=10), Partition.start_end(10))
    (1.0, 'symmetric')
    """
    _check(spec, partition)
    logs, _ = _logs(spec, partition, _known(known))
    name = min(logs, key=logs.__getitem__)
    return logs[name], name


def smallest_upper_bound(spec: RACSpec, partition: Partition, *,
                         known: Mapping[str, int | None] | None = None) -> tuple[int, str]:
    """The smallest proven upper bound on the separation rank, and its name.

    The minimum of the registered ``cap`` bounds that apply and of ``known``, proven upper
    bounds found elsewhere (e.g. ``{"mincut": ...}``; None values are ignored). The bounds
    are compared by their logarithms first, and only the candidates within one bit of the
    smallest are computed exactly, so a huge bound that is not the smallest costs nothing.
    Ties go to the registered bounds, in table order.

    >>> from tnrnn import RACSpec, Partition
    >>> smallest_upper_bound(RACSpec(M=5, R=1, L=3, T=6), Partition.interleaved(6), known={"mincut": 1})
    (1, 'bottleneck')
    >>> smallest_upper_bound(RACSpec(M=4, R=4, L=3, T=30), Partition.start_end(30))
    (987594736, 'ideal')
    """
    _check(spec, partition)
    given = _known(known)
    logs, forms = _logs(spec, partition, given)
    least = min(logs.values())
    exact = {name: (given[name] if name in given else forms[name].value(spec, partition))
             for name, lg in logs.items() if lg <= least + 1}
    name = min(exact, key=exact.__getitem__)
    return exact[name], name
