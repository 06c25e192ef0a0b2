"""Cells of the RAC family as objects: one module per kind, one registry.

>>> from tnrnn.cells import parse_cell
>>> cell = parse_cell("cp:2")
>>> cell == "cp:2", cell.K, cell.state_space_dim(5, False), cell.input_space_dim(5, 3)
(True, 2, 2, 2)

A new kind is one module defining a :class:`Cell` subclass and one
:func:`register_cell` line.
"""

from .base import MAX_BOND, Cell, Site, cell_kinds, parse_cell, register_cell, unregister_cell
from .mi import MI
from .full import Full
from .glru import GLRU
from .cp import CP
from .step import apply_cell, member_initial_states, member_step

__all__ = ["Cell", "Site", "MI", "CP", "Full", "GLRU", "MAX_BOND", "register_cell", "unregister_cell", "cell_kinds",
           "parse_cell", "apply_cell", "member_initial_states", "member_step"]
