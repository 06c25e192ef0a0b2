"""Tensor-network graphs of RACs: the model, compilers, contraction and exports."""

from .compile import compile_deep, compile_network, compile_shallow
from .model import LEG_COUNT, NodeKind, RACNetwork

__all__ = ["NodeKind", "RACNetwork", "LEG_COUNT", "compile_shallow", "compile_deep", "compile_network"]
