"""What both renderers need before drawing: the layout, the cut resolved to edges and node
sides, and the page geometry (content box, margins in inches, units per inch).

The matplotlib renderer (:mod:`.render`) and the TikZ writer (:mod:`.tikz`) call
:func:`prepare` and :func:`figure_units` and then only place marks at the layout's
positions: renderers never compute positions.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import TnrnnError
from ..network.model import NodeKind, RACNetwork
from ..partition import Partition
from ..spec import RACSpec
from .figure import check_drawable
from .layout import Layout, network_layout
from .style import COLUMNS, MIN_POINTS_PER_UNIT, DrawingWarning, Style

__all__ = ["CutView", "resolve_cut", "as_network", "prepare", "node_sides", "content_box", "margins", "figure_units",
           "drawing_extent", "LINE_IN", "band_rects", "wrap_paths", "partition_label_spot", "NODE_PAD", "readability", "warn_unreadable"]


LINE_IN = 1.45 / 72  # inches per line of text, per point of font size


@dataclass(frozen=True)
class CutView:
    """A cut as the renderers need it (edge indices, node sides, the bound)."""

    edges: np.ndarray
    side: np.ndarray | None
    bound: int
    log2: float
    partition: Partition | None
    factored: str | None = None


def resolve_cut(network: RACNetwork, cut: Any) -> CutView | None:
    """Normalise ``cut`` (a CutBound-like object or a sequence of edge indices).

    A CutBound-like object has ``cut_edges`` and optionally ``side`` (bool per node, True
    on side A), ``bound``, ``log2`` and ``partition``. The bound defaults to the product of
    the cut edges' dimensions.
    """
    if cut is None:
        return None
    edges = getattr(cut, "cut_edges", cut)
    try:
        edges = np.asarray(edges, dtype=np.int64).reshape(-1)
    except (TypeError, ValueError):
        raise TnrnnError(f"cut must be a CutBound or a sequence of edge indices, got "
                         f"{type(cut).__name__}") from None
    if edges.size and (edges.min() < 0 or edges.max() >= network.n_edges):
        raise TnrnnError(f"cut names edges outside 0..{network.n_edges - 1} (got {edges.min()}.."
                         f"{edges.max()}); was it computed on another network (full vs merged)?")
    side = getattr(cut, "side", None)
    if side is not None:
        side = np.asarray(side, dtype=bool).reshape(-1)
        if side.size != network.n_nodes:
            raise TnrnnError(f"cut.side has {side.size} entries, the network has "
                             f"{network.n_nodes} nodes; draw the network the cut was computed on")
    dims = network.edge_dim[edges]
    bound = getattr(cut, "bound", None)
    bound = math.prod(int(d) for d in dims) if bound is None else int(bound)
    log2 = getattr(cut, "log2", None)
    log2 = float(np.log2(dims.astype(float)).sum()) if log2 is None else float(log2)
    partition = getattr(cut, "partition", None)
    factored = cut.factored() if callable(getattr(cut, "factored", None)) else None
    return CutView(edges, side, bound, log2, partition if isinstance(partition, Partition) else None,
                   factored)


def as_network(obj: RACNetwork | RACSpec, caller: str = "draw") -> RACNetwork:
    """``obj`` if it is a network; a spec is compiled first (refused in one line, before
    compiling, when too large to draw: :func:`~tnrnn.drawing.figure.check_drawable`)."""
    if isinstance(obj, RACNetwork):
        return obj
    if isinstance(obj, RACSpec):
        from ..network.compile import compile_network

        check_drawable(obj)
        return compile_network(obj)
    raise TnrnnError(f"{caller} needs a RACNetwork or a RACSpec, got {type(obj).__name__}")


def prepare(network: RACNetwork | RACSpec, partition: Partition | str | None, cut: Any, style: Style | None,
            merged: bool | None, caller: str) -> tuple[Style, Partition | None, CutView | None, Layout, RACNetwork]:
    """Check the arguments shared by :func:`draw` and ``to_tikz`` and compute the layout.

    The partition (a Partition or a text such as ``'start-end'``, ``'split:3'``) defaults
    to the cut's; ``merged=None`` picks the merged view for merged networks and for
    networks above ``style.max_full_nodes``.
    """
    style = Style() if style is None else style
    if not isinstance(style, Style):
        raise TnrnnError(f"style must be a tnrnn Style (Style(), Style.preset('single')), got {type(style).__name__}")
    network = as_network(network, caller)
    cutv = resolve_cut(network, cut)
    if partition is None and cutv is not None:
        partition = cutv.partition
    if partition is not None:
        partition = Partition.coerce(partition, network.spec.T)
    if merged is None:
        merged = network.merged or network.n_nodes > style.max_full_nodes
    split = len(partition.A) if partition is not None and partition.is_prefix else None
    split = split if split and split < network.spec.T else None
    aspect = style.aspect * style.x_unit / style.y_unit  # in layout units
    return style, partition, cutv, network_layout(network, merged=merged, split=split, aspect=aspect), network


def node_sides(network: RACNetwork, partition: Partition | None, cut: CutView | None) -> np.ndarray:
    """Per node: 1 on side A, 2 on side B, 0 unknown (inputs follow the partition)."""
    sides = np.zeros(network.n_nodes, dtype=np.int8)
    if cut is not None and cut.side is not None:
        sides[:] = np.where(cut.side, 1, 2)
        return sides
    if partition is not None:
        inputs = network.input_nodes
        in_a = np.isin(network.node_step[inputs], np.asarray(partition.A))
        sides[inputs] = np.where(in_a, 1, 2)
    return sides


#: Layout units kept free around node centres: the largest glyph's radius (inputs, 0.25)
#: and the layer bands, which reach 0.42 below an input and 0.35 beside a chain.
NODE_PAD = 0.5


def content_box(lay: Layout) -> tuple[float, float, float, float]:
    """``(xmin, xmax, ymin, ymax)`` in layout units of everything drawn at layout positions:
    nodes, routes, bands, partition lines, step ticks, layer-label anchors, and one unit
    right of the last input for its label and the output stub. Node positions are padded by
    :data:`NODE_PAD` (half the largest glyph, and the layer bands around the chains), so no
    glyph is ever cut by the edge of the drawing."""
    xmin, xmax, ymin, ymax = lay.bbox()
    xs = [xmin - NODE_PAD, xmax + 1.0, lay.band_labels[:, 0] if lay.band_labels.size else xmin]
    ys = [ymin - NODE_PAD, ymax + NODE_PAD]
    if lay.bands is not None and lay.bands.size:
        xs += [lay.bands[:, 1], lay.bands[:, 2]]
        ys += [lay.bands[:, 3], lay.bands[:, 4]]
    else:
        xs.append(xmin - 0.45)  # nested layer labels (right-aligned there)
    if lay.lines.size:
        ys += [lay.lines[:, 1], lay.lines[:, 2]]
    if lay.ticks.size:
        ys.append(lay.ticks[:, 1])
    xs = np.concatenate([np.atleast_1d(np.asarray(v, dtype=float)) for v in xs])
    ys = np.concatenate([np.atleast_1d(np.asarray(v, dtype=float)) for v in ys])
    return float(xs.min()), float(xs.max()), float(ys.min()), float(ys.max())


def margins(lay: Layout, style: Style, chars: int = 3) -> tuple[float, float, float, float]:
    """(left, right, bottom, top) in inches around :func:`content_box`: room for the layer
    labels (``chars`` characters), the step numbers above and the ``A``/``B`` under the
    partition line."""
    fs = style.font_size
    wide = (0.6 * chars + 0.6) * max(style.min_font_size, 0.85 * fs) / 72
    left = 0.08 + (wide if style.layer_labels else 0.0)
    top = 0.06 + (1.4 * fs / 72 if lay.ticks.size else 0.0)
    bottom = 0.06 + (1.4 * fs / 72 if lay.lines.size else 0.0)
    return left, 0.1, bottom, top


def figure_units(lay: Layout, style: Style, chars: int = 3,
                 reserve: float = 0.0) -> tuple[float, float, float, float]:
    """(width in, height in, inches per x unit, inches per y unit) of the drawing area.

    Units are ``style.x_unit`` / ``style.y_unit``; with ``style.width`` set (a column
    preset) the x unit is chosen so the figure is that wide, and y keeps the ratio. The
    height is then capped at ``style.max_size``, at ``style.max_height`` less ``reserve``
    (inches of title, legend and note) and at ``style.max_aspect`` times the width.
    Margins (:func:`margins`) are in inches, so labels keep their room at any scale.
    """
    xmin, xmax, ymin, ymax = content_box(lay)
    ml, mr, mb, mt = margins(lay, style, chars)
    dx, dy = max(xmax - xmin, 1.0), max(ymax - ymin, 1.0)
    full = style.max_size if style.width is None else style.width
    xu = min(style.x_unit, (full - ml - mr) / dx) if style.width is None else (full - ml - mr) / dx
    xu = max(xu, 1e-3)
    width = dx * xu + ml + mr
    yu = xu * style.y_unit / style.x_unit
    tallest = min(style.max_size, style.max_height or style.max_size) - reserve
    yu = max(min(yu, (tallest - mb - mt) / dy, (style.max_aspect * width - mb - mt) / dy), 1e-3)
    return width, dy * yu + mb + mt, xu, yu


def drawing_extent(lay: Layout, style: Style, xu: float, yu: float,
                   chars: int = 3) -> tuple[float, float, float, float]:
    """The axes limits (layout units) that put :func:`margins` around the content."""
    xmin, xmax, ymin, ymax = content_box(lay)
    ml, mr, mb, mt = margins(lay, style, chars)
    return xmin - ml / xu, xmax + mr / xu, ymin - mb / yu, ymax + mt / yu


def _layer_rows(network: RACNetwork, lay: Layout) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The chain rows of a drawing: ``(layer, y, xmin, xmax)`` per row, top row first."""
    kind = network.node_kind
    chain = lay.visible & np.isin(kind, [NodeKind.DELTA, NodeKind.CORE, NodeKind.H0, NodeKind.W_H])
    idx = np.flatnonzero(chain)
    keys = np.column_stack([network.node_layer[idx].astype(float), lay.pos[idx, 1]])
    rows, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    xmin = np.full(rows.shape[0], np.inf)
    xmax = np.full(rows.shape[0], -np.inf)
    np.minimum.at(xmin, inverse, lay.pos[idx, 0])
    np.maximum.at(xmax, inverse, lay.pos[idx, 0])
    order = np.argsort(-rows[:, 1], kind="stable")
    return rows[order, 0].astype(int), rows[order, 1], xmin[order], xmax[order]


def band_rects(network: RACNetwork, lay: Layout) -> tuple[np.ndarray, np.ndarray]:
    """The grey layer bands and where their labels go, for every renderer.

    Returns ``(rects, labels)``: rects ``(n, 5)`` rows ``(layer, x0, x1, y0, y1)``; labels
    ``(m, 4)`` rows ``(x, y, layer, repeat)`` (text right-aligned at x; ``repeat`` is 1 for
    a layer already labelled higher up). Block layouts (deep lattices) bring their own
    bands; otherwise each chain gets one (layer-1 bands include their W^I and inputs).
    """
    if lay.bands is not None:
        labels = [(x, y, l, 0) for x, y, l in lay.band_labels]
        return np.asarray(lay.bands, dtype=float).reshape(-1, 5), np.asarray(labels, dtype=float).reshape(-1, 4)
    layer, y, x0, x1 = _layer_rows(network, lay)
    drop = 1.0 if lay.merged_view else 2.0
    rise = 0.5 if bool(np.any(network.node_kind[lay.visible] == NodeKind.U)) else 0.0
    rects, labels, seen = [], [], set()
    for l, yy, a, b in zip(layer, y, x0, x1):
        low = yy - drop - 0.42 if l == 1 else yy - 0.42
        rects.append((l, a - 0.35, b + 0.35, low, yy + 0.42 + rise))
        if l not in seen or len(layer) <= 12:
            labels.append((a - 0.45, yy, l, int(l in seen)))
        seen.add(l)
    return np.asarray(rects, dtype=float).reshape(-1, 5), np.asarray(labels, dtype=float).reshape(-1, 4)


def wrap_paths(network: RACNetwork, lay: Layout, edges: np.ndarray) -> tuple[list, list]:
    """Split routed edges (the connectors that wrap a long chain onto the next shelf) into
    their first segment (``stubs``: where a cut on the edge is marked) and the rest
    (``rests``: drawn as a thin dotted connector, never as a cut edge)."""
    stubs, rests = [], []
    for path in lay.edge_paths(network.edge_u, network.edge_v, np.asarray(edges, dtype=np.int64)):
        stubs.append(path[:2])
        rests.append(path[1:])
    return stubs, rests


def partition_label_spot(lay: Layout) -> tuple[float, float] | None:
    """Where ``A | B`` goes: under the lowest end of the partition lines (in a block layout
    the first line ends just above the wrap connector, the last one at the bottom)."""
    if not lay.lines.size:
        return None
    bottoms = np.minimum(lay.lines[:, 1], lay.lines[:, 2])
    k = int(np.argmin(bottoms))
    return float(lay.lines[k, 0]), float(bottoms[k])


def readability(network: RACNetwork, width: float, height: float, xu: float, yu: float) -> str | None:
    """Why a drawing of ``width`` x ``height`` inches at ``xu``, ``yu`` inches per layout unit
    would be unreadable (one line), or None when it is fine: marks too small to see, or a
    figure wider than the widest column preset (no page can print it)."""
    pt = 72 * min(xu, yu)
    s = network.spec
    widest = max(c.width for c in COLUMNS.values())
    if pt >= MIN_POINTS_PER_UNIT and width <= widest + 1e-9:
        return None
    if pt >= MIN_POINTS_PER_UNIT:
        return (f"the drawing of L={s.L}, T={s.T} is {width:.2f} x {height:.2f} in, wider than any column preset "
                f"({widest:.2f} in); pass style=Style.preset('double') (or another preset) to fit a page, "
                "or draw fewer steps")
    return (f"the drawing of L={s.L}, T={s.T} at {width:.2f} x {height:.2f} in is unreadable: {pt:.1f} pt per "
            f"time step (inputs {0.5 * pt:.1f} pt wide, labels left out); draw fewer steps or a wider column "
            "(Style.preset('double'))" + (", or merged=True" if s.L > 1 and not network.merged else ""))


def warn_unreadable(network: RACNetwork, width: float, height: float, xu: float, yu: float) -> None:
    """Issue :func:`readability`'s message as a :class:`~tnrnn.drawing.style.DrawingWarning`."""
    message = readability(network, width, height, xu, yu)
    if message is not None:
        warnings.warn(message, DrawingWarning, stacklevel=4)
