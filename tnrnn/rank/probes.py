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

import time

import numpy as np

from ..errors import BoundViolationError, MemoryLimitError
from ..formulas import boundary_ideal_bound, degree_bound, prefix_split, symmetric_copies_bound
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


def proven_upper_bounds(spec: RACSpec, partition: Partition) -> dict[str, int]:
    """The upper bounds on the separation rank that the rank layer knows, by name.

    Each holds for all weights: ``"degree"`` (any partition); when one side is a prefix
    ``1..k`` and the other has ``m = T - k`` steps, ``"symmetric"``, the symmetric-copies
    bound over those m steps, ``prod_l multiset(R, C(m + L - l - 1, L - l))`` (for
    Start-End this is :func:`tnrnn.formulas.symmetric_copies_bound`; the derivation is the
    same for any prefix: ``y`` depends on the prefix only through the boundary states,
    with degree ``c_l`` in layer l's state), and for L >= 2 ``"ideal"``
    (:func:`tnrnn.formulas.boundary_ideal_bound`). The min-cut is not among them (``rank``
    never imports ``mincut``; :mod:`tnrnn.bounds` adds it).

    >>> proven_upper_bounds(RACSpec(M=2, R=3, L=2, T=8), Partition.start_end(8))
    {'degree': 120, 'symmetric': 45, 'ideal': 42}
    """
    bounds = {"degree": degree_bound(spec.M, spec.L, partition)}
    split = prefix_split(partition)
    if split is not None:
        bounds["symmetric"] = symmetric_copies_bound(spec.R, spec.L, 2 * split[1])
        ideal = boundary_ideal_bound(spec.M, spec.R, spec.L, partition)
        if ideal is not None:
            bounds["ideal"] = ideal
    return bounds


def probe_cap(spec: RACSpec, partition: Partition) -> int:
    """A proven upper bound on the separation rank, used to cap the probe counts: the
    smallest of :func:`proven_upper_bounds`."""
    return min(proven_upper_bounds(spec, partition).values())


def output_degree(spec: RACSpec, weights_random: bool) -> int:
    """Total degree of ``y`` in the random quantities.

    With random weights: in every weight entry, initial state and probe entry
    (``deg h^l_t = 2 + deg h^l_{t-1} + deg h^{l-1}_t``, ``deg h^0_t = deg h^l_0 = 1``,
    plus one for ``W^O``). With given weights: in the probe entries only,
    ``sum_t C(T - t + L - 1, L - 1)``.
    """
    L, T = spec.L, spec.T
    below = [1] * (T + 1)  # layer 0: the inputs
    for _ in range(L):
        cur = [1 if weights_random else 0]
        for t in range(1, T + 1):
            cur.append(cur[-1] + below[t] + (2 if weights_random else 0))
        below = cur
    return below[T] + (1 if weights_random else 0)


def check_probe_budget(spec: RACSpec, partition: Partition, max_probes: int = DEFAULT_MAX_PROBES) -> int:
    """Refuse up front a rank computation that may need more than ``max_probes`` probes.

    The rank can be as large as :func:`probe_cap` (a proven upper bound), and the probe
    matrix then needs ``cap + 1`` probes per side. Returns the cap when it fits; else
    raises :class:`~tnrnn.errors.MemoryLimitError` with the size of the matrix and a rough
    time (the rank over F_p costs about ``n^3 / 3e9`` seconds here) and how to override.
    """
    cap = probe_cap(spec, partition)
    if cap + 1 > max_probes:
        n = cap + 1
        gib = n * n * 8 / 2**30
        hours = n**3 / 3e9 / 3600
        raise MemoryLimitError(
            f"the separation rank of {spec} across {partition} may be as large as {cap:,} "
            f"(proven upper bound): the probe matrix could need {n:,} x {n:,} entries "
            f"({gib:,.1f} GiB) and roughly {hours:,.2g} h of rank computation, above "
            f"max_probes={max_probes}; raise max_probes (--max-probes) to {n} to run it anyway"
        )
    return cap


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
    max_bytes: int | None = None,
) -> dict:
    """Grow the probe matrix until its rank is below both sides; exact weights only.

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
    ub = probe_cap(spec, partition)
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
            _raise_capped(rank, n, ub, max_probes, spec, partition)
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


def _raise_capped(rank, n, ub, max_probes, spec, partition) -> None:
    if n == ub + 1:
        raise BoundViolationError(
            f"rank {rank} of a {n} x {n} probe matrix exceeds the proven upper bound {ub} for "
            f"{spec}, partition {partition}: this is a bug in tnrnn"
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
