"""What a network drawing shows besides nodes and edges: layer bands and labels, the
partition line, the legend of tensor kinds, the title and the bound annotation.

Everything is chosen to survive greyscale printing: layers are grey bands of different
lightness, side A is dark and side B light, the partition is a dashed line and cut
edges are thick and striped (see :func:`~tnrnn.drawing.marks.cut_line_styles`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..network.model import NodeKind, RACNetwork
from ..partition import Partition
from .layout import Layout
from .marks import (MARKERS, WRAP_DASH, band_label, cut_line_styles, label_chars, layer_label, layer_shade,
                    legend_entries, legend_rows)
from .scene import band_rects, partition_label_spot
from .style import Style

__all__ = ["draw_bands", "draw_partition_line", "legend_handles", "default_title", "legend_rows"]
# layer_shade, layer_label, label_chars, bound_text moved to .marks (shared with TikZ); still importable here.
_REEXPORTED = (layer_shade, layer_label, label_chars, legend_rows)


def draw_bands(ax, network: RACNetwork, lay: Layout, style: Style) -> None:
    """A grey band behind every chain (:func:`~tnrnn.drawing.scene.band_rects`) and the
    layer written at its left."""
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Rectangle

    rects, labels = band_rects(network, lay)
    patches = [Rectangle((a, c), b - a, d - c) for _, a, b, c, d in rects]
    colours = [layer_shade(int(l)) for l in rects[:, 0]]
    ax.add_collection(PatchCollection(patches, facecolors=colours, edgecolors="none", zorder=0))
    size = max(style.min_font_size, style.font_size * 0.85)
    for x, y, l, repeat in labels if style.layer_labels else ():
        ax.text(x, y, band_label(network.spec, int(l), bool(repeat)), fontsize=size, color=style.text,
                ha="right", va="center", zorder=6)


def draw_partition_line(ax, lay: Layout, partition: Partition, style: Style) -> bool:
    """Dashed vertical lines between A = {1..k} and B (``lay.lines``: one per staircase),
    with ``A | B`` under the lowest; True if drawn."""
    if not partition.is_prefix or not lay.lines.size:
        return False
    from matplotlib.collections import LineCollection

    segs = [[(x, y0), (x, y1)] for x, y0, y1 in lay.lines]
    ax.add_collection(LineCollection(segs, colors=style.text, linewidths=1.0, linestyles=[(0, (4, 2))],
                                     zorder=0.5))
    size = max(style.min_font_size, style.font_size)
    x, y = partition_label_spot(lay)
    for dx, text, ha in ((-0.12, "$A$", "right"), (0.12, "$B$", "left")):
        ax.text(x + dx, y, text, fontsize=size, color=style.text, ha=ha, va="top", zorder=6)
    return True


def legend_handles(network: RACNetwork, lay: Layout, glyphs: np.ndarray, style: Style, *,
                   sides: bool, cut: bool, line: bool, layers: int) -> list[tuple[Any, str]]:
    """Legend entries ``(handle, label)`` of :func:`~tnrnn.drawing.marks.legend_entries` as
    matplotlib handles (the cut edge is a tuple of two overlaid strokes)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    out = []
    for key, label in legend_entries(network, lay, glyphs, sides=sides, cut=cut, line=line, layers=layers):
        if key[0] == "node":
            marker, diam, _ = MARKERS[key[1]]
            fill = style.line if key[1] == NodeKind.DELTA and not sides else "#ffffff"
            handle = Line2D([], [], ls="none", marker=marker, ms=max(3.0, 14 * diam), mfc=fill,
                            mec=style.line, mew=0.6)
        elif key[0] == "side":
            handle = Patch(facecolor=style.side_a if key[1] == 1 else style.side_b, edgecolor=style.line, lw=0.5)
        elif key[0] == "cut":
            handle = tuple(Line2D([], [], **{k: v for k, v in s.items() if k != "solid_capstyle"})
                           for s in cut_line_styles(style))
        elif key[0] == "line":
            handle = Line2D([], [], color=style.text, lw=1.0, ls=(0, (4, 2)))
        elif key[0] == "wrap":
            handle = Line2D([], [], color=style.line, lw=style.edge_width, ls=(0, WRAP_DASH))
        else:
            handle = Patch(facecolor=layer_shade(key[1]), edgecolor="#b0b0b0", lw=0.4)
        out.append((handle, label))
    return out


def default_title(network: RACNetwork, lay: Layout, partition: Partition | None) -> str:
    """``L=2, T=6, M=2, R=2: full network, start-end partition A={1..3} B={4..6}``."""
    from .._html import spec_text

    s = network.spec
    view = " (merged view)" if lay.merged_view and not network.merged else ""
    text = f"{spec_text(s)}: {'merged' if network.merged else 'full'} network{view}"
    return text + (f"\n{partition} partition" if partition is not None else "")
