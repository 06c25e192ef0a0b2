"""The result object of a separation-rank computation, and what its number certifies."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["RankResult"]


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

    def __int__(self) -> int:
        return self.rank

    def __repr__(self) -> str:
        """One line (``report()`` / ``print`` give every detail)."""
        from .._html import spec_text

        kind = "exact over F_p" if self.certified else "float, not certified"
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
        ]
        shown = {"rank", "method", "certified", "spec", "partition", "n_probes_A", "n_probes_B",
                 "prime", "failure_bound", "capped", "notes", "certifies", "singular_values",
                 "stages", "seconds", "weights_given", "seed"}
        rows += [(k, value_text(v)) for k, v in fields.items() if k not in shown and v not in (None, ())]
        rows += [("certifies", self.certifies)] + [("note", n) for n in self.notes]
        return html_table("RankResult", rows)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary of every field."""
        out = asdict(self)
        out["stages"] = list(self.stages)
        out["singular_values"] = list(self.singular_values)
        out["notes"] = list(self.notes)
        out["primes"] = list(self.primes)
        out["prime_ranks"] = list(self.prime_ranks)
        if not isinstance(self.seed, (int, type(None))):
            out["seed"] = repr(self.seed)
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
        if self.capped:
            lines.append("  CAPPED: the rank equals a side of the matrix; it is only a lower bound")
        lines.extend(f"  note       {n}" for n in self.notes)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.report()
