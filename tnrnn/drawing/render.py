"""Matplotlib rendering of RAC networks (matplotlib is imported inside the functions).

Renderers never compute positions: they take a :class:`~tnrnn.drawing.layout.Layout`.
Nodes are drawn with one ``scatter`` per kind and edges with one ``LineCollection``, so a
network of a million nodes renders in seconds.
"""

from __future__ import annotations

import io
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._io import write_bytes_atomic
from ..errors import TnrnnError
from ..network.model import NodeKind, RACNetwork
from ..partition import Partition
from .layout import Layout, network_layout
from .style import Style

__all__ = ["draw", "write_figure", "figure_bytes", "figure_units", "resolve_cut", "CutView",
           "node_sides", "glyph_kinds", "input_label", "format_bound", "format_bound_tex", "FIGURE_FORMATS"]

#: Suffixes accepted by :func:`write_figure`, mapped to matplotlib formats.
FIGURE_FORMATS = {".pdf": "pdf", ".svg": "svg", ".png": "png"}

#: (marker, diameter in layout units, filled with the side colour) per kind.
MARKERS = {
    NodeKind.DELTA: ("o", 0.22, True),
    NodeKind.W_H: ("s", 0.36, True),
    NodeKind.W_I: ("s", 0.36, True),
    NodeKind.W_O: ("s", 0.48, True),
    NodeKind.H0: ("D", 0.30, True),
    NodeKind.INPUT: ("o", 0.50, True),
    NodeKind.CORE: ("h", 0.46, True),
}
HEADER_IN = 0.65  # inches above the axes for the title and the bound
FOOTER_IN = 0.3  # inches below the axes for the legend
NODES_RASTERIZED = 5000  # above this many nodes, vector output rasterizes the marks


@dataclass(frozen=True)
class CutView:
    """A cut as the renderers need it (edge indices, node sides, the bound)."""

    edges: np.ndarray
    side: np.ndarray | None
    bound: int
    log2: float
    partition: Partition | None


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
    return CutView(edges, side, bound, log2, partition if isinstance(partition, Partition) else None)


def prepare(network: RACNetwork, partition: Partition | None, cut: Any, style: Style | None,
            merged: bool | None, caller: str) -> tuple[Style, Partition | None, CutView | None, Layout]:
    """Check the arguments shared by :func:`draw` and ``to_tikz`` and compute the layout.

    The partition defaults to the cut's; ``merged=None`` picks the merged view for merged
    networks and for networks above ``style.max_full_nodes``.
    """
    style = Style() if style is None else style
    if not isinstance(network, RACNetwork):
        raise TnrnnError(f"{caller} needs a RACNetwork (compile a spec first), got {type(network).__name__}")
    cutv = resolve_cut(network, cut)
    if partition is None and cutv is not None:
        partition = cutv.partition
    if partition is not None:
        partition.check_T(network.spec.T)
    if merged is None:
        merged = network.merged or network.n_nodes > style.max_full_nodes
    return style, partition, cutv, network_layout(network, merged=merged)


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


def format_bound(bound: int, log2: float) -> str:
    """``'32'`` for small bounds, ``'$2^{123.4}$'`` (mathtext) for huge ones."""
    return f"{bound:,}" if bound < 10**9 else f"$2^{{{log2:.1f}}}$"


def format_bound_tex(bound: int, log2: float) -> str:
    """The bound as LaTeX math (without dollars): ``'32'`` or ``'2^{123.4}'``."""
    return f"{bound:,}".replace(",", "{,}") if bound < 10**9 else f"2^{{{log2:.1f}}}"


def figure_units(lay: Layout, style: Style) -> tuple[float, float, float, float]:
    """(width in, height in, inches per x unit, inches per y unit) of a new figure.

    Units are ``style.x_unit`` / ``style.y_unit``, shrunk so neither side of the
    figure exceeds ``style.max_size``.
    """
    xmin, xmax, ymin, ymax = lay.bbox()
    wu, hu = xmax - xmin + 1.6, ymax - ymin + 1.9
    xu = min(style.x_unit, style.max_size / wu)
    yu = min(style.y_unit, (style.max_size - HEADER_IN - FOOTER_IN) / hu)
    return max(wu * xu, 3.5), max(hu * yu, 1.0) + HEADER_IN + FOOTER_IN, xu, yu


_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def input_label(step: int, copy: int | None = None) -> str:
    """``x`` with the step as superscript and the copy as subscript, in Unicode digits.

    Plain Unicode (not mathtext) keeps hundreds of labels fast to render.

    >>> input_label(12, 3)
    'x¹²₃'
    """
    text = "x" + str(int(step)).translate(_SUP)
    return text if copy is None else text + str(int(copy)).translate(_SUB)


def _input_labels(network: RACNetwork, nodes: np.ndarray) -> list[str]:
    steps, copies = network.node_step[nodes], network.node_copy[nodes]
    if network.spec.L == 1:
        return [input_label(t) for t in steps]
    return [input_label(t, c) for t, c in zip(steps, copies)]


def glyph_kinds(network: RACNetwork, lay: Layout) -> np.ndarray:
    """The kind each node is drawn as: in merged view a DELTA stands for its whole site (CORE)."""
    glyph = network.node_kind.copy()
    if lay.merged_view:
        glyph[glyph == NodeKind.DELTA] = NodeKind.CORE
    return glyph


def _draw_nodes(ax, network, lay, sides, style, pt) -> None:
    colours = np.array([style.neutral, style.side_a, style.side_b])
    big = lay.visible.sum() > NODES_RASTERIZED
    glyph = glyph_kinds(network, lay)
    for kind, (marker, diam, filled) in MARKERS.items():
        idx = np.flatnonzero((glyph == kind) & lay.visible)
        if idx.size == 0:
            continue
        fill = colours[sides[idx]]
        if kind == NodeKind.DELTA:  # copy tensors are small dark dots unless on a side
            fill = np.where(sides[idx] == 0, style.line, fill)
        size = max(diam * pt * style.node_scale, 0.8) ** 2
        lw = 0.0 if big else min(0.6, 0.04 * pt)
        ax.scatter(lay.pos[idx, 0], lay.pos[idx, 1], s=size, marker=marker, c=fill,
                   edgecolors=style.line, linewidths=lw, zorder=3 if kind != NodeKind.DELTA else 4,
                   rasterized=big)


def _draw_edges(ax, network, lay, cut, style, pt) -> None:
    from matplotlib.collections import LineCollection

    big = lay.visible.sum() > NODES_RASTERIZED
    on = lay.edge_visible.copy()
    cut_edges = np.zeros(network.n_edges, dtype=bool)
    if cut is not None:
        cut_edges[cut.edges] = True
    segs = np.stack([lay.pos[network.edge_u], lay.pos[network.edge_v]], axis=1)
    width = min(style.edge_width, max(0.1, 0.08 * pt))
    ax.add_collection(LineCollection(segs[on & ~cut_edges], colors=style.line, linewidths=width,
                                     zorder=1, rasterized=big))
    wo = network.output_node
    x, y = lay.pos[wo]
    ax.plot([x, x + 0.45], [y, y], color=style.line, lw=width, zorder=1)
    if cut is None or not cut.edges.size:
        return
    shown = cut_edges & on
    ax.add_collection(LineCollection(segs[shown], colors=style.cut, linewidths=style.cut_width,
                                     zorder=2))
    hidden = cut.edges[~lay.edge_visible[cut.edges]]  # inside a merged site: ring the site
    if hidden.size:
        p = lay.pos[network.edge_v[hidden]]
        ax.scatter(p[:, 0], p[:, 1], s=(0.7 * pt) ** 2, marker="o", facecolors="none",
                   edgecolors=style.cut, linewidths=style.cut_width / 2, zorder=5)


def _draw_labels(ax, network, lay, style, xu) -> None:
    inputs = network.input_nodes
    inputs = inputs[lay.visible[inputs]]
    pt_x = xu * 72
    size = min(style.font_size, max(3.0, 0.3 * pt_x))
    if style.show_labels(inputs.size):
        for (x, y), text in zip(lay.pos[inputs], _input_labels(network, inputs)):
            ax.text(x + 0.28, y, text, fontsize=size, color=style.text, ha="left", va="center",
                    family=style.font_family, zorder=6)
    T = network.spec.T
    every = max(1, math.ceil(T * size / (0.9 * pt_x * max(T, 1))), math.ceil(T / 40))
    top = float(lay.pos[lay.visible, 1].max())
    for t in range(1, T + 1):
        if t % every == 0 or t == 1:
            ax.text(t, top + 0.55, str(t), fontsize=size, color=style.text, ha="center",
                    va="bottom", family=style.font_family)


def _header(ax, network, lay, partition, cut, style, title) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    spec = network.spec
    if title is None:
        view = " (merged view)" if lay.merged_view and not network.merged else ""
        form = "merged" if network.merged else "full"
        title = f"L={spec.L}, T={spec.T}, M={spec.M}, R={spec.R}\n{form} network{view}"
        if partition is not None:
            title += f", {partition.name} partition"
    lines = [title]
    if cut is not None:
        lines.append(f"cut of {cut.edges.size} edges: rank $\\leq$ {format_bound(cut.bound, cut.log2)}")
    ax.text(0.0, 1.0, "\n".join(lines), transform=ax.transAxes, ha="left", va="bottom",
            fontsize=style.font_size * 1.1, color=style.text, family=style.font_family)
    handles = []
    if partition is not None or (cut is not None and cut.side is not None):
        handles += [Patch(facecolor=style.side_a, edgecolor=style.line, label="side A"),
                    Patch(facecolor=style.side_b, edgecolor=style.line, label="side B")]
    if cut is not None:
        handles.append(Line2D([], [], color=style.cut, lw=style.cut_width, label="cut edge"))
    if handles:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, 0.0), ncol=len(handles),
                  frameon=False, fontsize=style.font_size, borderaxespad=0.1)


def _draw_overview(ax, network, lay, sides, cut, style, extent) -> None:
    """One image for the whole network, plus the cut edges as lines."""
    from matplotlib.collections import LineCollection

    from .raster import overview_image

    box = ax.get_window_extent()
    shape = (max(int(box.height * style.dpi / ax.figure.dpi), 16),
             max(int(box.width * style.dpi / ax.figure.dpi), 16))
    colours = {k: getattr(style, k) for k in ("line", "neutral", "side_a", "side_b")}
    img = overview_image(network, lay, sides, shape, extent, colours)
    ax.imshow(img, extent=extent, aspect="auto", interpolation="nearest", zorder=1)
    if cut is not None and cut.edges.size:
        segs = np.stack([lay.pos[network.edge_u[cut.edges]], lay.pos[network.edge_v[cut.edges]]], 1)
        ax.add_collection(LineCollection(segs, colors=style.cut, linewidths=style.cut_width, zorder=2))


def draw(network: RACNetwork, partition: Partition | None = None, cut: Any = None, ax=None,
         style: Style | None = None, *, merged: bool | None = None, title: str | None = None):
    """Draw a compiled network, optionally with a partition and a cut.

    Parameters
    ----------
    network : RACNetwork
    partition : Partition, optional
        Colours the inputs by side. Defaults to ``cut.partition`` when a cut is given.
    cut : CutBound or sequence of int, optional
        Cut edges are drawn thick in ``style.cut``, the bound is written above the
        drawing; with a CutBound, every node is coloured by its side.
    ax : matplotlib Axes, optional
        Draw into this axes; otherwise a new Figure (not managed by pyplot) is made.
    style : Style, optional
    merged : bool, optional
        Merged view (W_H and W_I hidden in their DELTA). Default: automatic by size
        (``style.max_full_nodes``). Above ``style.max_marks`` visible nodes the drawing
        is a pixel overview.
    title : str, optional
        Replaces the default title (spec, form and partition).

    Returns
    -------
    matplotlib.figure.Figure
        Never shown: display it, save it with :func:`write_figure`, or close it.

    Examples
    --------
    >>> from tnrnn import RACSpec, Partition, compile_network
    >>> fig = draw(compile_network(RACSpec(M=2, R=2, L=2, T=4)), Partition.start_end(4))
    >>> type(fig).__name__
    'Figure'
    """
    style, partition, cutv, lay = prepare(network, partition, cut, style, merged, "draw")
    from matplotlib.figure import Figure

    xmin, xmax, ymin, ymax = lay.bbox()
    extent = (xmin - 0.6, xmax + 1.0, ymin - 0.6, ymax + 1.3)
    w, h, xu, yu = figure_units(lay, style)
    if ax is None:
        w, h = round(w * style.dpi) / style.dpi, round(h * style.dpi) / style.dpi  # whole pixels
        fig = Figure(figsize=(w, h), dpi=style.dpi)
        ax = fig.add_axes((0.01, FOOTER_IN / h, 0.98, 1 - (HEADER_IN + FOOTER_IN) / h))
    else:
        fig = ax.figure
        box = ax.get_window_extent()
        xu = box.width / fig.dpi / (extent[1] - extent[0])
        yu = box.height / fig.dpi / (extent[3] - extent[2])
    pt = 72 * min(xu, yu)
    sides = node_sides(network, partition, cutv)
    if int(lay.visible.sum()) > style.max_marks:
        _draw_overview(ax, network, lay, sides, cutv, style, extent)
    else:
        _draw_edges(ax, network, lay, cutv, style, pt)
        _draw_nodes(ax, network, lay, sides, style, pt)
        _draw_labels(ax, network, lay, style, xu)
    _header(ax, network, lay, partition, cutv, style, title)
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_axis_off()
    return fig


def write_figure(fig_or_network, path: str | os.PathLike, **draw_kwargs) -> Path:
    """Write a Figure (or draw a network first) to ``path``; the suffix picks the format.

    Parameters
    ----------
    fig_or_network : matplotlib Figure or RACNetwork
    path : str or path-like
        Ending in ``.pdf``, ``.svg`` or ``.png``. Written atomically: an existing file is
        replaced only once the new one is complete.
    **draw_kwargs
        Passed to :func:`draw` when a network is given (partition, cut, style, ...).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    TnrnnError
        For any other suffix (use :func:`write_tikz` for ``.tex``).
    """
    path = Path(path)
    fmt = FIGURE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise TnrnnError(f"write_figure writes .pdf, .svg or .png, got {path.name!r}; "
                         "change the suffix (or use write_tikz for .tex)")
    if isinstance(fig_or_network, RACNetwork):
        fig = draw(fig_or_network, **draw_kwargs)
    elif draw_kwargs:
        raise TnrnnError(f"drawing options {sorted(draw_kwargs)} only apply when a network is given")
    else:
        fig = fig_or_network
    if not hasattr(fig, "savefig"):
        raise TnrnnError(f"write_figure needs a matplotlib Figure or a RACNetwork, got "
                         f"{type(fig_or_network).__name__}")
    return write_bytes_atomic(path, figure_bytes(fig, fmt))


def figure_bytes(fig, fmt: str, dpi: float | None = None) -> bytes:
    """The figure encoded as ``fmt`` (``'pdf'``, ``'svg'`` or ``'png'``).

    Reproducible: no creation dates, and SVG element ids from a fixed salt, so the same
    figure gives the same bytes (regenerated figures do not churn in version control).
    """
    import matplotlib

    buf = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {"CreationDate": None} if fmt == "pdf" else None
    with matplotlib.rc_context({"svg.hashsalt": "tnrnn"}):
        fig.savefig(buf, format=fmt, dpi=dpi or fig.dpi, metadata=metadata)
    return buf.getvalue()
