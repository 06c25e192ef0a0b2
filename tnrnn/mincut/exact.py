"""The exact minimum of the product of cut dimensions, from integer max-flows only.

Why this is exact for any set of edge dimensions
------------------------------------------------
A cut C that separates the A inputs from the B inputs costs ``prod_{e in C} dim(e)``;
minimising it is a min-cut with the irrational capacities ``log dim(e)``. scipy's
max-flow takes integers, so tnrnn never rounds a logarithm into a capacity and decides
everything by comparing integers. Dimension 1 costs nothing and is never cut for a price.

**Coordinates.** Each dimension d > 1 is written ``d = g^k`` with the smallest base g
(8 = 2^3, 12 = 12^1). If the distinct bases b_1..b_k are multiplicatively independent
(their prime-exponent vectors are linearly independent; two distinct minimal bases always
are, so a plain RAC with dims M and R gets k <= 2) they are the coordinates; otherwise
(e.g. 2, 3 and 6, or 4, 6 and 9) the primes of the dimensions are. Either way every
dimension is a product ``prod_i b_i^{a_i}`` with non-negative integer exponents a, and
the b_i are multiplicatively independent. A cut C then has the exponent vector
``n(C) = sum of a(e) over its edges`` in Z^k, its product is ``prod_i b_i^{n_i}``, and
``log2 product = w . n(C)`` with ``w = (log2 b_1, ..., log2 b_k)``. By independence,
distinct vectors have distinct products, so the optimal vector n_opt is **unique** and
``w . n_opt < w . n`` for every other achievable n.

**One coordinate** (all dimensions powers of one g, e.g. M = 2, R = 8, or M = R): the
integer capacities a(e) = log_g dim(e) give the minimum exactly. One max-flow.

**k >= 2: a cone certificate.** For an integer direction g in Z^k_{>=0}, one max-flow with
capacities ``g . a(e)`` returns a cut minimising ``g . n(C)`` and the minimum value
``f(g)``. Pick a scale S >= 1 and ``q_i = floor(S log2 b_i)``, i.e. the integer with
``2^q_i <= b_i^S < 2^(q_i + 1)`` (:func:`floor_log2_power`: 60-digit correctly rounded
decimals decide it when ``S log2 b_i`` is farther than 10^-30 from an integer, which their
error bound of 10^-40 makes certain; otherwise the bit length of the integer ``b_i^S``).
Write ``S w = q + r`` with ``0 <= r_i < 1``, ``rho = sum r_i``, and let
``c = max(1, ceil(rho)) = max(1, ceil(S log2 prod_i b_i) - sum q_i)`` (same function).
The k integer generators are ``g_i = q + c e_i``.

*Claim: S w lies in the cone of g_1..g_k.* With ``Lambda = (rho + |q|) / (c + |q|)``
(``|q| = sum q_i``; ``Lambda <= 1`` because ``rho <= c``) and
``lambda_i = (r_i + (1 - Lambda) q_i) / c >= 0``: ``sum lambda_i = Lambda`` and
``sum lambda_i g_i = Lambda q + (r + (1 - Lambda) q) = q + r = S w``.

*Certificate.* If a cut vector n* satisfies ``g_i . n* = f(g_i)`` for every i (one
max-flow per generator, compared as integers), then for any cut C,
``S w . n* = sum lambda_i g_i . n* = sum lambda_i f(g_i) <= sum lambda_i g_i . n(C) =
S w . n(C)``: n* is optimal at w, i.e. its product is the minimum. Proven, with no
rounded logarithm anywhere.

*Search.* Every flow returns a real cut; the best found so far (compared by exact
products, Python integers; the round starts from the cut around a terminal) is the
candidate n*. If it passes at all k generators the search ends; otherwise S doubles and a
new round runs. *Termination:* n_opt is the unique minimiser at w, so it stays the unique
minimiser on a neighbourhood of the ray through w (finitely many achievable vectors);
``g_i / S = w + (c e_i - r) / S`` is within ``(k + 1) / S`` of w, so once S is large every
flow returns n_opt and the certificate passes. On RAC networks the first round
(S = 4096 or the largest scale that fits int32) almost always certifies: k flows.

**int32.** scipy's Dinic holds int32 capacities: the largest edge capacity must stay
below 2^30 and every flow value below 2^31 (the value at g_i is at most g_i . n* for the
current candidate n*, which min_cut_side is told). The scale S is lowered up front to the
largest value that fits (down to 1); if even S = 1 does not fit, or a later round would
need a scale that does not fit, :class:`~tnrnn.errors.MemoryLimitError` says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np

from ..errors import MemoryLimitError, TnrnnError
from .flow import INT32_LIMIT, FlowGraph, cut_mask, min_cut_side

__all__ = ["ExactCut", "exact_min_cut", "power_base", "cut_coordinates", "generators", "floor_log2_power"]

#: The scale S of the first round (lowered when int32 capacities need it).
START_SCALE = 4096
#: Distance from an integer below which a decimal ``S log2 b`` is not trusted (see floor_log2_power).
DECISION_MARGIN = Decimal("1e-30")
#: Safety cap on the number of rounds (S doubles each round; int32 stops it far earlier).
MAX_ROUNDS = 64


@dataclass(frozen=True, eq=False)
class ExactCut:
    """A minimum cut: the side of every network node, the integer weights used, flows run."""

    side: np.ndarray
    weights: dict[int, int]
    flows: int
    method: str


def power_base(n: int) -> tuple[int, int]:
    """``(g, k)`` with ``n = g^k`` and k as large as possible (n >= 2).

    >>> power_base(8), power_base(12), power_base(81)
    ((2, 3), (12, 1), (3, 4))
    """
    n = int(n)
    if n < 2:
        raise TnrnnError(f"power_base needs n >= 2, got {n}")
    for k in range(n.bit_length(), 1, -1):
        r = int(round(n ** (1.0 / k)))
        for g in (r - 1, r, r + 1):
            if g >= 2 and g**k == n:
                return g, k
    return n, 1


def _factorize(n: int) -> dict[int, int]:
    """Prime factorisation by trial division (edge dimensions are small)."""
    out: dict[int, int] = {}
    p = 2
    while p * p <= n:
        while n % p == 0:
            out[p] = out.get(p, 0) + 1
            n //= p
        p += 1 if p == 2 else 2
    if n > 1:
        out[n] = out.get(n, 0) + 1
    return out


def _rank(rows: list[list[int]]) -> int:
    """Exact rank of a small integer matrix (Gaussian elimination over Q)."""
    m = [[Fraction(x) for x in row] for row in rows]
    rank, cols = 0, len(m[0]) if m else 0
    for c in range(cols):
        piv = next((i for i in range(rank, len(m)) if m[i][c] != 0), None)
        if piv is None:
            continue
        m[rank], m[piv] = m[piv], m[rank]
        for i in range(len(m)):
            if i != rank and m[i][c] != 0:
                f = m[i][c] / m[rank][c]
                m[i] = [a - f * b for a, b in zip(m[i], m[rank])]
        rank += 1
    return rank


def cut_coordinates(dims) -> tuple[tuple[int, ...], dict[int, tuple[int, ...]]]:
    """Multiplicatively independent coordinates b and each dimension's exponents over them.

    The minimal power bases of the dimensions when they are independent, else the primes.

    >>> cut_coordinates([2, 3, 8])
    ((2, 3), {2: (1, 0), 3: (0, 1), 8: (3, 0)})
    >>> cut_coordinates([2, 3, 6])[0], cut_coordinates([6, 10])[0]
    ((2, 3), (6, 10))
    """
    dims = sorted({int(d) for d in dims if int(d) > 1})
    table = {d: power_base(d) for d in dims}
    bases = sorted({g for g, _ in table.values()})
    factors = {g: _factorize(g) for g in bases}
    primes = sorted({p for f in factors.values() for p in f})
    if len(bases) <= 1 or _rank([[factors[g].get(p, 0) for p in primes] for g in bases]) == len(bases):
        return tuple(bases), {d: tuple(k if g == b else 0 for b in bases) for d, (g, k) in table.items()}
    expo = {d: tuple(_factorize(d).get(p, 0) for p in primes) for d in dims}
    return tuple(primes), expo


def _counts(graph: FlowGraph, side: np.ndarray, expo: np.ndarray) -> tuple[int, ...]:
    """Sum of each coordinate's exponents over the cut edges: ``product = prod b_i ** n_i``."""
    cross = cut_mask(graph, side)
    return tuple(int(x) for x in expo[:, cross].sum(axis=1))


def _product(basis: tuple[int, ...], n: tuple[int, ...]) -> int:
    return math.prod(b**e for b, e in zip(basis, n))


def _dot(g, n) -> int:
    return sum(int(a) * int(b) for a, b in zip(g, n))


def floor_log2_power(b: int, S: int) -> int:
    """``floor(S log2 b)``, i.e. the q with ``2^q <= b^S < 2^(q + 1)``, without rounding risk.

    A power of two is exact. Otherwise ``S ln b / ln 2`` is computed with 60-digit decimals
    (each operation correctly rounded, so the error is below ``x 10^-55``); if that value is
    within ``10^-30`` of an integer the floor is decided from the integers themselves
    (``(b**S).bit_length() - 1``; slow only for huge S, and not met in practice).

    >>> floor_log2_power(3, 4), floor_log2_power(8, 5), floor_log2_power(10, 3)
    (6, 15, 9)
    """
    b, S = int(b), int(S)
    if b & (b - 1) == 0:
        return S * (b.bit_length() - 1)
    with localcontext() as ctx:
        ctx.prec = 60
        x = Decimal(b).ln() / Decimal(2).ln() * S
        q = int(x)  # x > 0: truncation is the floor
        if min(x - q, q + 1 - x) > DECISION_MARGIN:
            return q
    return (b**S).bit_length() - 1


def generators(basis: tuple[int, ...], S: int) -> list[tuple[int, ...]]:
    """The k integer directions ``q + c e_i`` whose cone holds ``S (log2 b_1, ..., log2 b_k)``.

    ``q_i = floor(S log2 b_i)`` and ``c = max(1, ceil(S log2 prod b_i) - sum q_i)``.

    >>> generators((2, 3), 4)          # 4 log2 3 = 6.34: q = (4, 6), rho = 0.34, c = 1
    [(5, 6), (4, 7)]
    """
    q = [floor_log2_power(b, S) for b in basis]
    total = math.prod(basis)
    ceil_log2 = floor_log2_power(total, S) + (0 if total & (total - 1) == 0 else 1)
    c = max(1, ceil_log2 - sum(q))
    return [tuple(qi + (c if i == j else 0) for j, qi in enumerate(q)) for i in range(len(q))]


def _fits(gens, dim_expo: list[tuple[int, ...]], best: tuple[int, ...]) -> bool:
    """Edge capacities below scipy's int32 half-limit and flow values (<= g . best) in int32."""
    return all(max((_dot(g, a) for a in dim_expo), default=0) <= INT32_LIMIT // 2
               and _dot(g, best) <= INT32_LIMIT for g in gens)


def _start_scale(basis, dim_expo, best, start: int) -> int:
    """The largest scale S <= start whose generators fit int32 (binary search), or 0."""
    if _fits(generators(basis, start), dim_expo, best):
        return start
    lo, hi = 0, start
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if _fits(generators(basis, mid), dim_expo, best) else (lo, mid)
    return lo


def _terminal_cut(graph: FlowGraph, expo: np.ndarray, basis) -> tuple[np.ndarray, tuple[int, ...]]:
    """The cheaper of the two cuts around a terminal: a real cut to start from (with
    uncuttable arcs, around the nodes they tie to the terminal)."""
    around_source = _tied(graph, graph.source, forward=True)
    around_sink = ~_tied(graph, graph.sink, forward=False)
    if around_source[graph.sink] or not around_sink[graph.source]:
        raise TnrnnError("the two terminals are tied by uncuttable arcs: no finite cut separates them")
    options = []
    for i, side in enumerate((around_source, around_sink)):
        n = _counts(graph, side, expo)
        options.append((_product(basis, n), i, side, n))
    _, _, side, n = min(options, key=lambda o: o[:2])
    return side, n


def _tied(graph: FlowGraph, start: int, *, forward: bool) -> np.ndarray:
    """Nodes reached from ``start`` along uncuttable arcs (against their direction when
    ``forward`` is False): they lie on start's side of every finite cut."""
    seen = np.zeros(graph.n, dtype=bool)
    seen[start] = True
    if graph.infinite is None or not graph.infinite.any():
        return seen
    inf = graph.infinite
    both = inf & ~(graph.directed if graph.directed is not None else np.zeros_like(inf))
    a = np.concatenate([graph.u[inf], graph.v[both]])
    b = np.concatenate([graph.v[inf], graph.u[both]])
    if not forward:
        a, b = b, a
    frontier = seen.copy()
    while frontier.any():
        reach = np.zeros(graph.n, dtype=bool)
        reach[b[frontier[a]]] = True
        frontier = reach & ~seen
        seen |= frontier
    return seen


def exact_min_cut(graph: FlowGraph, *, start_scale: int | None = None) -> ExactCut:
    """A cut of minimum product of dimensions, exactly (see the module docstring).

    Parameters
    ----------
    graph : FlowGraph
    start_scale : int, optional
        The scale S of the first round (default :data:`START_SCALE`); small values make the
        first certificate fail more often (tests use it to exercise later rounds).

    Returns
    -------
    ExactCut
        ``side`` (over the flow graph's nodes) is True on the A side; ``weights`` maps each
        dimension to its integer capacity in a flow at which the kept cut is optimal;
        ``flows`` counts the max-flow runs.

    Raises
    ------
    MemoryLimitError
        If the capacities of the certificate cannot fit scipy's int32 max-flow.
    """
    live = graph.u != graph.v
    dims = tuple(int(d) for d in np.unique(graph.dim[live]) if d > 1)
    if not dims:
        side, _ = min_cut_side(graph, np.zeros(graph.u.size, np.int64), upper=0)
        return ExactCut(side, {}, 0, "all dimensions are 1")
    basis, table = cut_coordinates(dims)
    expo = np.zeros((len(basis), graph.dim.size), dtype=np.int64)
    for d, a in table.items():
        expo[:, graph.dim == d] = np.array(a, dtype=np.int64)[:, None]
    if len(basis) == 1:
        _, start = _terminal_cut(graph, expo, basis)
        side, _ = min_cut_side(graph, expo[0], upper=start[0])
        return ExactCut(side, {d: a[0] for d, a in table.items()}, 1, f"powers of {basis[0]}")
    return _cone_certificate(graph, basis, expo, table, START_SCALE if start_scale is None else start_scale)


def _cone_certificate(graph, basis, expo, table, start: int) -> ExactCut:
    """Rounds of k max-flows at the generators, until the best cut is optimal at all of them."""
    if start < 1:
        raise TnrnnError(f"start_scale must be >= 1, got {start}")
    dim_expo = list(table.values())
    best_side, best = _terminal_cut(graph, expo, basis)
    best_product = _product(basis, best)
    S = _start_scale(basis, dim_expo, best, start)
    if S < 1:
        raise MemoryLimitError(
            f"the exact min-cut over coordinates {list(basis)} needs integer capacities above "
            f"scipy's int32 limit even at scale 1 (a cut around a terminal has exponents {list(best)}); "
            "the network has too many input legs for an exact cut"
        )
    flows = 0
    for rounds in range(1, MAX_ROUNDS + 1):
        gens = generators(basis, S)
        if not _fits(gens, dim_expo, best):
            raise MemoryLimitError(
                f"the exact min-cut certificate over coordinates {list(basis)} did not close by "
                f"scale {S // 2} and scale {S} would pass scipy's int32 capacity limit"
            )
        values = []
        for g in gens:
            side, value = min_cut_side(graph, np.asarray(g, np.int64) @ expo, upper=_dot(g, best))
            flows += 1
            n = _counts(graph, side, expo)
            if value != _dot(g, n):
                raise TnrnnError(f"internal error: flow value {value} differs from its cut {n} at {g}")
            values.append(value)
            product = _product(basis, n)
            if product < best_product:
                best_side, best, best_product = side, n, product
        if all(_dot(g, best) == v for g, v in zip(gens, values)):
            g = gens[0]
            weights = {d: _dot(g, a) for d, a in table.items()}
            how = (f"cone certificate over {len(basis)} coordinates {list(basis)} "
                   f"(scale {S}, {rounds} round{'s' if rounds > 1 else ''})")
            return ExactCut(best_side, weights, flows, how)
        S *= 2
    raise TnrnnError(f"internal error: the exact min-cut did not certify in {MAX_ROUNDS} rounds")
