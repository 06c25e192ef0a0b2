"""The one style object shared by the matplotlib renderer, TikZ export and result plots."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..errors import TnrnnError

__all__ = ["Style"]


def _check_hex(name: str, value: str) -> None:
    ok = isinstance(value, str) and len(value) == 7 and value[0] == "#"
    try:
        int(value[1:], 16)
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise TnrnnError(f"Style.{name} must be a colour '#rrggbb', got {value!r}")


@dataclass(frozen=True)
class Style:
    """Colours, sizes and fonts for drawings (frozen; change with :meth:`replace`).

    Colours are ``'#rrggbb'`` strings so that TikZ export can use them too.

    Attributes
    ----------
    side_a, side_b : str
        Fill of nodes on side A / side B of a partition or cut.
    neutral : str
        Fill of nodes that belong to no side (no cut given).
    line : str
        Edges and node outlines.
    cut : str
        Cut edges and the bound text.
    text : str
        Labels.
    font_family : str
        Matplotlib font family (TikZ uses the document font).
    font_size : float
        Label size in points; titles and the bound are 1.2 times larger.
    x_unit, y_unit : float
        Inches per layout unit along x (one time step) and y.
    max_size : float
        Largest figure side in inches; bigger layouts are scaled down to fit.
    node_scale : float
        Multiplies every marker size.
    edge_width, cut_width : float
        Line widths in points.
    dpi : int
        Resolution of PNG output.
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

    side_a: str = "#1f77b4"
    side_b: str = "#ff7f0e"
    neutral: str = "#f2f2f2"
    line: str = "#404040"
    cut: str = "#d62728"
    text: str = "#202020"
    font_family: str = "DejaVu Sans"
    font_size: float = 9.0
    x_unit: float = 0.55
    y_unit: float = 0.45
    max_size: float = 18.0
    node_scale: float = 1.0
    edge_width: float = 0.8
    cut_width: float = 2.4
    dpi: int = 100
    labels: bool | None = None
    max_labels: int = 600
    max_full_nodes: int = 4000
    max_marks: int = 100_000

    def __post_init__(self) -> None:
        for name in ("side_a", "side_b", "neutral", "line", "cut", "text"):
            _check_hex(name, getattr(self, name))
        for name in ("font_size", "x_unit", "y_unit", "max_size", "node_scale",
                     "edge_width", "cut_width"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise TnrnnError(f"Style.{name} must be a positive number, got {value!r}")
        for name in ("dpi", "max_labels", "max_full_nodes", "max_marks"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise TnrnnError(f"Style.{name} must be a positive integer, got {value!r}")

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
