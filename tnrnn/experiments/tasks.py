"""The two long-memory tasks of the paper, as seeded on-the-fly batch generators (numpy only).

Start-End Similarity (:class:`StartEndSimilarity`)
--------------------------------------------------
An alphabet of ``alphabet = 32`` symbols ``0..31`` and one padding symbol ``32`` (so the
vocabulary is 33 for every T; padding is simply never used when ``T = 2 m``). A sequence of
length ``T`` holds ``m`` (default 30) *start* symbols at positions ``0..m-1`` and ``m`` *end*
symbols at positions ``T-m..T-1``; the ``T - 2m`` positions in between are padding. So the
first half of the sequence holds the start symbols and the second half the end symbols, padded
when ``m < T/2``, and every compared pair is ``T - m`` steps apart (our reading of the paper's
layout; the padding sits between the two blocks so that the start is at the very start and the
end at the very end). With ``k`` the number of positions ``i`` where start and end agree, the
label is ``round(2 k / m)`` in {0, 1, 2} (numpy rounding: halves go to the even neighbour).

``layout="offset"`` is the authors' layout (their released code): T must be even, the start
block begins at a random position ``pos`` in ``0..T/2 - m - 1`` (0 when ``m = T/2``) and the
end block at ``pos + T/2``, so every compared pair is exactly T/2 steps apart.

Training, validation and test data draw ``k`` uniformly from ``{0, m // 2, m}`` (the paper's
distribution, labels 0, 1, 2 exactly, so chance accuracy is 1/3); ``matches="uniform"`` draws
``k`` uniformly from ``0..m`` instead (used by the tests of the label rule). The ``k`` matching
positions are a uniformly random subset; at every other position the end symbol is drawn
uniformly from the ``alphabet - 1`` symbols that differ from the start symbol, so exactly
``k`` positions match. The output is read at the last step.

``convention="authors"`` follows the authors' code where it differs from ours: the middle
class draws ``round(m / 2)`` matches (numpy rounding; ours ``m // 2``: they differ when
``m % 4 == 3``), and the padding symbol is in the vocabulary only when the sequence has
padding (``T > 2 m``; ours always, vocabulary ``alphabet + 1``).

Copying Memory (:class:`CopyingMemory`)
---------------------------------------
Symbols ``0..31``, ``blank = 32`` and the recall marker ``33`` (vocabulary 34). The input is
``n = 30`` random symbols, ``B - 1`` blanks, the marker, then ``n`` blanks: ``T = B + 2n``.
The target is blank for the first ``B + n`` steps, then the ``n`` symbols in order (targets
range over 33 classes: the symbols and blank). A model that outputs blank until the marker
and then guesses uniformly has the cross-entropy averaged over all ``T`` steps of
``n ln(32) / (B + 2n)``, the chance loss (:attr:`CopyingMemory.chance_loss`). Accuracy is
reported on the ``n`` recall steps only (chance 1/32).
``convention="authors"`` puts the marker on the first recall step (``B + n``, theirs; ours one
step earlier, ``B + n - 1``) and has ``alphabet + 2`` output classes (the marker is a class
too, as in their code; ours ``alphabet + 1``).

Every sampler takes a seed or numpy Generator (:func:`tnrnn._rng.as_rng`); :func:`batches`
yields an endless seeded stream of fresh batches.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator, Union

import numpy as np

from .._rng import RngLike, as_rng
from ..errors import InputError

__all__ = ["StartEndSimilarity", "CopyingMemory", "Task", "ses_label", "batches", "make_task"]


_CONVENTIONS = ("tnrnn", "authors")


def _choice(name: str, value: object, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise InputError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
    return str(value)


def _positive(name: str, value: object, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or int(value) < minimum:
        raise InputError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def ses_label(matches: np.ndarray | int, m: int) -> np.ndarray:
    """The Start-End Similarity label ``round(2 k / m)`` for ``k`` matching positions."""
    return np.rint(2.0 * np.asarray(matches) / m).astype(np.int64)


@dataclass(frozen=True)
class StartEndSimilarity:
    """Start-End Similarity of length ``T`` with ``m`` compared symbols (see module docs).

    Examples
    --------
    >>> task = StartEndSimilarity(T=8, m=3)
    >>> x, y = task.sample(4, rng=0)
    >>> x.shape, y.shape, task.vocab, task.n_classes
    ((4, 8), (4,), 33, 3)
    """

    T: int
    m: int = 30
    alphabet: int = 32
    layout: str = "fixed"
    convention: str = "tnrnn"

    def __post_init__(self) -> None:
        _positive("m", self.m, 2)  # m = 1 would merge the classes of 0 and m//2 matches
        _positive("alphabet", self.alphabet, 2)
        _positive("T", self.T)
        _choice("layout", self.layout, ("fixed", "offset"))
        _choice("convention", self.convention, _CONVENTIONS)
        if self.T < 2 * self.m:
            raise InputError(
                f"Start-End Similarity needs T >= 2 m, got T={self.T}, m={self.m}; "
                f"use T >= {2 * self.m} or a smaller m"
            )
        if self.layout == "offset" and self.T % 2:
            raise InputError(f"the offset layout compares pairs T/2 apart and needs even T, got T={self.T}")

    @property
    def middle(self) -> int:
        """Matches drawn for the middle class: ``m // 2``, or the authors' ``round(m / 2)``."""
        return int(np.rint(self.m / 2)) if self.convention == "authors" else self.m // 2

    name = "ses"

    @property
    def length(self) -> int:
        """The swept length (T)."""
        return self.T

    @property
    def pad(self) -> int:
        """The padding symbol."""
        return self.alphabet

    @property
    def vocab(self) -> int:
        """Input vocabulary: the alphabet plus padding (authors: padding only when used)."""
        if self.convention == "authors" and self.T == 2 * self.m:
            return self.alphabet
        return self.alphabet + 1

    @property
    def n_classes(self) -> int:
        return 3

    @property
    def per_step(self) -> bool:
        """False: one output, read at the last step."""
        return False

    @property
    def chance_accuracy(self) -> float:
        return 1.0 / 3.0

    @property
    def chance_loss(self) -> float:
        return math.log(3.0)

    def sample(self, n: int, rng: RngLike, *, matches: str = "paper") -> tuple[np.ndarray, np.ndarray]:
        """``n`` sequences (n, T) int64 and their labels (n,) int64.

        ``matches="paper"`` draws the number of matches from {0, :attr:`middle`, m};
        ``"uniform"`` from 0..m.
        """
        n = _positive("n", n)
        gen = as_rng(rng)
        m, a = self.m, self.alphabet
        if matches == "paper":
            k = gen.choice(np.array([0, self.middle, m]), size=n)
        elif matches == "uniform":
            k = gen.integers(0, m + 1, size=n)
        else:
            raise InputError(f"matches must be 'paper' or 'uniform', got {matches!r}")
        start = gen.integers(0, a, size=(n, m))
        # a uniformly random k-subset of positions per row: the k smallest of m random keys
        ranks = np.argsort(np.argsort(gen.random((n, m)), axis=1), axis=1)
        match = ranks < k[:, None]
        shift = gen.integers(1, a, size=(n, m))  # non-zero shift: a different symbol
        end = np.where(match, start, (start + shift) % a)
        x = np.full((n, self.T), self.pad, dtype=np.int64)
        if self.layout == "fixed":
            x[:, :m] = start
            x[:, self.T - m :] = end
        else:
            half = self.T // 2
            pos = gen.integers(0, half - m, size=n) if half > m else np.zeros(n, dtype=np.int64)
            cols = pos[:, None] + np.arange(m)[None, :]
            rows = np.arange(n)[:, None]
            x[rows, cols] = start
            x[rows, cols + half] = end
        return x, ses_label(match.sum(axis=1), m)


@dataclass(frozen=True)
class CopyingMemory:
    """Copying Memory with delay ``B`` and ``n`` symbols to memorize (see module docs).

    Examples
    --------
    >>> task = CopyingMemory(B=5, n=3)
    >>> x, y = task.sample(2, rng=0)
    >>> x.shape, y.shape, task.T, task.vocab, task.n_classes
    ((2, 11), (2, 11), 11, 34, 33)
    """

    B: int
    n: int = 30
    alphabet: int = 32
    convention: str = "tnrnn"

    def __post_init__(self) -> None:
        _positive("B", self.B)
        _positive("n", self.n)
        _positive("alphabet", self.alphabet, 2)
        _choice("convention", self.convention, _CONVENTIONS)

    name = "copy"

    @property
    def length(self) -> int:
        """The swept length (B)."""
        return self.B

    @property
    def T(self) -> int:
        return self.B + 2 * self.n

    @property
    def blank(self) -> int:
        return self.alphabet

    @property
    def marker(self) -> int:
        return self.alphabet + 1

    @property
    def vocab(self) -> int:
        return self.alphabet + 2

    @property
    def n_classes(self) -> int:
        """The symbols and blank (authors: and the marker)."""
        return self.alphabet + (2 if self.convention == "authors" else 1)

    @property
    def marker_step(self) -> int:
        """Where the recall marker sits: ``B + n - 1`` (authors: ``B + n``)."""
        return self.B + self.n - (0 if self.convention == "authors" else 1)

    @property
    def per_step(self) -> bool:
        """True: one output per step."""
        return True

    @property
    def chance_accuracy(self) -> float:
        """Accuracy on the recall steps of a uniform guess."""
        return 1.0 / self.alphabet

    @property
    def chance_loss(self) -> float:
        """``n ln(alphabet) / (B + 2n)``: blanks right, uniform guesses on the recall steps."""
        return self.n * math.log(self.alphabet) / self.T

    def recall_slice(self) -> slice:
        """The steps on which the symbols must be reproduced."""
        return slice(self.B + self.n, self.T)

    def sample(self, n: int, rng: RngLike) -> tuple[np.ndarray, np.ndarray]:
        """``n`` input sequences (n, T) and per-step targets (n, T), both int64."""
        n = _positive("n", n)
        gen = as_rng(rng)
        symbols = gen.integers(0, self.alphabet, size=(n, self.n))
        x = np.full((n, self.T), self.blank, dtype=np.int64)
        x[:, : self.n] = symbols
        x[:, self.marker_step] = self.marker
        y = np.full((n, self.T), self.blank, dtype=np.int64)
        y[:, self.recall_slice()] = symbols
        return x, y


Task = Union[StartEndSimilarity, CopyingMemory]


def make_task(name: str, length: int, *, m: int = 30, alphabet: int = 32, layout: str = "fixed",
              convention: str = "tnrnn", rank: int = 1, hash: str = "sum") -> Task:
    """``make_task("ses", T, m=...)``, ``make_task("copy", B, m=...)`` (m symbols to copy) or
    ``make_task("rank", T, rank=r, alphabet=a)`` (:class:`~tnrnn.experiments.ranktask.RankTask`)."""
    if name == "ses":
        return StartEndSimilarity(T=length, m=m, alphabet=alphabet, layout=layout, convention=convention)
    if name == "copy":
        return CopyingMemory(B=length, n=m, alphabet=alphabet, convention=convention)
    if name == "rank":
        from .ranktask import RankTask

        return RankTask(T=length, r=rank, alphabet=alphabet, hash=hash)
    raise InputError(f"task must be 'ses', 'copy' or 'rank', got {name!r}")


def batches(task: Task, batch_size: int, rng: RngLike) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """An endless stream of fresh batches from one seeded generator."""
    gen = as_rng(rng)
    while True:
        yield task.sample(batch_size, gen)
