"""Bridges to other tensor-network libraries (each imported lazily, inside its functions).

:mod:`.quimb_io` exports a compiled RAC to quimb and reads it back; :mod:`.tensor_rank`
gives the exact rank over F_p of a matricization of any quimb network with integer
entries (a lower bound to hold against :func:`tnrnn.mincut_bound`). This package sits
above the network, min-cut, rank and layout layers and only reads them; nothing below
imports it.
"""

from .quimb_io import from_quimb, quimb_positions, to_quimb
from .tensor_rank import matricization_rank

__all__ = ["to_quimb", "from_quimb", "quimb_positions", "matricization_rank"]
