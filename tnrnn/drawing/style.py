"""The one style object shared by the matplotlib renderer, TikZ export and result plots."""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass

from ..errors import TnrnnError

__all__ = ["Style", "DrawingWarning", "COLUMNS", "COLUMN_WIDTHS", "Column", "FONTS", "Font"]


def _check_hex(name: str, value: str) -> None:
    ok = isinstance(value, str) and len(value) == 7 and value[0] == "#"
    try:
        int(value[1:], 16)
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise TnrnnError(f"Style.{name} must be a colour '#rrggbb', got {value!r}")


class DrawingWarning(UserWarning):
    """A drawing would be unreadable at its size (one line: what, how small, what to change)."""


#: Below this many points per layout unit a drawing is unreadable (copy dots under 1 pt,
#: inputs under 2 pt): :func:`~tnrnn.drawing.scene.readability` warns.
MIN_POINTS_PER_UNIT = 4.0


@functools.lru_cache(maxsize=1)
def _usetex_missing() -> str | None:
    """What ``Style(usetex=True)`` lacks on this machine (checked once), or None."""
    import shutil
    import subprocess

    if shutil.which("latex") is None or shutil.which("kpsewhich") is None:
        return "latex"
    found = subprocess.run(["kpsewhich", "type1ec.sty"], capture_output=True, text=True).stdout.strip()
    return None if found else "the cm-super fonts (type1ec.sty)"


def _check_usetex() -> None:
    missing = _usetex_missing()
    if missing is not None:
        raise TnrnnError(f"Style(usetex=True) needs {missing}, which is not installed (apt-get install "
                         "texlive-latex-base cm-super dvipng); or use Style(font='cm') for Computer Modern "
                         "without LaTeX")


@dataclass(frozen=True)
class Font:
    """A text font and the mathtext font set that matches it (both ship with matplotlib)."""

    family: str
    mathtext: str
    latex: str  #: the LaTeX document font it matches


#: The fonts of ``Style(font=...)``: one declaration per font, read by :meth:`Style.rc_params`.
FONTS = {
    "sans": Font("DejaVu Sans", "dejavusans", "a sans-serif document (matplotlib's default look)"),
    "serif": Font("DejaVu Serif", "dejavuserif", "a serif document"),
    "cm": Font("cmr10", "cm", "Computer Modern (LaTeX's default font)"),
    "times": Font("STIXGeneral", "stix", "Times (\\usepackage{newtxtext,newtxmath} or mathptmx)"),
}
#: Text families whose mathtext set is known when ``font_family`` is given directly.
_FAMILY_MATH = {"serif": "dejavuserif", "dejavu serif": "dejavuserif", "cmr10": "cm",
                "stixgeneral": "stix", "stix two text": "stix", "sans-serif": "dejavusans",
                "dejavu sans": "dejavusans"}

@dataclass(frozen=True)
class Column:
    """A LaTeX template's column: its width and text-block height in TeX points (72.27 per inch)."""

    width_pt: float
    height_pt: float
    template: str

    @property
    def width(self) -> float:
        """Width in inches (big points: what a PDF's page size is measured in), rounded down."""
        return math.floor(self.width_pt / 72.27 * 1e4) / 1e4

    @property
    def max_height(self) -> float:
        """Tallest figure (inches): the text block less 3 caption lines and the float gap."""
        return math.floor((self.height_pt - 48.0) / 72.27 * 1e4) / 1e4


#: The column presets of :meth:`Style.preset` (``\\the\\columnwidth``, ``\\the\\textheight`` of
#: each template; the article values were printed by pdflatex, the others are the classes' documented sizes).
COLUMNS = {
    "single": Column(229.5, 550.0, "\\documentclass[twocolumn]{article}, one column"),
    "double": Column(469.0, 550.0, "\\documentclass[twocolumn]{article}, full width (figure*)"),
    "ieee": Column(252.0, 686.0, "IEEEtran, one column (3.5 in)"),
    "acm": Column(241.14749, 682.0, "acmart sigconf, one column (3.33 in)"),
    "neurips": Column(397.48499, 650.43, "NeurIPS, full width (5.5 in)"),
    "icml": Column(487.8225, 650.43, "ICML, full width (6.75 in)"),
}
#: Figure widths (inches) of the column presets of :meth:`Style.preset`.
COLUMN_WIDTHS = {name: c.width for name, c in COLUMNS.items()}
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
    font : {'sans', 'serif', 'cm', 'times'}
        The document font to match (:data:`FONTS`): text family and mathtext set together,
        e.g. ``'cm'`` (Computer Modern text and maths) or ``'times'`` (STIX). TikZ always
        uses the document's own font.
    font_family : str or None
        Overrides the text family of ``font`` (any installed family; an unknown one is
        refused in one line when drawing). Its mathtext set follows it where known
        (``'serif'`` gets DejaVu Serif maths, ``'cmr10'`` Computer Modern).
    usetex : bool
        Typeset every label with LaTeX (needs ``latex`` and ``dvipng`` installed): the
        exact fonts of a LaTeX document, slower.
    font_size : float
        Text size in points (titles 1.1 times larger).
    min_font_size : float
        No text is smaller: labels that would need smaller type are left out (or thinned).
    x_unit, y_unit : float
        Inches per layout unit along x (one time step) and y.
    max_size : float
        Largest figure side in inches; bigger layouts are scaled down to fit.
    max_height : float or None
        Tallest figure in inches, legend and note included (a preset's text block less a
        caption); None: ``max_size``.
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
    font: str = "sans"
    font_family: str | None = None
    usetex: bool = False
    font_size: float = 9.0
    min_font_size: float = 6.0
    x_unit: float = 0.55
    y_unit: float = 0.45
    max_size: float = 18.0
    width: float | None = None
    max_height: float | None = None
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
        if self.font not in FONTS:
            raise TnrnnError(f"Style.font must be one of {sorted(FONTS)}, got {self.font!r} "
                             "(any installed family goes in font_family)")
        if self.font_family is not None and (not isinstance(self.font_family, str) or not self.font_family.strip()):
            raise TnrnnError(f"Style.font_family must be a font family name or None, got {self.font_family!r}")
        for name in _COLOURS:
            _check_hex(name, getattr(self, name))
        for name in ("width", "max_height"):
            if getattr(self, name) is not None:
                _positive(name, getattr(self, name))
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
        """A style for one column of a LaTeX template (:data:`COLUMNS`): its width, a height
        limit (the text block less a caption), 8 pt type never smaller than 7 pt.

        ``'single'`` is the column of ``\\documentclass[twocolumn]{article}`` (229.5 pt),
        ``'double'`` its full width (469 pt); ``'ieee'`` (3.5 in), ``'acm'`` (3.33 in),
        ``'neurips'`` (5.5 in) and ``'icml'`` (6.75 in) the others. Labels that do not fit
        are left out rather than shrunk below 7 pt.

        >>> Style.preset("single").width * 72.27 <= 229.5, Style.preset("double").font_size
        (True, 8.0)
        """
        if column not in COLUMNS:
            raise TnrnnError(f"column preset must be one of {sorted(COLUMNS)}, got {column!r}")
        base = {"width": COLUMNS[column].width, "max_height": COLUMNS[column].max_height, "font_size": 8.0,
                "min_font_size": 7.0}
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

    @property
    def text_family(self) -> str:
        """The text font family drawn: ``font_family`` if given, else the ``font``'s."""
        return self.font_family or FONTS[self.font].family

    @property
    def math_fontset(self) -> str:
        """The mathtext font set matching :attr:`text_family` (``'cm'``, ``'stix'``, ...)."""
        if self.font_family is None:
            return FONTS[self.font].mathtext
        return _FAMILY_MATH.get(self.font_family.lower(), FONTS[self.font].mathtext)

    def rc_params(self) -> dict:
        """Matplotlib settings for drawing with this style (used with ``rc_context``, never
        globally): text family, matching mathtext set, usetex.

        Raises
        ------
        TnrnnError
            In one line, for a family matplotlib cannot find (instead of ~25 ``findfont``
            warnings and a silent fallback).

        >>> Style(font="cm").rc_params()["mathtext.fontset"]
        'cm'
        """
        from matplotlib import font_manager

        family = self.text_family
        try:
            font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
        except ValueError:
            raise TnrnnError(f"font family {family!r} is not installed for matplotlib; use Style(font=...) "
                             f"with one of {sorted(FONTS)} (cm: Computer Modern, times: STIX), or install "
                             "the font") from None
        if self.usetex:
            _check_usetex()
        rc = {"font.family": family, "mathtext.fontset": self.math_fontset, "axes.unicode_minus": False,
              "axes.formatter.use_mathtext": True,
              "text.usetex": bool(self.usetex)}
        if self.usetex:
            rc["font.family"] = "serif" if self.font != "sans" else "sans-serif"
            rc["text.latex.preamble"] = r"\usepackage{amsmath}" + (
                r"\usepackage{mathptmx}" if self.font == "times" else "")
        return rc

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
