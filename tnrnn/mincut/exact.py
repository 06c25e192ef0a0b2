"""The exact minimum of the product of cut dimensions, from integer max-flows only.

Why this is exact (no floating-point tie can make the bound non-minimal)
-------------------------------------------------------------------------
A cut C that separates the A inputs from the B inputs costs ``prod_{e in C} dim(e)``;
minimising it is a min-cut with the irrational capacities ``log dim(e)``. scipy's
max-flow takes integers, so tnrnn never rounds a logarithm into a capacity. Instead:

Each dimension d > 1 is written ``d = g^k`` with the smallest possible base g (8 = 2^3,
12 = 12^1); dimension 1 costs nothing.

1. **One base.** If every dimension > 1 is a power of one integer g (e.g. M = 2, R = 8;
   or M = R), capacity k is ``log_g dim`` exactly: the integer min-cut minimises
   ``log_g`` of the product, hence the product. One max-flow.
2. **Two bases** g1 < g2 (the usual M != R). A cut C has an exponent vector
   ``n(C) = (a, b)`` (its product is ``g1^a g2^b``; distinct minimal bases are
   multiplicatively independent, so distinct vectors mean distinct products) and costs
   ``w . n(C)`` with ``w = (ln g1, ln g2)``. For an integer direction ``d = (x, y)`` the
   max-flow with capacities x and y returns a cut minimising ``d . n(C)`` exactly. The
   value function ``f(d) = min_C d . n(C)`` is concave and piecewise linear, and the set
   of directions at which a fixed cut is optimal is an interval (a cone). So:

   * bracket w between two integer directions ``d_lo < w < d_hi`` (compared exactly:
     ``x/y < ln g1 / ln g2`` iff ``g2^x < g1^y``, Python integers);
   * if the optimal cuts at d_lo and d_hi have the same exponent vector, that vector is
     optimal on the whole cone [d_lo, d_hi] (a linear function touching a concave one at
     both ends of an interval equals it in between), hence at w: done;
   * otherwise take the direction ``d_mid`` normal to ``n_hi - n_lo`` (it lies in the
     bracket); one more max-flow either shows ``f(d_mid) = d_mid . n_lo`` (the two cuts
     are adjacent vertices of the lower hull: the one on w's side of d_mid is optimal,
     both if w is parallel to d_mid) or finds a cut strictly better at d_mid, which
     replaces the bracket end on the far side of w. Each step finds a new vertex of the
     finite lower hull, so the search ends; it usually needs the first two flows only.

   All decisions compare integers (count vectors, flow values, exact powers), never
   rounded logarithms. Ties between distinct cuts with equal products are real ties:
   either cut is minimal.
3. Three or more bases do not occur in a RAC network (its dims are M and R) and raise
   :class:`~tnrnn.errors.TnrnnError`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import MemoryLimitError, TnrnnError
from .flow import INT32_LIMIT, FlowGraph, min_cut_side

__all__ = ["ExactCut", "exact_min_cut", "power_base"]

#: Denominator of the first rational bracket around ln d1 / ln d2.
BRACKET_DENOMINATOR = 4096
#: Safety cap on the number of hull-walk steps (never reached in practice).
MAX_FLOWS = 200


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


def _counts(graph: FlowGraph, side: np.ndarray, expo: np.ndarray) -> tuple[int, ...]:
    """Sum of each base's exponents over the cut edges: ``product = prod g_i ** n_i``."""
    cross = side[graph.u] != side[graph.v]
    return tuple(int(x) for x in expo[:, cross].sum(axis=1))


def _exponents(graph: FlowGraph, bases: tuple[int, ...], table: dict[int, tuple[int, int]]):
    """(len(bases), n_edges) int64: exponent of each base in each edge's dimension."""
    dims = graph.dim
    expo = np.zeros((len(bases), dims.size), dtype=np.int64)
    for d, (g, k) in table.items():
        expo[bases.index(g), dims == d] = k
    return expo


def exact_min_cut(graph: FlowGraph) -> ExactCut:
    """A cut of minimum product of dimensions, exactly (see the module docstring).

    Each dimension d > 1 is written ``g^k`` with the smallest base g; with one base the
    capacities are the exponents k, with two bases the hull walk below runs.

    Returns
    -------
    ExactCut
        ``side`` (over the flow graph's nodes) is True on the A side; ``weights`` maps each
        dimension to the integer capacity of the flow whose cut was kept; ``flows`` counts
        the max-flow runs.
    """
    live = graph.u != graph.v
    dims = tuple(int(d) for d in np.unique(graph.dim[live]) if d > 1)
    if not dims:
        side, _ = min_cut_side(graph, np.zeros(graph.u.size, np.int64))
        return ExactCut(side, {}, 0, "all dimensions are 1")
    table = {d: power_base(d) for d in dims}
    bases = tuple(sorted({g for g, _ in table.values()}))
    expo = _exponents(graph, bases, table)
    if len(bases) == 1:
        side, _ = min_cut_side(graph, expo[0])
        return ExactCut(side, {d: k for d, (_, k) in table.items()}, 1, f"powers of {bases[0]}")
    if len(bases) > 2:
        raise TnrnnError(
            f"edge dimensions {list(dims)} are powers of {len(bases)} different bases "
            f"{list(bases)}; tnrnn's exact min-cut handles two (a RAC network has dims M and R)"
        )
    return _two_bases(graph, bases, expo, table)


def _direction_sign(bases: tuple[int, int], x: int, y: int) -> int:
    """Sign of ``x ln g2 - y ln g1``: -1 if (x, y) is below w = (ln g1, ln g2), 0, +1."""
    g1, g2 = bases
    lhs, rhs = g2**x, g1**y
    return (lhs > rhs) - (lhs < rhs)


def _first_denominator(graph: FlowGraph, expo: np.ndarray, theta: float) -> int:
    """The largest y <= BRACKET_DENOMINATOR whose capacities around a terminal fit int32."""
    best = 0
    for t in (graph.source, graph.sink):
        at = (graph.u == t) ^ (graph.v == t)
        c1, c2 = (int(row[at].sum()) for row in expo)
        room = INT32_LIMIT - c1 - 1
        best = max(best, int(room // max(theta * c1 + c2, 1e-9)))
    if best < 1:
        raise MemoryLimitError("the network has too many input legs for int32 max-flow capacities")
    return min(BRACKET_DENOMINATOR, best)


def _two_bases(graph: FlowGraph, bases: tuple[int, int], expo: np.ndarray, table: dict) -> ExactCut:
    """Hull walk between two integer directions bracketing w = (ln g1, ln g2)."""
    theta = math.log(bases[0]) / math.log(bases[1])
    y = _first_denominator(graph, expo, theta)
    x = int(math.floor(theta * y))
    while x > 0 and _direction_sign(bases, x, y) > 0:
        x -= 1
    while _direction_sign(bases, x + 1, y) <= 0:
        x += 1
    flows = 0

    def solve(d: tuple[int, int], known: tuple[int, ...] | None = None):
        nonlocal flows
        if flows >= MAX_FLOWS:
            raise TnrnnError(f"internal error: exact min-cut needed more than {MAX_FLOWS} flows")
        flows += 1
        upper = None if known is None else d[0] * known[0] + d[1] * known[1]
        side, value = min_cut_side(graph, d[0] * expo[0] + d[1] * expo[1], upper=upper)
        counts = _counts(graph, side, expo)
        if value != d[0] * counts[0] + d[1] * counts[1]:
            raise TnrnnError(f"internal error: flow value {value} differs from its cut {counts}")
        return side, counts, value

    def done(side, d, how):
        weights = {dim: d[bases.index(g)] * k for dim, (g, k) in table.items()}
        return ExactCut(side, weights, flows, how)

    d_lo, d_hi = (x, y), (x + 1, y)
    if _direction_sign(bases, *d_lo) == 0:  # cannot happen for distinct minimal bases
        return done(solve(d_lo)[0], d_lo, "exact rational direction")
    s_lo, n_lo, _ = solve(d_lo)
    s_hi, n_hi, _ = solve(d_hi, n_lo)
    while True:
        if n_lo == n_hi:
            return done(s_lo, d_lo, "bracket agrees")
        da, db = n_lo[0] - n_hi[0], n_hi[1] - n_lo[1]
        if da < 0 or db < 0:
            raise TnrnnError(f"internal error: bracket cuts {n_lo}, {n_hi} are not ordered")
        g = math.gcd(da, db)
        d_mid = (db // g, da // g)
        s_mid, n_mid, v_mid = solve(d_mid, n_lo)
        sign = _direction_sign(bases, *d_mid)
        if v_mid == d_mid[0] * n_lo[0] + d_mid[1] * n_lo[1]:  # adjacent hull vertices
            return done(s_hi, d_hi, "hull edge") if sign < 0 else done(s_lo, d_lo, "hull edge")
        if sign == 0:
            return done(s_mid, d_mid, "exact rational direction")
        if sign < 0:
            d_lo, s_lo, n_lo = d_mid, s_mid, n_mid
        else:
            d_hi, s_hi, n_hi = d_mid, s_mid, n_mid
