"""Every bound side by side with the exact rank, and a loud check of their order.

For a (spec, partition):

- ``lower``: the paper's Start-End lower bound (:func:`tnrnn.formulas.paper_lower_bound`):
  Theorem 1 for L = 1 (the exact value ``min(R, M^(T/2))``) and L = 2, the paper's
  *conjecture* for L >= 3; only for Start-End partitions. A theorem "for almost all
  weights": it is checked against the rank of random weights, which is generic with the
  probability the rank result states.
- ``exact``: :func:`tnrnn.rank.separation_rank` (probes over F_p).
- every bound of the registry (:mod:`tnrnn.boundset`), one column each, in table order;
  the bounds tnrnn declares are:
- upper bounds, valid for every weight setting: ``mincut``
  (:func:`tnrnn.mincut.mincut_bound`), ``degree`` (:func:`tnrnn.formulas.degree_bound`,
  any partition), ``symmetric`` (:func:`tnrnn.formulas.symmetric_copies_bound` over the
  ``m`` steps of the non-prefix side, for partitions with a prefix side ``1..k``: Start-End
  and ``split:k``), ``ideal`` (:func:`tnrnn.formulas.boundary_ideal_bound`, L >= 2 and a
  prefix side; our derivation) and ``all_chains`` (:func:`tnrnn.formulas.all_chains_cut`,
  Start-End).
- ``proven_by``: the exact rank over F_p is a *deterministic* lower bound on the generic
  rank (rank over F_p <= rank over Q of the same integers <= separation rank at those
  weights <= generic rank); where it meets the smallest upper bound, the generic rank is
  **proven** (``proven`` is True and ``proven_by`` names the bound). Otherwise the exact
  rank is a certified lower bound that equals the generic rank with probability
  ``>= 1 - failure_bound``. The paper's ``lower`` bound, a statement about almost all
  weights, plays no part in this.

:func:`check_bounds` raises :class:`~tnrnn.errors.BoundViolationError` if
``lower <= exact <= every upper bound`` fails: a violated theorem means a bug, or a
counterexample worth a paper; it never passes silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any, Iterable, Mapping

import numpy as np

from .._rng import RngLike
from .._html import RowTable, rows_html
from ..boundset import bound_names, bound_values, not_applied, registered, upper_bounds
from ..errors import BoundViolationError, MemoryLimitError, TnrnnError
from ..partition import Partition
from ..rank import RankResult, proven_by, separation_rank
from ..spec import RACSpec

__all__ = ["BoundRow", "bound_row", "violations", "check_row", "check_bounds", "case_seed",
           "UPPER_BOUNDS", "formula_bounds", "prove_rank", "mincut_upper_bounds", "BUDGET_MAX_NODES",
           "SPEC_COLUMNS", "spec_columns", "row_member", "member_text"]


def __getattr__(name: str) -> Any:
    if name == "UPPER_BOUNDS":  # computed: a bound registered later is in it too
        return bound_names("upper")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: The spec columns of every row, beside M, L, T: per-layer widths go in ``R``.
SPEC_COLUMNS = ("cell", "bias", "dilations")


def spec_columns(spec: RACSpec) -> dict[str, Any]:
    """The columns of a row that name its spec: M, R, L, T, cell, bias, dilations (one value
    where every layer shares it, else a list per layer).

    >>> spec_columns(RACSpec(M=2, R=(3, 2), L=2, T=6, cell=("mi", "cp:2"), dilations=(1, 2)))
    {'M': 2, 'R': [3, 2], 'L': 2, 'T': 6, 'cell': ['mi', 'cp:2'], 'bias': False, 'dilations': [1, 2]}
    >>> spec_columns(RACSpec(M=2, R=3, L=2, T=6))
    {'M': 2, 'R': 3, 'L': 2, 'T': 6, 'cell': 'mi', 'bias': False, 'dilations': 1}
    """
    d = spec.dilations
    values = {"M": spec.M, "R": spec.R, "L": spec.L, "T": spec.T, "cell": spec.cell, "bias": spec.bias,
              "dilations": d[0] if len(set(d)) == 1 else d}
    return {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}


def _hashable(v: Any) -> Any:
    return tuple(v) if isinstance(v, list) else v


def row_member(row: Mapping[str, Any]) -> tuple:
    """``(L, M, R, cell, bias, dilations)`` of a row, hashable; rows without the member
    columns (older stores and files) are plain RACs: cell ``mi``, no bias, dilations 1.

    >>> row_member({"L": 2, "M": 2, "R": 3, "T": 4})
    (2, 2, 3, 'mi', False, 1)
    """
    get = row.get if isinstance(row, Mapping) else (lambda k, d=None: getattr(row, k, d))
    dil = _hashable(get("dilations", 1))
    if isinstance(dil, tuple) and len(set(dil)) == 1:
        dil = dil[0]
    cell = _hashable(get("cell", "mi") or "mi")
    if isinstance(cell, tuple) and len(set(cell)) == 1:
        cell = cell[0]
    return (get("L"), get("M"), _hashable(get("R")), cell, bool(get("bias", False) or False), dil)


def member_text(member: tuple, fields: Iterable[str] | None = None) -> str:
    """A short label of :func:`row_member`'s tuple: exactly ``fields`` if given, else L, M, R
    and whatever of cell, bias and dilations is not the plain RAC's.

    >>> member_text((2, 2, (3, 2), ("mi", "cp:2"), False, (1, 2)))
    'L=2 M=2 R=3,2 cell=mi,cp:2 d=1,2'
    >>> member_text((2, 2, 3, "mi", False, 1), ["L", "cell"])
    'L=2 cell=mi'
    """
    L, M, R, cell, bias, dil = member
    join = lambda v: ",".join(map(str, v)) if isinstance(v, tuple) else str(v)  # noqa: E731
    parts = {"L": f"L={L}", "M": f"M={M}", "R": f"R={join(R)}", "cell": f"cell={join(cell)}",
             "bias": "bias" if bias else "no bias", "dilations": f"d={join(dil)}"}
    if fields is None:
        fields = ["L", "M", "R"] + [f for f, plain in (("cell", cell == "mi"), ("bias", not bias),
                                                      ("dilations", dil == 1)) if not plain]
    return " ".join(parts[f] for f in fields)


def formula_bounds(spec: RACSpec, partition: Partition) -> dict[str, Any]:
    """Every closed-form bound of the registry for one case (no min-cut, no rank), None where
    it does not apply; a lower bound with a status (the paper's) adds ``<name>_status``.

    For a member of the RAC family (``spec.plain`` False) a key ``not_proven`` says, one
    line each, why the bounds that are None do not apply.

    >>> formula_bounds(RACSpec(M=2, R=3, L=2, T=8), Partition.parse("split:5", 8))
    {'lower': None, 'lower_status': None, 'degree': 24, 'bottleneck': 24, 'symmetric': 30, 'ideal': 27, 'syzygy': None, 'all_chains': None}
    """
    values = bound_values(spec, partition)
    out: dict[str, Any] = {}
    for b in registered():
        if b.network:
            continue
        out[b.name] = values[b.name]
        if b.status is not None:
            out[f"{b.name}_status"] = b.status(spec) if values[b.name] is not None else None
    if not spec.plain:
        out["not_proven"] = not_applied(spec, partition)
    return out


def _network_values(spec: RACSpec, partition: Partition, with_network: bool) -> dict[str, int | None]:
    """The registered bounds that need the network, computed here (the layer that may
    import :mod:`tnrnn.mincut`); None when not asked for."""
    computed = {"mincut": _mincut}
    out = {}
    for b in registered():
        if b.network:
            compute = computed.get(b.name)
            out[b.name] = compute(spec, partition) if with_network and compute is not None else None
    return out


def prove_rank(result: RankResult, spec: RACSpec, partition: Partition | str = "start-end", *,
               mincut: int | None = None) -> RankResult:
    """``result`` with the min-cut added to its upper bounds (and ``proven_by`` updated).

    The rank layer knows only the closed-form bounds; this adds the min-cut (computed
    unless given, and only when the closed forms do not already prove the rank; here the
    bottleneck degree bound already does).

    >>> from tnrnn.rank import separation_rank
    >>> spec = RACSpec(M=3, R=2, L=1, T=6)
    >>> res = separation_rank(spec, "interleaved", rng=0)
    >>> res.rank, res.upper_bound, res.proven, prove_rank(res, spec, "interleaved").proven_by
    (8, 8, True, 'bottleneck')
    """
    if result.proven or not result.certified:
        return result
    partition = Partition.coerce(partition, spec.T)
    if mincut is None:
        from ..mincut import mincut_bound

        mincut = int(mincut_bound(spec, partition).bound)
    uppers = {"mincut": mincut, **upper_bounds(spec, partition)}
    return replace(result, upper_bound=min(uppers.values()), proven_by=proven_by(result.rank, uppers))


@dataclass(frozen=True, repr=False, init=False)
class BoundRow:
    """One (spec, partition): the whole spec, the exact rank and every registered bound.

    ``bounds`` maps each registered bound's name to its value (None where it does not
    apply); ``row.degree`` and the like read it. ``R`` is one width or a tuple per layer;
    ``cell`` one cell or a tuple per layer; ``dilations`` one per layer.
    """

    M: int
    R: int | tuple[int, ...]
    L: int
    T: int
    partition: str
    A: tuple[int, ...]
    exact: int
    proven_by: str | None
    bounds: Mapping[str, int | None] = field(hash=False)
    lower_status: str | None
    certified: bool
    failure_bound: float | None
    n_probes: int
    seed: Any
    seconds: float
    cell: str | tuple[str, ...] = "mi"
    bias: bool = False
    dilations: tuple[int, ...] = field(default=())

    def __init__(self, M: int, R: int | tuple[int, ...], L: int, T: int, partition: str, A: tuple[int, ...],
                 exact: int, proven_by: str | None, bounds: Mapping[str, int | None] | None = None,
                 lower_status: str | None = None, certified: bool = False, failure_bound: float | None = None,
                 n_probes: int = 0, seed: Any = None, seconds: float = 0.0, cell: str | tuple[str, ...] = "mi",
                 bias: bool = False, dilations: tuple[int, ...] = (), **bound_values: int | None) -> None:
        """Every field; a bound may also be given by its name (``degree=...``), so
        ``dataclasses.replace(row, degree=0)`` works like a field."""
        unknown = sorted(set(bound_values) - set(bound_names()))
        if unknown:
            raise TypeError(f"BoundRow got unknown fields {unknown}; bounds: {list(bound_names())}")
        values = dict(locals())
        values["bounds"] = {**(bounds or {}), **bound_values}
        for f in fields(self):
            object.__setattr__(self, f.name, values[f.name])

    def __getattr__(self, name: str) -> Any:
        bounds = self.__dict__.get("bounds")
        if bounds is not None and not name.startswith("_"):
            if name in bounds:
                return bounds[name]
            if name in bound_names():
                return None
        raise AttributeError(f"{type(self).__name__} has no field or bound {name!r}")

    @property
    def spec(self) -> RACSpec:
        """The spec of the row."""
        return RACSpec(M=self.M, R=self.R, L=self.L, T=self.T, cell=self.cell, bias=self.bias,
                       dilations=self.dilations or 1)

    def __repr__(self) -> str:
        spec = repr(self.spec)[len("RACSpec("):-1].replace(", K=1", "")
        shown = ", ".join(f"{k}={v}" for k, v in self.bounds.items() if v is not None)
        return (f"BoundRow({spec}, partition={self.partition!r}, exact={self.exact}, "
                f"proven_by={self.proven_by!r}, {shown})")

    def _repr_html_(self) -> str:
        """Notebook display: a one-line HTML table of every field (new fields show up too)."""
        return rows_html("BoundRow", [self])

    @property
    def tightest_upper(self) -> int:
        """The smallest of the upper bounds that are defined."""
        return min(v for k, v in self.bounds.items() if v is not None and k in bound_names("upper"))

    @property
    def proven(self) -> bool:
        """True when the generic rank is proven: the certified exact rank meets the
        smallest upper bound (named in ``proven_by``)."""
        return self.certified and self.proven_by is not None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict, one column per spec field and per bound (big integers stay ints)."""
        lower = bound_names("lower")
        out = {**spec_columns(self.spec), "partition": self.partition, "A": list(self.A)}
        out.pop("T")
        out = {"M": out.pop("M"), "R": out.pop("R"), "L": out.pop("L"), "T": self.T, **out}
        for name in lower:
            out[name] = self.bounds.get(name)
            if name == "lower":
                out["lower_status"] = self.lower_status
        out.update({"exact": self.exact, "proven_by": self.proven_by})
        out.update({k: v for k, v in self.bounds.items() if k not in lower})
        out.update({"certified": self.certified, "failure_bound": self.failure_bound,
                    "n_probes": self.n_probes, "seed": self.seed, "seconds": self.seconds,
                    "tightest_upper": self.tightest_upper, "proven": self.proven})
        return out


#: Networks up to this many nodes get their min-cut computed for an up-front refusal
#: (about a second); larger ones are judged on the closed-form bounds alone.
BUDGET_MAX_NODES = 1_000_000


def _mincut(spec: RACSpec, partition: Partition) -> int | None:
    try:
        from ..mincut import mincut_bound
    except ImportError:  # the min-cut package is optional at this layer
        return None
    return int(mincut_bound(spec, partition).bound)


def mincut_upper_bounds(
    spec: RACSpec, partition: Partition | str = "start-end", *, max_nodes: int = BUDGET_MAX_NODES
) -> dict[str, int]:
    """The proven upper bound that needs the network (the min-cut), for
    ``separation_rank(..., upper_bounds=...)``.

    The rank layer never imports the min-cut; this is where the two meet. The min-cut is
    computed only when the network has at most ``max_nodes`` nodes (so the answer comes in
    about a second); otherwise the result is empty and the closed forms decide alone.

    Examples
    --------
    >>> mincut_upper_bounds(RACSpec(M=5, R=1, L=3, T=6), "interleaved")
    {'mincut': 1}
    """
    from ..network.members import spec_network_size

    partition = Partition.coerce(partition, spec.T)
    try:
        nodes = spec_network_size(spec, max_nodes=max_nodes)[0]  # the one count (closed form when plain)
    except MemoryLimitError:
        return {}
    if nodes > max_nodes:
        return {}
    value = _mincut(spec, partition)
    return {} if value is None else {"mincut": value}


def bound_row(
    spec: RACSpec,
    partition: Partition | str = "start-end",
    *,
    rng: RngLike = 0,
    with_mincut: bool = True,
    **rank_options: Any,
) -> BoundRow:
    """Compute the exact rank and every bound for one case (no check; see :func:`check_row`).

    Parameters
    ----------
    spec : RACSpec
    partition : Partition or str
    rng : seed of the random weights and probes
    with_mincut : bool
        Compute the min-cut bound (the slowest bound for large networks). It is computed
        first and passed to :func:`tnrnn.rank.separation_rank` as a proven upper bound, so
        the rank's up-front refusal and probe cap use it.
    **rank_options
        Passed to :func:`tnrnn.rank.separation_rank` (e.g. ``max_probes``).
    """
    partition = Partition.coerce(partition, spec.T)
    network = _network_values(spec, partition, with_mincut)
    known = {**(rank_options.pop("upper_bounds", None) or {}), **network}
    res = separation_rank(spec, partition, rng=rng, upper_bounds=known, **rank_options)
    bounds = formula_bounds(spec, partition)
    bounds.pop("not_proven", None)
    status = bounds.pop("lower_status", None)
    bounds.update(network)
    bounds = {name: bounds.get(name) for name in bound_names()}
    uppers = {k: bounds[k] for k in bound_names("upper")}
    return BoundRow(
        M=spec.M, R=spec.R, L=spec.L, T=spec.T, partition=partition.name, A=partition.A,
        exact=res.rank, bounds=bounds, lower_status=status, certified=res.certified,
        failure_bound=res.failure_bound, n_probes=res.n_probes_A, seed=res.seed, seconds=res.seconds,
        proven_by=proven_by(res.rank, uppers) if res.certified else None,
        cell=spec.cell, bias=spec.bias, dilations=spec.dilations,
    )


def violations(row: BoundRow) -> list[str]:
    """Every failed ordering of ``row``, in words (empty if all hold)."""
    case = f"{member_text(row_member(row))} T={row.T} partition={row.partition}"
    out = []
    for b in registered():
        value = row.bounds.get(b.name)
        if value is None:
            continue
        if b.kind == "lower" and row.exact < value:
            out.append(_lower_violation(row, b, value, case))
        elif b.kind == "upper" and row.exact > value:
            out.append(
                f"{case}: exact rank {row.exact} > {b.name} upper bound {value}, which holds for every "
                "weight setting: a bug (in the rank, or in that bound)"
            )
    return out


def _lower_violation(row: BoundRow, bound, value: int, case: str) -> str:
    status = row.lower_status if bound.name == "lower" else None
    if status == "theorem":
        why = (f"Theorem 1 of the paper (for almost all weights) is violated: a bug in tnrnn, an "
               f"unlucky draw (probability <= {row.failure_bound:.3g}), or a counterexample")
    elif status == "conjecture":
        why = (f"the paper's conjecture for L={row.L} fails on these random weights: a "
               f"counterexample candidate (or a bug; unlucky-draw probability <= {row.failure_bound:.3g})")
    else:
        why = f"a lower bound for almost all weights fails (unlucky-draw probability <= {row.failure_bound:.3g})"
    name = "paper lower bound" if bound.name == "lower" else f"{bound.name} lower bound"
    return f"{case}: exact rank {row.exact} < {name} {value} ({status or bound.label}); {why}"


def check_row(row: BoundRow) -> BoundRow:
    """Return ``row`` if ``lower <= exact <= every upper bound``, else raise loudly."""
    failed = violations(row)
    if failed:
        raise BoundViolationError("bound ordering violated:\n  " + "\n  ".join(failed))
    return row


def check_bounds(
    cases: Iterable[RACSpec | tuple[RACSpec, Partition | str]],
    *,
    rng: RngLike = 0,
    with_mincut: bool = True,
    progress: bool = False,
    **rank_options: Any,
) -> list[BoundRow]:
    """One checked :class:`BoundRow` per case; raises on the first violated ordering.

    Parameters
    ----------
    cases : RACSpec, (RACSpec, partition), or an iterable of them
        A bare spec means the Start-End partition; one spec or one (spec, partition)
        pair is one case.
    rng : int
        Base seed; each case uses :func:`case_seed` of it (same seed, same rows).
    with_mincut, **rank_options
        As in :func:`bound_row`.

    Raises
    ------
    BoundViolationError
        If ``lower <= exact <= upper`` fails for any case (the message says which
        statement failed: a theorem, the L >= 3 conjecture, or an upper bound).

    Examples
    --------
    >>> rows = check_bounds([RACSpec(M=2, R=2, L=2, T=4)], with_mincut=False)
    >>> rows[0].lower <= rows[0].exact <= rows[0].tightest_upper
    True
    """
    if isinstance(cases, RACSpec) or (
        isinstance(cases, tuple) and len(cases) == 2 and isinstance(cases[0], RACSpec)
        and not isinstance(cases[1], (RACSpec, tuple, list))
    ):
        cases = [cases]
    try:
        items = [(c, "start-end") if isinstance(c, RACSpec) else tuple(c) for c in cases]
    except TypeError:
        raise TnrnnError(
            f"cases must be a RACSpec, a (RACSpec, partition) pair or a list of them, got {cases!r}"
        ) from None
    for item in items:
        if len(item) != 2 or not isinstance(item[0], RACSpec):
            raise TnrnnError(f"each case must be a RACSpec or (RACSpec, partition), got {item!r}")
    base = _seed_int(rng)
    it = items
    if progress:
        from tqdm.auto import tqdm

        it = tqdm(items, desc="check_bounds")
    rows = []
    for spec, part in it:
        part = Partition.coerce(part, spec.T)
        seed = case_seed(base, spec, part)
        rows.append(check_row(bound_row(spec, part, rng=seed, with_mincut=with_mincut, **rank_options)))
    return RowTable(rows, "check_bounds")


def case_seed(base: int, spec: RACSpec, partition: Partition) -> int:
    """The integer seed of one case, derived from a base seed and the case alone.

    Independent of the order of the cases, so a resumed or reordered sweep gives the
    same rows; ``separation_rank(spec, partition, rng=case_seed(...))`` reproduces one.
    """
    widths = list(spec.R) if isinstance(spec.R, tuple) else [spec.R]  # one int: the keys of plain RACs
    key = [_seed_int(base), spec.M, *widths, spec.L, spec.T, spec.K, *partition.A]
    return int(np.random.SeedSequence(key).generate_state(1, dtype=np.uint32)[0])


def _seed_int(rng: RngLike) -> int:
    if isinstance(rng, bool) or not isinstance(rng, (int, np.integer)) or int(rng) < 0:
        raise TnrnnError(f"rng must be a non-negative integer seed, got {rng!r}")
    return int(rng)
