"""The kinds of nodes of a RAC tensor network (see :mod:`tnrnn.network.model`).

Kept below every other module so that a cell (:mod:`tnrnn.cells`) can name the nodes of
its piece of the network without importing the network package.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

__all__ = ["NodeKind", "LEG_COUNT"]


class NodeKind(IntEnum):
    """Kinds of nodes in a RAC tensor network."""

    DELTA = 0
    W_H = 1
    W_I = 2
    W_O = 3
    H0 = 4
    INPUT = 5
    CORE = 6
    U = 7


#: Number of legs of each kind, indexed by the kind's value.
LEG_COUNT = np.array([3, 2, 2, 2, 1, 1, 3, 2], dtype=np.int64)
