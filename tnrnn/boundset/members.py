"""The upper bounds of every member of the RAC family (issue 17), on specs: the values of
the registry's ``degree``, ``symmetric`` and ``ideal`` declarations (:mod:`tnrnn.boundset`).

The closed forms of :mod:`tnrnn.formulas` are stated for the plain RAC (one width R, ``mi``
cells, no bias, dilation 1). This module says which of them still hold for a member
(per-layer widths ``R_l``, ``cp:K`` and ``full`` cells, bias, dilations ``d_l``), in which
form, and refuses with one line where no proof is known. Every bound here holds for
**all** weights (over any field: the arguments only count dimensions of spaces of
polynomials), so an exact rank over F_p never exceeds it. For a plain spec each function
returns exactly the value of its plain counterpart (the tests hold them to that).

Facts used by every argument (see :mod:`tnrnn.copies` for the counts):

- Every cell is bilinear in (previous state, state below): ``mi`` is
  ``(W^H a) * (W^I b)``, ``cp:K`` is ``U[(V a) * (W b)]``, ``full`` is
  ``A[c, a, b]``. With bias, the ``mi`` cell is bilinear in the augmented vectors
  ``(a, 1)`` and ``(b, 1)`` (dimensions ``R_l + 1`` and ``M + 1``). So the network is a
  tensor network and ``y`` is multilinear in the copies of each input or state it holds.
- The input ``x^t`` has ``d_t = [z^(T - t)] prod_l 1/(1 - z^(d_l))`` copies
  (:func:`tnrnn.copies.copy_counts`; ``d_t = 0``: y does not depend on x^t).
- For a prefix ``1..k``, the other side reads layer l of the prefix only through the
  states ``h^l_u``, ``k - d_l < u <= k``, ``u >= 1``, using ``n_{l,u}`` copies of each
  (:func:`tnrnn.copies.boundary_copies`); states at ``u <= 0`` are the constants ``h^l_0``.
- A ``cp:K`` layer's state at a step ``u >= 1`` is ``U z`` with ``z`` in ``F^K``: it lies
  in a space of dimension ``min(R_l, K)`` whatever the inputs.

Bounds and the members they are proven for
------------------------------------------
``mincut`` (:func:`tnrnn.mincut.mincut_bound`): **every member**, any partition: it only
uses that the compiled network contracts to y.

``degree`` (:func:`member_degree_bound`): **every member**, any partition. y is
homogeneous of degree ``d_t`` in ``f(x^t)`` (in ``(f(x^t), 1)`` with bias), so the
functions of one side lie in a space of dimension ``prod_t multiset(M', d_t)``,
``M' = M`` (``M + 1`` with bias); a factor 1 for each step y never reads.

``symmetric`` (:func:`member_symmetric_bound`): **every member**, partitions with a
prefix side. y is a polynomial, homogeneous of degree ``n_{l,u}`` in each boundary state
``h^l_u`` (in ``(h^l_u, 1)`` with bias) whose coefficients depend on the other side only,
so sep <= ``prod_{l,u} multiset(r_l, n_{l,u})`` with ``r_l = R_l`` (``mi``, ``full``),
``min(R_l, K)`` (``cp:K``), ``R_l + 1`` (bias).

``ideal`` (:func:`member_ideal_bound`): the boundary-ideal bound of
:func:`tnrnn.formulas.boundary_ideal_bound`, proven here for (a) plain specs; (b) depth
2, no bias, dilations 1, layer 1 ``mi``/``cp:K``/``full`` and layer 2 ``mi``/``cp:K``
(argument in the function's docstring); (c) depth L >= 3, every cell ``mi``, no bias,
dilations 1, any widths with ``min(M, R_1) <= R_l`` for ``1 < l < L``. It refuses
otherwise.

``shallow`` (:func:`shallow_member_bound`): L = 1, a prefix side:
``min(r_1, M'^a, M'^b)`` with a, b the numbers of steps y reads on each side; the plain
case is the paper's ``min(R, M^(T/2))``. Only an upper bound is claimed for members.

The paper's lower bounds (Theorem 1, the conjecture) and the all-chains cut are stated
for the plain RAC only; nothing here extends them.
"""

from __future__ import annotations

from math import comb, lgamma, log, prod

from ..copies import boundary_copies, copy_counts
from ..errors import TnrnnError
from ..formulas import exact_product, multiset, prefix_split
from ..partition import Partition
from ..spec import RACSpec
from .registry import _check

__all__ = [
    "input_space_dim",
    "state_space_dim",
    "member_degree_bound",
    "member_symmetric_bound",
    "member_ideal_bound",
    "shallow_member_bound",
    "ideal_bound_refusal",
    "member_degree_bound_log2",
]


def input_space_dim(spec: RACSpec) -> int:
    """``M``, or ``M + 1`` with bias: the dimension of the vector each input copy enters as.

    >>> input_space_dim(RACSpec(M=2, R=3, L=1, T=4, bias=True))
    3
    """
    return spec.M + int(spec.bias)


def state_space_dim(spec: RACSpec, layer: int) -> int:
    """Dimension of a space holding layer l's state at every step >= 1 (as the network sees
    it): ``R_l`` for ``mi`` and ``full``, ``min(R_l, K)`` for ``cp:K``, ``R_l + 1`` with bias.

    >>> spec = RACSpec(M=2, R=(4, 3), L=2, T=4, cell=("cp:2", "full"))
    >>> state_space_dim(spec, 1), state_space_dim(spec, 2)
    (2, 3)
    """
    return spec.cells[layer - 1].state_space_dim(spec.width(layer), spec.bias)


def member_degree_bound(spec: RACSpec, partition: Partition) -> int:
    """``min over sides of prod_t multiset(M', d_t)``, d_t the copies of x^t (any member).

    **Proven for every member**, any partition, all weights (module docstring). Equals
    :func:`tnrnn.formulas.degree_bound` on plain specs.

    >>> member_degree_bound(RACSpec(M=2, R=3, L=1, T=4), Partition.start_end(4))
    4
    >>> member_degree_bound(RACSpec(M=2, R=3, L=1, T=4, bias=True), Partition.start_end(4))
    9
    >>> member_degree_bound(RACSpec(M=2, R=3, L=1, T=4, dilations=2), Partition.start_end(4))
    2
    """
    _check(spec, partition)
    deg = copy_counts(spec.T, spec.dilations)
    m = input_space_dim(spec)

    def side(steps: tuple[int, ...]) -> int:
        return exact_product([multiset(m, deg[t - 1]) for t in steps if deg[t - 1]])

    return min(side(partition.A), side(partition.B))


def _prefix(partition: Partition, name: str) -> tuple[int, int]:
    split = prefix_split(partition)
    if split is None:
        raise TnrnnError(
            f"the {name} bound needs a partition with a prefix side 1..k (start-end, split:k), "
            f"got {partition.name} A={list(partition.A)}"
        )
    return split


def member_symmetric_bound(spec: RACSpec, partition: Partition) -> int:
    """``prod_{l,u} multiset(r_l, n_{l,u})``: identical copies of the boundary states.

    **Proven for every member** (module docstring), for partitions with a prefix side
    ``1..k``; ``n_{l,u}`` are :func:`tnrnn.copies.boundary_copies`, ``r_l`` is
    :func:`state_space_dim`. Equals :func:`tnrnn.formulas.symmetric_copies_bound` over the
    non-prefix side on plain specs.

    Raises
    ------
    TnrnnError
        If neither side of the partition is a prefix.

    >>> member_symmetric_bound(RACSpec(M=2, R=3, L=2, T=8), Partition.start_end(8))   # 3 * mset(3, 4)
    45
    >>> member_symmetric_bound(RACSpec(M=2, R=(3, 2), L=2, T=8, cell="cp:2"), Partition.start_end(8))
    10
    """
    _check(spec, partition)
    k, _ = _prefix(partition, "symmetric-copies")
    factors = []
    for l in range(1, spec.L + 1):
        r = state_space_dim(spec, l)
        for count in boundary_copies(spec.T, k, spec.dilations, l).values():
            factors.append(multiset(r, count))
    return exact_product(factors)


def ideal_bound_refusal(spec: RACSpec) -> str | None:
    """Why :func:`member_ideal_bound` refuses ``spec`` (one line), or None where it is proven.

    >>> ideal_bound_refusal(RACSpec(M=2, R=3, L=2, T=4, cell="cp:2")) is None
    True
    >>> ideal_bound_refusal(RACSpec(M=2, R=3, L=2, T=4, bias=True))
    'the boundary-ideal bound is not proven with bias (the boundary states enter affinely)'
    """
    if spec.L < 2:
        return "the boundary-ideal bound is defined for depth L >= 2"
    if spec.plain:
        return None
    if spec.bias:
        return "the boundary-ideal bound is not proven with bias (the boundary states enter affinely)"
    if any(d != 1 for d in spec.dilations):
        return "the boundary-ideal bound is not proven with dilations (several boundary states per layer)"
    for layer, cell in enumerate(spec.cells, start=1):
        reason = cell.ideal_refusal(layer, spec.L)  # the cell says whether it stands in the way
        if reason is not None:
            return reason
    if spec.L == 2:
        return None
    u = min(spec.M, spec.widths[0])
    narrow = [l for l in range(2, spec.L) if spec.widths[l - 1] < u]
    if narrow:
        return (f"the boundary-ideal bound for L >= 3 needs min(M, R_1) = {u} <= R_l for 1 < l < L "
                f"(a regular sequence), but R_{narrow[0]} = {spec.widths[narrow[0] - 1]}")
    return None


def member_ideal_bound(spec: RACSpec, partition: Partition) -> int:
    """The boundary-ideal bound for the members where it is proven (module docstring).

    With ``m`` steps on the non-prefix side and ``c_l = C(m + L - l - 1, L - l)``:

    - plain: the value of :func:`tnrnn.formulas.boundary_ideal_bound` (the L = 2 and
      L >= 3 forms below reduce to it; the tests check so);
    - L = 2 (no bias, dilations 1, layer 2 not ``full``):
      ``N * [multiset(r, m) - multiset(r - u, m)]`` with ``r = state_space_dim(spec, 1)``,
      ``u = min(M, K_1, r)`` (``K_1`` only for a ``cp`` layer 1), and ``N = R_2`` for
      ``mi``, ``K_2`` for ``cp:K_2``;
    - L >= 3, all ``mi``, no bias, dilations 1:
      ``R_L * sum_{j=1..u} (-1)^(j+1) C(u, j) prod_{l<L} multiset(R_l, c_l - j)``,
      ``u = min(M, R_1)``, provided ``u <= R_l`` for ``1 < l < L``.

    Notes
    -----
    Proof for L = 2 (P the prefix, ``s = h^1_k``, ``sigma = h^2_k``). A ``cp:K_1`` state s
    lies in a space of dimension ``r = min(R_1, K_1)``; write it in coordinates z of that
    space (``r = R_1`` otherwise). Layer 2 at step k+1 is
    ``sum_kappa U_2[:, kappa] (V_2 sigma)_kappa l_kappa(s; x^{k+1})`` (for ``mi``: kappa over
    the R_2 channels, ``U_2 = I``, ``V_2 = W^{H,2}``), where
    ``l_kappa = (W_2 h^1_{k+1})_kappa`` and ``h^1_{k+1}`` is linear in s and linear in the
    vector through which ``f(x^{k+1})`` enters layer 1 (``W^{I,1} f``: dimension
    ``min(M, R_1)``; ``W_1 f`` for ``cp:K_1``: ``min(M, K_1)``; f itself for ``full``:
    M). So, as ``x^{k+1}`` varies, ``l_kappa`` runs over a space ``U_kappa`` of linear
    forms in z of dimension ``<= u``. y is linear in ``h^2_{k+1}`` given the later inputs,
    and of degree ``m - 1`` in s through the other ``m - 1`` layer-1 chains, so
    ``y = sum_kappa (V_2 sigma)_kappa * l_kappa G_kappa(z; x_rest)`` with ``l_kappa G_kappa``
    in the degree-m part of the ideal generated by ``U_kappa`` in ``F[z]``, of dimension
    ``multiset(r, m) - multiset(r - dim U_kappa, m) <= multiset(r, m) - multiset(r - u, m)``
    (the quotient is a polynomial ring in ``r - dim U_kappa`` variables). Expanding each
    in a basis gives a separated form with ``N`` times that many terms. For L >= 3 the
    proof of :func:`tnrnn.formulas.boundary_ideal_bound` goes through with groups of
    ``R_l`` variables: ``U_q`` has dimension ``<= min(M, R_1)``, and generic multilinear
    forms, ``u`` of them, form a regular sequence when no group has fewer than ``u``
    variables (an associated prime of the quotient by ``i < u`` of them has height i, so
    it contains no group of ``R_l > i`` variables).

    Raises
    ------
    TnrnnError
        Where the bound is not proven (:func:`ideal_bound_refusal`), or without a prefix side.

    >>> member_ideal_bound(RACSpec(M=2, R=3, L=2, T=8), Partition.start_end(8))
    42
    >>> member_ideal_bound(RACSpec(M=2, R=(3, 2), L=2, T=8), Partition.start_end(8))   # 2 * (15 - 1)
    28
    >>> member_ideal_bound(RACSpec(M=4, R=3, L=2, T=8, cell=("cp:2", "mi")), Partition.start_end(8))
    15
    """
    _check(spec, partition)
    reason = ideal_bound_refusal(spec)
    if reason is not None:
        raise TnrnnError(f"{reason}; got {spec!r}")
    _, m = _prefix(partition, "boundary-ideal")
    return _ideal_value(spec, m)


def _ideal_value(spec: RACSpec, m: int) -> int:
    """The formula of :func:`member_ideal_bound` (no checks; plain specs included)."""
    if spec.L == 2:
        r = state_space_dim(spec, 1)
        first, top = spec.cells
        u = min(r, first.input_space_dim(spec.widths[0], spec.M))  # the input's way into layer 1
        N = top.inner_dim(spec.widths[1])  # the products layer 2 forms: R_2 for mi, K_2 for cp:K_2
        return N * (multiset(r, m) - multiset(r - u, m))
    widths, L = spec.widths, spec.L
    u = min(spec.M, widths[0])
    c = [comb(m + L - l - 1, L - l) for l in range(1, L)]

    def hilbert(j: int) -> int:
        return prod(multiset(widths[l], cl - j) if cl >= j else 0 for l, cl in enumerate(c))

    return widths[-1] * sum((-1) ** (j + 1) * comb(u, j) * hilbert(j) for j in range(1, u + 1))


def shallow_member_bound(spec: RACSpec, partition: Partition) -> int:
    """``min(r_1, M'^a, M'^b)`` for a depth-1 member and a partition with a prefix side.

    ``r_1`` = :func:`state_space_dim` (R, ``min(R, K)`` for ``cp:K``, ``R + 1`` with bias),
    ``M'`` = :func:`input_space_dim`, a and b the numbers of steps on each side that y reads
    (those with ``t = T (mod d)``). **Proven upper bound for every depth-1 member**: it is
    the smaller of :func:`member_symmetric_bound` (one chain reaches the output and crosses
    the boundary once) and :func:`member_degree_bound` (every read step has degree 1). For
    plain specs and Start-End it is the paper's ``min(R, M^(T/2))``, there also the generic
    value; for members only the upper bound is claimed.

    >>> shallow_member_bound(RACSpec(M=2, R=6, L=1, T=8, cell="cp:3"), Partition.start_end(8))
    3
    >>> shallow_member_bound(RACSpec(M=2, R=6, L=1, T=8, dilations=2), Partition.start_end(8))
    4
    """
    _check(spec, partition)
    if spec.L != 1:
        raise TnrnnError(f"shallow_member_bound is for depth L = 1, got L={spec.L}")
    k, _ = _prefix(partition, "shallow")
    d, T = spec.dilations[0], spec.T
    reads = lambda steps: sum(1 for t in steps if (T - t) % d == 0)  # noqa: E731
    m = input_space_dim(spec)
    return min(state_space_dim(spec, 1), m ** reads(partition.A), m ** reads(partition.B))


def member_degree_bound_log2(spec: RACSpec, partition: Partition) -> float:
    """``log2`` of :func:`member_degree_bound` from log-gamma sums (to compare or refuse,
    never as a bound); cheap when the bound has millions of digits."""
    d = copy_counts(spec.T, spec.dilations)
    m = input_space_dim(spec)

    def side(steps: tuple[int, ...]) -> float:
        return sum(lgamma(m + d[t - 1]) - lgamma(d[t - 1] + 1) - lgamma(m) for t in steps) / log(2)

    return min(side(partition.A), side(partition.B))


