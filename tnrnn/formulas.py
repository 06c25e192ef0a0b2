"""Closed forms from the paper and of our own derivation, as exact Python integers.

Reference: Y. Levine, O. Sharir, A. Ziv, A. Shashua, "On the Long-Term Memory of Deep
Recurrent Networks", arXiv:1710.09431 (earlier: "Benefits of Depth for Long-Term Memory of
Recurrent Networks", ICLR 2018 workshop). Each function says whether its value is a
theorem of the paper, a conjecture of the paper, or a bound derived for tnrnn.
All values are exact integers (they overflow 64 bits quickly).
"""

from __future__ import annotations

import numbers
from math import comb, prod

from .errors import TnrnnError
from .partition import Partition

__all__ = [
    "multiset",
    "shallow_start_end_rank",
    "depth2_lower_bound",
    "conjectured_lower_bound",
    "paper_lower_bound",
    "input_copies",
    "layer_copies",
    "all_chains_cut",
    "degree_bound",
    "symmetric_copies_bound",
    "boundary_ideal_bound",
    "prefix_split",
    "network_size",
]


def _nonneg(name: str, v: object, minimum: int = 0) -> int:
    if isinstance(v, bool) or not isinstance(v, numbers.Integral) or int(v) < minimum:
        raise TnrnnError(f"{name} must be an integer >= {minimum}, got {v!r}")
    return int(v)


def _even_T(T: object) -> int:
    T = _nonneg("T", T, 2)
    if T % 2:
        raise TnrnnError(f"Start-End formulas need even T, got T={T}")
    return T


def multiset(n: int, k: int) -> int:
    """Multiset coefficient ``((n, k)) = C(n + k - 1, k)``: k-multisets from n items.

    >>> multiset(3, 2), multiset(1, 5), multiset(4, 0)
    (6, 1, 1)
    """
    n = _nonneg("n", n)
    k = _nonneg("k", k)
    if n == 0:
        return 1 if k == 0 else 0
    return comb(n + k - 1, k)


def shallow_start_end_rank(M: int, R: int, T: int) -> int:
    """``min(R, M^(T/2))``: Start-End separation rank of a shallow RAC.

    **Theorem** (Theorem 1 of the paper, shallow part): equality for all weights outside a
    measure-zero set, and ``<=`` for all weights (given linearly independent f).

    >>> shallow_start_end_rank(2, 5, 4), shallow_start_end_rank(2, 3, 4)
    (4, 3)
    """
    M, R, T = _nonneg("M", M, 1), _nonneg("R", R, 1), _even_T(T)
    return min(R, M ** (T // 2))


def depth2_lower_bound(M: int, R: int, T: int) -> int:
    """``multiset(min(M, R), T/2)``: lower bound on the Start-End rank of a depth-2 RAC.

    **Theorem** (Theorem 1 of the paper, depth-2 part): holds for all weights outside a
    measure-zero set.

    >>> depth2_lower_bound(3, 3, 4)
    6
    """
    M, R, T = _nonneg("M", M, 1), _nonneg("R", R, 1), _even_T(T)
    return multiset(min(M, R), T // 2)


def conjectured_lower_bound(M: int, R: int, L: int, T: int) -> int:
    """``multiset(min(M, R), C(T/2 + L - 2, L - 1))``: the paper's depth-L lower bound.

    **Conjecture** of the paper for L > 2 (for L = 2 it is the depth-2 theorem; for L = 1
    it gives ``min(M, R)``, which is not the paper's statement: use
    :func:`paper_lower_bound`).

    >>> conjectured_lower_bound(2, 2, 3, 4)
    4
    """
    M, R, L, T = _nonneg("M", M, 1), _nonneg("R", R, 1), _nonneg("L", L, 1), _even_T(T)
    return multiset(min(M, R), comb(T // 2 + L - 2, L - 1))


def paper_lower_bound(M: int, R: int, L: int, T: int) -> tuple[int, str]:
    """The paper's Start-End lower bound for depth L and what kind of statement it is.

    Returns ``(value, status)`` with status ``"theorem"`` (L = 1: the exact value
    ``min(R, M^(T/2))``; L = 2) or ``"conjecture"`` (L >= 3).
    """
    L = _nonneg("L", L, 1)
    if L == 1:
        return shallow_start_end_rank(M, R, T), "theorem"
    if L == 2:
        return depth2_lower_bound(M, R, T), "theorem"
    return conjectured_lower_bound(M, R, L, T), "conjecture"


def input_copies(T: int, t: int, L: int) -> int:
    """``C(T - t + L - 1, L - 1)``: copies of x^t in the duplicated-input network.

    **Derived** (for tnrnn; stated in the paper for L = 2 as T - t + 1): also the degree of
    ``y`` in ``f(x^t)``.

    >>> [input_copies(4, t, 2) for t in range(1, 5)]
    [4, 3, 2, 1]
    """
    T, L = _nonneg("T", T, 1), _nonneg("L", L, 1)
    t = _nonneg("t", t, 1)
    if t > T:
        raise TnrnnError(f"t must be in 1..{T}, got {t}")
    return comb(T - t + L - 1, L - 1)


def layer_copies(T: int, L: int, l: int) -> int:
    """``c_l = C(T/2 + L - l - 1, L - l)``: copies of ``h^l_{T/2}`` used by the end.

    **Derived** for tnrnn (symmetric-copies bound); ``c_L = 1``.
    """
    T, L = _even_T(T), _nonneg("L", L, 1)
    l = _nonneg("l", l, 1)
    if l > L:
        raise TnrnnError(f"layer l must be in 1..{L}, got {l}")
    return comb(T // 2 + L - l - 1, L - l)


def all_chains_cut(R: int, L: int, T: int) -> int:
    """``R^C(T/2 + L - 1, L - 1)``: cost of cutting every chain across the Start-End boundary.

    **Derived upper bound** (for tnrnn): a valid cut of the duplicated network, one R-bond
    per crossing chain (``R^(T/2 + 1)`` for L = 2). Not the min-cut in general.

    >>> all_chains_cut(2, 2, 4)
    8
    """
    R, L, T = _nonneg("R", R, 1), _nonneg("L", L, 1), _even_T(T)
    return R ** comb(T // 2 + L - 1, L - 1)


def degree_bound(M: int, L: int, partition: Partition) -> int:
    """``min(prod_{t in A} multiset(M, d_t), prod_{t in B} multiset(M, d_t))``.

    **Derived upper bound** (for tnrnn), any partition, all weights: y is homogeneous of
    degree ``d_t = C(T - t + L - 1, L - 1)`` in ``f(x^t)``, so the functions of the A side
    live in a space of that dimension.

    >>> degree_bound(2, 1, Partition.start_end(4))
    4
    """
    M, L = _nonneg("M", M, 1), _nonneg("L", L, 1)
    T = partition.T

    def side(steps: tuple[int, ...]) -> int:
        return prod(multiset(M, input_copies(T, t, L)) for t in steps)

    return min(side(partition.A), side(partition.B))


def symmetric_copies_bound(R: int, L: int, T: int) -> int:
    """``prod_{l=1..L} multiset(R, c_l)``: Start-End upper bound from identical state copies.

    **Derived upper bound** (for tnrnn), all weights: the end sees ``c_l`` identical copies
    of ``h^l_{T/2}``, which span only the symmetric power. ``R * multiset(R, T/2)`` for L = 2.

    >>> symmetric_copies_bound(2, 2, 4)
    6
    """
    R, L, T = _nonneg("R", R, 1), _nonneg("L", L, 1), _even_T(T)
    return prod(multiset(R, layer_copies(T, L, l)) for l in range(1, L + 1))


def prefix_split(partition: Partition) -> tuple[int, int] | None:
    """``(k, m)`` when one side of ``partition`` is a prefix ``1..k`` and the other has ``m``
    steps; None when neither side is a prefix.

    >>> prefix_split(Partition.start_end(6)), prefix_split(Partition.parse("A:4,5", 5))
    ((3, 3), (3, 2))
    >>> prefix_split(Partition.interleaved(6)) is None
    True
    """
    for head, tail in ((partition.A, partition.B), (partition.B, partition.A)):
        if head == tuple(range(1, len(head) + 1)):
            return len(head), len(tail)
    return None


def boundary_ideal_bound(M: int, R: int, L: int, partition: Partition) -> int | None:
    """``R * [multiset(R, m) - multiset(R - min(M, R), m)]``: the boundary-ideal bound.

    **Derived upper bound** (our derivation, not in the paper), valid for **all** weights.
    It applies to depth L = 2 and to partitions where one side is a prefix ``1..k``
    (Start-End and ``split:k`` included) and the other side has ``m`` steps; it is None
    for every other case.

    Parameters
    ----------
    M, R, L : int
        Input dimension, channels per layer, depth.
    partition : Partition

    Returns
    -------
    int or None
        The bound (an exact integer), or None where it does not apply.

    Notes
    -----
    The proof, for the prefix side P = 1..k and the suffix S = k+1..k+m. By symmetry of
    the separation rank it does not matter which of A and B is the prefix.

    1. The suffix sees the prefix only through the boundary states ``s = h^1_k`` and
       ``sigma = h^2_k``, both functions of ``x_P`` alone.
    2. At the first suffix step, ``h^1_{k+1} = (W^{H,1} s) ⊙ v`` with
       ``v = W^{I,1} f(x^{k+1})`` in the column space of ``W^{I,1}`` (dimension
       ``<= min(M, R)``). Each later ``h^1_t`` is ``h^1_{t-1}`` times diagonal and
       matrix factors that depend on ``x_S`` only, so it is linear in ``s``.
    3. Layer 2 at step k+1 has coordinates ``(W^{H,2} sigma)_r * l_r(s)`` with the linear
       form ``l_r(s) = sum_r' W^{I,2}[r, r'] v_r' (W^{H,1} s)_r'``. Each later layer-2 step
       multiplies the previous state by a matrix and by the coordinates of
       ``W^{I,2} h^1_t``, which are linear in ``s``. Hence
       ``y = sum_r (W^{H,2} sigma)_r * l_r(s) * G_r(s; x_S)`` with ``G_r`` homogeneous of
       degree ``m - 1`` in ``s``.
    4. Fix r. As ``f(x^{k+1})`` varies, ``l_r`` runs over the image ``U_r`` of a linear map
       from ``F^M`` (through ``v``), so ``u = dim U_r <= min(M, R)``. Every
       ``l_r G_r`` is a homogeneous polynomial of degree m in the R coordinates of ``s``
       lying in the ideal generated by ``U_r``. After a linear change of coordinates in
       which ``U_r`` is spanned by ``z_1..z_u``, the degree-m part of that ideal is the
       complement of the polynomials in ``z_{u+1}..z_R``: its dimension is
       ``multiset(R, m) - multiset(R - u, m)``, which grows with u, so it is at most
       ``D = multiset(R, m) - multiset(R - min(M, R), m)``.
    5. Write ``l_r G_r = sum_{j<=D} c_{r,j}(x_S) q_{r,j}(s)`` in a basis ``q_{r,j}`` of
       that space. Then ``y = sum_r sum_j [(W^{H,2} sigma)_r q_{r,j}(s)] c_{r,j}(x_S)``
       is a separated form with ``R * D`` terms, so ``sep <= R * D`` for every weight
       setting.

    For ``M >= R`` it equals the symmetric-copies bound ``R * multiset(R, m)``; for
    ``M < R`` it is strictly smaller. The same argument with layer widths ``R_1``, ``R_2``
    gives ``R_2 * [multiset(R_1, m) - multiset(R_1 - min(M, R_1), m)]``. Measured, not
    proven: on every depth-2 case computed the exact generic rank equals the minimum of
    this bound, :func:`degree_bound` and the min-cut.

    Examples
    --------
    >>> boundary_ideal_bound(2, 3, 2, Partition.start_end(8))   # 3 * (15 - 1)
    42
    >>> symmetric_copies_bound(3, 2, 8)
    45
    >>> boundary_ideal_bound(3, 3, 2, Partition.start_end(8)) == symmetric_copies_bound(3, 2, 8)
    True
    >>> boundary_ideal_bound(2, 3, 3, Partition.start_end(8)) is None
    True
    """
    M, R, L = _nonneg("M", M, 1), _nonneg("R", R, 1), _nonneg("L", L, 1)
    split = prefix_split(partition)
    if L != 2 or split is None:
        return None
    m = split[1]
    return R * (multiset(R, m) - multiset(R - min(M, R), m))


def network_size(M: int, R: int, L: int, T: int, *, merged: bool = False) -> tuple[int, int]:
    """``(nodes, edges)`` of the compiled network of a RAC, without building it.

    **Derived** (for tnrnn): layer l has ``C(T + L - l, L - l + 1)`` sites in
    ``C(T - 1 + L - l, L - l)`` chains; each site is a DELTA, W_H and W_I node (one CORE
    node when merged), each chain starts with an H0 node, each layer-1 site has an INPUT
    slot, plus the W_O node. The network is a tree, so ``edges = nodes - 1``.

    >>> network_size(2, 3, 1, 4)
    (18, 17)
    >>> network_size(2, 3, 2, 1024)[0] > 2_000_000
    True
    """
    for name, v in (("M", M), ("R", R), ("L", L), ("T", T)):
        _nonneg(name, v, 1)
    per_site = 1 if merged else 3
    nodes = 1
    for l in range(1, L + 1):
        sites = comb(T + L - l, L - l + 1)
        chains = comb(T - 1 + L - l, L - l)
        nodes += per_site * sites + chains + (sites if l == 1 else 0)
    return nodes, nodes - 1
