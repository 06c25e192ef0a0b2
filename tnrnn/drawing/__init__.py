"""Drawing RAC networks and results: layouts (numbers), matplotlib rendering, TikZ, Jupyter.

Nothing here imports matplotlib at module level; :func:`draw`, :func:`write_figure` and
:func:`plot_bounds` import it when called. Inside IPython, importing this package
registers how networks and partitions display (:func:`~tnrnn.drawing.jupyter.register_formatters`).

Modules: :mod:`.layout`/:mod:`.blocks` compute positions; :mod:`.scene` turns a network,
partition and cut into what every renderer needs (sides, bands, page geometry);
:mod:`.marks` holds the shared glyphs, strokes and texts; :mod:`.render`/:mod:`.decorate`
draw with matplotlib and :mod:`.tikz` writes TikZ; :mod:`.figure` writes files.
"""

from .figure import FigureResult
from .jupyter import register_formatters
from .layout import Layout, chain_layout, lattice_layout, network_layout
from .plots import plot_bounds
from .render import draw, write_figure
from .style import COLUMNS, FONTS, DrawingWarning, Style
from .tikz import to_tikz, write_tikz

__all__ = ["Layout", "network_layout", "chain_layout", "lattice_layout", "Style", "draw",
           "write_figure", "to_tikz", "write_tikz", "plot_bounds", "FigureResult", "DrawingWarning", "COLUMNS",
           "FONTS"]

register_formatters()
