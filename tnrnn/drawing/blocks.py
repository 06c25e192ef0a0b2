"""Block layout of deep lattices (L >= 3): every layer in its own row, wrapped into shelves.

The network of ``h^l_tau`` is a *block*: the layer-l chain over steps 1..tau and, under
its site ``s``, the block of ``h^{l-1}_s``. The nested layout of :mod:`.layout` stacks
all sub-blocks downward, which makes an L = 3 lattice about T times taller than wide.
Here:

- a block of layer 2 is the staircase of the nested layout (its layer-1 chains stacked
  downward, every input under its step, time along x);
- a block of layer l >= 3 puts its sub-blocks *side by side*, each one ending right under
  the parent site it feeds, so every edge stays horizontal or vertical and all chains of
  one layer share one row;
- the top chain is wrapped into *shelves* (like lines of text) so the picture has about the
  aspect ratio asked for; the chain edge from the last site of a shelf to the first of the
  next is drawn as a route around the shelf (``Layout.routes``).

Bands (one grey rectangle per layer row of every shelf, and one per staircase for layer
1), layer labels, step ticks and partition-line segments come with the positions, so the
matplotlib and TikZ renderers only draw them. Numbers only: no matplotlib here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..network.model import NodeKind, RACNetwork

__all__ = ["BlockGeometry", "block_positions"]

PAD = 0.9          # free x between neighbouring sub-blocks (after their labels)
LABEL_RIGHT = 0.9  # input labels reach this far right of their input
SHELF_GAP = 2.4    # from the lowest row of a shelf to the top chain of the next
BAND = 0.42        # half height of a chain's band


@dataclass
class BlockGeometry:
    """Vertical geometry and the partition gap, shared by every block."""

    merged: bool
    split: int | None = None
    gap: float = 0.0
    g: float = field(init=False)
    h1: float = field(init=False)
    drop: float = field(init=False)

    def __post_init__(self) -> None:
        self.g, self.h1, self.drop = (1.0, 2.0, 1.0) if self.merged else (2.0, 3.0, 2.0)

    def X(self, t: np.ndarray | int) -> np.ndarray:
        """x of step ``t`` inside a staircase (the partition gap opens after the split)."""
        t = np.asarray(t, dtype=float)
        return t + (self.gap * (t > self.split) if self.split is not None else 0.0)

    def line_x(self) -> float:
        """x of the partition line inside a staircase (clear of the split step's labels)."""
        return float(self.X(self.split)) + 0.5 + 0.6 * self.gap


class _Builder:
    """Recursive placement of blocks; records chains, bands, labels and line segments."""

    def __init__(self, L: int, T: int, geo: BlockGeometry) -> None:
        self.L, self.T, self.geo = L, T, geo
        self.shapes: dict[tuple[int, int], tuple[float, float, float, np.ndarray]] = {}
        self.codes: list[int] = []
        self.site_x: list[np.ndarray] = []
        self.site_y: list[np.ndarray] = []
        self.bands: list[tuple[int, float, float, float, float]] = []
        self.labels: list[tuple[float, float, int]] = []
        self.lines: list[tuple[float, float, float]] = []
        self.base = T + 1

    def code(self, layer: int, taus: tuple[int, ...]) -> int:
        c = layer * self.base ** self.L
        for j, t in enumerate(taus):
            c += t * self.base ** j
        return c

    def shape(self, layer: int, n: int) -> tuple[float, float, float, np.ndarray]:
        """(left, right, bottom, x of each site) of a block, relative to its end site."""
        key = (layer, n)
        if key in self.shapes:
            return self.shapes[key]
        geo = self.geo
        xs = geo.X(np.arange(1, n + 1)) - geo.X(n)
        if layer == 1:
            out = (float(xs[0]) - 1, LABEL_RIGHT, -geo.drop - BAND, xs)
        elif layer == 2:
            out = (float(xs[0]) - 1, LABEL_RIGHT, -geo.g - (n - 1) * geo.h1 - geo.drop - BAND, xs)
        else:
            px, bottoms, right = self._row(layer - 1, range(1, n + 1))
            rel = px - px[-1]
            left0 = self.shape(layer - 1, 1)[0]
            out = (min(rel[0] - 1, rel[0] + left0), right - px[-1], min(bottoms) - geo.g, rel)
        self.shapes[key] = out
        return out

    def _row(self, layer: int, lengths) -> tuple[np.ndarray, list[float], float]:
        """Sub-blocks of ``layer`` side by side: x of their ends, their bottoms, right edge."""
        cursor, px, bottoms = 0.0, [], []
        for n in lengths:
            left, right, bottom, _ = self.shape(layer, n)
            x = cursor - left
            px.append(x)
            bottoms.append(bottom)
            cursor = x + right + PAD
        return np.array(px, dtype=float), bottoms, cursor - PAD

    def place(self, layer: int, taus: tuple[int, ...], ox: float, oy: float) -> None:
        """Record the chain of ``(layer, taus)`` with its end site at (ox, oy), and its sub-blocks."""
        n = taus[0]
        left, right, bottom, xs = self.shape(layer, n)
        self.codes.append(self.code(layer, taus))
        self.site_x.append(ox + xs)
        self.site_y.append(np.full(n, oy))
        geo = self.geo
        if layer == 2:
            x0 = ox - float(geo.X(n))  # x of step 0 in this staircase
            self.bands.append((1, ox + left - 0.35, ox + right - 0.2, oy + bottom + 0.1,
                               oy - geo.g + BAND))
            if geo.split is not None and n > geo.split:
                self.lines.append((x0 + geo.line_x(), oy + BAND + 0.1, oy + bottom))
            y = oy - geo.g
            for s in range(1, n + 1):
                self.place(1, (s,) + taus, ox + xs[s - 1], y)
                y -= geo.h1
        elif layer > 2:
            for s in range(1, n + 1):
                self.place(layer - 1, (s,) + taus, ox + xs[s - 1], oy - geo.g)

    def shelves(self, target: float) -> list[list[int]]:
        """Consecutive runs of the top chain's steps, chosen for height/width near ``target``."""
        L, T, geo = self.L, self.T, self.geo
        widths = np.array([self.shape(L - 1, s)[1] - self.shape(L - 1, s)[0] + PAD for s in range(1, T + 1)])
        depth = np.array([geo.g - self.shape(L - 1, s)[2] for s in range(1, T + 1)])
        best, best_cost = [list(range(1, T + 1))], math.inf
        cum = np.cumsum(widths)
        for k in range(1, min(T, 16) + 1):
            cuts = sorted({int(np.searchsorted(cum, cum[-1] * j / k)) for j in range(1, k)})
            groups = [g.tolist() for g in np.split(np.arange(1, T + 1), cuts) if g.size]
            width = max(widths[g[0] - 1:g[-1]].sum() for g in groups) + 1.5
            height = sum(depth[g[0] - 1:g[-1]].max() for g in groups) + SHELF_GAP * (len(groups) - 1) + 1
            cost = abs(math.log(height / width / target))
            if cost < best_cost - 1e-9:
                best, best_cost = groups, cost
        return best

    def place_top(self, target: float) -> dict[tuple[int, int], list[tuple[float, float]]]:
        """Place the top chain shelf by shelf; return the routes of the wrapped chain edges."""
        L, geo = self.L, self.geo
        groups = self.shelves(target)
        xs, ys, y = [], [], 0.0
        ends = []
        for group in groups:
            px, bottoms, right = self._row(L - 1, group)
            rows = [y - (L - l) * geo.g for l in range(2, L + 1)]
            for l, yy in zip(range(2, L + 1), rows):
                low = yy - (1.0 if not geo.merged else 0.0) - (0.3 if not geo.merged else BAND)
                self.bands.append((l, -0.35, right + (0.8 if l == L else 0.0), low, yy + BAND))
                self.labels.append((-0.5, yy, l))
            self.labels.append((-0.5, rows[0] - geo.g, 1))
            for s, x in zip(group, px):
                self.place(L - 1, (s,), float(x), y - geo.g)
            xs.append(px)
            ys.append(np.full(px.size, y))
            bottom = y + min(bottoms) - geo.g
            ends.append((float(px[-1]), y, right, bottom))
            y = bottom - SHELF_GAP
        self.codes.append(self.code(L, ()))
        self.site_x.append(np.concatenate(xs))
        self.site_y.append(np.concatenate(ys))
        self.groups = groups
        return ends


def block_positions(network: RACNetwork, geo: BlockGeometry, target: float,
                    chain_layer: np.ndarray, first_step: np.ndarray):
    """Positions of every node of a deep network (L >= 3) in block layout.

    Returns
    -------
    pos : ndarray (n_nodes, 2)
    extras : dict
        ``routes`` (edge -> bend points), ``bands`` (layer, x0, x1, y0, y1), ``labels``
        (x, y, layer), ``lines`` (x, y_top, y_bottom), ``ticks`` (x, y, step), ``shelves``.
    """
    from .layout import copy_tuples

    spec = network.spec
    L, T = spec.L, spec.T
    b = _Builder(L, T, geo)
    ends = b.place_top(target)
    codes = np.array(b.codes, dtype=np.int64)
    lengths = np.array([a.size for a in b.site_x], dtype=np.int64)
    offset = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    site_x, site_y = np.concatenate(b.site_x), np.concatenate(b.site_y)
    order = np.argsort(codes, kind="stable")
    node_code = np.full(network.n_nodes, L * b.base ** L, dtype=np.int64)
    for layer in range(1, L):
        sel = np.flatnonzero(chain_layer == layer)
        if sel.size:
            taus = copy_tuples(first_step[sel], network.node_copy[sel], L - layer, T)
            node_code[sel] = layer * b.base ** L + taus @ (b.base ** np.arange(L - layer, dtype=np.int64))
    chain = order[np.searchsorted(codes[order], node_code)]
    kind = network.node_kind
    step = network.node_step.astype(np.int64)
    at = offset[chain] + np.maximum(step, 1) - 1
    x, y = site_x[at].copy(), site_y[at].copy()
    x[kind == NodeKind.H0] -= 1.0
    if not geo.merged:
        x[kind == NodeKind.W_H] -= 0.5
        y[kind == NodeKind.W_I] -= 1.0
    y[kind == NodeKind.INPUT] -= geo.drop
    x[kind == NodeKind.W_O] += 0.5
    pos = np.column_stack([x, y])
    top = b.site_x[-1], b.site_y[-1]
    ticks = np.column_stack([top[0], top[1] + 0.55, np.arange(1, T + 1)])
    routes = _routes(network, pos, chain_layer, L, ends, geo.merged)
    return pos, dict(routes=routes, bands=np.array(b.bands, dtype=float).reshape(-1, 5),
                     band_labels=np.array(b.labels, dtype=float).reshape(-1, 3),
                     lines=np.array(b.lines, dtype=float).reshape(-1, 3), ticks=ticks,
                     shelves=len(b.groups))


def _routes(network, pos, chain_layer, L, ends, merged) -> dict[int, np.ndarray]:
    """Bend points of the top-chain edges that jump from one shelf to the next."""
    kind = network.node_kind
    chain_kinds = np.isin(kind, [NodeKind.DELTA, NodeKind.CORE, NodeKind.W_H, NodeKind.H0])
    u, v = network.edge_u, network.edge_v
    jump = np.flatnonzero(chain_kinds[u] & chain_kinds[v] & (chain_layer[u] == L) & (chain_layer[v] == L)
                          & (pos[u, 1] != pos[v, 1]))
    shelf_of = {round(y0, 6): (right, bottom) for _, y0, right, bottom in ends}
    routes = {}
    for e in jump.tolist():
        (xu, yu), (xv, yv) = pos[u[e]], pos[v[e]]
        right, bottom = shelf_of[round(float(yu), 6)]
        xr, yc = right + 0.5, bottom - 0.9
        xl = xv - 0.5 if kind[v[e]] == NodeKind.W_H and not merged else xv - 1.0
        routes[e] = np.array([[xr, yu], [xr, yc], [xl, yc], [xl, yv]], dtype=float)
    return routes
