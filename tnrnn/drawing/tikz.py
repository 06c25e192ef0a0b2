r"""Native TikZ export with the same layout, kinds, colours and cut as the matplotlib drawing.

``to_tikz`` returns the text, ``write_tikz`` writes it atomically. Two forms:

- ``standalone=True`` (default): a complete document, compiled with ``pdflatex`` (needs the
  ``standalone`` class and TikZ);
- ``standalone=False``: a bare ``tikzpicture`` to ``\input`` into a paper, which needs only
  ``\usepackage{tikz}`` and ``\usetikzlibrary{shapes.geometric}`` in its preamble.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from .._io import write_text_atomic
from ..errors import MemoryLimitError, TnrnnError
from ..network.model import NodeKind, RACNetwork
from ..partition import Partition
from ..spec import RACSpec
from .layout import Layout
from .marks import (MARKERS, WRAP_DASH, band_label, format_bound_tex, glyph_kinds, input_label_chars, label_size,
                    layer_label_chars, layer_shade, legend_entries, legend_rows, tick_every)
from .scene import (LINE_IN, band_rects, drawing_extent, figure_units, node_sides, partition_label_spot,
                    prepare, warn_unreadable)
from .style import Style

__all__ = ["to_tikz", "write_tikz", "MAX_TIKZ_NODES"]

#: Larger drawings are refused (TeX runs out of memory); draw them with write_figure.
MAX_TIKZ_NODES = 6000

_KIND_STYLE = {
    NodeKind.DELTA: "delta",
    NodeKind.W_H: "matrix",
    NodeKind.W_I: "matrix",
    NodeKind.W_O: "output",
    NodeKind.H0: "vector",
    NodeKind.INPUT: "input",
    NodeKind.CORE: "core",
    NodeKind.U: "umatrix",
}
_COLOURS = ("side_a", "side_b", "neutral", "line", "cut", "text")


def _fmt(v: float) -> str:
    return f"{v:.4f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))


def _font(size: float) -> str:
    """A LaTeX font switch to exactly ``size`` points (the same sizes as the matplotlib drawing)."""
    return rf"\fontsize{{{size:.2f}}}{{{1.2 * size:.2f}}}\selectfont"


def _preamble(style: Style, xu: float, yu: float, pt: float, standalone: bool = True,
              layers: int = 0) -> list[str]:
    colours = [rf"\definecolor{{{name.replace('_', '')}}}{{HTML}}{{{getattr(style, name)[1:].upper()}}}"
               for name in _COLOURS]
    colours += [rf"\definecolor{{layer{l}}}{{HTML}}{{{layer_shade(l)[1:].upper()}}}" for l in range(1, layers + 1)]
    mm = lambda kind: f"{MARKERS[kind][1] * pt * style.node_scale * 0.3528:.2f}mm"  # noqa: E731
    head = ([r"\documentclass[tikz,border=4pt]{standalone}", r"\usetikzlibrary{shapes.geometric}",
             *colours, r"\begin{document}"] if standalone else
            [r"% tnrnn drawing: \input{} this file; the preamble needs \usepackage{tikz} and",
             r"% \usetikzlibrary{shapes.geometric}", r"\begingroup%", *(c + "%" for c in colours)])
    fs = style.font_size
    return [
        *head,
        rf"\begin{{tikzpicture}}[x={xu:.4f}in, y={yu:.4f}in, every node/.style={{inner sep=0pt}},",
        rf"  delta/.style={{circle, draw=line, line width=0.3pt, minimum size={mm(NodeKind.DELTA)}}},",
        rf"  matrix/.style={{rectangle, draw=line, line width=0.4pt, minimum size={mm(NodeKind.W_H)}}},",
        rf"  output/.style={{rectangle, draw=line, line width=0.4pt, minimum size={mm(NodeKind.W_O)}}},",
        rf"  vector/.style={{diamond, draw=line, line width=0.4pt, minimum size={mm(NodeKind.H0)}}},",
        rf"  input/.style={{circle, draw=line, line width=0.4pt, minimum size={mm(NodeKind.INPUT)}}},",
        rf"  core/.style={{regular polygon, regular polygon sides=6, draw=line, line width=0.4pt, "
        rf"minimum size={mm(NodeKind.CORE)}}},",
        rf"  umatrix/.style={{regular polygon, regular polygon sides=3, shape border rotate=180, draw=line, "
        rf"line width=0.4pt, minimum size={mm(NodeKind.U)}}},",
        rf"  edge/.style={{draw=line, line width={style.edge_width:.2f}pt}},",
        rf"  wrap/.style={{draw=line, line width={style.edge_width:.2f}pt, "
        rf"dash pattern=on {WRAP_DASH[0]}pt off {WRAP_DASH[1]}pt}},",
        rf"  cut/.style={{draw=cut, line width={style.cut_width:.2f}pt, postaction={{draw=white, "
        rf"line width={style.cut_width * 0.4:.2f}pt, dash pattern=on 1.5pt off 1.5pt}}}},",
        rf"  note/.style={{text=text, font={_font(fs)}}},",
        rf"  lbl/.style={{text=text, font={_font(max(style.min_font_size, 0.7 * fs))}}},",
        r"  partition/.style={draw=text, line width=0.8pt, dash pattern=on 4pt off 2pt},",
        rf"  layerlbl/.style={{text=text, font={_font(max(style.min_font_size, 0.85 * fs))}}}]",
    ]


def _representatives(network: RACNetwork, lay: Layout) -> np.ndarray:
    """For every node, the visible node drawn at its position (itself when visible)."""
    rep = np.arange(network.n_nodes)
    hidden = np.flatnonzero(~lay.visible)
    if hidden.size:
        where = {tuple(p): i for i, p in zip(np.flatnonzero(lay.visible), lay.pos[lay.visible])}
        rep[hidden] = [where[tuple(p)] for p in lay.pos[hidden]]
    return rep


def _node_lines(network, lay, sides, style) -> list[str]:
    fills = ("neutral", "sidea", "sideb")
    out = []
    glyph = glyph_kinds(network, lay)
    for i in np.flatnonzero(lay.visible):
        kind = NodeKind(int(glyph[i]))
        fill = fills[sides[i]]
        if kind == NodeKind.DELTA and sides[i] == 0:
            fill = "line"
        x, y = lay.pos[i]
        out.append(rf"\node[{_KIND_STYLE[kind]}, fill={fill}] (n{i}) at ({_fmt(x)},{_fmt(y)}) {{}};")
    return out


def _edge_lines(network, lay, cut, rep) -> list[str]:
    cut_mask = np.zeros(network.n_edges, dtype=bool)
    if cut is not None:
        cut_mask[cut.edges] = True
    out = []
    for e in np.flatnonzero(lay.edge_visible):
        kind = "cut" if cut_mask[e] else "edge"
        u, v = rep[network.edge_u[e]], rep[network.edge_v[e]]
        bends = [f"({_fmt(x)},{_fmt(y)})" for x, y in lay.routes.get(int(e), ())]
        if bends:  # a wrapped chain: the first segment carries the cut, the rest is a connector
            out.append(rf"\draw[{kind}] (n{u}) -- {bends[0]};")
            out.append(rf"\draw[wrap] {' -- '.join(bends)} -- (n{v});")
        else:
            out.append(rf"\draw[{kind}] (n{u}) -- (n{v});")
    for e in np.flatnonzero(cut_mask & ~lay.edge_visible):  # inside a merged site: ring it
        out.append(rf"\draw[cut] (n{rep[network.edge_v[e]]}) circle[radius=0.3];")
    wo = network.output_node
    out.append(rf"\draw[edge] (n{wo}) -- ++(0.45,0);")
    return out


def _band_lines(network, lay, style) -> list[str]:
    """Layer bands (drawn first, under everything) and their labels."""
    if not style.layer_bands or network.spec.L < 2:
        return []
    rects, labels = band_rects(network, lay)
    out = [rf"\fill[layer{int(l)}] ({_fmt(a)},{_fmt(c)}) rectangle ({_fmt(b)},{_fmt(d)});"
           for l, a, b, c, d in rects]
    for x, y, l, repeat in labels if style.layer_labels else ():
        out.append(rf"\node[layerlbl, anchor=east] at ({_fmt(x)},{_fmt(y)}) "
                   rf"{{{band_label(network.spec, int(l), bool(repeat))}}};")
    return out


def _label_lines(network, lay, partition, style, xu) -> list[str]:
    """Input labels (left out when they would be smaller than ``style.min_font_size``), step
    numbers, bond dimensions and the partition line, sized as in the matplotlib drawing."""
    spec = network.spec
    out = []
    inputs = network.input_nodes[lay.visible[network.input_nodes]]
    size = label_size(style, 72 * xu, input_label_chars(network, inputs))
    if size is not None and style.show_labels(inputs.size):
        for i in inputs:
            t, c = int(network.node_step[i]), int(network.node_copy[i])
            sub = "" if spec.L == 1 else f"_{{{c}}}"
            out.append(rf"\node[text=text, font={_font(size)}, anchor=west] at ({_fmt(lay.pos[i, 0] + 0.28)},"
                       rf"{_fmt(lay.pos[i, 1])}) {{$x^{{{t}}}{sub}$}};")
    if style.bond_labels:  # the dimension of every visible bond, as in the matplotlib drawing
        for e in np.flatnonzero(lay.edge_visible)[:400]:
            (x0, y0), (x1, y1) = lay.pos[network.edge_u[e]], lay.pos[network.edge_v[e]]
            where = "anchor=south" if y0 == y1 else "anchor=west"
            out.append(rf"\node[lbl, {where}] at ({_fmt((x0 + x1) / 2)},{_fmt((y0 + y1) / 2)}) "
                       rf"{{{int(network.edge_dim[e])}}};")
    every, tsize = tick_every(lay, style, 72 * xu)
    for x, y, t in lay.ticks:
        if t == 1 or t % every == 0:
            out.append(rf"\node[text=text, font={_font(tsize)}, anchor=south] at ({_fmt(x)},{_fmt(y)}) {{{int(t)}}};")
    if lay.ticks.size:
        out.append(rf"\node[text=text, font={_font(tsize)}, anchor=south] at ({_fmt(lay.ticks[0, 0] - 1)},"
                   rf"{_fmt(lay.ticks[0, 1])}) {{$t$}};")
    if partition is not None and partition.is_prefix and lay.lines.size:
        for x, y0, y1 in lay.lines:
            out.append(rf"\draw[partition] ({_fmt(x)},{_fmt(y1)}) -- ({_fmt(x)},{_fmt(y0)});")
        x, y = partition_label_spot(lay)
        out.append(rf"\node[note, anchor=north east] at ({_fmt(x - 0.12)},{_fmt(y)}) {{$A$}};")
        out.append(rf"\node[note, anchor=north west] at ({_fmt(x + 0.12)},{_fmt(y)}) {{$B$}};")
    return out


def _legend_glyph(key: tuple, style: Style, sides: bool) -> str:
    """The TikZ options of a legend glyph (drawn at the entry's left)."""
    fs = style.font_size
    if key[0] == "node":
        diam = max(3.0, 14 * MARKERS[key[1]][1])
        fill = "line" if key[1] == NodeKind.DELTA and not sides else "white"
        return rf"node[{_KIND_STYLE[key[1]]}, fill={fill}, minimum size={0.9 * diam:.2f}pt] {{}}"
    if key[0] in ("side", "layer"):
        fill = ("sidea" if key[1] == 1 else "sideb") if key[0] == "side" else f"layer{key[1]}"
        return rf"node[rectangle, fill={fill}, draw=line, line width=0.4pt, minimum width={1.2 * fs:.2f}pt, " \
               rf"minimum height={0.6 * fs:.2f}pt] {{}}"
    return {"cut": "cut", "line": "partition", "wrap": "wrap"}[key[0]]


def _legend_lines(entries, style, x0: float, y0: float, xu: float, yu: float, width: float,
                  sides: bool) -> tuple[list[str], float]:
    """The legend as TikZ, in columns across ``width`` inches from (x0, y0) down; returns
    the lines and the legend's height in inches."""
    fs = style.font_size
    if not entries:
        return [], 0.0
    ncol, nrows = legend_rows([label for _, label in entries], width, fs)
    col, row = (width - 0.05) / ncol / xu, fs * LINE_IN * 1.15 / yu
    out = []
    for k, (key, label) in enumerate(entries):
        x, y = x0 + (k // nrows) * col, y0 - (k % nrows + 0.5) * row
        glyph = _legend_glyph(key, style, sides)
        half = 0.6 * fs / 72 / xu
        if glyph.startswith("node"):
            out.append(rf"\path ({_fmt(x + half)},{_fmt(y)}) {glyph};")
        else:
            out.append(rf"\draw[{glyph}] ({_fmt(x)},{_fmt(y)}) -- ({_fmt(x + 2 * half)},{_fmt(y)});")
        out.append(rf"\node[note, anchor=west] at ({_fmt(x + 2 * half + 0.4 * fs / 72 / xu)},{_fmt(y)}) {{{label}}};")
    return out, nrows * fs * LINE_IN * 1.15


def _title_text(network, lay, partition, title) -> str:
    spec = network.spec
    if title is True:
        form = "merged" if network.merged else "full"
        view = " (merged view)" if lay.merged_view and not network.merged else ""
        title = f"$L={spec.L}$, $T={spec.T}$, $M={spec.M}$, $R={spec.R}$: {form} network{view}"
        if partition is not None:
            title += f", {partition.name} partition"
    return (_escape(title) if "$" not in title else title) if title else ""


def _head_foot(network, lay, partition, cut, style, title, bound, entries, width) -> tuple[float, float]:
    """Inches above (title) and below (legend, bound note) the drawing, as in :func:`draw`."""
    fs = style.font_size
    nrows = legend_rows([label for _, label in entries], width, fs)[1] if entries else 0
    head = 1.1 * fs * LINE_IN + 0.05 if _title_text(network, lay, partition, title) else 0.02
    note = cut is not None and bound
    return head, nrows * fs * LINE_IN * 1.15 + (fs * LINE_IN if note else 0) + 0.06


def _notes(network, lay, partition, cut, style, title, bound, x0, ybottom, ytop) -> list[str]:
    """The title above the drawing and the bound note below the legend, in ``style.font_size``."""
    out = []
    text = _title_text(network, lay, partition, title)
    if text:
        out.append(rf"\node[text=text, font={_font(1.1 * style.font_size)}, anchor=south west] at "
                   rf"({_fmt(x0)},{_fmt(ytop)}) {{{text}}};")
    if cut is not None and bound:
        n = int(cut.edges.size)
        note = (rf"min cut: {n} cut edge{'s' if n != 1 else ''}, separation rank "
                rf"$\le {format_bound_tex(cut.bound, cut.log2, cut.factored)}$")
        out.append(rf"\node[note, anchor=north west] at ({_fmt(x0)},{_fmt(ybottom)}) {{{note}}};")
    return out


def _escape(text: str) -> str:
    for a, b in (("\\", r"\textbackslash{}"), ("&", r"\&"), ("%", r"\%"), ("#", r"\#"),
                 ("_", r"\_"), ("{", r"\{"), ("}", r"\}"), ("^", r"\^{}"), ("~", r"\~{}")):
        text = text.replace(a, b) if a != "\\" else text.replace(a, "\0")
    return text.replace("\0", r"\textbackslash{}")


def to_tikz(network: RACNetwork | RACSpec, partition: Partition | str | None = None, cut: Any = None,
            style: Style | None = None, *, merged: bool | None = None,
            title: str | bool | None = None, bound: bool = True, standalone: bool = True) -> str:
    """LaTeX drawing ``network`` with TikZ: a standalone document or a bare ``tikzpicture``.

    Same layout, node kinds, side colours, cut, layer bands, legend, bound note and type
    sizes as :func:`~tnrnn.drawing.draw` (the text in the document's own font); the
    arguments mean the same, and a spec is compiled first. Nodes are named ``n<index>`` after the network's node
    indices, so the picture can be extended by hand.

    Parameters
    ----------
    standalone : bool, default True
        True: a complete document (``\\documentclass[tikz]{standalone}`` ...
        ``\\end{document}``); False: only the picture (in a group, colours included) to
        ``\\input`` into a document that loads TikZ and ``shapes.geometric``.

    Returns
    -------
    str

    Raises
    ------
    MemoryLimitError
        If more than ``MAX_TIKZ_NODES`` nodes would be drawn (use :func:`write_figure`,
        or ``merged=True``).

    Examples
    --------
    >>> from tnrnn import RACSpec, compile_network
    >>> doc = to_tikz(compile_network(RACSpec(M=2, R=2, L=1, T=2)))
    >>> doc.splitlines()[0]
    '\\\\documentclass[tikz,border=4pt]{standalone}'
    """
    style, partition, cutv, lay, network = prepare(network, partition, cut, style, merged, "to_tikz")
    shown = int(lay.visible.sum())
    if shown > MAX_TIKZ_NODES:
        raise MemoryLimitError(f"TikZ export of {shown:,} nodes exceeds MAX_TIKZ_NODES="
                               f"{MAX_TIKZ_NODES:,} (TeX would run out of memory); use "
                               "write_figure(..., 'file.pdf') or a smaller network")
    chars = layer_label_chars(network)
    sides = node_sides(network, partition, cutv)
    line = partition is not None and partition.is_prefix
    layers = network.spec.L if style.layer_bands else 0
    entries = legend_entries(network, lay, glyph_kinds(network, lay), sides=bool(sides.any()),
                             cut=cutv is not None and cutv.edges.size > 0, line=line,
                             layers=layers) if style.legend else []
    w, *_ = figure_units(lay, style, chars)
    head, foot = _head_foot(network, lay, partition, cutv, style, title, bound, entries, w)
    w, h, xu, yu = figure_units(lay, style, chars, reserve=head + foot)
    warn_unreadable(network, w, h + head + foot, xu, yu)
    x0, x1, y0, y1 = drawing_extent(lay, style, xu, yu, chars)
    rep = _representatives(network, lay)
    legend, tall = _legend_lines(entries, style, x0, y0, xu, yu, w, bool(sides.any()))
    body = (_preamble(style, xu, yu, 72 * min(xu, yu), standalone, layers if network.spec.L > 1 else 0)
            + [rf"\path ({_fmt(x0)},{_fmt(y0)}) rectangle ({_fmt(x0 + (w - 0.01) / xu)},{_fmt(y1)});"]
            + _band_lines(network, lay, style)
            + _node_lines(network, lay, sides, style)
            + _edge_lines(network, lay, cutv, rep)
            + _label_lines(network, lay, partition, style, xu)
            + legend
            + _notes(network, lay, partition, cutv, style, title, bound, x0, y0 - tall / yu, y1)
            + [r"\end{tikzpicture}" + ("" if standalone else "%"), r"\end{document}" if standalone else r"\endgroup%",
               ""])
    return "\n".join(body)


def write_tikz(network: RACNetwork, path: str | os.PathLike, partition: Partition | None = None,
               cut: Any = None, style: Style | None = None, **kwargs) -> Path:
    """Write :func:`to_tikz` to ``path`` (atomically; conventionally ``.tex``)."""
    path = Path(path)
    if path.suffix.lower() not in (".tex", ".tikz"):
        raise TnrnnError(f"write_tikz writes .tex or .tikz files, got {path.name!r}; change the suffix "
                         "(or use write_figure for .pdf/.svg/.png)")
    return write_text_atomic(path, to_tikz(network, partition, cut, style, **kwargs))
