"""Deterministic node positions for RAC tensor networks (numbers only, no matplotlib).

Geometry
--------
Time runs along x: the site of step ``t`` sits at ``x = t``, the W_H matrix that feeds it
at ``x = t - 0.5``, the chain's H0 at ``x = 0`` and W_O at ``x = T + 0.5``.

Layers stack upward and nest. The network of ``h^l_tau`` is a *block*: the layer-l chain
over steps 1..tau on its top row and, below it, the blocks of ``h^{l-1}_1``, ...,
``h^{l-1}_tau`` stacked downward in that order (the shortest chain nearest the top).
The block of ``h^{l-1}_t`` ends at ``x = t``, right under the layer-l site it feeds, so
every edge is horizontal or vertical and no edge crosses another: for L = 2 the
duplicated layer-1 chains form a staircase, and every copy of ``x^t`` hangs straight
below its layer-1 site, in column ``x = t``.

Vertical offsets (full form): W_I one unit below its site; INPUT two units below its
layer-1 site; a layer-1 block is 3 units tall; the first sub-block of a layer-l chain
(l >= 2) starts 2 units below it. Merged form (CORE nodes, or the *merged view* of a
full network, where W_H and W_I are drawn inside their DELTA): INPUT one unit below,
layer-1 blocks 2 units tall, sub-blocks start 1 unit below.

This nested staircase is the whole picture for L <= 2. Stacked at every depth
(``deep='nested'``) an L = 3 lattice is about T times taller than wide, so by default
deep lattices use the *block layout* of :mod:`tnrnn.drawing.blocks`: sub-blocks of
layers >= 3 side by side, one row and band per layer, the top chain wrapped into
shelves. The same engine draws every member of the RAC family (widths, cp:K cells with
their U node, full cells, bias, dilated chains interleaved). With a prefix partition
(``split=k``) a gap of ``SPLIT_GAP`` opens after step k for the dashed partition line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import TnrnnError
from ..network.model import NodeKind, RACNetwork
from .blocks import BlockGeometry, block_positions

__all__ = ["Layout", "network_layout", "chain_layout", "lattice_layout", "copy_tuples",
           "default_merged_view"]

#: Networks with more nodes than this are drawn in merged view unless told otherwise.
MAX_FULL_NODES = 4000


@dataclass(frozen=True, eq=False)
class Layout:
    """Positions of the nodes of one network.

    Attributes
    ----------
    pos : ndarray, shape (n_nodes, 2)
        x (time) and y (up) of every node.
    visible : ndarray of bool, shape (n_nodes,)
        False for W_H / W_I nodes hidden inside their DELTA in merged view.
    merged_view : bool
        True when drawn with merged geometry (a merged network, or a full one collapsed).
    edge_visible : ndarray of bool, shape (n_edges,)
        False for edges whose two ends share a position (internal to a merged site).
    routes : dict
        Edge index -> bend points (k, 2) between its two ends (block layout: the chain
        edges that wrap from one shelf to the next); other edges are straight.
    bands : ndarray (n, 5) or None
        Block layout: ``(layer, x0, x1, y0, y1)`` grey band rectangles, one per layer row
        of every shelf and one per staircase for layer 1. None: one band per chain.
    band_labels : ndarray (n, 3)
        ``(x, y, layer)``: where to write each layer's name (right-aligned at x).
    lines : ndarray (n, 3)
        Partition line segments ``(x, y_top, y_bottom)`` (prefix partitions only).
    ticks : ndarray (n, 3)
        Step numbers ``(x, y, step)`` written above the top chain.
    shelves : int
        Rows the top chain is wrapped into (1 unless block layout).
    """

    pos: np.ndarray
    visible: np.ndarray
    merged_view: bool
    edge_visible: np.ndarray
    routes: dict = field(default_factory=dict)
    bands: np.ndarray | None = None
    band_labels: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))
    lines: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))
    ticks: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))
    shelves: int = 1

    def bbox(self) -> tuple[float, float, float, float]:
        """``(xmin, xmax, ymin, ymax)`` over the visible nodes and edge routes."""
        p = self.pos[self.visible]
        if self.routes:
            p = np.concatenate([p, *self.routes.values()])
        return (float(p[:, 0].min()), float(p[:, 0].max()),
                float(p[:, 1].min()), float(p[:, 1].max()))

    def edge_paths(self, edge_u: np.ndarray, edge_v: np.ndarray, edges: np.ndarray) -> list[np.ndarray]:
        """The polyline (k, 2) of each of ``edges``: its two ends with any bends between."""
        return [np.vstack([self.pos[edge_u[e]], self.routes[int(e)], self.pos[edge_v[e]]])
                if int(e) in self.routes else self.pos[[edge_u[e], edge_v[e]]] for e in edges]


def default_merged_view(network: RACNetwork, max_full_nodes: int = MAX_FULL_NODES) -> bool:
    """True when ``network`` should be drawn in merged view (merged, or too big for full)."""
    return bool(network.merged or network.n_nodes > max_full_nodes)


def _cumulative_counts(T: int, r: int) -> np.ndarray:
    """``out[a - 1]`` = number of non-decreasing r-tuples from a..T, for a = 1..T+1."""
    return np.array([math.comb(T - a + r, r) for a in range(1, T + 2)], dtype=np.int64)


def copy_tuples(step: np.ndarray, copy: np.ndarray, length: int, T: int) -> np.ndarray:
    """Decode copy indices into the steps ``(tau_{l+1}, ..., tau_L)`` of the sites above.

    ``copy`` is the index, in lexicographic order, of the non-decreasing tuple
    ``step <= tau_{l+1} <= ... <= tau_L <= T`` of ``length`` entries (the convention of
    :mod:`tnrnn.network.model`).

    Returns
    -------
    ndarray of int64, shape (len(step), length)

    Examples
    --------
    >>> copy_tuples(np.array([2, 2, 2]), np.array([0, 1, 2]), 2, 3).tolist()
    [[2, 2], [2, 3], [3, 3]]
    """
    lo = np.asarray(step, dtype=np.int64).copy()
    c = np.asarray(copy, dtype=np.int64).copy()
    out = np.empty((lo.shape[0], length), dtype=np.int64)
    for j in range(length):
        cum = _cumulative_counts(T, length - j)
        start = cum[lo - 1]
        if np.any(c >= start):
            bad = int(np.flatnonzero(c >= start)[0])
            raise TnrnnError(f"copy index {int(copy[bad])} is out of range for step "
                             f"{int(step[bad])} with {length} sites above and T={T}")
        target = start - c
        below = np.searchsorted(cum[::-1], target, side="left")  # entries with cum < target
        a = (T + 1) - below
        c -= start - cum[a - 1]
        lo = a
        out[:, j] = a
    return out


def _geometry(merged: bool) -> tuple[float, float, float]:
    """(sub-block gap g, layer-1 block height, INPUT drop below its site)."""
    return (1.0, 2.0, 1.0) if merged else (2.0, 3.0, 2.0)


def _chain_rows(network: RACNetwork, chain_layer: np.ndarray, first_step: np.ndarray,
                merged: bool) -> np.ndarray:
    """y of the chain row of each node (given its chain's layer and its site's step)."""
    spec = network.spec
    L, T = spec.L, spec.T
    g, h1, _ = _geometry(merged)
    # S[l][k] = total height of the blocks h^l_1 .. h^l_k, for l = 1..L-1 and k = 0..T.
    S = np.zeros((L + 1, T + 1))
    heights = np.full(T, h1)
    for layer in range(1, L):
        S[layer, 1:] = np.cumsum(heights)
        heights = g + S[layer, 1:]
    y = np.zeros(chain_layer.shape[0])
    for layer in range(1, L):
        sel = np.flatnonzero(chain_layer == layer)
        if sel.size == 0:
            continue
        taus = copy_tuples(first_step[sel], network.node_copy[sel], L - layer, T)
        for j in range(L - layer):  # tau of layer layer+1+j: offset inside block of layer+j+1
            y[sel] -= g + S[layer + j, taus[:, j] - 1]
    return y


#: Target height / width (layout units) of block layouts: about square once drawn.
BLOCK_ASPECT = 1.0
#: Extra x opened between the last step of side A and the first of side B.
SPLIT_GAP = 1.0


def network_layout(network: RACNetwork, merged: bool | None = None, *, split: int | None = None,
                   deep: str = "auto", aspect: float = BLOCK_ASPECT) -> Layout:
    """Positions of every node of ``network`` (see the module docstring for the geometry).

    Parameters
    ----------
    network : RACNetwork
        A compiled network, full or merged, of any depth.
    merged : bool, optional
        Draw a full network in merged view (W_H and W_I hidden inside their DELTA).
        Default: merged view for merged networks and for full networks with more than
        ``MAX_FULL_NODES`` nodes.
    split : int, optional
        A prefix partition A = {1..split}: open a gap of ``SPLIT_GAP`` after step
        ``split`` for the partition line (``Layout.lines``), clear of the input labels.
    deep : {'auto', 'blocks', 'nested'}
        'nested': the staircase of the module docstring at every depth; 'blocks': for
        L >= 3, sub-blocks side by side, one row per layer, wrapped into shelves
        (:mod:`tnrnn.drawing.blocks`); 'auto' = 'blocks'.
    aspect : float
        Block layout: the height/width (layout units) the shelves aim at.

    Returns
    -------
    Layout

    Raises
    ------
    TnrnnError
        If ``merged=False`` is asked of a merged network.

    Examples
    --------
    >>> from tnrnn import RACSpec, compile_shallow
    >>> lay = network_layout(compile_shallow(RACSpec(M=2, R=2, L=1, T=2)))
    >>> lay.pos.tolist()[:5]
    [[0.0, 0.0], [1.0, 0.0], [0.5, 0.0], [1.0, -1.0], [1.0, -2.0]]
    """
    if merged is None:
        merged = default_merged_view(network)
    if network.merged and not merged:
        raise TnrnnError("a merged network can only be drawn in merged view, got merged=False; "
                         "compile with merged=False for the full picture")
    if deep not in ("auto", "blocks", "nested"):
        raise TnrnnError(f"deep must be 'auto', 'blocks' or 'nested', got {deep!r}")
    T = network.spec.T
    if split is not None and not (isinstance(split, (int, np.integer)) and 0 < split < T):
        raise TnrnnError(f"split must be a step 1..{T - 1} (the last step of side A), got {split!r}")
    merged = bool(merged)
    if network.spec.L < 3 or deep != "nested":
        return _block_layout(network, merged, split, aspect)
    spec = network.spec
    mi_sites = all(c.site(False).kinds == _NESTED_SITE for c in spec.cells)
    if not mi_sites or any(d != 1 for d in spec.dilations):
        raise TnrnnError(f"deep='nested' draws undilated networks whose sites are (DELTA, W_H, W_I) only, "
                         f"got {spec}; use deep='blocks'")
    kind = network.node_kind
    step = network.node_step.astype(np.int64)
    layer = network.node_layer.astype(np.int64)
    _, _, drop = _geometry(merged)
    is_input = kind == NodeKind.INPUT
    is_h0 = kind == NodeKind.H0
    chain_layer = np.where(is_input, 1, layer)
    first_step = np.where(is_h0, 1, step)
    y = _chain_rows(network, chain_layer, first_step, merged)
    x = step.astype(float)
    hidden = np.zeros(kind.shape[0], dtype=bool)
    if merged:
        hidden = (kind == NodeKind.W_H) | (kind == NodeKind.W_I)
    else:
        x[kind == NodeKind.W_H] -= 0.5
        y[kind == NodeKind.W_I] -= 1.0
    y[is_input] -= drop
    x[kind == NodeKind.W_O] = T + 0.5
    geo = BlockGeometry(merged, split, SPLIT_GAP if split else 0.0)
    if split:
        x[x > split + 0.25] += geo.gap
    pos = np.column_stack([x, y])
    top = float(y[~hidden].max())
    ticks = np.column_stack([geo.X(np.arange(1, T + 1)), np.full(T, top + 0.55), np.arange(1, T + 1)])
    lines = (np.array([[geo.line_x(), top + 0.45, float(y[~hidden].min()) - 0.75]]) if split
             else np.zeros((0, 3)))
    return _finish(network, pos, hidden, merged, ticks=ticks, lines=lines)


#: The only full-form site the nested staircase places (W_H left of DELTA, W_I below it).
_NESTED_SITE = (NodeKind.DELTA, NodeKind.W_H, NodeKind.W_I)


def _finish(network: RACNetwork, pos: np.ndarray, hidden: np.ndarray, merged: bool, **extras) -> Layout:
    pos = np.round(pos, 6) + 0.0  # sums of 0.5s and gaps: exact decimals, no -0.0
    if extras.get("routes"):
        extras["routes"] = {e: np.round(p, 6) + 0.0 for e, p in extras["routes"].items()}
    same = np.all(pos[network.edge_u] == pos[network.edge_v], axis=1)
    for arr in (pos, hidden, same, *(v for v in extras.values() if isinstance(v, np.ndarray))):
        arr.setflags(write=False)
    return Layout(pos=pos, visible=~hidden, merged_view=merged, edge_visible=~same, **extras)


def _block_layout(network: RACNetwork, merged: bool, split: int | None, aspect: float) -> Layout:
    kind = network.node_kind
    has_u = bool(np.any(kind == NodeKind.U))
    geo = BlockGeometry(merged, split, SPLIT_GAP if split else 0.0, rise=0.6 if has_u and not merged else 0.0)
    pos, extras = block_positions(network, geo, aspect)
    hidden = (np.isin(kind, [NodeKind.W_H, NodeKind.W_I, NodeKind.U]) if merged
              else np.zeros(kind.shape[0], bool))
    return _finish(network, pos, hidden, merged, **extras)


def chain_layout(network: RACNetwork, merged: bool | None = None) -> Layout:
    """Layout of a shallow network (L = 1): one horizontal chain, inputs below, W_O last."""
    if network.spec.L != 1:
        raise TnrnnError(f"chain_layout needs a shallow network (L=1), got L={network.spec.L}; "
                         "use lattice_layout or network_layout")
    return network_layout(network, merged)


def lattice_layout(network: RACNetwork, merged: bool | None = None) -> Layout:
    """Layout of a deep network (L >= 2): nested staircase of duplicated chains."""
    if network.spec.L < 2:
        raise TnrnnError(f"lattice_layout needs a deep network (L>=2), got L={network.spec.L}; "
                         "use chain_layout or network_layout")
    return network_layout(network, merged)
