"""Bridges to other tensor-network libraries (each imported lazily, inside its functions).

:mod:`.quimb_io` exports a compiled RAC to quimb and reads it back. It sits above the
network, min-cut and layout layers and only reads them; nothing below imports it.
"""

from .quimb_io import from_quimb, quimb_positions, to_quimb

__all__ = ["to_quimb", "from_quimb", "quimb_positions"]
