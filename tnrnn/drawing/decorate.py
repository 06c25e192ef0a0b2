"""What a network drawing shows besides nodes and edges: layer bands and labels, the
partition line, the legend of tensor kinds, the title and the bound annotation.

Everything is chosen to survive greyscale printing: layers are grey bands of different
lightness, side A is dark and side B light, the partition is a dashed line and cut
edges are thick and striped (see :func:`~tnrnn.drawing.render.cut_line_styles`).
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from ..network.model import NodeKind, RACNetwork
from ..partition import Partition
from .layout import Layout
from .style import Style

__all__ = ["layer_rows", "layer_shade", "draw_bands", "draw_partition_line", "legend_handles",
           "default_title", "bound_text"]

#: Legend label per drawn kind (mathtext).
KIND_LABELS = {
    NodeKind.DELTA: r"copy $\delta$",
    NodeKind.W_H: r"$W^{H,l}$, $W^{I,l}$",
    NodeKind.H0: r"$h^{l}_{0}$",
    NodeKind.W_O: r"$W^{O}$",
    NodeKind.INPUT: r"input $x^{t}_{c}$",
    NodeKind.CORE: r"core $\delta W^{H,l} W^{I,l}$",
    NodeKind.U: r"$U^{l}$ (cp cell)",
}
#: The same for a shallow network (no layer index, no copies).
SHALLOW_LABELS = {NodeKind.W_H: r"$W^{H}$, $W^{I}$", NodeKind.H0: r"$h_{0}$",
                  NodeKind.INPUT: r"input $x^{t}$", NodeKind.CORE: r"core $\delta W^{H} W^{I}$"}


def layer_label(spec, layer: int) -> str:
    """Name of a layer: ``$l{=}2$``; for family members also its width (``+1`` with
    bias), cell and dilation, e.g. ``$l{=}2$: $R{=}3{+}1$, cp:2, $d{=}2$``.

    >>> from tnrnn import RACSpec
    >>> layer_label(RACSpec(M=2, R=2, L=2, T=4), 2)
    '$l{=}2$'
    >>> layer_label(RACSpec(M=2, R=(3, 2), L=2, T=4, cell="cp:2", dilations=(1, 2)), 2)
    '$l{=}2$: $R{=}2$, cp:2, $d{=}2$'
    """
    text = f"$l{{=}}{int(layer)}$"
    if getattr(spec, "plain", True):
        return text
    width = f"{spec.widths[layer - 1]}" + ("{+}1" if spec.bias else "")
    parts = [f"$R{{=}}{width}$"]
    if not spec.cells[layer - 1].plain_kernel:  # the paper's cell goes unnamed
        parts.append(spec.cells[layer - 1])
    if spec.dilations[layer - 1] != 1:
        parts.append(f"$d{{=}}{spec.dilations[layer - 1]}$")
    return text + ": " + ", ".join(parts)


def label_chars(text: str) -> int:
    """Printed characters of a mathtext label (for sizing margins and legends)."""
    return len(re.sub(r"[${}\\^_]|\\[a-z]+", "", text))


def layer_shade(layer: int) -> str:
    """Grey band colour of ``layer`` (1-based): lighter for lower layers, distinct in print.

    >>> layer_shade(1), layer_shade(3)
    ('#f2f2f2', '#d4d4d4')
    """
    level = max(0xF2 - 0x0F * (layer - 1), 0xA0)
    return "#" + f"{level:02x}" * 3


def layer_rows(network: RACNetwork, lay: Layout) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
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


def draw_bands(ax, network: RACNetwork, lay: Layout, style: Style) -> None:
    """A grey band behind every chain (layer-1 bands include their W^I and inputs), and
    the layer of the topmost chain of each layer written at its left."""
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Rectangle

    size = max(style.min_font_size, style.font_size * 0.85)
    if lay.bands is not None:  # block layout: one band per layer row, labels per shelf
        rects = [Rectangle((a, c), b - a, d - c) for _, a, b, c, d in lay.bands]
        colours = [layer_shade(int(l)) for l in lay.bands[:, 0]]
        ax.add_collection(PatchCollection(rects, facecolors=colours, edgecolors="none", zorder=0))
        for x, y, l in lay.band_labels if style.layer_labels else ():
            ax.text(x, y, layer_label(network.spec, int(l)), fontsize=size, color=style.text, ha="right",
                    va="center", zorder=6)
        return
    layer, y, x0, x1 = layer_rows(network, lay)
    drop = 1.0 if lay.merged_view else 2.0
    rise = 0.5 if bool(np.any(network.node_kind[lay.visible] == NodeKind.U)) else 0.0
    rects, colours = [], []
    for l, yy, a, b in zip(layer, y, x0, x1):
        low = yy - drop - 0.42 if l == 1 else yy - 0.42
        rects.append(Rectangle((a - 0.35, low), b - a + 0.7, yy + 0.42 + rise - low))
        colours.append(layer_shade(int(l)))
    ax.add_collection(PatchCollection(rects, facecolors=colours, edgecolors="none", zorder=0))
    if not style.layer_labels:
        return
    seen = set()
    for l, yy, a in zip(layer, y, x0):
        if l in seen and len(layer) > 12:
            continue
        text = f"$l{{=}}{int(l)}$" if l in seen else layer_label(network.spec, int(l))
        seen.add(l)
        ax.text(a - 0.45, yy, text, fontsize=size, color=style.text, ha="right",
                va="center", zorder=6)


def draw_partition_line(ax, lay: Layout, partition: Partition, style: Style) -> bool:
    """Dashed vertical lines between A = {1..k} and B (``lay.lines``: one per staircase),
    with ``A | B`` under the first; True if drawn."""
    if not partition.is_prefix or not lay.lines.size:
        return False
    from matplotlib.collections import LineCollection

    segs = [[(x, y0), (x, y1)] for x, y0, y1 in lay.lines]
    ax.add_collection(LineCollection(segs, colors=style.text, linewidths=1.0, linestyles=[(0, (4, 2))],
                                     zorder=0.5))
    size = max(style.min_font_size, style.font_size)
    x, _, y1 = lay.lines[0]
    for dx, text, ha in ((-0.12, "$A$", "right"), (0.12, "$B$", "left")):
        ax.text(x + dx, y1, text, fontsize=size, color=style.text, ha=ha, va="top", zorder=6)
    return True


def legend_handles(network: RACNetwork, lay: Layout, glyphs: np.ndarray, style: Style, *,
                   sides: bool, cut: bool, line: bool, layers: int) -> list[tuple[Any, str]]:
    """Legend entries ``(handle, label)``: the kinds present, the sides, the cut edge (a
    tuple of two overlaid strokes), the partition line, the layers."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from .render import MARKERS, cut_line_styles

    present = set(np.unique(glyphs[lay.visible]).tolist())
    handles = []
    spec = network.spec
    plain = getattr(spec, "plain", True)
    for kind, label in KIND_LABELS.items():
        if spec.L == 1:
            label = SHALLOW_LABELS.get(kind, label)
        if kind == NodeKind.CORE and not plain:
            own = dict.fromkeys(f"{c.legend[kind]} ({c.name} cell)" for c in spec.cells
                                if kind in c.legend and kind in c.site(False).kinds)
            label = r"core: one site" if lay.merged_view else "core " + ", ".join(own or [r"$A^{l}$"])
        if kind == NodeKind.W_H and not plain and any(NodeKind.U in c.site(False).kinds for c in spec.cells):
            label += r" ($V^{l}$, $W^{l}$ in cp)"
        if int(kind) not in present:
            continue
        marker, diam, _ = MARKERS[kind]
        fill = style.line if kind == NodeKind.DELTA and not sides else "#ffffff"
        handles.append(Line2D([], [], ls="none", marker=marker, ms=max(3.0, 14 * diam), mfc=fill,
                              mec=style.line, mew=0.6, label=label))
    if sides:
        handles += [Patch(facecolor=style.side_a, edgecolor=style.line, lw=0.5, label="side $A$"),
                    Patch(facecolor=style.side_b, edgecolor=style.line, lw=0.5, label="side $B$")]
    if cut:
        strokes = tuple(Line2D([], [], **{k: v for k, v in s.items() if k != "solid_capstyle"})
                        for s in cut_line_styles(style))
        handles.append(strokes)
        strokes[0].set_label("cut edge")
    if line:
        handles.append(Line2D([], [], color=style.text, lw=1.0, ls=(0, (4, 2)), label="partition"))
    if layers > 1:
        handles += [Patch(facecolor=layer_shade(l), edgecolor="#b0b0b0", lw=0.4, label=f"layer {l}")
                    for l in range(1, layers + 1)]
    return [(h, (h[0] if isinstance(h, tuple) else h).get_label()) for h in handles]


def default_title(network: RACNetwork, lay: Layout, partition: Partition | None) -> str:
    """``L=2, T=6, M=2, R=2: full network, start-end partition A={1..3} B={4..6}``."""
    from .._html import spec_text

    s = network.spec
    view = " (merged view)" if lay.merged_view and not network.merged else ""
    text = f"{spec_text(s)}: {'merged' if network.merged else 'full'} network{view}"
    return text + (f"\n{partition} partition" if partition is not None else "")


def bound_text(cut: Any) -> str:
    """``min cut: 4 cut edges, separation rank ≤ 16`` (singular for one edge, integer exponents)."""
    from .render import format_bound

    n = int(cut.edges.size)
    return (f"min cut: {n} cut edge{'s' if n != 1 else ''}, separation rank $\\leq$ "
            f"{format_bound(cut.bound, cut.log2, cut.factored)}")


def legend_rows(labels: list[str], width_in: float, font_size: float) -> tuple[int, int]:
    """(columns, rows) of a legend with these labels across ``width_in`` inches."""
    if not labels:
        return 1, 0
    chars = max(label_chars(text) for text in labels)
    col_in = (3.5 + 0.55 * chars) * font_size / 72  # handle, gaps and text
    ncol = max(1, min(len(labels), int(width_in / col_in)))
    return ncol, math.ceil(len(labels) / ncol)
