"""The one exception hierarchy of tnrnn.

Every error tnrnn raises on purpose subclasses :class:`TnrnnError`, which itself
subclasses :class:`ValueError`, so ``except ValueError`` keeps working for callers that
do not know tnrnn. Messages say what was given, what was expected and how to fix it.
"""

from __future__ import annotations

__all__ = [
    "TnrnnError",
    "SpecError",
    "PartitionError",
    "WeightsError",
    "InputError",
    "MemoryLimitError",
    "BoundViolationError",
]


class TnrnnError(ValueError):
    """Base class of every error raised by tnrnn."""


class SpecError(TnrnnError):
    """An invalid RAC specification (M, R, L, T, K)."""


class PartitionError(TnrnnError):
    """An invalid partition of the time steps."""


class WeightsError(TnrnnError):
    """Weights that do not match a spec, or mix number systems."""


class InputError(TnrnnError):
    """Input arrays of the wrong shape, dtype or range."""


class MemoryLimitError(TnrnnError):
    """A computation that would exceed the memory limit; raised before allocating."""


class BoundViolationError(TnrnnError):
    """An ordering lower <= exact <= upper failed: a bug, or a counterexample."""
