"""Partitions (A, B) of the time steps 1..T."""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Iterable

from .errors import PartitionError

__all__ = ["Partition", "steps_text"]


def _steps(name: str, steps: Iterable[int]) -> tuple[int, ...]:
    out = []
    for t in steps:
        if isinstance(t, bool) or not isinstance(t, numbers.Integral):
            raise PartitionError(f"steps of {name} must be integers, got {t!r}")
        out.append(int(t))
    if len(set(out)) != len(out):
        raise PartitionError(f"{name} lists a step twice: {sorted(out)}")
    return tuple(sorted(out))


@dataclass(frozen=True)
class Partition:
    """A partition of the time steps 1..T into two non-empty sides A and B.

    ``T`` is ``|A| + |B|``; together A and B must cover 1..T exactly.

    Examples
    --------
    >>> Partition.start_end(4)
    Partition(A=(1, 2), B=(3, 4), name='start-end')
    >>> Partition.start_end(5)
    Traceback (most recent call last):
    ...
    tnrnn.errors.PartitionError: Start-End partition needs even T, got T=5; pass an explicit Partition (e.g. Partition.split(5, 2)) for odd lengths
    """

    A: tuple[int, ...]
    B: tuple[int, ...]
    name: str = "explicit"

    def __post_init__(self) -> None:
        A = _steps("A", self.A)
        B = _steps("B", self.B)
        if not A or not B:
            raise PartitionError(f"both sides must be non-empty, got A={list(A)}, B={list(B)}")
        common = set(A) & set(B)
        if common:
            raise PartitionError(f"A and B must be disjoint, both contain steps {sorted(common)}")
        T = len(A) + len(B)
        if set(A) | set(B) != set(range(1, T + 1)):
            raise PartitionError(
                f"A and B must cover the steps 1..{T} exactly, got A={list(A)}, B={list(B)}"
            )
        object.__setattr__(self, "A", A)
        object.__setattr__(self, "B", B)

    def __str__(self) -> str:
        """Compact text, e.g. ``start-end A={1..4} B={5..8}``."""
        return f"{self.name} A={steps_text(self.A)} B={steps_text(self.B)}"

    @property
    def T(self) -> int:
        """The number of time steps."""
        return len(self.A) + len(self.B)

    @property
    def is_start_end(self) -> bool:
        """True when A = {1..T/2} and B = {T/2+1..T} (whatever the name)."""
        return self.T % 2 == 0 and self.A == tuple(range(1, self.T // 2 + 1))

    @property
    def is_prefix(self) -> bool:
        """True when A = {1..k} for some k (Start-End and split partitions)."""
        return self.A == tuple(range(1, len(self.A) + 1))

    def side(self, t: int) -> str:
        """``"A"`` or ``"B"`` for step t."""
        if t in self.A:
            return "A"
        if t in self.B:
            return "B"
        raise PartitionError(f"step must be in 1..{self.T}, got {t!r}")

    def swapped(self) -> "Partition":
        """The same partition with the sides exchanged."""
        return Partition(self.B, self.A, self.name)

    def check_T(self, T: int) -> None:
        """Raise unless this partition is over exactly 1..T."""
        if self.T != T:
            raise PartitionError(f"partition is over T={self.T} steps, the network has T={T}")

    @classmethod
    def coerce(cls, partition: "Partition | str", T: int) -> "Partition":
        """A Partition over 1..T from a Partition (checked against T) or a text for :meth:`parse`."""
        if isinstance(partition, Partition):
            partition.check_T(T)
            return partition
        if isinstance(partition, str):
            return cls.parse(partition, T)
        hint = ""
        if isinstance(partition, (list, tuple, set, frozenset, range)):
            shown = list(partition) if len(partition) <= 8 else f"{list(partition)[:8]}..."
            hint = f" {shown}; for the steps of side A use Partition.from_sets(A, T={T})"
        raise PartitionError(
            f"partition must be a Partition or a string like 'start-end', 'interleaved', "
            f"'split:K' or 'A:1,2,5', got {type(partition).__name__}{hint}"
        )

    @classmethod
    def parse(cls, text: str, T: int) -> "Partition":
        """Parse ``start-end``, ``interleaved``, ``split:K`` or ``A:1,2,5`` over steps 1..T.

        >>> Partition.parse("A:1,4", 4)
        Partition(A=(1, 4), B=(2, 3), name='explicit')
        >>> Partition.parse("split:3", 5).B
        (4, 5)
        """
        spec = str(text).strip().lower()
        if spec in ("start-end", "startend", "se"):
            return cls.start_end(T)
        if spec == "interleaved":
            return cls.interleaved(T)
        head, _, rest = spec.partition(":")
        try:
            if head == "split" and rest:
                return cls.split(T, int(rest))
            if head == "a" and rest:
                return cls.from_sets([int(v) for v in rest.split(",") if v.strip()], T)
        except ValueError as err:
            if isinstance(err, PartitionError):
                raise
        raise PartitionError(
            f"cannot read partition {text!r}; expected 'start-end', 'interleaved', "
            "'split:K' (A = steps 1..K) or 'A:1,2,5' (the steps of side A)"
        )

    @classmethod
    def start_end(cls, T: int) -> "Partition":
        """S = {1..T/2}, E = {T/2+1..T}; needs even T."""
        T = _check_T(T)
        if T % 2:
            raise PartitionError(
                f"Start-End partition needs even T, got T={T}; pass an explicit Partition "
                f"(e.g. Partition.split({T}, {T // 2})) for odd lengths"
            )
        return cls(tuple(range(1, T // 2 + 1)), tuple(range(T // 2 + 1, T + 1)), "start-end")

    @classmethod
    def interleaved(cls, T: int) -> "Partition":
        """A = odd steps, B = even steps (needs T >= 2)."""
        T = _check_T(T, minimum=2)
        return cls(tuple(range(1, T + 1, 2)), tuple(range(2, T + 1, 2)), "interleaved")

    @classmethod
    def split(cls, T: int, k: int) -> "Partition":
        """A = {1..k}, B = {k+1..T}, for 1 <= k < T."""
        T = _check_T(T, minimum=2)
        if isinstance(k, bool) or not isinstance(k, numbers.Integral) or not 1 <= k < T:
            raise PartitionError(f"split step k must be an integer in 1..{T - 1} for T={T}, got {k!r}")
        return cls(tuple(range(1, k + 1)), tuple(range(k + 1, T + 1)), f"split:{int(k)}")

    @classmethod
    def from_sets(cls, A: Iterable[int], T: int) -> "Partition":
        """Side A as given, B = the rest of 1..T."""
        T = _check_T(T, minimum=2)
        A = _steps("A", A)
        outside = [t for t in A if not 1 <= t <= T]
        if outside:
            raise PartitionError(f"steps of A must be in 1..{T}, got {outside}")
        return cls(A, tuple(t for t in range(1, T + 1) if t not in set(A)), "explicit")


def steps_text(steps: tuple[int, ...], max_runs: int = 6) -> str:
    """Sorted steps as ranges: ``{1..4, 7}``; long lists keep the first and last runs.

    >>> steps_text((1, 2, 3, 4, 7)), steps_text(tuple(range(1, 40, 2)))
    ('{1..4, 7}', '{1, 3, 5, ..., 37, 39} (20 steps)')
    """
    runs: list[list[int]] = []
    for t in steps:
        if runs and t == runs[-1][1] + 1:
            runs[-1][1] = t
        else:
            runs.append([t, t])
    text = [f"{a}" if a == b else f"{a}..{b}" for a, b in runs]
    if len(text) <= max_runs:
        return "{" + ", ".join(text) + "}"
    return "{" + ", ".join(text[:3] + ["..."] + text[-2:]) + f"}} ({len(steps)} steps)"


def _check_T(T: object, minimum: int = 2) -> int:
    if isinstance(T, bool) or not isinstance(T, numbers.Integral) or int(T) < minimum:
        raise PartitionError(f"T must be an integer >= {minimum} to partition, got {T!r}")
    return int(T)
