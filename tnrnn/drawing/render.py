"""Matplotlib rendering of RAC networks (matplotlib is imported inside the functions).

Renderers never compute positions: they take a :class:`~tnrnn.drawing.layout.Layout`.
Nodes are drawn with one ``scatter`` per kind and edges with one ``LineCollection``, so a
network of a million nodes renders in seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import TnrnnError
from ..numbers import decimal_digits, format_int, format_int_latex
from ..network.model import NodeKind, RACNetwork
from ..partition import Partition
from .figure import FIGURE_FORMATS, FigureResult, figure_bytes, write_figure
from .layout import Layout, network_layout
from .style import Style

__all__ = ["draw", "write_figure", "figure_bytes", "figure_units", "resolve_cut", "CutView",
           "node_sides", "glyph_kinds", "input_label", "format_bound", "format_bound_tex",
           "FIGURE_FORMATS", "FigureResult"]

#: (marker, diameter in layout units, filled with the side colour) per kind.
MARKERS = {
    NodeKind.DELTA: ("o", 0.22, True),
    NodeKind.W_H: ("s", 0.36, True),
    NodeKind.W_I: ("s", 0.36, True),
    NodeKind.W_O: ("s", 0.48, True),
    NodeKind.H0: ("D", 0.30, True),
    NodeKind.INPUT: ("o", 0.50, True),
    NodeKind.CORE: ("h", 0.46, True),
    NodeKind.U: ("v", 0.36, True),
}
LINE_IN = 1.45 / 72  # inches per line of text, per point of font size
NODES_RASTERIZED = 5000  # above this many nodes, vector output rasterizes the marks


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


def prepare(network: RACNetwork, partition: Partition | str | None, cut: Any, style: Style | None,
            merged: bool | None, caller: str) -> tuple[Style, Partition | None, CutView | None, Layout]:
    """Check the arguments shared by :func:`draw` and ``to_tikz`` and compute the layout.

    The partition (a Partition or a text such as ``'start-end'``, ``'split:3'``) defaults
    to the cut's; ``merged=None`` picks the merged view for merged networks and for
    networks above ``style.max_full_nodes``.
    """
    style = Style() if style is None else style
    if not isinstance(network, RACNetwork):
        raise TnrnnError(f"{caller} needs a RACNetwork (compile a spec first), got {type(network).__name__}")
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
    return style, partition, cutv, network_layout(network, merged=merged, split=split, aspect=aspect)


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


def format_bound(bound: int, log2: float | None = None, factored: str | None = None) -> str:
    """The bound as matplotlib mathtext: ``'$16$'``, or a product of integer powers
    (``'$3^{128}\\cdot 2$'``) or ``'$1.607\\times 10^{60}$'`` when it has more than 9 digits.

    >>> format_bound(16), format_bound(2**40, factored="2^40")
    ('$16$', '$2^{40}$')
    """
    return f"${format_bound_tex(bound, log2, factored)}$"


def format_bound_tex(bound: int, log2: float | None = None, factored: str | None = None) -> str:
    """The bound as LaTeX math (without dollars): ``'16'``, ``'2^{40}'`` or ``'1.607 \\times 10^{60}'``.

    Exponents are always integers (never ``2^{33.0}``).
    """
    if decimal_digits(bound) <= 9 or not factored:
        return format_int_latex(bound, max_digits=9)
    parts = []
    for term in factored.split("*"):
        base, _, exp = term.strip().partition("^")
        parts.append(base if exp in ("", "1") else f"{base}^{{{exp}}}")
    return r" \cdot ".join(parts)


def layer_label_chars(network: RACNetwork) -> int:
    """Printed length of the longest layer label (see ``decorate.layer_label``)."""
    from .decorate import label_chars, layer_label

    L = network.spec.L
    return max(label_chars(layer_label(network.spec, l)) for l in range(1, L + 1)) if L > 1 else 0


def content_box(lay: Layout) -> tuple[float, float, float, float]:
    """``(xmin, xmax, ymin, ymax)`` in layout units of everything drawn at layout positions:
    nodes, routes, bands, partition lines, step ticks, layer-label anchors, and one unit
    right of the last input for its label and the output stub."""
    xmin, xmax, ymin, ymax = lay.bbox()
    xs, ys = [xmin, xmax + 1.0, lay.band_labels[:, 0] if lay.band_labels.size else xmin], [ymin, ymax]
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


def figure_units(lay: Layout, style: Style, chars: int = 3) -> tuple[float, float, float, float]:
    """(width in, height in, inches per x unit, inches per y unit) of the drawing area.

    Units are ``style.x_unit`` / ``style.y_unit``; with ``style.width`` set (a column
    preset) the x unit is chosen so the figure is that wide, and y keeps the ratio. The
    height is then capped at ``style.max_size`` and at ``style.max_aspect`` times the width.
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
    yu = max(min(yu, (style.max_size - mb - mt) / dy, (style.max_aspect * width - mb - mt) / dy), 1e-3)
    return width, dy * yu + mb + mt, xu, yu


def drawing_extent(lay: Layout, style: Style, xu: float, yu: float,
                   chars: int = 3) -> tuple[float, float, float, float]:
    """The axes limits (layout units) that put :func:`margins` around the content."""
    xmin, xmax, ymin, ymax = content_box(lay)
    ml, mr, mb, mt = margins(lay, style, chars)
    return xmin - ml / xu, xmax + mr / xu, ymin - mb / yu, ymax + mt / yu


_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
#: Up to this many input labels are written as mathtext ($x^{t}_{c}$); more use Unicode digits.
MATHTEXT_LABELS = 300


def input_label(step: int, copy: int | None = None, math: bool = False) -> str:
    """``x`` with the step as superscript and the copy as subscript.

    Mathtext (``math=True``) for papers; plain Unicode keeps hundreds of labels fast.

    >>> input_label(12, 3), input_label(12, 3, math=True)
    ('x¹²₃', '$x^{12}_{3}$')
    """
    if math:
        return f"$x^{{{int(step)}}}" + ("$" if copy is None else f"_{{{int(copy)}}}$")
    text = "x" + str(int(step)).translate(_SUP)
    return text if copy is None else text + str(int(copy)).translate(_SUB)


def _input_labels(network: RACNetwork, nodes: np.ndarray) -> list[str]:
    steps, copies = network.node_step[nodes], network.node_copy[nodes]
    math_ = nodes.size <= MATHTEXT_LABELS
    if network.spec.L == 1:
        return [input_label(t, math=math_) for t in steps]
    return [input_label(t, c, math=math_) for t, c in zip(steps, copies)]


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


def cut_line_styles(style: Style) -> list[dict[str, Any]]:
    """The two strokes of a cut edge: thick in ``style.cut``, then a white dash on top.

    The stripes keep cut edges recognisable when printed in greyscale.
    """
    return [dict(color=style.cut, linewidth=style.cut_width, solid_capstyle="butt"),
            dict(color="#ffffff", linewidth=style.cut_width * 0.4, linestyle=(0, (1.5, 1.5)))]


def _draw_edges(ax, network, lay, cut, style, pt) -> None:
    from matplotlib.collections import LineCollection

    big = lay.visible.sum() > NODES_RASTERIZED
    on = lay.edge_visible.copy()
    cut_edges = np.zeros(network.n_edges, dtype=bool)
    if cut is not None:
        cut_edges[cut.edges] = True
    width = min(style.edge_width, max(0.1, 0.08 * pt))
    ax.add_collection(LineCollection(_paths(network, lay, on & ~cut_edges), colors=style.line,
                                     linewidths=width, zorder=1, rasterized=big))
    wo = network.output_node
    x, y = lay.pos[wo]
    ax.plot([x, x + 0.45], [y, y], color=style.line, lw=width, zorder=1)
    if style.bond_labels and not big:
        _bond_labels(ax, network, lay, on, style)
    if cut is None or not cut.edges.size:
        return
    shown = _paths(network, lay, cut_edges & on)
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
                family=style.font_family)


def label_size(style: Style, pt_x: float, chars: float) -> float | None:
    """Font size (points) of input labels about ``chars`` characters wide, for ``pt_x``
    points per step; None = too dense to label.

    A label fits in the 0.65 step between its input and the next one. Labels never shrink
    below ``style.min_font_size``: they are left out instead.
    """
    size = min(style.font_size, 0.65 * pt_x / (0.6 * chars))
    return size if size >= style.min_font_size else None


def _draw_labels(ax, network, lay, style, xu) -> None:
    inputs = network.input_nodes
    inputs = inputs[lay.visible[inputs]]
    pt_x = xu * 72
    T, L = network.spec.T, network.spec.L
    copies = int(network.node_copy[inputs].max()) if inputs.size else 0
    chars = 1 + 0.7 * (len(str(T)) + (len(str(copies)) if L > 1 else 0))
    size = label_size(style, pt_x, chars)
    if size is not None and style.show_labels(inputs.size):
        from matplotlib.patheffects import withStroke

        halo = [withStroke(linewidth=2, foreground="#ffffff")] if inputs.size <= MATHTEXT_LABELS else None
        for (x, y), text in zip(lay.pos[inputs], _input_labels(network, inputs)):
            ax.text(x + 0.28, y, text, fontsize=size, color=style.text, ha="left", va="center",
                    family=style.font_family, zorder=6, path_effects=halo)
    step_size = max(style.min_font_size, min(style.font_size, 0.45 * pt_x))
    width = 0.62 * step_size * len(str(T)) + 2  # points taken by the longest step number
    gaps = [b[0] - a[0] for a, b in zip(lay.ticks[:-1], lay.ticks[1:]) if a[1] == b[1] and b[0] > a[0]]
    every = max(1, math.ceil(width / (pt_x * min(gaps, default=1.0))))
    for x, y, t in lay.ticks:
        if t % every == 0 or t == 1:
            ax.text(x, y, str(int(t)), fontsize=step_size, color=style.text, ha="center",
                    va="bottom", family=style.font_family)
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


def draw(network: RACNetwork, partition: Partition | str | None = None, cut: Any = None, ax=None,
         style: Style | None = None, *, merged: bool | None = None, title: str | bool | None = None,
         bound: bool = True) -> FigureResult:
    """Draw a compiled network, optionally with a partition and its cut (paper style).

    Parameters
    ----------
    network : RACNetwork
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
        Colours, fonts, column width (:meth:`Style.preset`), legend, layer bands, bond
        dimensions.
    merged : bool, optional
        Merged view (W_H and W_I hidden in their DELTA). Default: automatic by size
        (``style.max_full_nodes``). Above ``style.max_marks`` visible nodes the drawing
        is a pixel overview.
    title : str or bool, optional
        None/False (default): no title, as for a paper figure; True: spec, form and
        partition; a string: that title.
    bound : bool, default True
        Write the cut's bound (``min cut: 4 cut edges, separation rank ≤ 16``) below.

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
    from .decorate import (bound_text, default_title, draw_bands, draw_partition_line,
                           legend_handles, legend_rows)

    style, partition, cutv, lay = prepare(network, partition, cut, style, merged, "draw")
    from matplotlib.figure import Figure

    chars = layer_label_chars(network)
    w, h, xu, yu = figure_units(lay, style, chars)
    extent = drawing_extent(lay, style, xu, yu, chars)
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
        H = round((h + head + foot) * style.dpi) / style.dpi  # whole pixels
        W = round(w * style.dpi) / style.dpi
        fig = Figure(figsize=(W, H), dpi=style.dpi)
        ax = fig.add_axes((0.0, foot / H, 1.0, h / H))
    else:
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
                 color=style.text, family=style.font_family)
    if entries:
        ax.legend([e[0] for e in entries], [e[1] for e in entries], loc="upper left",
                  bbox_to_anchor=(0.0, 0.0), ncol=ncol, frameon=False, fontsize=fs,
                  borderaxespad=0.2, handlelength=1.6, columnspacing=1.0, handletextpad=0.5)
    if note:
        fig.text(0.01, 0.02 / fig.get_figheight(), note, ha="left", va="bottom", fontsize=fs,
                 color=style.text, family=style.font_family)
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_axis_off()
    s = network.spec
    return FigureResult(fig, description=f"drawing of L={s.L}, T={s.T}, M={s.M}, R={s.R}"
                        + (f", {partition.name}" if partition is not None else ""))
