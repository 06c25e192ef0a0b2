"""The one style object shared by the matplotlib renderer, TikZ export and result plots."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..errors import TnrnnError

__all__ = ["Style", "COLUMN_WIDTHS"]


def _check_hex(name: str, value: str) -> None:
    ok = isinstance(value, str) and len(value) == 7 and value[0] == "#"
    try:
        int(value[1:], 16)
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise TnrnnError(f"Style.{name} must be a colour '#rrggbb', got {value!r}")


#: Figure widths (inches) of the column presets of :meth:`Style.preset`.
COLUMN_WIDTHS = {"single": 3.25, "double": 7.0}
_COLOURS = ("side_a", "side_b", "neutral", "line", "cut", "text")


def _positive(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise TnrnnError(f"Style.{name} must be a positive number, got {value!r}")


@dataclass(frozen=True)
class Style:
    """Colours, sizes and fonts for drawings (frozen; change with :meth:`replace`).

    Colours are ``'#rrggbb'`` strings so that TikZ export can use them too.

    Attributes
    ----------
    side_a, side_b : str
        Fill of nodes on side A / side B of a partition or cut (dark and light, so the
        sides stay apart in greyscale).
    neutral : str
        Fill of nodes that belong to no side (no cut given).
    line : str
        Edges and node outlines.
    cut : str
        Cut edges (drawn thick with white stripes, visible in greyscale).
    text : str
        Labels.
    font_family : str
        Matplotlib font family (TikZ uses the document font).
    font_size : float
        Text size in points (titles 1.1 times larger).
    min_font_size : float
        No text is smaller: labels that would need smaller type are left out (or thinned).
    x_unit, y_unit : float
        Inches per layout unit along x (one time step) and y.
    max_size : float
        Largest figure side in inches; bigger layouts are scaled down to fit.
    width : float or None
        Figure width in inches (None: natural size from ``x_unit``); see :meth:`preset`.
    max_aspect : float
        The drawing is at most this many times as tall as it is wide (deep lattices are
        compressed vertically).
    aspect : float
        Height / width that deep lattices (L >= 3) aim at when their top chain is wrapped
        into shelves (see :mod:`tnrnn.drawing.blocks`).
    node_scale : float
        Multiplies every marker size.
    edge_width, cut_width : float
        Line widths in points.
    dpi : int
        Screen resolution (notebook display, overview raster); files are written at
        300 dpi by :func:`~tnrnn.drawing.write_figure` unless told otherwise.
    legend : bool
        A legend of the tensor kinds, sides, cut and layers below the drawing.
    layer_bands : bool
        Shade each chain with the grey of its layer (deep networks).
    layer_labels : bool
        Write ``l=1``, ``l=2``, ... left of the chains.
    bond_labels : bool
        Write every bond's dimension on it (small networks).
    labels : bool or None
        Label inputs ``x^t`` (and copies); None = only when there are at most
        ``max_labels`` inputs.
    max_labels : int
        See ``labels``.
    max_full_nodes : int
        Full networks with more nodes are drawn in merged view by default.
    max_marks : int
        Layouts with more visible nodes are drawn as a pixel overview (one image instead
        of one mark per node), which keeps huge networks fast.
    """

    side_a: str = "#2166ac"
    side_b: str = "#f4a582"
    neutral: str = "#ffffff"
    line: str = "#404040"
    cut: str = "#b2182b"
    text: str = "#202020"
    font_family: str = "DejaVu Sans"
    font_size: float = 9.0
    min_font_size: float = 6.0
    x_unit: float = 0.55
    y_unit: float = 0.45
    max_size: float = 18.0
    width: float | None = None
    max_aspect: float = 2.5
    aspect: float = 0.9
    node_scale: float = 1.0
    edge_width: float = 0.8
    cut_width: float = 2.4
    dpi: int = 100
    legend: bool = True
    layer_bands: bool = True
    layer_labels: bool = True
    bond_labels: bool = False
    labels: bool | None = None
    max_labels: int = 600
    max_full_nodes: int = 4000
    max_marks: int = 100_000

    def __post_init__(self) -> None:
        for name in _COLOURS:
            _check_hex(name, getattr(self, name))
        if self.width is not None:
            _positive("width", self.width)
        for name in ("font_size", "min_font_size", "x_unit", "y_unit", "max_size", "max_aspect",
                     "aspect",
                     "node_scale", "edge_width", "cut_width"):
            _positive(name, getattr(self, name))
        for name in ("dpi", "max_labels", "max_full_nodes", "max_marks"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise TnrnnError(f"Style.{name} must be a positive integer, got {value!r}")

    @classmethod
    def preset(cls, column: str, **changes) -> "Style":
        """A style for one journal column: ``'single'`` (3.25 in) or ``'double'`` (7 in) wide.

        Fonts are 8 pt (never below 7 pt printed) whatever the network's size: labels that
        do not fit are left out rather than shrunk.

        >>> Style.preset("single").width, Style.preset("double").font_size
        (3.25, 8.0)
        """
        if column not in COLUMN_WIDTHS:
            raise TnrnnError(f"column preset must be one of {sorted(COLUMN_WIDTHS)}, got {column!r}")
        base = {"width": COLUMN_WIDTHS[column], "font_size": 8.0, "min_font_size": 7.0}
        return cls(**{**base, **changes})

    def _repr_html_(self) -> str:
        """Notebook display: every field, colours as swatches."""
        import html

        cells = []
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            swatch = (f"<span style='display:inline-block;width:1em;height:1em;background:{v};"
                      f"border:1px solid #888;vertical-align:middle'></span> " if f.name in _COLOURS else "")
            cells.append(f"<tr><th style='text-align:left;padding-right:1em'>{f.name}</th>"
                         f"<td style='text-align:left'>{swatch}{html.escape(repr(v))}</td></tr>")
        return f"<table class='tnrnn'><caption style='text-align:left'><b>Style</b></caption>{''.join(cells)}</table>"

    def replace(self, **changes) -> "Style":
        """A copy with some fields changed (validated again)."""
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise TnrnnError(f"Style has no fields {sorted(unknown)}; "
                             f"known: {[f.name for f in dataclasses.fields(self)]}")
        return dataclasses.replace(self, **changes)

    def show_labels(self, n_inputs: int) -> bool:
        """Whether to label inputs for a drawing with ``n_inputs`` visible inputs."""
        return bool(self.labels) if self.labels is not None else n_inputs <= self.max_labels
