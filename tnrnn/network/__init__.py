"""Tensor-network graphs of RACs: the model, compilers, contraction and exports.

Nothing here imports tensornetwork or networkx at import time: :mod:`.tn_adapter` and
:func:`to_networkx` load them inside the functions that need them.
"""

from .compile import compile_deep, compile_network, compile_shallow
from .lattice import site_lattice
from .members import spec_network_size
from .contract import DEFAULT_MEMORY_LIMIT, coefficient_tensor, contract, matricize
from .model import LEG_COUNT, NodeKind, RACNetwork
from .readwrite import from_json, read_json, to_json, to_networkx, write_json
from .tn_adapter import contract_tensornetwork, to_tensornetwork

__all__ = [
    "NodeKind", "RACNetwork", "LEG_COUNT",
    "compile_shallow", "compile_deep", "compile_network", "site_lattice", "spec_network_size",
    "contract", "coefficient_tensor", "matricize", "DEFAULT_MEMORY_LIMIT",
    "to_tensornetwork", "contract_tensornetwork",
    "to_networkx", "to_json", "from_json", "write_json", "read_json",
]
