"""Min-cut upper bounds on separation ranks, for any partition of the time steps.

scipy is imported lazily inside the functions: importing this package stays light.
"""

from .anynet import TensorCut, tensor_mincut_bound
from .bound import mincut_bound
from .result import CutBound
from .sweep import mincut_table

__all__ = ["mincut_bound", "CutBound", "mincut_table", "TensorCut", "tensor_mincut_bound"]
