"""The result object of a separation-rank computation, and what its number certifies."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Mapping

__all__ = ["RankResult", "proven_by"]


def proven_by(exact: int, upper_bounds: Mapping[str, int | None]) -> str | None:
    """The names of the upper bounds (valid for all weights) that ``exact`` meets.

    ``exact`` must be a certified lower bound on the generic rank (an exact rank over F_p);
    where it equals the smallest upper bound, the generic rank is **proven** to be that
    value. Returns the names joined by ``", "`` in the given order, or None.

    >>> proven_by(6, {"mincut": 8, "degree": 6, "ideal": 6, "symmetric": None})
    'degree, ideal'
    >>> proven_by(5, {"degree": 6}) is None
    True
    """
    names = [k for k, v in upper_bounds.items() if v is not None and v == exact]
    smallest = min((v for v in upper_bounds.values() if v is not None), default=None)
    return ", ".join(names) if names and smallest == exact else None


@dataclass(frozen=True)
class RankResult:
    """A separation rank and how it was obtained.

    Attributes
    ----------
    rank : int
        The rank found.
    method : str
        ``"probes"`` (random probe inputs over F_p), ``"grid"`` (grid tensor on template
        points, exact over F_p or float), or ``"float"`` (float probes and SVD).
    certified : bool
        True for exact arithmetic over F_p (the number is a proven lower bound, see
        ``certifies``); False for every floating-point rank.
    certifies : str
        In words, what the number proves (and with which probability it is the generic
        rank).
    spec, partition : str
        Readable forms of the RAC specification and the partition.
    prime : int or None
        The modulus of exact arithmetic (of the run that gave ``rank`` when several primes
        were used); None on the float paths.
    n_probes_A, n_probes_B : int
        Rows and columns of the final evaluation matrix ``Y[i, j] = y(a_i, b_j)``.
    stages : tuple of int
        Probe counts of every stage that was run (the matrix grows until the rank is
        strictly below both probe counts).
    seed : object
        The ``rng`` argument as given (an int seed, or a description of a Generator).
    seconds : float
        Wall time of the whole computation.
    degree : int or None
        Total degree of ``y`` in the random quantities (weights and probes, or probes only
        when the weights were given); Schwartz-Zippel uses it.
    failure_bound : float or None
        Upper bound on the probability that ``rank`` is below the generic rank over F_p
        (exact paths only).
    tolerance, sigma_gap : float or None
        Float paths: the singular-value threshold used, and the gap
        ``sigma_rank / sigma_(rank+1)`` at the chosen rank (``inf`` if no smaller value).
    singular_values : tuple of float
        Float paths: the leading singular values (at most 64 kept).
    weights_given : bool
        True if the caller passed weights; False if random weights were drawn.
    capped : bool
        True if the rank equals a side of the matrix (grid method with too few
        templates): then it is only a lower bound of the grid.
    notes : tuple of str
        Warnings and remarks.
    primes, prime_ranks : tuple of int
        Every prime the rank was computed modulo (independent weights and probes for each),
        and the rank found modulo each; ``rank`` is the largest and ``failure_bound`` the
        product of the per-prime bounds.
    upper_bound : int or None
        The smallest upper bound valid for all weights that the computation knew (the
        registered closed forms, :func:`tnrnn.boundset.upper_bounds`; :mod:`tnrnn.bounds`
        adds the min-cut). None on the float paths.
    proven_by : str or None
        Exact paths: the name(s) of the upper bound(s) that ``rank`` meets. Then the
        generic rank is **proven** to be ``rank`` (a certified lower bound meeting an upper
        bound), with no probability attached; see :attr:`proven`.
    """

    rank: int
    method: str
    certified: bool
    certifies: str
    spec: str
    partition: str
    prime: int | None
    n_probes_A: int
    n_probes_B: int
    stages: tuple[int, ...] = ()
    seed: Any = None
    seconds: float = 0.0
    degree: int | None = None
    failure_bound: float | None = None
    tolerance: float | None = None
    sigma_gap: float | None = None
    singular_values: tuple[float, ...] = ()
    weights_given: bool = False
    capped: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)
    primes: tuple[int, ...] = ()
    prime_ranks: tuple[int, ...] = ()
    upper_bound: int | None = None
    proven_by: str | None = None

    @property
    def proven(self) -> bool:
        """True when the generic rank is proven to equal :attr:`rank`: the certified lower
        bound meets an upper bound valid for all weights (named in :attr:`proven_by`).
        When False, an exact :attr:`rank` is a certified lower bound on the generic rank
        that equals it with probability ``>= 1 - failure_bound``."""
        return self.certified and self.proven_by is not None

    @property
    def status(self) -> str:
        """One line: ``proven``, ``certified lower bound`` or ``not certified``, and why."""
        if self.proven:
            return (f"PROVEN: the generic rank is {self.rank} (certified lower bound = "
                    f"{self.proven_by} upper bound, valid for all weights)")
        if self.certified:
            fb = "?" if self.failure_bound is None else f"{self.failure_bound:.3g}"
            return (f"certified lower bound on the generic rank; equals it with probability "
                    f">= 1 - {fb} (smallest known upper bound {self.upper_bound})")
        return "NOT certified (floating point)"

    def __int__(self) -> int:
        return self.rank

    def __repr__(self) -> str:
        """One line (``report()`` / ``print`` give every detail)."""
        from .._html import spec_text

        kind = "exact over F_p" if self.certified else "float, not certified"
        if self.proven:
            kind = f"proven = {self.proven_by} bound"
        return (f"RankResult(rank={self.rank}, {kind}, spec={spec_text(self.spec)}, "
                f"partition='{self.partition}')")

    def _repr_html_(self) -> str:
        """Notebook display: one compact table (shown instead of the text repr)."""
        from .._html import html_table, spec_text, value_text

        exact = "exact over F_p" if self.certified else "floating point, not certified"
        fields = {name: getattr(self, name) for name in self.__dataclass_fields__}
        rows = [
            ("rank", f"{value_text(self.rank)} ({self.method}, {exact})"),
            ("spec", spec_text(self.spec)),
            ("partition", self.partition),
            ("matrix", f"{self.n_probes_A} × {self.n_probes_B}"),
            ("prime", self.prime),
            ("P(rank below generic)", None if self.failure_bound is None else f"≤ {self.failure_bound:.3g}"),
            ("capped", "yes: only a lower bound" if self.capped else None),
            ("status", self.status),
        ]
        shown = {"rank", "method", "certified", "spec", "partition", "n_probes_A", "n_probes_B",
                 "prime", "failure_bound", "capped", "notes", "certifies", "singular_values",
                 "stages", "seconds", "weights_given", "seed", "proven_by"}
        rows += [(k, value_text(v)) for k, v in fields.items() if k not in shown and v not in (None, ())]
        rows += [("certifies", self.certifies)] + [("note", n) for n in self.notes]
        return html_table("RankResult", rows)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary of every field."""
        out = asdict(self)
        out["stages"] = list(self.stages)
        out["singular_values"] = list(self.singular_values)
        out["notes"] = list(self.notes)
        out["proven"] = self.proven
        out["primes"] = list(self.primes)
        out["prime_ranks"] = list(self.prime_ranks)
        if not isinstance(self.seed, (int, type(None))):
            out["seed"] = str(self.seed)
        return out

    def report(self) -> str:
        """A readable multi-line report."""
        label = "exact over F_p" if self.certified else "floating point, NOT certified"
        lines = [
            f"separation rank {self.rank}  ({self.method}, {label})",
            f"  spec       {self.spec}",
            f"  partition  {self.partition}",
            f"  matrix     {self.n_probes_A} x {self.n_probes_B}"
            + (f"  (stages {', '.join(map(str, self.stages))})" if self.stages else ""),
            f"  seed       {self.seed!r}   time {self.seconds:.3f} s",
        ]
        if len(self.primes) > 1:
            each = ", ".join(f"{r} mod {q}" for q, r in zip(self.primes, self.prime_ranks))
            lines.append(f"  primes     {each}")
        elif self.prime is not None:
            lines.append(f"  prime      {self.prime}")
        if self.degree is not None:
            lines.append(f"  degree     {self.degree}  (total degree of y in the random quantities)")
        if self.failure_bound is not None:
            lines.append(f"  P(rank < generic rank over F_p) <= {self.failure_bound:.3g}  (Schwartz-Zippel)")
        if self.tolerance is not None:
            gap = "inf" if self.sigma_gap == float("inf") else f"{self.sigma_gap:.3g}"
            lines.append(f"  tolerance  {self.tolerance:.3g}   singular-value gap {gap}")
        lines.append(f"  certifies  {self.certifies}")
        lines.append(f"  status     {self.status}")
        if self.capped:
            lines.append("  CAPPED: the rank equals a side of the matrix; it is only a lower bound")
        lines.extend(f"  note       {n}" for n in self.notes)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.report()
