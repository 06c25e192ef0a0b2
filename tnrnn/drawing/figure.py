"""The figure object returned by :func:`~tnrnn.drawing.draw` and :func:`~tnrnn.drawing.plot_bounds`,
and the writers of figures to bytes and files (paper defaults: 300 dpi PNG, Type 42 fonts in PDF, text as text in SVG).

A :class:`FigureResult` wraps a matplotlib Figure made without pyplot. It shows itself in
a notebook (``_repr_png_`` or ``_repr_svg_``, exactly one of them), so a cell ending in
``tnrnn.draw(...)`` displays the picture with no ``%matplotlib`` magic, and exactly once
whether or not pyplot was imported (pyplot never sees the figure).
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

from .._io import write_bytes_atomic
from ..errors import TnrnnError

__all__ = ["FigureResult", "write_figure", "check_figure_path", "figure_bytes", "check_drawable", "FIGURE_FORMATS", "EXPORT_DPI",
           "EXPORT_RC", "MAX_DRAW_NODES"]

#: Suffixes accepted by :func:`write_figure`, mapped to matplotlib formats.
FIGURE_FORMATS = {".pdf": "pdf", ".svg": "svg", ".png": "png"}
#: Resolution of exported PNG files.
EXPORT_DPI = 300
#: Matplotlib settings of every export: TrueType (Type 42) fonts in PDF/PS, SVG text kept
#: as text (``<text>`` elements naming the font, so it stays selectable and editable), a
#: fixed SVG id salt (reproducible bytes). Applied with ``rc_context``, never globally.
EXPORT_RC = {"pdf.fonttype": 42, "ps.fonttype": 42, "svg.fonttype": "none", "svg.hashsalt": "tnrnn"}


class FigureResult:
    """A matplotlib Figure that displays itself in Jupyter.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
        The figure itself (not managed by pyplot: nothing to close).
    display_format : {'png', 'svg'}
        Which of ``_repr_png_`` / ``_repr_svg_`` answers (the other returns None, so a
        notebook stores one image).

    Any other attribute (``savefig``, ``axes``, ``get_size_inches``, ...) is the figure's.

    Examples
    --------
    >>> from tnrnn import RACSpec, compile_network, draw
    >>> fig = draw(compile_network(RACSpec(M=2, R=2, L=1, T=4)), "start-end")
    >>> fig._repr_png_()[:4], fig._repr_svg_() is None
    (b'\\x89PNG', True)
    """

    def __init__(self, figure: Any, display_format: str = "png", description: str = "") -> None:
        if display_format not in ("png", "svg"):
            raise TnrnnError(f"display_format must be 'png' or 'svg', got {display_format!r}")
        self.figure = figure
        self.display_format = display_format
        self.description = description

    def __getattr__(self, name: str) -> Any:
        if name == "figure":  # not set yet (unpickling): avoid recursing
            raise AttributeError(name)
        return getattr(self.figure, name)

    def _repr_png_(self) -> bytes | None:
        return figure_bytes(self.figure, "png") if self.display_format == "png" else None

    def _repr_svg_(self) -> str | None:
        return figure_bytes(self.figure, "svg").decode("utf-8") if self.display_format == "svg" else None

    def __repr__(self) -> str:
        w, h = self.figure.get_size_inches()
        what = f": {self.description}" if self.description else ""
        return f"<tnrnn figure {w:.2f} x {h:.2f} in{what}>"

    def save(self, path: str | os.PathLike, *, dpi: int = EXPORT_DPI) -> Path:
        """Write to ``path`` (``.pdf``, ``.svg`` or ``.png``); see :func:`write_figure`."""
        return write_figure(self, path, dpi=dpi)


def _unwrap(fig: Any) -> Any:
    return fig.figure if isinstance(fig, FigureResult) else fig


def figure_bytes(fig: Any, fmt: str, dpi: float | None = None) -> bytes:
    """The figure encoded as ``fmt`` (``'pdf'``, ``'svg'`` or ``'png'``).

    Reproducible: no creation dates, SVG element ids from a fixed salt, so the same figure
    gives the same bytes. PDF fonts are embedded as TrueType (Type 42), never Type 3.
    ``dpi`` defaults to the figure's own (screen) resolution.
    """
    import matplotlib

    fig = _unwrap(fig)
    buf = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {"CreationDate": None} if fmt == "pdf" else None
    with matplotlib.rc_context(EXPORT_RC):
        fig.savefig(buf, format=fmt, dpi=dpi or fig.dpi, metadata=metadata)
    return buf.getvalue()


def check_figure_path(path: str | os.PathLike, dpi: int) -> str:
    """The matplotlib format of ``path``, after checking its suffix and ``dpi`` (one line each)."""
    fmt = FIGURE_FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise TnrnnError(f"write_figure writes .pdf, .svg or .png, got {Path(path).name!r}; "
                         "change the suffix (or use write_tikz for .tex)")
    if isinstance(dpi, bool) or not isinstance(dpi, int) or not 10 <= dpi <= 2400:
        raise TnrnnError(f"dpi must be an integer in 10..2400, got {dpi!r}")
    return fmt


def write_figure(fig: Any, path: str | os.PathLike, *, dpi: int = EXPORT_DPI) -> Path:
    """Write a figure to ``path`` (``.pdf``, ``.svg`` or ``.png``, atomically).

    The public :func:`tnrnn.write_figure` (:func:`tnrnn.drawing.render.write_figure`) also
    draws a network first; this one takes a figure only, so the figure module never
    imports the renderer.
    """
    fmt = check_figure_path(path, dpi)
    figure = _unwrap(fig)
    if not hasattr(figure, "savefig"):
        raise TnrnnError(f"write_figure needs a figure (from draw or plot_bounds) or a RACNetwork, "
                         f"got {type(fig).__name__}")
    return write_bytes_atomic(Path(path), figure_bytes(figure, fmt, dpi=dpi))


#: Networks with more nodes than this are refused by ``tnrnn draw`` before compiling
#: (a drawing of them is a filled triangle, not a picture); see :func:`check_drawable`.
MAX_DRAW_NODES = 200_000


def check_drawable(spec: Any, merged: bool = False, max_nodes: int = MAX_DRAW_NODES) -> int:
    """Refuse, before compiling anything, a network too large to draw usefully.

    Uses the closed-form node count (:func:`tnrnn.formulas.network_size`), so it decides
    in microseconds whatever T is. Returns the node count.

    Raises
    ------
    MemoryLimitError
        Naming the size, the limit and the largest T of this depth that can be drawn.

    Examples
    --------
    >>> from tnrnn import RACSpec
    >>> check_drawable(RACSpec(M=2, R=2, L=2, T=6))
    110
    """
    from ..errors import MemoryLimitError
    from ..formulas import network_size
    from ..numbers import format_int

    nodes = network_size(spec.M, spec.R, spec.L, spec.T, merged=merged)[0]
    if nodes <= max_nodes:
        return nodes
    lo, hi = 1, spec.T  # largest T that fits: network_size grows with T
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if network_size(spec.M, spec.R, spec.L, mid, merged=merged)[0] <= max_nodes:
            lo = mid
        else:
            hi = mid - 1
    raise MemoryLimitError(
        f"the network of L={spec.L}, T={spec.T} has {format_int(nodes)} nodes, too many to draw "
        f"readably (limit {format_int(max_nodes)}); draw T <= {lo} at this depth, or raise "
        "--max-draw-nodes (max_nodes=) to get a dense overview")
