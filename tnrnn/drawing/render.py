"""Matplotlib rendering of RAC networks (matplotlib is imported inside the functions).

Renderers never compute positions: they take a :class:`~tnrnn.drawing.layout.Layout`.
Nodes are drawn with one ``scatter`` per kind and edges with one ``LineCollection``, so a
network of a million nodes renders in seconds.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import TnrnnError
from ..network.model import NodeKind, RACNetwork
from ..partition import Partition
from ..spec import RACSpec
from . import figure as _figure
from .decorate import (default_title, draw_bands, draw_partition_line, legend_handles, legend_rows)
from .figure import EXPORT_DPI, FIGURE_FORMATS, FigureResult, figure_bytes
from .layout import Layout
from .marks import (MARKERS, MATHTEXT_LABELS, WRAP_DASH, bound_text, cut_line_styles, format_bound,
                    format_bound_tex, glyph_kinds, input_label, input_label_chars, input_labels, label_size,
                    layer_label_chars, tick_every)
from .scene import (LINE_IN, CutView, drawing_extent, figure_units, node_sides, prepare, resolve_cut, warn_unreadable,
                    wrap_paths)
from .style import Style

__all__ = ["draw", "write_figure", "figure_bytes", "figure_units", "resolve_cut", "CutView",
           "node_sides", "glyph_kinds", "input_label", "format_bound", "format_bound_tex",
           "FIGURE_FORMATS", "FigureResult"]
# figure_units, resolve_cut, ... live in .scene and .marks (shared with the TikZ writer); the
# names stay importable from here for existing code.
_REEXPORTED = (CutView, MARKERS, MATHTEXT_LABELS, bound_text, cut_line_styles, format_bound, format_bound_tex,
               input_label, resolve_cut, LINE_IN)

NODES_RASTERIZED = 5000  # above this many nodes, vector output rasterizes the marks


def _draw_nodes(ax, network, lay, sides, style, pt) -> None:
    colours = np.array([style.neutral, style.side_a, style.side_b])
    big = lay.visible.sum() > NODES_RASTERIZED
    glyph = glyph_kinds(network, lay)
    for kind, (marker, diam, _) in MARKERS.items():
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
    width = min(style.edge_width, max(0.1, 0.08 * pt))
    routed = np.zeros(network.n_edges, dtype=bool)
    routed[np.fromiter(lay.routes, dtype=np.int64, count=len(lay.routes))] = True
    routed &= on
    ax.add_collection(LineCollection(_paths(network, lay, on & ~cut_edges & ~routed), colors=style.line,
                                     linewidths=width, zorder=1, rasterized=big))
    stubs, rests = wrap_paths(network, lay, np.flatnonzero(routed & ~cut_edges))
    cut_stubs, cut_rests = wrap_paths(network, lay, np.flatnonzero(routed & cut_edges))
    ax.add_collection(LineCollection(stubs, colors=style.line, linewidths=width, zorder=1))
    ax.add_collection(LineCollection(rests + cut_rests, colors=style.line, linewidths=width, zorder=1,
                                     linestyles=[(0, WRAP_DASH)]))  # a connector, not a cut
    wo = network.output_node
    x, y = lay.pos[wo]
    ax.plot([x, x + 0.45], [y, y], color=style.line, lw=width, zorder=1)
    if style.bond_labels and not big:
        _bond_labels(ax, network, lay, on, style)
    if cut is None or not cut.edges.size:
        return
    shown = _paths(network, lay, cut_edges & on & ~routed) + cut_stubs
    for k, stroke in enumerate(cut_line_styles(style)):
        ax.add_collection(LineCollection(shown, zorder=2 + 0.1 * k, **{
            {"color": "colors", "linewidth": "linewidths", "linestyle": "linestyles"}.get(a, a): v
            for a, v in stroke.items() if a != "solid_capstyle"}))
    hidden = cut.edges[~lay.edge_visible[cut.edges]]  # inside a merged site: ring the site
    if hidden.size:
        p = lay.pos[network.edge_v[hidden]]
        ax.scatter(p[:, 0], p[:, 1], s=(0.7 * pt) ** 2, marker="o", facecolors="none",
                   edgecolors=style.cut, linewidths=style.cut_width / 2, zorder=5)


def _paths(network: RACNetwork, lay: Layout, mask: np.ndarray):
    """Segments (n, 2, 2) of the straight edges in ``mask``, plus polylines of routed ones."""
    idx = np.flatnonzero(mask)
    routed = np.isin(idx, np.fromiter(lay.routes, dtype=np.int64, count=len(lay.routes)))
    straight = idx[~routed]
    segs = list(np.stack([lay.pos[network.edge_u[straight]], lay.pos[network.edge_v[straight]]], axis=1))
    return segs + lay.edge_paths(network.edge_u, network.edge_v, idx[routed])


def _bond_labels(ax, network, lay, on, style) -> None:
    """The dimension of every visible bond, at its middle (small networks only)."""
    e = np.flatnonzero(on)[:400]
    mid = (lay.pos[network.edge_u[e]] + lay.pos[network.edge_v[e]]) / 2
    horizontal = lay.pos[network.edge_u[e], 1] == lay.pos[network.edge_v[e], 1]
    size = max(style.min_font_size, style.font_size * 0.7)
    for (x, y), h, d in zip(mid, horizontal, network.edge_dim[e]):
        ax.text(x, y + (0.12 if h else 0), str(int(d)), fontsize=size, color=style.text,
                ha="center" if h else "left", va="bottom" if h else "center", zorder=6,
                family=style.text_family)


def _draw_labels(ax, network, lay, style, xu) -> None:
    inputs = network.input_nodes
    inputs = inputs[lay.visible[inputs]]
    pt_x = xu * 72
    size = label_size(style, pt_x, input_label_chars(network, inputs))
    if size is not None and style.show_labels(inputs.size):
        from matplotlib.patheffects import withStroke

        halo = [withStroke(linewidth=2, foreground="#ffffff")] if inputs.size <= MATHTEXT_LABELS else None
        for (x, y), text in zip(lay.pos[inputs], input_labels(network, inputs, math=True if style.usetex else None)):
            ax.text(x + 0.28, y, text, fontsize=size, color=style.text, ha="left", va="center",
                    family=style.text_family, zorder=6, path_effects=halo)
    every, step_size = tick_every(lay, style, pt_x)
    for x, y, t in lay.ticks:
        if t % every == 0 or t == 1:
            ax.text(x, y, str(int(t)), fontsize=step_size, color=style.text, ha="center",
                    va="bottom", family=style.text_family)
    if lay.ticks.size:
        x, y, _ = lay.ticks[0]
        ax.text(x - 1, y, "$t$", fontsize=step_size, color=style.text, ha="center", va="bottom")


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


def draw(network: RACNetwork | RACSpec, partition: Partition | str | None = None, cut: Any = None, ax=None,
         style: Style | None = None, *, merged: bool | None = None, title: str | bool | None = None,
         bound: bool = True) -> FigureResult:
    """Draw a compiled network, optionally with a partition and its cut (paper style).

    Parameters
    ----------
    network : RACNetwork or RACSpec
        A spec is compiled first (as ``mincut_bound(spec)`` does), after checking that it
        is small enough to draw.
    partition : Partition or str, optional
        A Partition or a text as for :meth:`Partition.parse` (``'start-end'``,
        ``'interleaved'``, ``'split:K'``, ``'A:1,2,5'``). Colours the inputs by side and,
        for A = {1..k}, draws a dashed partition line. Defaults to ``cut.partition``.
    cut : CutBound or sequence of int, optional
        Cut edges are drawn thick and striped; with a CutBound every node is coloured by
        its side.
    ax : matplotlib Axes, optional
        Draw into this axes (no title, legend or annotation); otherwise a new Figure
        (not managed by pyplot) is made.
    style : Style, optional
        Colours, fonts (``Style(font='cm')`` matches a LaTeX document), column width and
        height limit (:meth:`Style.preset`), legend, layer bands, bond dimensions.
    merged : bool, optional
        Merged view (W_H and W_I hidden in their DELTA). Default: automatic by size
        (``style.max_full_nodes``). Above ``style.max_marks`` visible nodes the drawing
        is a pixel overview.
    title : str or bool, optional
        None/False (default): no title, as for a paper figure; True: spec, form and
        partition; a string: that title.
    bound : bool, default True
        Write the cut's bound (``min cut: 4 cut edges, separation rank ≤ 16``) below.

    Warns
    -----
    DrawingWarning
        In one line, when the drawing would be unreadable at its size (marks under a few
        points) or wider than any column preset.

    Returns
    -------
    FigureResult
        Shows itself in a notebook; ``.figure`` is the matplotlib Figure. Save it with
        :func:`write_figure` or ``.save(path)``.

    Examples
    --------
    >>> from tnrnn import RACSpec, compile_network
    >>> fig = draw(compile_network(RACSpec(M=2, R=2, L=2, T=4)), "start-end")
    >>> type(fig.figure).__name__
    'Figure'
    """
    import matplotlib

    style = Style() if style is None else style
    rc = style.rc_params() if isinstance(style, Style) else {}  # a non-Style is refused by prepare
    with matplotlib.rc_context(rc):
        return _draw(network, partition, cut, ax, style, merged, title, bound)


def _draw(network, partition, cut, ax, style, merged, title, bound) -> FigureResult:
    """:func:`draw` inside the style's ``rc_context`` (fonts, mathtext set, usetex)."""
    style, partition, cutv, lay, network = prepare(network, partition, cut, style, merged, "draw")
    from matplotlib.figure import Figure

    chars = layer_label_chars(network)
    w, h, xu, yu = figure_units(lay, style, chars)
    overview = int(lay.visible.sum()) > style.max_marks
    sides = node_sides(network, partition, cutv)
    line = partition is not None and partition.is_prefix
    entries = []
    if ax is None and style.legend:
        entries = legend_handles(network, lay, glyph_kinds(network, lay), style,
                                 sides=bool(sides.any()), cut=cutv is not None and cutv.edges.size > 0,
                                 line=line, layers=network.spec.L if style.layer_bands and not overview else 0)
    title = default_title(network, lay, partition) if title is True else (title or "")
    note = bound_text(cutv) if bound and cutv is not None else ""
    fs = style.font_size
    if ax is None:
        ncol, nrows = legend_rows([e[1] for e in entries], w, fs)
        head = (title.count("\n") + 1) * 1.1 * fs * LINE_IN + 0.05 if title else 0.02
        foot = nrows * fs * LINE_IN * 1.15 + (fs * LINE_IN if note else 0) + 0.06
        w, h, xu, yu = figure_units(lay, style, chars, reserve=head + foot)
        extent = drawing_extent(lay, style, xu, yu, chars)
        H = math.floor((h + head + foot) * style.dpi) / style.dpi  # whole pixels, never above the limits
        W = math.floor(w * style.dpi) / style.dpi
        warn_unreadable(network, W, H, xu, yu)
        fig = Figure(figsize=(W, H), dpi=style.dpi)
        ax = fig.add_axes((0.0, foot / H, 1.0, h / H))
    else:
        extent = drawing_extent(lay, style, xu, yu, chars)
        fig, ncol = ax.figure, 1
        box = ax.get_window_extent()
        xu = box.width / fig.dpi / (extent[1] - extent[0])
        yu = box.height / fig.dpi / (extent[3] - extent[2])
    pt = 72 * min(xu, yu)
    if overview:
        _draw_overview(ax, network, lay, sides, cutv, style, extent)
    else:
        if style.layer_bands and network.spec.L > 1:
            draw_bands(ax, network, lay, style)
        _draw_edges(ax, network, lay, cutv, style, pt)
        _draw_nodes(ax, network, lay, sides, style, pt)
        _draw_labels(ax, network, lay, style, xu)
    if line:
        draw_partition_line(ax, lay, partition, style)
    if title:
        fig.text(0.01, 1 - 0.02 / fig.get_figheight(), title, ha="left", va="top", fontsize=fs * 1.1,
                 color=style.text, family=style.text_family)
    if entries:
        ax.legend([e[0] for e in entries], [e[1] for e in entries], loc="upper left",
                  bbox_to_anchor=(0.0, 0.0), ncol=ncol, frameon=False, fontsize=fs,
                  borderaxespad=0.2, handlelength=1.6, columnspacing=1.0, handletextpad=0.5)
    if note:
        fig.text(0.01, 0.02 / fig.get_figheight(), note, ha="left", va="bottom", fontsize=fs,
                 color=style.text, family=style.text_family)
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_axis_off()
    s = network.spec
    return FigureResult(fig, description=f"drawing of L={s.L}, T={s.T}, M={s.M}, R={s.R}"
                        + (f", {partition.name}" if partition is not None else ""))


def write_figure(fig_or_network: Any, path: str | os.PathLike, *, dpi: int = EXPORT_DPI,
                 **draw_kwargs: Any) -> Path:
    """Write a figure (or draw a network first) to ``path``; the suffix picks the format.

    Parameters
    ----------
    fig_or_network : FigureResult, matplotlib Figure, RACNetwork or RACSpec
        A network (or a spec, compiled first) is drawn with :func:`draw`.
    path : str or path-like
        Ending in ``.pdf``, ``.svg`` or ``.png``. Written atomically: an existing file is
        replaced only once the new one is complete.
    dpi : int, default 300
        Resolution of PNG files (and of rasterised marks inside PDF/SVG).
    **draw_kwargs
        Passed to :func:`draw` when a network is given (partition, cut, style, ...).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    TnrnnError
        For any other suffix (use :func:`~tnrnn.drawing.write_tikz` for ``.tex``).
    """
    if isinstance(fig_or_network, (RACNetwork, RACSpec)):
        _figure.check_figure_path(path, dpi)
        fig_or_network = draw(fig_or_network, **draw_kwargs)
    elif draw_kwargs:
        raise TnrnnError(f"drawing options {sorted(draw_kwargs)} only apply when a network is given")
    return _figure.write_figure(fig_or_network, path, dpi=dpi)
