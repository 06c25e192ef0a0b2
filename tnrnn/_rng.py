"""The one helper that normalises every ``rng=`` / ``seed=`` argument."""

from __future__ import annotations

import numbers
from typing import Union

import numpy as np

from .errors import TnrnnError

__all__ = ["as_rng", "RngLike"]

RngLike = Union[int, np.random.Generator, np.random.SeedSequence]


def as_rng(rng: RngLike) -> np.random.Generator:
    """Return a :class:`numpy.random.Generator` for ``rng``.

    An integer or a ``SeedSequence`` seeds a fresh generator (same seed, same answer);
    a ``Generator`` is returned as it is. ``None`` is refused: every random choice in
    tnrnn takes an explicit seed so that results are reproducible.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, np.random.SeedSequence):
        return np.random.default_rng(rng)
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool) and int(rng) >= 0:
        return np.random.default_rng(int(rng))
    raise TnrnnError(
        f"rng must be a non-negative integer seed or a numpy Generator, got {rng!r}; "
        "pass e.g. rng=0 for a reproducible run"
    )
