"""The float path: float64 probes, evaluation matrix, SVD. NOT certified.

Floating-point ranks of these matrices are unreliable (products of many factors spread
the singular values over many orders of magnitude, and the rank moves with the tolerance),
so every result of this module says so, and reports the tolerance it used and the gap
``sigma_r / sigma_(r+1)`` at the chosen rank: a small gap means the number is a guess.
"""

from __future__ import annotations

import time
from typing import Mapping

import numpy as np

from ..errors import MemoryLimitError
from ..partition import Partition
from ..weights import RACWeights
from .probes import _bar, _grow, probe_cap, stage_sizes

__all__ = ["svd_rank", "float_probe_rank"]

#: Largest probe count per side on the float path (an SVD is O(n^3) in float64).
DEFAULT_MAX_FLOAT_PROBES = 2048


def svd_rank(Y: np.ndarray, tol: float | None = None) -> dict:
    """Numerical rank of ``Y`` by SVD.

    Parameters
    ----------
    Y : array (n, m), float
    tol : float, optional
        Absolute threshold on singular values. Default: ``max(n, m) * eps * sigma_1``
        (the numpy ``matrix_rank`` default).

    Returns
    -------
    dict with ``rank``, ``tolerance``, ``gap`` (``sigma_r / sigma_(r+1)``, ``inf`` when
    there is no smaller value or it is exactly 0) and ``singular_values`` (all of them).

    Examples
    --------
    >>> import numpy as np
    >>> out = svd_rank(np.outer([1.0, 2.0], [3.0, 4.0]))
    >>> out["rank"], out["gap"] > 1e10
    (1, True)
    """
    Y = np.asarray(Y, dtype=np.float64)
    s = np.linalg.svd(Y, compute_uv=False) if Y.size else np.zeros(0)
    if tol is None:
        tol = float(max(Y.shape) * np.finfo(np.float64).eps * (s[0] if s.size else 0.0))
    rank = int(np.count_nonzero(s > tol))
    if rank == 0 or rank >= s.size or s[rank] == 0:
        gap = float("inf")
    else:
        gap = float(s[rank - 1] / s[rank])
    return {"rank": rank, "tolerance": float(tol), "gap": gap, "singular_values": s}


def float_probe_rank(
    weights: RACWeights,
    partition: Partition,
    gen: np.random.Generator,
    *,
    n_start: int = 64,
    max_probes: int = DEFAULT_MAX_FLOAT_PROBES,
    tol: float | None = None,
    progress: bool = False,
    known: Mapping[str, int | None] | None = None,
) -> dict:
    """Float weights, standard normal probes; grow until the SVD rank is below both sides.

    Returns a dict with ``rank``, ``n_A``, ``n_B``, ``stages``, ``cap``, ``tolerance``,
    ``gap``, ``singular_values`` and ``seconds``.
    """
    if weights.prime is not None:
        weights = weights.to_float()
    spec = weights.spec
    t0 = time.perf_counter()
    ub = probe_cap(spec, partition, known)
    sizes = stage_sizes(n_start, min(ub + 1, max_probes))
    nA_steps, nB_steps, M = len(partition.A), len(partition.B), spec.M
    a = np.empty((0, nA_steps, M))
    b = np.empty((0, nB_steps, M))
    Y = np.empty((0, 0))
    stages: list[int] = []
    bar = _bar(progress, len(sizes), spec)
    try:
        for n in sizes:
            a_new = gen.standard_normal((n - a.shape[0], nA_steps, M))
            b_new = gen.standard_normal((n - b.shape[0], nB_steps, M))
            Y = _grow(weights, partition, Y, a, b, a_new, b_new)
            a, b = np.concatenate([a, a_new]), np.concatenate([b, b_new])
            out = svd_rank(Y, tol)
            stages.append(n)
            if bar is not None:
                bar.update(1)
            if out["rank"] < n:
                break
        else:
            if n < ub + 1:
                raise MemoryLimitError(
                    f"the float rank reached the probe count {n} = max_probes for {spec}; "
                    "raise max_probes (float path) or use exact weights"
                )
    finally:
        if bar is not None:
            bar.close()
    out.update(n_A=n, n_B=n, stages=tuple(stages), cap=ub, seconds=time.perf_counter() - t0)
    return out
