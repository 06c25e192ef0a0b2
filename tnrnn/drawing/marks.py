"""The marks every renderer draws the same way: node glyphs, cut-edge strokes, layer shades,
label and bound text (mathtext that is also LaTeX), legend wording.

Shared by the matplotlib renderer (:mod:`.render`, :mod:`.decorate`) and the TikZ writer
(:mod:`.tikz`) so both pictures agree; nothing here computes a position or imports
matplotlib.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from ..network.model import NodeKind, RACNetwork
from ..numbers import decimal_digits, format_int_latex
from .layout import Layout
from .style import Style

__all__ = ["MARKERS", "KIND_LABELS", "SHALLOW_LABELS", "MATHTEXT_LABELS", "cut_line_styles", "format_bound",
           "format_bound_tex", "bound_text", "input_label", "input_labels", "glyph_kinds", "layer_label",
           "layer_label_chars", "legend_entries", "legend_rows", "band_label", "label_chars", "layer_shade", "label_size", "input_label_chars", "tick_every",
           "WRAP_DASH"]

#: Dash pattern (points on, off) of the connector that wraps a long chain onto the next shelf.
WRAP_DASH = (1.0, 1.6)


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


_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


#: Up to this many input labels are written as mathtext ($x^{t}_{c}$); more use Unicode digits.
MATHTEXT_LABELS = 300


def cut_line_styles(style: Style) -> list[dict[str, Any]]:
    """The two strokes of a cut edge: thick in ``style.cut``, then a white dash on top.

    The stripes keep cut edges recognisable when printed in greyscale.
    """
    return [dict(color=style.cut, linewidth=style.cut_width, solid_capstyle="butt"),
            dict(color="#ffffff", linewidth=style.cut_width * 0.4, linestyle=(0, (1.5, 1.5)))]


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


def input_labels(network: RACNetwork, nodes: np.ndarray, math: bool | None = None) -> list[str]:
    """The labels of input ``nodes``: mathtext (``math=None``: for up to
    :data:`MATHTEXT_LABELS` of them), else Unicode digits."""
    steps, copies = network.node_step[nodes], network.node_copy[nodes]
    math_ = nodes.size <= MATHTEXT_LABELS if math is None else math
    if network.spec.L == 1:
        return [input_label(t, math=math_) for t in steps]
    return [input_label(t, c, math=math_) for t, c in zip(steps, copies)]


def glyph_kinds(network: RACNetwork, lay: Layout) -> np.ndarray:
    """The kind each node is drawn as: in merged view a DELTA stands for its whole site (CORE)."""
    glyph = network.node_kind.copy()
    if lay.merged_view:
        glyph[glyph == NodeKind.DELTA] = NodeKind.CORE
    return glyph


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


def layer_label_chars(network: RACNetwork) -> int:
    """Printed length of the longest layer label (see ``decorate.layer_label``)."""
    L = network.spec.L
    return max(label_chars(layer_label(network.spec, l)) for l in range(1, L + 1)) if L > 1 else 0


def bound_text(cut: Any) -> str:
    """``min cut: 4 cut edges, separation rank ≤ 16`` (singular for one edge, integer exponents)."""
    n = int(cut.edges.size)
    return (f"min cut: {n} cut edge{'s' if n != 1 else ''}, separation rank $\\leq$ "
            f"{format_bound(cut.bound, cut.log2, cut.factored)}")


def label_size(style: Style, pt_x: float, chars: float) -> float | None:
    """Font size (points) of input labels about ``chars`` characters wide, for ``pt_x``
    points per step; None = too dense to label.

    A label fits in the 0.65 step between its input and the next one. Labels never shrink
    below ``style.min_font_size``: they are left out instead.

    >>> label_size(Style(), 72.0, 3), label_size(Style(), 5.0, 3) is None
    (9.0, True)
    """
    size = min(style.font_size, 0.65 * pt_x / (0.6 * chars))
    return size if size >= style.min_font_size else None


def input_label_chars(network: RACNetwork, inputs: np.ndarray) -> float:
    """Printed width of the widest input label in characters (scripts count 0.7)."""
    T, L = network.spec.T, network.spec.L
    copies = int(network.node_copy[inputs].max()) if inputs.size else 0
    return 1 + 0.7 * (len(str(T)) + (len(str(copies)) if L > 1 else 0))


def tick_every(lay: Layout, style: Style, pt_x: float) -> tuple[int, float]:
    """``(every, size)``: label every ``every``-th step number (and step 1), in ``size``
    points, so that neighbouring numbers never touch."""
    T = int(lay.ticks[:, 2].max()) if lay.ticks.size else 1
    size = max(style.min_font_size, min(style.font_size, 0.45 * pt_x))
    width = 0.62 * size * len(str(T)) + 2  # points taken by the longest step number
    gaps = [b[0] - a[0] for a, b in zip(lay.ticks[:-1], lay.ticks[1:]) if a[1] == b[1] and b[0] > a[0]]
    return max(1, math.ceil(width / (pt_x * min(gaps, default=1.0)))), size


def band_label(spec, layer: int, repeat: bool = False) -> str:
    """The text left of a layer band: :func:`layer_label`, or just ``$l{=}2$`` where the
    layer was already named higher up."""
    return f"$l{{=}}{int(layer)}$" if repeat else layer_label(spec, layer)


def legend_entries(network: RACNetwork, lay: Layout, glyphs: np.ndarray, *, sides: bool, cut: bool,
                   line: bool, layers: int) -> list[tuple[tuple, str]]:
    """What a legend shows, for every renderer: ``(key, label)`` with key ``('node', kind)``,
    ``('side', 1 or 2)``, ``('cut',)``, ``('line',)``, ``('wrap',)`` or ``('layer', l)``.

    The kinds present, the sides, the cut edge, the partition line, the connector of a
    wrapped chain and the layers (``layers`` > 1)."""
    present = set(np.unique(glyphs[lay.visible]).tolist())
    spec = network.spec
    plain = getattr(spec, "plain", True)
    entries: list[tuple[tuple, str]] = []
    for kind, label in KIND_LABELS.items():
        if spec.L == 1:
            label = SHALLOW_LABELS.get(kind, label)
        if kind == NodeKind.CORE and not plain:
            own = dict.fromkeys(f"{c.legend[kind]} ({c.name} cell)" for c in spec.cells
                                if kind in c.legend and kind in c.site(False).kinds)  # the cells name their cores
            label = r"core: one site" if lay.merged_view else "core " + ", ".join(own or [r"$A^{l}$"])
        if kind == NodeKind.W_H and not plain and any(NodeKind.U in c.site(False).kinds for c in spec.cells):
            label += r" ($V^{l}$, $W^{l}$ in cp)"
        if int(kind) in present:
            entries.append((("node", kind), label))
    if sides:
        entries += [(("side", 1), "side $A$"), (("side", 2), "side $B$")]
    if cut:
        entries.append((("cut",), "cut edge"))
    if line:
        entries.append((("line",), "partition"))
    if lay.routes:
        entries.append((("wrap",), "chain continues"))
    if layers > 1:
        entries += [(("layer", l), f"layer {l}") for l in range(1, layers + 1)]
    return entries


def legend_rows(labels: list[str], width_in: float, font_size: float) -> tuple[int, int]:
    """(columns, rows) of a legend with these labels across ``width_in`` inches."""
    if not labels:
        return 1, 0
    chars = max(label_chars(text) for text in labels)
    col_in = (3.5 + 0.55 * chars) * font_size / 72  # handle, gaps and text
    ncol = max(1, min(len(labels), int(width_in / col_in)))
    return ncol, math.ceil(len(labels) / ncol)
