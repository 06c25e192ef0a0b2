"""Exact separation ranks from random probes over F_p.

For random (or given integer) weights and random probe inputs ``a_i`` (on the steps of A)
and ``b_j`` (on the steps of B), all uniform in F_p, the rank of
``Y[i, j] = y(a_i, b_j)`` over F_p is

- always a lower bound on the separation rank of ``y`` for those integer weights (the
  representatives in ``[0, p)``) over the rationals: reduction mod p never raises a rank,
  and ``Y = G G'^T`` for any separated form of ``y`` with K terms, so ``rank <= K``;
- the generic rank over F_p with probability at least ``1 - D / p`` (Schwartz-Zippel),
  where D bounds the degree of the minors that must not vanish (see
  :func:`schwartz_zippel_bound`).

The probe counts grow (doubling, capped by a proven upper bound plus one) until the rank is
strictly below the probe count on both sides, so the sample never caps the rank.
"""

from __future__ import annotations

import math
import numbers
import time
from typing import Mapping

import numpy as np

from ..errors import BoundViolationError, MemoryLimitError, TnrnnError
from ..boundset import smallest_upper_bound, smallest_upper_bound_log2, upper_bounds
from ..numbers import format_int
from ..partition import Partition
from ..spec import RACSpec
from ..weights import RACWeights
from .evaluate import evaluate_pairs
from .fieldrank import check_rank_memory, rank_mod_p, resolve_backend

__all__ = [
    "probe_cap",
    "proven_upper_bounds",
    "check_probe_budget",
    "output_degree",
    "stage_sizes",
    "schwartz_zippel_bound",
    "probe_rank",
]

#: Default largest probe count per side.
DEFAULT_MAX_PROBES = 4096

#: Largest memory the probe arrays of one rank computation may take (bytes).
PROBE_MEMORY_LIMIT = 8 << 30

def proven_upper_bounds(spec: RACSpec, partition: Partition) -> dict[str, int]:
    """The upper bounds on the separation rank that the rank layer knows, by name.

    :func:`tnrnn.boundset.upper_bounds`: every registered bound the rank layer uses for its
    cap (``degree`` and ``bottleneck`` for any partition; with a prefix side ``symmetric``,
    for L >= 2 ``ideal``, and ``syzygy`` where it applies), each valid for all weights. The min-cut is not among them (``rank``
    never imports ``mincut``; :mod:`tnrnn.bounds` adds it).

    >>> proven_upper_bounds(RACSpec(M=2, R=3, L=2, T=8), Partition.start_end(8))
    {'degree': 120, 'bottleneck': 120, 'symmetric': 45, 'ideal': 42}
    """
    return upper_bounds(spec, partition)


def probe_cap(spec: RACSpec, partition: Partition, known: Mapping[str, int | None] | None = None) -> int:
    """The smallest proven upper bound on the separation rank, used to cap the probe counts.

    :func:`tnrnn.boundset.smallest_upper_bound`: the smallest of
    :func:`proven_upper_bounds` and of the bounds in ``known`` (proven elsewhere, e.g.
    ``{"mincut": ...}``; this layer never computes the min-cut).
    """
    return smallest_upper_bound(spec, partition, known=known)[0]


def output_degree(spec: RACSpec, weights_random: bool) -> int:
    """Total degree of ``y`` in the random quantities.

    With random weights: in every weight entry, initial state and probe entry
    (``deg h^l_t = w_l + deg h^l_{t-d_l} + deg h^{l-1}_t``, ``deg h^0_t = deg h^l_s = 1``
    for s <= 0, plus one for ``W^O``; ``w_l`` is the cell's
    :attr:`~tnrnn.cells.Cell.weight_degree`: 2 for ``mi`` (``W^H``, ``W^I``; biases add
    no degree), 3 for ``cp`` (V, W, U), 1 for ``full`` (A)). With given weights: in the
    probe entries only, ``sum_t d_t`` (the copies of each input; ``C(T - t + L - 1, L - 1)``
    for the plain RAC).
    """
    T = spec.T
    below = [1] * (T + 1)  # layer 0: the inputs
    for cell, d in zip(spec.cells, spec.dilations):
        w = cell.weight_degree if weights_random else 0
        cur = [1 if weights_random else 0]
        for t in range(1, T + 1):
            cur.append(cur[max(t - d, 0)] + below[t] + w)
        below = cur
    return below[T] + (1 if weights_random else 0)


def check_probe_budget(
    spec: RACSpec,
    partition: Partition,
    max_probes: int = DEFAULT_MAX_PROBES,
    *,
    known: Mapping[str, int | None] | None = None,
) -> int:
    """Refuse up front a rank computation that may need more than ``max_probes`` probes.

    The one budget check of every rank computation (:func:`tnrnn.separation_rank`, hence
    ``check_bounds``, ``bounds_table`` and the command line). The rank can be as large as
    the smallest proven upper bound (:func:`tnrnn.boundset.smallest_upper_bound`, with the
    bounds in ``known``), and the probe matrix then needs ``bound + 1`` probes per side.
    The bounds are compared by their logarithms, so the decision takes well under a second
    even when the bounds have millions of digits. Returns the bound when it fits; else
    raises :class:`~tnrnn.errors.MemoryLimitError` with the size of the matrix and a rough
    time (the rank over F_p costs about ``n^3 / 3e9`` seconds here), before anything is
    allocated. Also refuses probe arrays over :data:`PROBE_MEMORY_LIMIT` bytes.

    Examples
    --------
    >>> check_probe_budget(RACSpec(M=5, R=1, L=3, T=6), Partition.interleaved(6), known={"mincut": 1})
    1
    """
    max_probes = _positive("max_probes", max_probes)
    log2_bound, name = smallest_upper_bound_log2(spec, partition, known=known)
    if log2_bound > _EXACT_BITS:  # too large to be worth writing out
        _refuse(spec, partition, name, max_probes, log2_bound, None)
    bound, name = smallest_upper_bound(spec, partition, known=known)
    if bound + 1 > max_probes:
        _refuse(spec, partition, name, max_probes, math.log2(bound), bound)
    n = bound + 1
    R = max(spec.widths)
    need = 8 * (n * spec.T * spec.M + n * n + R * (spec.M + 2 * spec.L * R + spec.K))
    if need > PROBE_MEMORY_LIMIT:
        raise MemoryLimitError(
            f"the probes of {spec} across {partition} need about {need / 2**30:,.1f} GiB (a {n:,} x {n:,} "
            f"matrix of {spec.T:,} steps of dimension M={spec.M:,}), above the "
            f"{PROBE_MEMORY_LIMIT / 2**30:.0f} GiB limit; lower M or T"
        )
    return bound


def _positive(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise TnrnnError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


#: Refusal messages give the bound exactly up to this many bits (else as a power of 2;
#: n**3 must stay a float).
_EXACT_BITS = 300

_NAMES = {"degree": "degree bound", "symmetric": "symmetric-copies bound", "mincut": "min-cut bound",
          "ideal": "boundary-ideal bound"}


def _bound_name(name: str) -> str:
    return _NAMES.get(name, f"{name} bound")


def _refuse(spec, partition, name, max_probes, log2_bound, bound) -> None:
    what = _bound_name(name)
    if bound is not None:
        size = format_int(bound)
        n = bound + 1
        matrix = f"{format_int(n)} x {format_int(n)} entries ({n * n * 8 / 2**30:,.1f} GiB)"
        hours = f"roughly {n**3 / 3e9 / 3600:,.2g} h of rank computation"
        fix = f"raise max_probes to {n} to run it anyway"
    else:
        size = f"about 2^{log2_bound:,.1f}"
        matrix = f"about 2^{log2_bound:,.0f} x 2^{log2_bound:,.0f} entries"
        hours = "far more time than any computer has"
        fix = "lower T, M or R, or choose a partition with a smaller bound"
    raise MemoryLimitError(
        f"the separation rank of {spec} across {partition} may be as large as {size} (the {what}, "
        f"the smallest proven upper bound): the probe matrix could need {matrix} and {hours}, "
        f"above max_probes={max_probes}; {fix}"
    )


def stage_sizes(n_start: int, cap: int) -> list[int]:
    """Every probe count the growth rule can reach: n_start, 2 n_start, ..., then cap.

    Doubling, except that a doubled count of at least ``2/3 cap`` jumps straight to
    ``cap`` (the rank of an n x n matrix costs O(n^3), and the ranks found are often at
    the proven upper bound, so a stage just below the cap is mostly wasted).

    >>> stage_sizes(64, 2971), stage_sizes(64, 1821), stage_sizes(64, 5)
    ([64, 128, 256, 512, 1024, 2971], [64, 128, 256, 512, 1024, 1821], [5])
    """
    sizes = [max(1, min(n_start, cap))]
    while sizes[-1] < cap:
        nxt = 2 * sizes[-1]
        sizes.append(cap if 3 * nxt >= 2 * cap else nxt)
    return sizes


def schwartz_zippel_bound(degree: int, sizes: list[int], rank_cap: int, p: int) -> float:
    """``sum_s min(n_s, rank_cap) * degree / p`` over every reachable stage, at most 1.

    The answer is wrong only if at the stage where the loop stops the leading minor of
    size ``min(n_s, r*)`` (r* the generic rank, ``<= rank_cap``) vanishes; that minor is a
    nonzero polynomial of degree at most ``min(n_s, r*) * degree`` in independent uniform
    entries of F_p. The union bound runs over every stage the rule can reach, which does
    not depend on the random draws.
    """
    total = sum(min(n, rank_cap) for n in sizes) * degree
    return min(1.0, total / p)


def _draw(gen: np.random.Generator, n: int, steps: int, M: int, p: int) -> np.ndarray:
    return gen.integers(0, p, size=(n, steps, M), dtype=np.int64)


def probe_rank(
    weights: RACWeights,
    partition: Partition,
    gen: np.random.Generator,
    *,
    n_start: int = 64,
    max_probes: int = DEFAULT_MAX_PROBES,
    backend: str = "auto",
    progress: bool = False,
    known: Mapping[str, int | None] | None = None,
    max_bytes: int | None = None,
) -> dict:
    """Grow the probe matrix until its rank is below both sides; exact weights only.

    The probe counts are capped at the smallest proven upper bound plus one (see
    :func:`probe_cap`; ``known`` adds bounds proven elsewhere, such as the min-cut).
    Each stage is refused before anything is allocated when the matrix and the rank's
    working memory would exceed ``max_bytes`` (default: the memory available now), see
    :func:`~tnrnn.rank.fieldrank.check_rank_memory`.

    Returns a dict with ``rank``, ``n_A``, ``n_B``, ``stages``, ``sizes`` (every reachable
    stage), ``cap`` (the proven upper bound) and ``seconds``.

    Raises
    ------
    BoundViolationError
        If the rank reaches ``cap + 1`` (the proven upper bound is violated: a bug).
    MemoryLimitError
        If the rank still equals the probe count at ``max_probes``.
    """
    spec, p = weights.spec, weights.prime
    t0 = time.perf_counter()
    ub, ub_name = smallest_upper_bound(spec, partition, known=known)
    cap = min(ub + 1, max_probes)
    sizes = stage_sizes(n_start, cap)
    nA_steps, nB_steps, M = len(partition.A), len(partition.B), spec.M
    a = np.empty((0, nA_steps, M), dtype=np.int64)
    b = np.empty((0, nB_steps, M), dtype=np.int64)
    Y = np.empty((0, 0), dtype=np.int64)
    stages: list[int] = []
    bar = _bar(progress, len(sizes), spec)
    try:
        for n in sizes:
            check_rank_memory(n, n, p, backend, held=8 * Y.size, max_bytes=max_bytes)
            a_new = _draw(gen, n - a.shape[0], nA_steps, M, p)
            b_new = _draw(gen, n - b.shape[0], nB_steps, M, p)
            if bar is not None:
                bar.set_postfix_str(f"stage {n} x {n}: evaluating")
            Y = _grow(weights, partition, Y, a, b, a_new, b_new)
            a = np.concatenate([a, a_new])
            b = np.concatenate([b, b_new])
            if bar is not None:
                bar.set_postfix_str(f"stage {n} x {n}: rank")
            rank = _rank(Y, p, backend, bar)
            stages.append(n)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(n=n, rank=rank)
            if rank < n:
                break
        else:
            _raise_capped(rank, n, ub, ub_name, spec, partition)
    finally:
        if bar is not None:
            bar.close()
    return {"rank": rank, "n_A": n, "n_B": n, "stages": tuple(stages), "sizes": sizes,
            "cap": ub, "seconds": time.perf_counter() - t0}


def _rank(Y: np.ndarray, p: int, backend: str, bar) -> int:
    """The rank of one stage; with a progress bar, a nested bar over the eliminated columns
    (tqdm estimates the remaining time from the columns done)."""
    if bar is None or resolve_backend(backend, Y.shape) != "blas":
        return rank_mod_p(Y, p, backend=backend)
    from tqdm.auto import tqdm

    with tqdm(total=min(Y.shape), desc=f"rank over F_p, {Y.shape[0]} x {Y.shape[1]}", unit="col",
              leave=False) as cols:
        return rank_mod_p(Y, p, backend=backend, progress=cols.update)


def _grow(weights, partition, Y, a, b, a_new, b_new) -> np.ndarray:
    """Extend Y by the rows of a_new and the columns of b_new, reusing the old block."""
    n_old = Y.shape[0]
    n = n_old + a_new.shape[0]
    out = np.empty((n, n), dtype=np.int64 if weights.prime is not None else np.float64)
    out[:n_old, :n_old] = Y
    if n_old and b_new.shape[0]:
        out[:n_old, n_old:] = evaluate_pairs(weights, partition, a, b_new, max_entries=n * n)
    if a_new.shape[0]:
        out[n_old:, :] = evaluate_pairs(weights, partition, a_new, np.concatenate([b, b_new]),
                                        max_entries=n * n)  # the stage's memory was checked
    return out


def _raise_capped(rank, n, ub, ub_name, spec, partition) -> None:
    if n == ub + 1:
        raise BoundViolationError(
            f"rank {rank} of a {n} x {n} probe matrix exceeds the proven upper bound {ub} "
            f"({_bound_name(ub_name)}) for {spec}, partition {partition}: this is a bug in tnrnn "
            "(or a wrong bound passed in upper_bounds)"
        )
    raise MemoryLimitError(
        f"the rank reached the probe count {n} = max_probes for {spec}; the separation rank "
        f"is at least {rank} (upper bound {ub}); raise max_probes to finish"
    )


def _bar(progress: bool, total: int, spec: RACSpec):
    if not progress:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=f"probes L={spec.L} M={spec.M} R={spec.R} T={spec.T}", leave=False)
