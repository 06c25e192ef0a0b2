"""A regression task whose target has a known Start-End separation rank r (numpy only).

Sequences of even length ``T = 2h`` over ``alphabet = a`` symbols, drawn uniformly. A hash
``c(.)`` maps every block of ``h`` symbols to one of ``r`` classes; the target is

    y(x) = 1  if c(x^1..x^h) == c(x^{h+1}..x^T),  else 0.

With the ``N = a^h`` start blocks as rows and the ``N`` end blocks as columns, the Start-End
matricization ``Y`` of the target is, after sorting both sides by class, block diagonal with
one all-ones block of size ``n_c x n_c`` per class. So its rank is the number of non-empty
classes (r), and its singular values are exactly the class sizes ``n_c``.

Three hashes:

- ``hash="first"`` (the presets'): ``c(s) = s_1 mod r``, the class of the block's first symbol
  (``r <= a``). The target compares two symbols T/2 steps apart, like Start-End Similarity
  with one compared pair, so gradient descent sees a pairwise signal.
- ``hash="sum"`` (default): ``c(s) = (s_1 + ... + s_h) mod r``. It has low rank across every
  cut inside a block (a running sum), so recurrent networks can realise it; r can be at most
  ``(a - 1) h + 1`` (the number of distinct sums), which keeps every class non-empty. Like
  parity, no single symbol correlates with the target: RACs trained by gradient descent stay at
  the chance error (measured, alphabet 4, T = 8, r = 2-13).
- ``hash="random"``: a fixed pseudo-random balanced assignment (block index permuted with
  seed 0, then taken mod r); any ``r <= N``. A memorisation task.

Theory (Levine et al.): a depth-1 RAC with R channels realises, on one-hot inputs, functions
whose Start-End matricization has rank <= R. Under the uniform distribution on inputs the mean
squared error of any function ``g`` is ``||G - Y||_F^2 / N^2``, so by Eckart-Young the error of
a depth-1 RAC with R channels is at least

    floor(R) = (sum of the squared singular values of Y beyond the R-th) / N^2
             = (sum of the n_c^2 beyond the R largest classes) / N^2,

computed exactly (:func:`eckart_young_floor`, a :class:`fractions.Fraction`). Deeper RACs are
not bound by it. The bound needs the *pure* RAC: a per-step RMS normalisation multiplies the
output by a factor that depends on start and end together, so the rank task trains RACs with
``rac_norm="none"`` by default (short T keeps them in float range).

Examples
--------
>>> task = RankTask(T=4, r=3, alphabet=2)
>>> task.class_sizes().tolist(), str(eckart_young_floor(task, 1))
([1, 2, 1], '1/8')
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .._rng import RngLike, as_rng
from ..errors import InputError

__all__ = ["RankTask", "eckart_young_floor", "target_matrix", "FULL_GRID_MAX"]

_CLASSES: dict = {}

#: The test set is every one of the ``N^2`` sequences (an exact population error) up to this many.
FULL_GRID_MAX = 1 << 18


@dataclass(frozen=True)
class RankTask:
    """The rank-r Start-End regression task (see module docs)."""

    T: int
    r: int = 2
    alphabet: int = 4
    hash: str = "sum"

    name = "rank"

    def __post_init__(self) -> None:
        for label, value, low in (("T", self.T, 2), ("r", self.r, 1), ("alphabet", self.alphabet, 2)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
                raise InputError(f"rank task: {label} must be an integer >= {low}, got {value!r}")
        if self.T % 2:
            raise InputError(f"rank task needs even T (start and end halves), got T={self.T}")
        if self.hash not in ("sum", "random", "first"):
            raise InputError(f"rank task: hash must be 'sum', 'random' or 'first', got {self.hash!r}")
        if self.N > 1 << 20:
            raise InputError(f"rank task: alphabet^(T/2) = {self.N} blocks is too many (at most 2^20); "
                             f"use a smaller T or alphabet")
        if self.r > self.max_rank:
            raise InputError(f"rank task: r={self.r} exceeds the {self.max_rank} classes the {self.hash!r} hash "
                             f"can fill at alphabet={self.alphabet}, T={self.T}")

    @property
    def half(self) -> int:
        return self.T // 2

    @property
    def N(self) -> int:
        """The number of start (or end) blocks, ``alphabet^(T/2)``."""
        return self.alphabet ** self.half

    @property
    def max_rank(self) -> int:
        return {"sum": (self.alphabet - 1) * self.half + 1, "first": self.alphabet, "random": self.N}[self.hash]

    @property
    def length(self) -> int:
        return self.T

    @property
    def vocab(self) -> int:
        return self.alphabet

    @property
    def n_classes(self) -> int:
        """One regression output."""
        return 1

    @property
    def per_step(self) -> bool:
        return False

    @property
    def regression(self) -> bool:
        return True

    def block_classes(self) -> np.ndarray:
        """The class of every block, indexed by the block read as a base-``alphabet`` number
        (first symbol most significant). Computed once per task (a read-only array)."""
        cached = _CLASSES.get(self)
        if cached is None:
            cached = _CLASSES[self] = self._classes()
            cached.setflags(write=False)
        return cached

    def _classes(self) -> np.ndarray:
        digits = self._digits(np.arange(self.N))
        if self.hash == "sum":
            return digits.sum(axis=1) % self.r
        if self.hash == "first":
            return digits[:, 0] % self.r
        perm = np.random.default_rng(0).permutation(self.N)
        return perm % self.r

    def _digits(self, index: np.ndarray) -> np.ndarray:
        powers = self.alphabet ** np.arange(self.half - 1, -1, -1)
        return (index[:, None] // powers[None, :]) % self.alphabet

    def _index(self, blocks: np.ndarray) -> np.ndarray:
        powers = self.alphabet ** np.arange(self.half - 1, -1, -1)
        return blocks @ powers

    def class_sizes(self) -> np.ndarray:
        """``n_c`` for c = 0..r-1: the singular values of the target's matricization."""
        return np.bincount(self.block_classes(), minlength=self.r)

    def target(self, x: np.ndarray) -> np.ndarray:
        """The target (float64, 0 or 1) of sequences ``x`` (n, T)."""
        classes = self.block_classes()
        h = self.half
        return (classes[self._index(x[:, :h])] == classes[self._index(x[:, h:])]).astype(np.float64)

    def sample(self, n: int, rng: RngLike) -> tuple[np.ndarray, np.ndarray]:
        """``n`` uniform sequences (n, T) int64 and their targets (n,) float64."""
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise InputError(f"n must be a positive integer, got {n!r}")
        x = as_rng(rng).integers(0, self.alphabet, size=(int(n), self.T))
        return x, self.target(x)

    def full_grid(self) -> tuple[np.ndarray, np.ndarray]:
        """Every sequence once (start block major): the uniform distribution exactly."""
        if self.N * self.N > FULL_GRID_MAX:
            raise InputError(f"rank task: the full grid has {self.N ** 2} sequences (at most {FULL_GRID_MAX})")
        blocks = self._digits(np.arange(self.N))
        x = np.concatenate([np.repeat(blocks, self.N, axis=0), np.tile(blocks, (self.N, 1))], axis=1)
        return x, self.target(x)

    @property
    def positive_rate(self) -> Fraction:
        """P(y = 1) under the uniform distribution: ``sum n_c^2 / N^2``."""
        sizes = self.class_sizes()
        return Fraction(int((sizes.astype(object) ** 2).sum()), self.N ** 2)

    @property
    def chance_loss(self) -> float:
        """The error of the best constant, the target's variance ``p (1 - p)``."""
        p = self.positive_rate
        return float(p * (1 - p))

    @property
    def chance_accuracy(self) -> float:
        """Accuracy (|g - y| < 1/2) of the best constant guess."""
        p = self.positive_rate
        return float(max(p, 1 - p))


def target_matrix(task: RankTask) -> np.ndarray:
    """The Start-End matricization ``Y[start block, end block]`` (int64, 0/1)."""
    classes = task.block_classes()
    return (classes[:, None] == classes[None, :]).astype(np.int64)


def eckart_young_floor(task: RankTask, R: int) -> Fraction:
    """The least mean squared error (uniform inputs) of any function of Start-End rank <= ``R``.

    The sum of the squared singular values of :func:`target_matrix` beyond the ``R`` largest
    (the class sizes), divided by ``N^2``; exact.
    """
    if isinstance(R, bool) or not isinstance(R, (int, np.integer)) or R < 0:
        raise InputError(f"R must be an integer >= 0, got {R!r}")
    sizes = sorted((int(n) for n in task.class_sizes()), reverse=True)
    return Fraction(sum(n * n for n in sizes[int(R):]), task.N ** 2)
