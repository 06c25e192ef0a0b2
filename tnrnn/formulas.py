"""Closed forms from the paper and of our own derivation, as exact Python integers.

Reference: Y. Levine, O. Sharir, A. Ziv, A. Shashua, "On the Long-Term Memory of Deep
Recurrent Networks", arXiv:1710.09431 (earlier: "Benefits of Depth for Long-Term Memory of
Recurrent Networks", ICLR 2018 workshop). Each function says whether its value is a
theorem of the paper, a conjecture of the paper, or a bound derived for tnrnn.
All values are exact integers (they overflow 64 bits quickly).

These are the pure closed forms on integers. The bounds as the rest of tnrnn sees them (on a
spec and a partition, for every member of the family, with where each applies, labels and
proofs) are declared once in the registry of :mod:`tnrnn.boundset`, whose declarations use
these forms as the fast kernel of the plain RAC.
"""

from __future__ import annotations

import numbers
from math import comb, lgamma, log, log2, prod

from .copies import boundary_copies, chain_counts, copy_counts
from .errors import TnrnnError
from .partition import Partition

__all__ = [
    "multiset",
    "shallow_start_end_rank",
    "depth2_lower_bound",
    "conjectured_lower_bound",
    "paper_lower_bound",
    "paper_lower_bound_status",
    "input_copies",
    "copy_counts",
    "layer_copies",
    "boundary_copies",
    "chain_counts",
    "all_chains_cut",
    "degree_bound",
    "symmetric_copies_bound",
    "boundary_ideal_bound",
    "prefix_split",
    "network_size",
    "degree_bound_log2",
    "bottleneck_bound",
    "bottleneck_bound_log2",
    "bottleneck_degree_bound",
    "bottleneck_degree_bound_log2",
    "boundary_syzygy_bound",
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


def paper_lower_bound_status(L: int) -> str:
    """What kind of statement :func:`paper_lower_bound` is for depth L: ``"theorem"``
    (L <= 2, Theorem 1 of the paper) or ``"conjecture"`` (L >= 3).

    >>> paper_lower_bound_status(2), paper_lower_bound_status(3)
    ('theorem', 'conjecture')
    """
    return "theorem" if _nonneg("L", L, 1) <= 2 else "conjecture"


def paper_lower_bound(M: int, R: int, L: int, T: int) -> int:
    """The paper's Start-End lower bound for depth L, an exact integer like every bound here.

    L = 1: the exact value ``min(R, M^(T/2))``; L = 2: :func:`depth2_lower_bound`; L >= 3:
    :func:`conjectured_lower_bound`. Whether it is a theorem or the paper's conjecture is
    :func:`paper_lower_bound_status` (one convention: every ``*_bound`` returns an int).

    >>> paper_lower_bound(2, 3, 1, 4), paper_lower_bound(2, 3, 3, 6)
    (3, 7)
    """
    L = _nonneg("L", L, 1)
    if L == 1:
        return shallow_start_end_rank(M, R, T)
    if L == 2:
        return depth2_lower_bound(M, R, T)
    return conjectured_lower_bound(M, R, L, T)


def input_copies(T: int, t: int, L: int, dilations: tuple[int, ...] | None = None) -> int:
    """``C(T - t + L - 1, L - 1)``: copies of x^t in the duplicated-input network.

    **Derived** (for tnrnn; stated in the paper for L = 2 as T - t + 1): also the degree of
    ``y`` in ``f(x^t)``. Widths and cells (``mi``, ``cp``, ``full``, bias) do not change it.
    With ``dilations`` ``(d_1, ..., d_L)`` it is the number of ways to write
    ``T - t = j_1 d_1 + ... + j_L d_L`` with every ``j_l >= 0``, i.e. the coefficient of
    ``z^(T - t)`` in ``prod_l 1 / (1 - z^(d_l))`` (derived in :mod:`tnrnn.copies`; 0 for
    an input y does not depend on); :func:`copy_counts` gives all T at once.

    >>> [input_copies(4, t, 2) for t in range(1, 5)]
    [4, 3, 2, 1]
    >>> [input_copies(6, t, 2, dilations=(1, 2)) for t in range(1, 7)]
    [3, 3, 2, 2, 1, 1]
    """
    T, L = _nonneg("T", T, 1), _nonneg("L", L, 1)
    t = _nonneg("t", t, 1)
    if t > T:
        raise TnrnnError(f"t must be in 1..{T}, got {t}")
    if dilations is not None:
        if len(tuple(dilations)) != L:
            raise TnrnnError(f"dilations needs one value per layer (L={L}), got {tuple(dilations)!r}")
        if any(d != 1 for d in dilations):
            return copy_counts(T - t + 1, tuple(dilations))[0]
    return comb(T - t + L - 1, L - 1)


def layer_copies(T: int, L: int, l: int) -> int:
    """``c_l = C(T/2 + L - l - 1, L - l)``: copies of ``h^l_{T/2}`` used by the end.

    **Derived** for tnrnn (symmetric-copies bound); ``c_L = 1``. With dilations the end
    uses several boundary states of each layer: :func:`boundary_copies` counts them.
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


def exact_product(values: list[int]) -> int:
    """Exact product by a balanced tree (a running product of many big factors is quadratic)."""
    while len(values) > 1:
        values = [prod(values[i : i + 2]) for i in range(0, len(values), 2)]
    return values[0] if values else 1


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
        if L == 1:  # every d_t = 1
            return M ** len(steps)
        factors = []
        for t in steps:
            d = comb(T - t + L - 1, L - 1)
            factors.append(comb(M + d - 1, min(d, M - 1)))
        return exact_product(factors)

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
    """``R * sum_{j=1..u} (-1)^(j+1) C(u, j) prod_{l<L} multiset(R, c_l - j)``, u = min(M, R).

    The boundary-ideal bound. **Derived upper bound** (our derivation, not in the paper),
    valid for **all** weights, for depth L >= 2 and partitions where one side is a prefix
    ``1..k`` (Start-End and ``split:k`` included) and the other side has ``m`` steps;
    ``c_l = C(m + L - l - 1, L - l)`` is the number of copies of layer l's boundary state
    that the other side uses (as in :func:`symmetric_copies_bound`). None for L = 1 and
    for partitions without a prefix side. For L = 2 (``c_1 = m``) it is

        ``R * [multiset(R, m) - multiset(R - min(M, R), m)]``.

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
    Proof. Let P = 1..k be the prefix and S the other m steps (the separation rank is
    symmetric, so it does not matter which of A and B is the prefix); multisets of a
    negative size count 0.

    1. S sees P only through the boundary states ``s_l = h^l_k`` (l = 1..L), functions of
       ``x_P`` alone. At the first step of S, ``h^1_{k+1} = (W^{H,1} s_1) ⊙ v`` with
       ``v = W^{I,1} f(x^{k+1})`` in the column space V of ``W^{I,1}``,
       ``u = dim V <= min(M, R)``; inductively ``h^l_{k+1} = (W^{H,l} s_l) ⊙ (W^{I,l}
       h^{l-1}_{k+1})`` is multilinear in ``(s_1, ..., s_l)`` and linear in v.
    2. So layer L at step k+1 has coordinates ``(W^{H,L} s_L)_q * B_q(s_1..s_{L-1})`` where
       ``B_q = (W^{I,L} h^{L-1}_{k+1})_q`` is a multilinear form of multidegree
       ``(1, ..., 1)``, linear in v: as ``x^{k+1}`` varies, ``B_q`` runs over a space
       ``U_q`` of dimension ``<= u``.
    3. Every later layer-L state is the previous one times matrices and diagonals that do
       not involve ``s_L``, and y is linear in the last one. Hence
       ``y = sum_q (W^{H,L} s_L)_q * B_q * G_q(s_1..s_{L-1}; x_S)``, and ``B_q G_q`` is
       multihomogeneous of multidegree ``c = (c_1, ..., c_{L-1})`` (each of the ``c_l``
       chains of layer l leaving the boundary carries one copy of ``s_l``).
    4. ``B_q G_q`` lies in the multidegree-c part ``I_c`` of the ideal generated by
       ``U_q``. Its dimension is the rank of the multiplication map from
       ``(multidegree c - (1..1) part)^u`` to the multidegree-c part, a matrix linear in
       the generators' coefficients, so it is largest for generic generators (a rank is
       maximal on a Zariski-open set), and fewer generators give a smaller ideal. Generic
       forms of multidegree (1..1), u <= R of them, form a regular sequence (an
       associated prime of the quotient by i < R of them has height i < R, so it contains
       no group of variables, and a general multilinear form avoids it), so the quotient
       has Hilbert series ``(1 - s_1...s_{L-1})^u / prod_l (1 - s_l)^R`` and
       ``dim I_c <= D = sum_{j=1..u} (-1)^(j+1) C(u, j) prod_l multiset(R, c_l - j)``.
    5. Expanding ``B_q G_q`` in a basis ``q_{q,i}`` of that space (``i <= D``),
       ``y = sum_q sum_i [(W^{H,L} s_L)_q q_{q,i}(s_1..s_{L-1})] c_{q,i}(x_S)`` is a
       separated form with ``R * D`` terms, so ``sep <= R * D`` for every weight setting.

    For L = 2 the quotient is a polynomial ring in R - u variables, giving the closed form
    above; it equals the symmetric-copies bound ``R * multiset(R, m)`` for M >= R and is
    strictly smaller for M < R. For L >= 3 it is below the symmetric-copies bound even for
    M >= R (for L = 3 and R = 2 by exactly 4: two generic bilinear forms on P^1 x P^1 meet
    in 2 points, so the quotient has dimension 2 in every large bidegree). The same argument with layer widths ``R_l`` uses
    ``multiset(R_l, c_l - j)``, ``u = min(M, R_1, ..., R_{L-1})`` and the factor ``R_L``.
    Measured, not proven: on every depth-2 Start-End case computed the exact generic rank
    equals the minimum of this bound, :func:`degree_bound` and the min-cut.

    Examples
    --------
    >>> boundary_ideal_bound(2, 3, 2, Partition.start_end(8))   # 3 * (15 - 1)
    42
    >>> symmetric_copies_bound(3, 2, 8)
    45
    >>> boundary_ideal_bound(3, 3, 2, Partition.start_end(8)) == symmetric_copies_bound(3, 2, 8)
    True
    >>> boundary_ideal_bound(2, 2, 3, Partition.start_end(8)), symmetric_copies_bound(2, 3, 8)
    (106, 110)
    >>> boundary_ideal_bound(2, 3, 1, Partition.start_end(8)) is None
    True
    """
    M, R, L = _nonneg("M", M, 1), _nonneg("R", R, 1), _nonneg("L", L, 1)
    split = prefix_split(partition)
    if L < 2 or split is None:
        return None
    m, u = split[1], min(M, R)
    c = [comb(m + L - l - 1, L - l) for l in range(1, L)]

    def hilbert(j: int) -> int:
        return prod(multiset(R, cl - j) if cl >= j else 0 for cl in c)

    return R * sum((-1) ** (j + 1) * comb(u, j) * hilbert(j) for j in range(1, u + 1))


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


def degree_bound_log2(M: int, L: int, partition: Partition) -> float:
    """``log2`` of :func:`degree_bound`, from log-gamma sums: cheap for any size.

    Accurate to a relative ``1e-12`` or so; use it to compare or refuse, never as a bound.

    >>> round(degree_bound_log2(2, 1, Partition.start_end(4)), 9)
    2.0
    """
    M, L = _nonneg("M", M, 1), _nonneg("L", L, 1)
    T = partition.T
    base = lgamma(M)

    def side(steps: tuple[int, ...]) -> float:
        if L == 1:
            return len(steps) * log2(M)
        total = 0.0
        for t in steps:
            d = comb(T - t + L - 1, L - 1)
            total += lgamma(M + d) - lgamma(d + 1) - base
        return total / log(2)

    return min(side(partition.A), side(partition.B))


def _step_degrees(T: int, L: int, dilations: tuple[int, ...] | None) -> tuple[int, ...]:
    """``(d_1, ..., d_T)``: the degree of y in the input of each step (:func:`input_copies`)."""
    if dilations is not None:
        dilations = tuple(dilations)
        if len(dilations) != L:
            raise TnrnnError(f"dilations needs one value per layer (L={L}), got {dilations!r}")
        return copy_counts(T, dilations)
    return tuple(comb(T - t + L - 1, L - 1) for t in range(1, T + 1))


def bottleneck_bound(u: int, L: int, partition: Partition, *,
                     dilations: tuple[int, ...] | None = None) -> int:
    """``min over the two sides of prod_t multiset(u, d_t)``: the degree bound through the
    dimension ``u`` in which the first layer reads its input.

    **Derived upper bound** (for tnrnn), any partition, all weights, for every network in
    which each input ``x^t`` enters only through a vector ``v_t`` of a fixed space of
    dimension ``u`` and y is homogeneous of degree ``d_t`` in ``v_t``. The caller says what
    ``u`` is (for the plain RAC ``u = min(M, R)``: :func:`bottleneck_degree_bound`), so this
    function knows nothing of cells. ``d_t`` is :func:`input_copies` (with ``dilations``,
    the dilated copy counts; an input with ``d_t = 0`` contributes 1).

    Parameters
    ----------
    u : int
        Dimension of the space through which the input of every step is read (>= 1).
    L : int
        Depth.
    partition : Partition
    dilations : tuple of int, optional
        One dilation per layer (default: all 1).

    Returns
    -------
    int
        The bound, an exact integer.

    Notes
    -----
    Proof. Let V be the space of dimension u holding every ``v_t`` and ``b_1..b_u`` a basis,
    so ``v_t = sum_i c_i(x^t) b_i`` with coordinate functions ``c(x^t)`` in ``F^u``. Then
    ``y = P(c(x^1), ..., c(x^T))`` for a polynomial P homogeneous of degree ``d_t`` in the
    t-th block of u variables. Group the monomials of P by their A-part: each A-part is a
    product over ``t in A`` of a monomial of degree ``d_t`` in u variables, and there are
    ``prod_{t in A} multiset(u, d_t)`` of them. So ``y = sum_mu mu(c(x_A)) g_mu(x_B)``,
    a separated form with that many terms; the same with A and B exchanged. Hence ``sep``
    is at most the smaller product, for every weight setting. For the plain RAC,
    ``v_t = W^{I,1} f(x^t)`` lies in the column space of ``W^{I,1}`` (dimension
    ``<= min(M, R)``) and y is homogeneous of degree ``d_t = C(T - t + L - 1, L - 1)`` in
    it (each of the ``d_t`` copies of the input leg carries ``v_t`` once); a smaller
    dimension only lowers the bound, as multiset is increasing in u. With
    ``u = M`` this is :func:`degree_bound`.

    Examples
    --------
    >>> bottleneck_bound(2, 2, Partition.parse("split:1", 6))   # multiset(2, 6) = 7
    7
    >>> bottleneck_bound(3, 2, Partition.start_end(4)) == degree_bound(3, 2, Partition.start_end(4))
    True
    >>> bottleneck_bound(2, 2, Partition.start_end(6), dilations=(1, 2))
    12
    """
    u, L = _nonneg("u", u, 1), _nonneg("L", L, 1)
    degrees = _step_degrees(partition.T, L, dilations)

    def side(steps: tuple[int, ...]) -> int:
        return exact_product([comb(u + degrees[t - 1] - 1, degrees[t - 1]) for t in steps if degrees[t - 1]])

    return min(side(partition.A), side(partition.B))


def bottleneck_bound_log2(u: int, L: int, partition: Partition, *,
                          dilations: tuple[int, ...] | None = None) -> float:
    """``log2`` of :func:`bottleneck_bound` from log-gamma sums: cheap for any size.

    Accurate to a relative ``1e-12`` or so; use it to compare or refuse, never as a bound.

    >>> round(bottleneck_bound_log2(2, 2, Partition.parse("split:1", 6)), 9) == round(log2(7), 9)
    True
    """
    u, L = _nonneg("u", u, 1), _nonneg("L", L, 1)
    degrees = _step_degrees(partition.T, L, dilations)
    base = lgamma(u)

    def side(steps: tuple[int, ...]) -> float:
        return sum(lgamma(u + degrees[t - 1]) - lgamma(degrees[t - 1] + 1) - base for t in steps) / log(2)

    return min(side(partition.A), side(partition.B))


def bottleneck_degree_bound(M: int, R: int, L: int, partition: Partition) -> int:
    """The bottleneck degree bound of the plain RAC: :func:`bottleneck_bound` with
    ``u = min(M, R)``, the dimension of the column space of ``W^{I,1}``.

    **Derived upper bound** (for tnrnn), any partition, all weights; never above
    :func:`degree_bound`, and below it exactly when ``M > R`` (proof:
    :func:`bottleneck_bound`).

    >>> split1 = Partition.parse("split:1", 6)
    >>> bottleneck_degree_bound(3, 2, 2, split1), degree_bound(3, 2, split1)
    (7, 28)
    >>> bottleneck_degree_bound(2, 3, 2, Partition.start_end(8)) == degree_bound(2, 2, Partition.start_end(8))
    True
    """
    M, R = _nonneg("M", M, 1), _nonneg("R", R, 1)
    return bottleneck_bound(min(M, R), L, partition)


def bottleneck_degree_bound_log2(M: int, R: int, L: int, partition: Partition) -> float:
    """``log2`` of :func:`bottleneck_degree_bound` (to compare or refuse, never as a bound).

    >>> round(bottleneck_degree_bound_log2(5, 1, 3, Partition.start_end(8)), 9)
    0.0
    """
    M, R = _nonneg("M", M, 1), _nonneg("R", R, 1)
    return bottleneck_bound_log2(min(M, R), L, partition)


def boundary_syzygy_bound(M: int, R: int, L: int, partition: Partition) -> int | None:
    """``R * multiset(R, m) - sum_{j=0..R-u-1} (-1)^j C(R, u+1+j) multiset(u, j) multiset(R, m-u-j)``.

    The boundary-syzygy bound, u = min(M, R). **Derived upper bound** (our derivation, not
    in the paper), valid for **all** weights, for depth L = 2 (and L = 3 with R = 2, below)
    and partitions where one side is the prefix ``{1, 2}`` and the other has
    ``m = T - 2 >= 1`` steps (``split:2``, and Start-End at T = 4); None elsewhere. At
    depth 2, for u >= R it is the symmetric-copies bound ``R * multiset(R, m)``; for u < R
    it is smaller by the syzygies counted in the sum (multisets of a negative size count
    0). For u = 2, R = 3 it is ``T(T + 1) - 3``.

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
    Proof. Let ``s = h^1_2`` and ``sigma = h^2_2`` be the boundary states. The other side
    reads ``sigma`` once (linearly) and ``s`` through m layer-1 chains, so
    ``y = sum_r sigma_r F_r(s; x_S)`` with ``F_r`` homogeneous of degree m in s. Now
    ``sigma = a ⊙ (W^{I,2} s)`` with ``a = W^{H,2} h^2_1``, and ``h^2_1`` is linear in
    ``v_1 = W^{I,1} f(x^1)``, a vector of a space of dimension ``u' <= u``: so
    ``a_r = sum_{i<=u'} alpha_{ir} c_i(x^1)`` for fixed functions ``c_i`` (coordinates of
    ``v_1``). With ``z = W^{I,2} s`` and ``F_r = sum_alpha s^alpha g_{r,alpha}(x_S)``,

        ``y = sum_i c_i(x^1) * A_i(s),   (A_1, ..., A_u') = N (p_1, ..., p_R)``

    where N is the ``u' x R`` matrix with entries ``alpha_{ir} z_r`` acting on tuples of
    forms ``p_r`` of degree m, so every function of the prefix side is a linear image of
    the degree-(m+1) part of the image of N, and ``sep`` is at most its dimension. That
    dimension is a rank depending polynomially on ``(alpha, W^{I,2})``, hence at most its
    value at generic parameters, where (after the change of variables ``z = W^{I,2} s``)
    ``u' = u`` and the columns are ``z_r`` times generic vectors of ``F^u``. There the
    maximal minors are nonzero multiples of the squarefree monomials of degree u in z,
    an ideal of height ``R - u + 1``, the largest possible, so the Buchsbaum-Rim complex
    resolves the kernel of N: its terms ``wedge^{u+1+j} F ⊗ D_j(G*)`` (ranks
    ``C(R, u+1+j) multiset(u, j)``, generated in degree ``u + 1 + j``) give the kernel in
    degree m as the alternating sum above, subtracted from ``dim (Sym^m)^R``. For u >= R,
    N is injective. Measured, not proven: on every depth-2 case of the atlas with a prefix
    side, the exact generic rank equals the minimum of this bound (where it applies), the
    boundary-ideal bound, the bottleneck degree bound and the min-cut.

    **Depth 3, R = 2** (any M): ``(m + 1) (C(m + 2, 2) + 1) = (T - 1) (C(T, 2) + 1)``.
    Proof. Now ``y = sum_q (s_3)_q F_q(s_1, s_2; x_S)`` with ``F_q`` of bidegree
    ``(c, m)``, ``c = C(m + 1, 2)``, in the boundary states ``s_l = h^l_2``. The span of
    the prefix functions is largest at generic weights (a rank, as above); there
    ``e = W^{H,2} h^2_1`` is an invertible linear function of ``v_1``, ``z = W^{I,2} s_1``
    an invertible one of ``s_1``, ``s_2 = e ⊙ z`` and ``(s_3)_q = l_q(e) λ_q(e ⊙ z)``
    for linear forms ``l_q``, ``λ_q``. So every prefix function is the value of a form in
    ``l_1 λ_1 E + l_2 λ_2 E``, where E is spanned by the monomials ``e^β z^γ``,
    ``|β| = m``, ``|γ| = m + c``, whose exponents ``b = β_1``, ``d = γ_1 - β_1`` fill the
    box ``0 <= b <= m``, ``0 <= d <= c``: ``dim E = (m + 1)(c + 1)``. For every monomial
    g with ``b`` in ``0..m-2`` and ``d`` in ``1..c`` (``(m - 1) c`` of them) both
    ``l_1 λ_1 g`` and ``l_2 λ_2 g`` lie in E (the four monomials of ``l λ`` shift
    ``(b, d)`` by ``(2, -1), (1, -1), (1, 0), (0, 0)``), so ``(l_2 λ_2 g, -l_1 λ_1 g)``
    is in the kernel of ``(f_1, f_2) -> l_1 λ_1 f_1 + l_2 λ_2 f_2`` and
    ``sep <= 2 (m + 1)(c + 1) - (m - 1) c``, which is the closed form.

    Examples
    --------
    >>> [boundary_syzygy_bound(2, 3, 2, Partition.parse("split:2", T)) for T in (6, 7, 8)]   # T(T+1) - 3
    [39, 53, 69]
    >>> boundary_syzygy_bound(3, 5, 2, Partition.parse("split:2", 7))
    570
    >>> boundary_syzygy_bound(4, 3, 2, Partition.parse("split:2", 7)) == 3 * multiset(3, 5)
    True
    >>> boundary_syzygy_bound(2, 3, 2, Partition.parse("split:3", 7)) is None
    True
    >>> [boundary_syzygy_bound(4, 2, 3, Partition.parse("split:2", T)) for T in (5, 6, 15)]
    [44, 80, 1484]
    """
    M, R, L = _nonneg("M", M, 1), _nonneg("R", R, 1), _nonneg("L", L, 1)
    split = prefix_split(partition)
    if split is None or split[0] != 2 or L not in (2, 3) or (L == 3 and R != 2):
        return None
    m, u = split[1], min(M, R)
    if L == 3:  # 2 (m+1) (c+1) - (m-1) c with c = C(m+1, 2): see Notes
        return (m + 1) * (comb(m + 2, 2) + 1)
    kernel = sum((-1) ** j * comb(R, u + 1 + j) * multiset(u, j) * multiset(R, m - u - j)
                 for j in range(max(R - u, 0)) if m - u - j >= 0)
    return R * multiset(R, m) - kernel
