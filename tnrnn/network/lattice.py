"""The site lattice of a duplicated-input network: which site hangs from which.

:func:`site_lattice` is the geometry shared by the compiler
(:func:`tnrnn.network.compile_network`) and the lean min-cut graph
(:mod:`tnrnn.mincut.lean`); it depends on T, L and the dilations only (widths and cells
do not matter).
"""

from __future__ import annotations

import numpy as np

from ..spec import RACSpec

__all__ = ["site_lattice"]


def site_lattice(spec: RACSpec) -> list[dict[str, np.ndarray]]:
    """Sites of each layer: ``layers[l - 1]`` describes layer l.

    Layer L is one chain over its steps (``T, T - d_L, ...``). Every site of layer l + 1 at
    step tau hangs the chain of a fresh copy of ``h^l_tau``: layer-l sites at steps
    ``tau, tau - d_l, ...`` down to the first, stored in increasing step and contiguously
    in the order of their parents. Each layer holds ``step``, ``parent`` (site index in
    layer l + 1, -1 on layer L) and ``copy`` (the copy index of :mod:`tnrnn.network.model`);
    layers l >= 2 also hold ``child_end``, the index in layer l - 1 of the last site of the
    chain each of their sites hangs.

    Examples
    --------
    >>> lay = site_lattice(RACSpec(M=2, R=3, L=2, T=3))
    >>> lay[0]["step"].tolist(), lay[0]["copy"].tolist(), lay[1]["child_end"].tolist()
    ([1, 1, 2, 1, 2, 3], [0, 1, 0, 2, 1, 0], [0, 2, 5])
    """
    if all(d == 1 for d in spec.dilations):  # the fast case: copies in closed form
        return _undilated(spec.T, spec.L)
    return _dilated(spec.T, spec.L, spec.dilations)


def _binom_small(n: np.ndarray, k: int) -> np.ndarray:
    """``C(n, k)`` elementwise for an int64 array n >= 0 and a small k (exact)."""
    out = np.ones_like(n)
    for i in range(k):
        out = out * (n - i) // (i + 1)  # C(n, i+1), exact at each step
    return out


def _undilated(T: int, L: int) -> list[dict[str, np.ndarray]]:
    layers: list[dict[str, np.ndarray]] = [dict() for _ in range(L)]
    top = layers[L - 1]
    top["step"] = np.arange(1, T + 1, dtype=np.int64)
    top["parent"] = np.full(T, -1, dtype=np.int64)
    top["copy"] = np.zeros(T, dtype=np.int64)
    for l in range(L - 1, 0, -1):  # build layer l from layer l + 1
        up = layers[l]
        counts = up["step"]
        ends = np.cumsum(counts)
        total = int(ends[-1])
        parent = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
        step = np.arange(total, dtype=np.int64) - np.repeat(ends - counts, counts) + 1
        # copy = rank of (tau_{l+1}, ..., tau_L) among non-decreasing tuples in [t, T]:
        # tuples whose first entry lies in [t, tau_{l+1}) come first, then the parent's rank.
        m = L - l
        tau = counts[parent]
        copy = _binom_small(T - step + m, m) - _binom_small(T - tau + m, m) + up["copy"][parent]
        up["child_end"] = ends - 1
        layers[l - 1] = {"step": step, "parent": parent, "copy": copy}
    return layers


def _dilated(T: int, L: int, d: tuple[int, ...]) -> list[dict[str, np.ndarray]]:
    layers: list[dict[str, np.ndarray]] = [dict() for _ in range(L)]
    r = (T - 1) % d[L - 1] + 1
    top_step = np.arange(r, T + 1, d[L - 1], dtype=np.int64)
    layers[L - 1] = {"step": top_step, "parent": np.full(top_step.size, -1, np.int64),
                     "anc": np.zeros((top_step.size, 0), np.int64)}
    for l in range(L - 1, 0, -1):  # layer l from layer l + 1
        up, dl = layers[l], d[l - 1]
        tau = up["step"]
        counts = (tau - 1) // dl + 1
        ends = np.cumsum(counts)
        parent = np.repeat(np.arange(tau.size, dtype=np.int64), counts)
        pos = np.arange(int(ends[-1]), dtype=np.int64) - np.repeat(ends - counts, counts)
        step = ((tau - 1) % dl + 1)[parent] + dl * pos
        up["child_end"] = ends - 1
        anc = np.concatenate([tau[parent][:, None], up["anc"][parent]], axis=1)
        layers[l - 1] = {"step": step, "parent": parent, "anc": anc}
    for lay in layers:
        lay["copy"] = _copy_ranks(lay["step"], lay.pop("anc"))
    return layers


def _copy_ranks(step: np.ndarray, anc: np.ndarray) -> np.ndarray:
    """Rank of ``(tau_{l+1}, ..., tau_L)`` (lexicographic, ``tau_{l+1}`` first) among the
    sites of the same step."""
    if anc.shape[1] == 0:
        return np.zeros(step.size, np.int64)
    keys = [anc[:, j] for j in range(anc.shape[1] - 1, -1, -1)] + [step]
    order = np.lexsort(keys)
    s = step[order]
    new_group = np.concatenate([[True], s[1:] != s[:-1]])
    starts = np.maximum.accumulate(np.where(new_group, np.arange(s.size), 0))
    copy = np.empty(step.size, np.int64)
    copy[order] = np.arange(s.size) - starts
    return copy
