"""The paper's grid-tensor method: K template points, all K^T sequences, matricization.

For template points ``v^(1..K)`` in the input space, the grid tensor is
``V[k_1, .., k_T] = y(v^(k_1), .., v^(k_T))``; the rank of its matricization (rows: the
indices on A, columns: those on B) is a lower bound on the separation rank. Its
matricization is exactly the probe matrix ``Y`` whose probes are all ``K^|A|`` template
sequences on A and all ``K^|B|`` on B, so it is computed with the same pair evaluator.

With K = M templates on a deep network the grid rank is at most ``M^min(|A|, |B|)``
(``M^(T/2)`` for Start-End) while the true rank can be larger: a warning says so.
"""

from __future__ import annotations

import itertools
import time
import warnings

import numpy as np

from ..errors import InputError, MemoryLimitError
from ..partition import Partition
from ..weights import RACWeights
from .evaluate import MAX_MATRIX_ENTRIES, evaluate_pairs
from .fieldrank import rank_mod_p
from .floatpath import svd_rank

__all__ = ["grid_matrix", "grid_rank", "templates_needed"]


def templates_needed(M: int, L: int, T: int) -> int:
    """Templates enough for the grid rank to reach the rank of ``y`` as a polynomial.

    ``y`` has degree ``d_t <= C(T + L - 2, L - 1)`` in each ``f(x^t)`` (homogeneous), and
    homogeneous polynomials of degree d in M variables are told apart by
    ``multiset(M, d)`` generic points; so that many generic templates make the evaluation
    on each step injective and the grid rank equal to the separation rank (for generic
    templates). For L = 1 this is M.
    """
    from math import comb

    from ..formulas import multiset

    return multiset(M, comb(T + L - 2, L - 1))


def _sequences(templates: np.ndarray, steps: int) -> np.ndarray:
    """All ``K^steps`` sequences of templates, lexicographic: shape (K^steps, steps, M)."""
    K = templates.shape[0]
    idx = np.array(list(itertools.product(range(K), repeat=steps)), dtype=np.int64).reshape(-1, steps)
    return templates[idx]


def grid_matrix(
    weights: RACWeights, partition: Partition, templates: np.ndarray, *, max_entries: int = MAX_MATRIX_ENTRIES
) -> np.ndarray:
    """The matricization ``(K^|A|, K^|B|)`` of the grid tensor on ``templates`` (K, M).

    Row index = the template indices on the steps of A in lexicographic order (first step
    slowest); columns likewise over B.
    """
    spec = weights.spec
    tpl = np.asarray(templates)
    if tpl.ndim != 2 or tpl.shape[1] != spec.M:
        raise InputError(f"templates must have shape (K, M) with M={spec.M}, got {tpl.shape}")
    K = tpl.shape[0]
    entries = K ** spec.T
    if entries > max_entries:
        raise MemoryLimitError(
            f"the grid tensor has K^T = {K}^{spec.T} = {entries} entries, above max_entries="
            f"{max_entries}; use fewer templates, a shorter T, or method='probes'"
        )
    a = _sequences(tpl, len(partition.A))
    b = _sequences(tpl, len(partition.B))
    return evaluate_pairs(weights, partition, a, b, max_entries=max_entries)


def grid_rank(
    weights: RACWeights,
    partition: Partition,
    gen: np.random.Generator,
    *,
    templates: np.ndarray | None = None,
    n_templates: int | None = None,
    tol: float | None = None,
    backend: str = "auto",
    max_entries: int = MAX_MATRIX_ENTRIES,
) -> dict:
    """Grid-tensor rank: exact over F_p for exact weights, float SVD otherwise.

    Templates default to ``n_templates`` (default M) random points: uniform in F_p, or
    standard normal for float weights. Warns when K <= M on a deep network (unless K templates already suffice, M = 1).

    Returns a dict with ``rank``, ``n_A``, ``n_B``, ``K``, ``capped``, ``seconds`` and, on the
    float path, ``tolerance``, ``gap`` and ``singular_values``.
    """
    spec, p = weights.spec, weights.prime
    t0 = time.perf_counter()
    if templates is None:
        K = spec.M if n_templates is None else int(n_templates)
        if K < 1:
            raise InputError(f"n_templates must be a positive integer, got {n_templates!r}")
        if p is None:
            templates = gen.standard_normal((K, spec.M))
        else:
            templates = gen.integers(0, p, size=(K, spec.M), dtype=np.int64)
    templates = np.asarray(templates)
    K = templates.shape[0]
    if spec.L >= 2 and K <= spec.M and K < templates_needed(spec.M, spec.L, spec.T):
        side = min(len(partition.A), len(partition.B))
        warnings.warn(
            f"grid tensor with K={K} <= M={spec.M} templates on a depth-{spec.L} network: its "
            f"rank is at most K^{side} = {K ** side} (the rank saturates at M^(T/2) for "
            "Start-End) while the separation rank can be larger; pass more templates "
            f"(n_templates >= {templates_needed(spec.M, spec.L, spec.T)} suffices) or use "
            "method='probes'",
            stacklevel=3,
        )
    Y = grid_matrix(weights, partition, templates, max_entries=max_entries)
    out: dict = {"n_A": Y.shape[0], "n_B": Y.shape[1], "K": K}
    if p is None:
        out.update(svd_rank(Y, tol))
    else:
        out["rank"] = rank_mod_p(Y, p, backend=backend)
    out["capped"] = out["rank"] == min(Y.shape)
    out["seconds"] = time.perf_counter() - t0
    return out
