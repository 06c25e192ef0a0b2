"""Drawing RAC networks and results: layouts (numbers), matplotlib rendering, TikZ, Jupyter.

Nothing here imports matplotlib at module level; :func:`draw`, :func:`write_figure` and
:func:`plot_bounds` import it when called.
"""

from .layout import Layout, chain_layout, lattice_layout, network_layout
from .style import Style

__all__ = ["Layout", "network_layout", "chain_layout", "lattice_layout", "Style"]
