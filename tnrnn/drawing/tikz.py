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
from .layout import Layout
from .marks import MARKERS, format_bound_tex, glyph_kinds, layer_label, layer_label_chars
from .scene import content_box, figure_units, node_sides, prepare
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
    for limit, name in ((5.5, r"\tiny"), (7.5, r"\scriptsize"), (8.5, r"\footnotesize"), (9.5, r"\small")):
        if size < limit:
            return name
    return r"\normalsize"


def _preamble(style: Style, xu: float, yu: float, pt: float, standalone: bool = True) -> list[str]:
    colours = [rf"\definecolor{{{name.replace('_', '')}}}{{HTML}}{{{getattr(style, name)[1:].upper()}}}"
               for name in _COLOURS]
    mm = lambda kind: f"{MARKERS[kind][1] * pt * style.node_scale * 0.3528:.2f}mm"  # noqa: E731
    head = ([r"\documentclass[tikz,border=4pt]{standalone}", r"\usetikzlibrary{shapes.geometric}",
             *colours, r"\begin{document}"] if standalone else
            [r"% tnrnn drawing: \input{} this file; the preamble needs \usepackage{tikz} and",
             r"% \usetikzlibrary{shapes.geometric}", r"\begingroup", *colours])
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
        rf"  cut/.style={{draw=cut, line width={style.cut_width:.2f}pt, postaction={{draw=white, "
        rf"line width={style.cut_width * 0.4:.2f}pt, dash pattern=on 1.5pt off 1.5pt}}}},",
        rf"  lbl/.style={{text=text, font={_font(min(style.font_size, max(3.0, 0.3 * xu * 72)))}}}]",
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
        bends = "".join(f"({_fmt(x)},{_fmt(y)}) -- " for x, y in lay.routes.get(int(e), ()))
        out.append(rf"\draw[{kind}] (n{rep[network.edge_u[e]]}) -- {bends}(n{rep[network.edge_v[e]]});")
    for e in np.flatnonzero(cut_mask & ~lay.edge_visible):  # inside a merged site: ring it
        out.append(rf"\draw[cut] (n{rep[network.edge_v[e]]}) circle[radius=0.3];")
    wo = network.output_node
    out.append(rf"\draw[edge] (n{wo}) -- ++(0.45,0);")
    return out


def _text_lines(network, lay, partition, cut, style, title, bound=True) -> list[str]:
    spec = network.spec
    xmin, xmax, ymin, ymax = content_box(lay)
    out = []
    inputs = network.input_nodes[lay.visible[network.input_nodes]]
    if style.show_labels(inputs.size):
        for i in inputs:
            t, c = int(network.node_step[i]), int(network.node_copy[i])
            sub = "" if spec.L == 1 else f"_{{{c}}}"
            out.append(rf"\node[lbl, anchor=west] at ({_fmt(lay.pos[i, 0] + 0.28)},{_fmt(lay.pos[i, 1])}) "
                       rf"{{$x^{{{t}}}{sub}$}};")
    if style.bond_labels:  # the dimension of every visible bond, as in the matplotlib drawing
        for e in np.flatnonzero(lay.edge_visible)[:400]:
            (x0, y0), (x1, y1) = lay.pos[network.edge_u[e]], lay.pos[network.edge_v[e]]
            where = "anchor=south" if y0 == y1 else "anchor=west"
            out.append(rf"\node[lbl, {where}] at ({_fmt((x0 + x1) / 2)},{_fmt((y0 + y1) / 2)}) "
                       rf"{{{int(network.edge_dim[e])}}};")
    every = max(1, -(-spec.T // 40))
    for x, y, t in lay.ticks:
        if t == 1 or t % every == 0:
            out.append(rf"\node[lbl, anchor=south] at ({_fmt(x)},{_fmt(y)}) {{{int(t)}}};")
    for x, y, layer in lay.band_labels if style.layer_labels else ():
        out.append(rf"\node[lbl, anchor=east] at ({_fmt(x)},{_fmt(y)}) {{{layer_label(spec, int(layer))}}};")
    if title is True:
        form = "merged" if network.merged else "full"
        view = " (merged view)" if lay.merged_view and not network.merged else ""
        title = f"$L={spec.L}$, $T={spec.T}$, $M={spec.M}$, $R={spec.R}$: {form} network{view}"
        if partition is not None:
            title += f", {partition.name} partition"
    lines = [_escape(title) if "$" not in title else title] if title else []
    if cut is not None and bound:
        n = int(cut.edges.size)
        lines.append(rf"min cut: {n} cut edge{'s' if n != 1 else ''}, separation rank "
                     rf"$\le {format_bound_tex(cut.bound, cut.log2, cut.factored)}$")
    if lines:
        header = r" \\ ".join(lines)
        out.append(rf"\node[anchor=south west, align=left, text=text] at ({_fmt(xmin - 0.5)},"
                   rf"{_fmt(ymax + 0.8)}) {{{header}}};")
    if partition is not None and partition.is_prefix and lay.lines.size:
        for x, y0, y1 in lay.lines:
            out.append(rf"\draw[draw=text, densely dashed] ({_fmt(x)},{_fmt(y1)}) -- ({_fmt(x)},{_fmt(y0)});")
        x, y1 = _fmt(lay.lines[0, 0]), _fmt(lay.lines[0, 2])
        out.append(rf"\node[lbl, anchor=north east] at ({x},{y1}) {{$A$\,}};")
        out.append(rf"\node[lbl, anchor=north west] at ({x},{y1}) {{\,$B$}};")
    if partition is not None or cut is not None:
        items = []
        if partition is not None or (cut is not None and cut.side is not None):
            items += [r"\tikz\fill[sidea] (0,0) rectangle (0.3,0.2);~side $A$",
                      r"\tikz\fill[sideb] (0,0) rectangle (0.3,0.2);~side $B$"]
        if cut is not None:
            items.append(r"\tikz\draw[cut] (0,0.1) -- (0.3,0.1);~cut edge")
        legend = r" \quad ".join(items)
        out.append(rf"\node[anchor=north west, text=text] at ({_fmt(xmin - 0.5)},{_fmt(ymin - 1.0)}) "
                   rf"{{{legend}}};")
    return out


def _escape(text: str) -> str:
    for a, b in (("\\", r"\textbackslash{}"), ("&", r"\&"), ("%", r"\%"), ("#", r"\#"),
                 ("_", r"\_"), ("{", r"\{"), ("}", r"\}"), ("^", r"\^{}"), ("~", r"\~{}")):
        text = text.replace(a, b) if a != "\\" else text.replace(a, "\0")
    return text.replace("\0", r"\textbackslash{}")


def to_tikz(network: RACNetwork, partition: Partition | str | None = None, cut: Any = None,
            style: Style | None = None, *, merged: bool | None = None,
            title: str | bool | None = None, bound: bool = True, standalone: bool = True) -> str:
    """LaTeX drawing ``network`` with TikZ: a standalone document or a bare ``tikzpicture``.

    Same layout, node kinds, side colours and cut as :func:`~tnrnn.drawing.draw`; the
    arguments mean the same. Nodes are named ``n<index>`` after the network's node
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
    _, _, xu, yu = figure_units(lay, style, layer_label_chars(network))
    sides = node_sides(network, partition, cutv)
    rep = _representatives(network, lay)
    body = (_preamble(style, xu, yu, 72 * min(xu, yu), standalone)
            + _node_lines(network, lay, sides, style)
            + _edge_lines(network, lay, cutv, rep)
            + _text_lines(network, lay, partition, cutv, style, title, bound)
            + [r"\end{tikzpicture}", r"\end{document}" if standalone else r"\endgroup", ""])
    return "\n".join(body)


def write_tikz(network: RACNetwork, path: str | os.PathLike, partition: Partition | None = None,
               cut: Any = None, style: Style | None = None, **kwargs) -> Path:
    """Write :func:`to_tikz` to ``path`` (atomically; conventionally ``.tex``)."""
    path = Path(path)
    if path.suffix.lower() not in (".tex", ".tikz"):
        raise TnrnnError(f"write_tikz writes .tex or .tikz files, got {path.name!r}; change the suffix "
                         "(or use write_figure for .pdf/.svg/.png)")
    return write_text_atomic(path, to_tikz(network, partition, cut, style, **kwargs))
