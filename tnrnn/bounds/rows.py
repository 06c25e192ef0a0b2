"""Every bound side by side with the exact rank, and a loud check of their order.

For a (spec, partition):

- ``lower``: the paper's Start-End lower bound (:func:`tnrnn.formulas.paper_lower_bound`):
  Theorem 1 for L = 1 (the exact value ``min(R, M^(T/2))``) and L = 2, the paper's
  *conjecture* for L >= 3; only for Start-End partitions. A theorem "for almost all
  weights": it is checked against the rank of random weights, which is generic with the
  probability the rank result states.
- ``exact``: :func:`tnrnn.rank.separation_rank` (probes over F_p).
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

from dataclasses import asdict, dataclass, replace
from typing import Any, Iterable

import numpy as np

from .._rng import RngLike
from .._html import RowTable, rows_html
from ..errors import BoundViolationError, MemoryLimitError, TnrnnError
from ..family_bounds import ideal_bound_refusal, member_upper_bounds
from ..formulas import all_chains_cut, paper_lower_bound, paper_lower_bound_status
from ..formulas import prefix_split as formulas_prefix_split
from ..partition import Partition
from ..rank import RankResult, proven_by, proven_upper_bounds, separation_rank
from ..spec import RACSpec

__all__ = ["BoundRow", "bound_row", "violations", "check_row", "check_bounds", "case_seed",
           "UPPER_BOUNDS", "formula_bounds", "prove_rank", "mincut_upper_bounds", "BUDGET_MAX_NODES"]

#: Names of the upper-bound columns, in table order.
UPPER_BOUNDS = ("mincut", "degree", "symmetric", "ideal", "all_chains")


def formula_bounds(spec: RACSpec, partition: Partition) -> dict[str, Any]:
    """Every closed-form bound of one case (no min-cut, no rank), None where undefined.

    Keys ``lower``, ``lower_status`` (the paper's bound, Start-End only), ``degree``,
    ``symmetric`` and ``ideal`` (partitions with a prefix side) and ``all_chains``
    (Start-End). For a member of the RAC family (``spec.plain`` False) the member-valid
    bounds of :mod:`tnrnn.family_bounds`, and a key ``not_proven`` naming, one line each,
    why the others are None.

    >>> formula_bounds(RACSpec(M=2, R=3, L=2, T=8), Partition.parse("split:5", 8))
    {'lower': None, 'lower_status': None, 'degree': 24, 'symmetric': 30, 'ideal': 27, 'all_chains': None}
    """
    if not spec.plain:
        return _member_formula_bounds(spec, partition)
    se = partition.is_start_end
    lower = paper_lower_bound(spec.M, spec.R, spec.L, spec.T) if se else None
    status = paper_lower_bound_status(spec.L) if se else None
    known = proven_upper_bounds(spec, partition)
    return {"lower": lower, "lower_status": status, "degree": known["degree"],
            "symmetric": known.get("symmetric"), "ideal": known.get("ideal"),
            "all_chains": all_chains_cut(spec.R, spec.L, spec.T) if se else None}


def _member_formula_bounds(spec: RACSpec, partition: Partition) -> dict[str, Any]:
    """:func:`formula_bounds` of a member: the bounds proven for it
    (:mod:`tnrnn.family_bounds`); the paper's lower bound and the all-chains cut are stated
    for the plain RAC only and stay None (``not_proven`` says why, one line each)."""
    known = member_upper_bounds(spec, partition)
    out: dict[str, Any] = {"lower": None, "lower_status": None, "degree": known["degree"],
                           "symmetric": known.get("symmetric"), "ideal": known.get("ideal"),
                           "all_chains": None}
    why = {"lower": "the paper's lower bound is a theorem for the plain RAC only",
           "all_chains": "the all-chains cut is derived for the plain RAC only (the min-cut holds)"}
    if "ideal" not in known:
        why["ideal"] = (ideal_bound_refusal(spec) if formulas_prefix_split(partition) is not None
                        else "the boundary-ideal bound needs a prefix side")
    if "symmetric" not in known:
        why["symmetric"] = "the symmetric-copies bound needs a prefix side"
    out["not_proven"] = why
    return out


def prove_rank(result: RankResult, spec: RACSpec, partition: Partition | str = "start-end", *,
               mincut: int | None = None) -> RankResult:
    """``result`` with the min-cut added to its upper bounds (and ``proven_by`` updated).

    The rank layer knows only the closed-form bounds; this adds the min-cut (computed
    unless given, and only when the closed forms do not already prove the rank).

    >>> from tnrnn.rank import separation_rank
    >>> spec = RACSpec(M=3, R=2, L=1, T=6)
    >>> res = separation_rank(spec, "interleaved", rng=0)
    >>> res.rank, res.upper_bound, res.proven, prove_rank(res, spec, "interleaved").proven_by
    (8, 27, False, 'mincut')
    """
    if result.proven or not result.certified:
        return result
    partition = Partition.coerce(partition, spec.T)
    if mincut is None:
        from ..mincut import mincut_bound

        mincut = int(mincut_bound(spec, partition).bound)
    uppers = {"mincut": mincut, **proven_upper_bounds(spec, partition)}
    return replace(result, upper_bound=min(uppers.values()), proven_by=proven_by(result.rank, uppers))


@dataclass(frozen=True)
class BoundRow:
    """One (spec, partition): the exact rank and every bound (None where not defined)."""

    M: int
    R: int
    L: int
    T: int
    partition: str
    A: tuple[int, ...]
    lower: int | None
    lower_status: str | None
    exact: int
    proven_by: str | None
    mincut: int | None
    degree: int
    symmetric: int | None
    ideal: int | None
    all_chains: int | None
    certified: bool
    failure_bound: float | None
    n_probes: int
    seed: Any
    seconds: float

    def _repr_html_(self) -> str:
        """Notebook display: a one-line HTML table of every field (new fields show up too)."""
        return rows_html("BoundRow", [self])

    @property
    def tightest_upper(self) -> int:
        """The smallest of the upper bounds that are defined."""
        return min(v for v in (getattr(self, k) for k in UPPER_BOUNDS) if v is not None)

    @property
    def proven(self) -> bool:
        """True when the generic rank is proven: the certified exact rank meets the
        smallest upper bound (named in ``proven_by``)."""
        return self.certified and self.proven_by is not None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (big integers stay Python ints)."""
        out = asdict(self)
        out["A"] = list(self.A)
        out["tightest_upper"] = self.tightest_upper
        out["proven"] = self.proven
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
    from ..network.members import member_network_size, spec_network_size

    partition = Partition.coerce(partition, spec.T)
    try:
        nodes = spec_network_size(spec)[0] if spec.plain else member_network_size(spec, max_nodes=max_nodes)[0]
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
    mincut = _mincut(spec, partition) if with_mincut else None
    known = {**(rank_options.pop("upper_bounds", None) or {}), "mincut": mincut}
    res = separation_rank(spec, partition, rng=rng, upper_bounds=known, **rank_options)
    bounds = formula_bounds(spec, partition)
    bounds.pop("not_proven", None)
    bounds["mincut"] = mincut
    uppers = {k: bounds[k] for k in UPPER_BOUNDS}
    return BoundRow(
        M=spec.M, R=spec.R, L=spec.L, T=spec.T, partition=partition.name, A=partition.A,
        exact=res.rank, **bounds, certified=res.certified, failure_bound=res.failure_bound,
        n_probes=res.n_probes_A, seed=res.seed, seconds=res.seconds,
        proven_by=proven_by(res.rank, uppers) if res.certified else None,
    )


def violations(row: BoundRow) -> list[str]:
    """Every failed ordering of ``row``, in words (empty if all hold)."""
    case = f"M={row.M} R={row.R} L={row.L} T={row.T} partition={row.partition}"
    out = []
    if row.lower is not None and row.exact < row.lower:
        if row.lower_status == "theorem":
            why = (f"Theorem 1 of the paper (for almost all weights) is violated: a bug in tnrnn, an "
                   f"unlucky draw (probability <= {row.failure_bound:.3g}), or a counterexample")
        else:
            why = (f"the paper's conjecture for L={row.L} fails on these random weights: a "
                   f"counterexample candidate (or a bug; unlucky-draw probability <= {row.failure_bound:.3g})")
        out.append(f"{case}: exact rank {row.exact} < paper lower bound {row.lower} ({row.lower_status}); {why}")
    for name in UPPER_BOUNDS:
        value = getattr(row, name)
        if value is not None and row.exact > value:
            out.append(
                f"{case}: exact rank {row.exact} > {name} upper bound {value}, which holds for every "
                "weight setting: a bug (in the rank, or in that bound)"
            )
    return out


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
    key = [_seed_int(base), spec.M, spec.R, spec.L, spec.T, spec.K, *partition.A]
    return int(np.random.SeedSequence(key).generate_state(1, dtype=np.uint32)[0])


def _seed_int(rng: RngLike) -> int:
    if isinstance(rng, bool) or not isinstance(rng, (int, np.integer)) or int(rng) < 0:
        raise TnrnnError(f"rng must be a non-negative integer seed, got {rng!r}")
    return int(rng)
