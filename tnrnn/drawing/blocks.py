"""Block layout of RAC lattices: every chain placed as part of its block, any member.

The network of ``h^l_tau`` is a *block*: the layer-l chain ``tau, tau - d_l, ...`` (d_l
the layer's dilation, 1 for the paper's RAC) and, under each of its sites ``s``, the block
of ``h^{l-1}_s``. Time runs along x inside every staircase (step ``t`` at ``x = X(t)``).

- a block of layer 1 is one chain with its inputs below;
- a block of layer 2 is a *staircase*: its layer-1 chains stacked downward, the one of
  site ``s`` ending right under ``s`` (the nested layout of the paper's figures);
- a block of layer l >= 3 puts its sub-blocks *side by side*, each one ending right under
  the parent site it feeds, so every edge stays horizontal or vertical and all chains of
  one layer share one row;
- for L >= 3 the top chain is wrapped into *shelves* (like lines of text) so the picture
  has about the aspect ratio asked for; the chain edge from the last site of a shelf to
  the first of the next is drawn as a route around the shelf (``Layout.routes``).

Dilated chains (``d_l > 1``) start at step ``(tau - 1) mod d_l + 1`` from their own H0,
so chains of different residues interleave in x, each on its own row. A ``cp:K`` site
draws its U node half a unit above its DELTA. Nodes are matched to sites by (layer,
step, copy), the numbering of :mod:`tnrnn.network.model` (copies ranked by the steps of
the sites above, lexicographically), so any compiler that follows it is drawn right.

Bands (L >= 3: one grey rectangle per layer row of every shelf, one per staircase for
layer 1), layer labels, step ticks and partition-line segments come with the positions,
so the matplotlib and TikZ renderers only draw them. Numbers only: no matplotlib here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import TnrnnError
from ..network.model import NodeKind, RACNetwork

__all__ = ["BlockGeometry", "block_positions"]

PAD = 0.9          # free x between neighbouring sub-blocks (after their labels)
LABEL_RIGHT = 0.9  # input labels reach this far right of their input
SHELF_GAP = 2.4    # from the lowest row of a shelf to the top chain of the next
BAND = 0.42        # half height of a chain's band
U_RISE = 0.5       # a cp:K site's U node sits this far above its DELTA
_SITE_KINDS = (NodeKind.DELTA, NodeKind.W_H, NodeKind.W_I, NodeKind.U, NodeKind.CORE, NodeKind.INPUT)


@dataclass
class BlockGeometry:
    """Vertical geometry and the partition gap, shared by every block."""

    merged: bool
    split: int | None = None
    gap: float = 0.0
    rise: float = 0.0  # room above chains for U nodes (cp cells, full view)
    g: float = field(init=False)
    h1: float = field(init=False)
    drop: float = field(init=False)

    def __post_init__(self) -> None:
        g, h1, self.drop = (1.0, 2.0, 1.0) if self.merged else (2.0, 3.0, 2.0)
        self.g, self.h1 = g + self.rise, h1 + self.rise

    def X(self, t: np.ndarray | int) -> np.ndarray:
        """x of step ``t`` inside a staircase (the partition gap opens after the split)."""
        t = np.asarray(t, dtype=float)
        return t + (self.gap * (t > self.split) if self.split is not None else 0.0)

    def line_x(self) -> float:
        """x of the partition line inside a staircase (clear of the split step's labels)."""
        return float(self.X(self.split)) + 0.5 + 0.6 * self.gap


class _Builder:
    """Recursive placement of blocks; records sites, bands, labels and line segments."""

    def __init__(self, L: int, T: int, dilations: tuple[int, ...], geo: BlockGeometry) -> None:
        self.L, self.T, self.d, self.geo = L, T, dilations, geo
        self.shapes: dict[tuple[int, int], tuple[float, float, float, np.ndarray]] = {}
        self.chains: list[tuple[int, tuple[int, ...], np.ndarray, np.ndarray, np.ndarray]] = []
        self.bands: list[tuple[int, float, float, float, float]] = []
        self.labels: list[tuple[float, float, int]] = []
        self.lines: list[tuple[float, float, float]] = []
        self.groups: list[list[int]] = []

    def steps(self, layer: int, tau: int) -> np.ndarray:
        """Steps of the layer-``layer`` chain that ends at ``tau``."""
        d = self.d[layer - 1]
        return np.arange((tau - 1) % d + 1, tau + 1, d, dtype=np.int64)

    def shape(self, layer: int, tau: int) -> tuple[float, float, float, np.ndarray]:
        """(left, right, bottom, x of each site) of a block, relative to its end site."""
        key = (layer, tau)
        if key in self.shapes:
            return self.shapes[key]
        geo = self.geo
        steps = self.steps(layer, tau)
        xs = geo.X(steps) - geo.X(tau)
        if layer == 1:
            out = (float(xs[0]) - 1, LABEL_RIGHT, -geo.drop - BAND, xs)
        elif layer == 2:
            left = min(float(xs[0]) - 1, *(float(x) + self.shape(1, int(s))[0] for s, x in zip(steps, xs)))
            out = (left, LABEL_RIGHT, -geo.g - (steps.size - 1) * geo.h1 - geo.drop - BAND, xs)
        else:
            px, bottoms, right = self._row(layer - 1, steps)
            rel = px - px[-1]
            left0 = self.shape(layer - 1, int(steps[0]))[0]
            out = (min(rel[0] - 1, rel[0] + left0), right - px[-1], min(bottoms) - geo.g, rel)
        self.shapes[key] = out
        return out

    def _row(self, layer: int, taus) -> tuple[np.ndarray, list[float], float]:
        """Sub-blocks of ``layer`` side by side: x of their ends, their bottoms, right edge."""
        cursor, px, bottoms = 0.0, [], []
        for tau in taus:
            left, right, bottom, _ = self.shape(layer, int(tau))
            x = cursor - left
            px.append(x)
            bottoms.append(bottom)
            cursor = x + right + PAD
        return np.array(px, dtype=float), bottoms, cursor - PAD

    def place(self, layer: int, taus: tuple[int, ...], tau: int, ox: float, oy: float) -> None:
        """Record the chain of ``(layer, taus)`` ending at step ``tau`` with its end site at
        (ox, oy), and its sub-blocks."""
        left, right, bottom, xs = self.shape(layer, tau)
        steps = self.steps(layer, tau)
        self.chains.append((layer, taus, steps, ox + xs, np.full(steps.size, oy)))
        geo = self.geo
        if layer == 2:
            if self.L >= 3:
                self.bands.append((1, ox + left - 0.35, ox + right - 0.2, oy + bottom + 0.1,
                                   oy - geo.g + BAND + geo.rise))
            if geo.split is not None and tau > geo.split and self.L >= 3:
                self.lines.append((ox - float(geo.X(tau)) + geo.line_x(), oy + BAND + 0.1 + geo.rise,
                                   oy + bottom))
            y = oy - geo.g
            for s, x in zip(steps, xs):
                self.place(1, (int(s),) + taus, int(s), ox + x, y)
                y -= geo.h1
        elif layer > 2:
            for s, x in zip(steps, xs):
                self.place(layer - 1, (int(s),) + taus, int(s), ox + x, oy - geo.g)

    def shelves(self, tops: np.ndarray, target: float) -> list[list[int]]:
        """Consecutive runs of the top chain's sites, chosen for height/width near ``target``."""
        L, geo = self.L, self.geo
        shapes = [self.shape(L - 1, int(s)) for s in tops]
        widths = np.array([sh[1] - sh[0] + PAD for sh in shapes])
        depth = np.array([geo.g - sh[2] for sh in shapes])
        best, best_cost = [list(range(len(tops)))], math.inf
        cum = np.cumsum(widths)
        for k in range(1, min(len(tops), 16) + 1):
            cuts = sorted({int(np.searchsorted(cum, cum[-1] * j / k)) for j in range(1, k)})
            groups = [g.tolist() for g in np.split(np.arange(len(tops)), cuts) if g.size]
            width = max(widths[g[0]:g[-1] + 1].sum() for g in groups) + 1.5
            height = sum(depth[g[0]:g[-1] + 1].max() for g in groups) + SHELF_GAP * (len(groups) - 1) + 1
            cost = abs(math.log(height / width / target))
            if cost < best_cost - 1e-9:
                best, best_cost = groups, cost
        return best

    def place_top(self, target: float) -> list[tuple[float, float, float, float]]:
        """Place the top chain (shelf by shelf for L >= 3); return each shelf's
        (last x, y, right edge, bottom) for the routes between shelves."""
        L, T, geo = self.L, self.T, self.geo
        if L <= 2:
            self.place(L, (), T, float(geo.X(T)), 0.0)
            self.groups = [[0]]
            return []
        tops = self.steps(L, T)
        self.groups = self.shelves(tops, target)
        xs, ys, ends, y = [], [], [], 0.0
        for group in self.groups:
            px, bottoms, right = self._row(L - 1, tops[group])
            rows = [y - (L - l) * geo.g for l in range(2, L + 1)]
            for l, yy in zip(range(2, L + 1), rows):
                low = yy - (BAND if geo.merged else 1.3)
                self.bands.append((l, -0.35, right + (0.8 if l == L else 0.0), low, yy + BAND + geo.rise))
                self.labels.append((-0.5, yy, l))
            self.labels.append((-0.5, rows[0] - geo.g, 1))
            for s, x in zip(tops[group], px):
                self.place(L - 1, (int(s),), int(s), float(x), y - geo.g)
            xs.append(px)
            ys.append(np.full(px.size, y))
            bottom = y + min(bottoms) - geo.g
            ends.append((float(px[-1]), y, right, bottom))
            y = bottom - SHELF_GAP
        self.chains.append((L, (), tops, np.concatenate(xs), np.concatenate(ys)))
        return ends


def _site_table(b: _Builder):
    """Per site: layer, step, copy (rank of the steps above among sites of its step), x, y."""
    L = b.L
    layer = np.concatenate([np.full(c[2].size, c[0]) for c in b.chains])
    step = np.concatenate([c[2] for c in b.chains])
    x = np.concatenate([c[3] for c in b.chains])
    y = np.concatenate([c[4] for c in b.chains])
    anc = np.zeros((step.size, max(L - 1, 1)), dtype=np.int64)
    at = 0
    for l, taus, steps, _, _ in b.chains:
        if taus:
            anc[at:at + steps.size, :len(taus)] = taus
        at += steps.size
    keys = [anc[:, j] for j in range(anc.shape[1] - 1, -1, -1)] + [step, layer]
    order = np.lexsort(keys)
    grp = layer[order] * (b.T + 1) + step[order]
    new = np.concatenate([[True], grp[1:] != grp[:-1]])
    starts = np.maximum.accumulate(np.where(new, np.arange(grp.size), 0))
    copy = np.empty(step.size, dtype=np.int64)
    copy[order] = np.arange(grp.size) - starts
    return layer, step, copy, x, y


def block_positions(network: RACNetwork, geo: BlockGeometry, target: float):
    """Positions of every node of ``network`` in block layout (any depth, any member).

    Returns
    -------
    pos : ndarray (n_nodes, 2)
    extras : dict
        ``routes`` (edge -> bend points), ``bands`` (layer, x0, x1, y0, y1; None for
        L <= 2, where the renderer bands each chain), ``band_labels`` (x, y, layer),
        ``lines`` (x, y_top, y_bottom), ``ticks`` (x, y, step), ``shelves``.

    Raises
    ------
    TnrnnError
        If a node's (layer, step, copy) names no site of the spec's lattice (a network
        that does not follow the numbering of :mod:`tnrnn.network.model`).
    """
    spec = network.spec
    L, T = spec.L, spec.T
    b = _Builder(L, T, tuple(spec.dilations), geo)
    ends = b.place_top(target)
    s_layer, s_step, s_copy, s_x, s_y = _site_table(b)
    width = int(s_copy.max()) + 2
    s_key = (s_layer * (T + 1) + s_step) * width + s_copy
    order = np.argsort(s_key, kind="stable")
    kind = network.node_kind
    layer = np.where(kind == NodeKind.INPUT, 1, network.node_layer.astype(np.int64))
    step = network.node_step.astype(np.int64).copy()
    copy = network.node_copy.astype(np.int64).copy()
    h0 = np.flatnonzero(kind == NodeKind.H0)
    if h0.size:  # an H0 takes the place of the first site of its chain (its consumer)
        first = np.full(network.n_nodes, -1, dtype=np.int64)
        first[network.edge_u] = network.edge_v
        step[h0], copy[h0] = step[first[h0]], copy[first[h0]]
    wo = kind == NodeKind.W_O
    step[wo], copy[wo] = int(b.chains[-1][2][-1]), 0
    n_key = (layer * (T + 1) + step) * width + np.minimum(copy, width - 1)
    where = np.searchsorted(s_key[order], n_key)
    site = order[np.minimum(where, order.size - 1)]
    bad = np.flatnonzero(s_key[site] != n_key)
    if bad.size:
        i = int(bad[0])
        raise TnrnnError(f"node {i} ({NodeKind(int(kind[i])).name}, layer {int(layer[i])}, step "
                         f"{int(step[i])}, copy {int(copy[i])}) is no site of the lattice of {spec}; "
                         "was the network compiled from this spec?")
    x, y = s_x[site].copy(), s_y[site].copy()
    x[kind == NodeKind.H0] -= 1.0
    x[wo] += 0.5
    if not geo.merged:
        x[kind == NodeKind.W_H] -= 0.5
        y[kind == NodeKind.W_I] -= 1.0
        y[kind == NodeKind.U] += U_RISE
    y[kind == NodeKind.INPUT] -= geo.drop
    pos = np.column_stack([x, y])
    top_x, top_y = b.chains[-1][3], b.chains[-1][4]
    if L <= 2:
        top = float(y.max())
        t = np.arange(1, T + 1)
        ticks = np.column_stack([geo.X(t), np.full(T, top + 0.55), t])
        lines = ([(geo.line_x(), top + 0.45, float(y.min()) - 0.75)] if geo.split else [])
    else:
        ticks = np.column_stack([top_x, top_y + 0.55 + geo.rise, b.chains[-1][2]])
        lines = b.lines
    routes = _routes(network, pos, layer, L, ends, geo.merged)
    bands = np.array(b.bands, dtype=float).reshape(-1, 5) if L >= 3 else None
    return pos, dict(routes=routes, bands=bands, band_labels=np.array(b.labels, dtype=float).reshape(-1, 3),
                     lines=np.array(lines, dtype=float).reshape(-1, 3), ticks=ticks, shelves=len(b.groups))


def _routes(network, pos, chain_layer, L, ends, merged) -> dict[int, np.ndarray]:
    """Bend points of the top-chain edges that jump from one shelf to the next, and of a
    cp site's U feeding the next site (along at U's height, then down: no diagonals)."""
    kind = network.node_kind
    u, v = network.edge_u, network.edge_v
    step = np.flatnonzero((kind[u] == NodeKind.U) & np.isin(kind[v], [NodeKind.W_H, NodeKind.W_O])
                          & (pos[u, 1] != pos[v, 1]) & (np.abs(pos[v, 1] - pos[u, 1]) <= U_RISE + 0.25))
    routes = {int(e): np.array([[pos[v[e], 0], pos[u[e], 1]]]) for e in step}
    if len(ends) < 2:
        return routes

    chain_kinds = np.isin(kind, [NodeKind.DELTA, NodeKind.CORE, NodeKind.W_H, NodeKind.H0, NodeKind.U])
    # within a shelf a chain's nodes lie within U_RISE of its row; shelves are far apart
    jump = np.flatnonzero(chain_kinds[u] & chain_kinds[v] & (chain_layer[u] == L) & (chain_layer[v] == L)
                          & (np.abs(pos[v, 1] - pos[u, 1]) > U_RISE + 0.25))
    shelf_y = np.array([y0 for _, y0, _, _ in ends])
    for e in jump.tolist():
        (xu, yu), (xv, yv) = pos[u[e]], pos[v[e]]
        _, _, right, bottom = ends[int(np.argmin(np.abs(shelf_y - yu)))]
        xr, yc = right + 0.5, bottom - 0.9
        xl = xv - 0.5 if kind[v[e]] == NodeKind.W_H and not merged else xv - 1.0
        routes[e] = np.array([[xr, yu], [xr, yc], [xl, yc], [xl, yv]], dtype=float)
    return routes
