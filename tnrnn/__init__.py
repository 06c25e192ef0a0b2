"""tnrnn: tensor networks, min-cut bounds and exact separation ranks for Recurrent
Arithmetic Circuits (RACs), after Levine, Sharir, Ziv and Shashua, "On the Long-Term
Memory of Deep Recurrent Networks" (arXiv:1710.09431).

``import tnrnn`` loads numpy, opt_einsum and tnrnn itself: matplotlib, scipy, networkx,
tensornetwork, python-flint and torch are imported by the functions that need them.
"""

from ._version import __version__
from .errors import (
    BoundViolationError,
    InputError,
    MemoryLimitError,
    PartitionError,
    SpecError,
    TnrnnError,
    WeightsError,
)
from .formulas import (
    all_chains_cut,
    boundary_ideal_bound,
    conjectured_lower_bound,
    degree_bound,
    depth2_lower_bound,
    input_copies,
    multiset,
    network_size,
    paper_lower_bound,
    paper_lower_bound_status,
    shallow_start_end_rank,
    symmetric_copies_bound,
)
from .family_bounds import (
    member_degree_bound,
    member_ideal_bound,
    member_symmetric_bound,
    member_upper_bounds,
    shallow_member_bound,
)
from .cells import Cell, parse_cell, register_cell
from .modular import DEFAULT_PRIME
from .network import (
    NodeKind,
    RACNetwork,
    coefficient_tensor,
    compile_deep,
    compile_network,
    compile_shallow,
    contract,
    from_json,
    matricize,
    read_json,
    site_lattice,
    to_json,
    to_networkx,
    write_json,
)
from .mincut import CutBound, mincut_bound, mincut_table
from .drawing import (
    FigureResult, Layout, Style, chain_layout, draw, lattice_layout, network_layout, plot_bounds, to_tikz,
    write_figure, write_tikz,
)
from .partition import Partition
from .rank import RankResult, separation_rank
from .bounds import BoundRow, bounds_summary, bounds_table, check_bounds
from .rac import advance, forward, hidden_states, initial_states, readout
from .representation import gaussian, identity, one_hot
from .spec import RACSpec
from .weights import RACWeights, random_modular_weights, random_weights

__all__ = [
    "__version__",
    # errors
    "TnrnnError", "SpecError", "PartitionError", "WeightsError", "InputError",
    "MemoryLimitError", "BoundViolationError",
    # model
    "RACSpec", "RACWeights", "random_weights", "random_modular_weights", "DEFAULT_PRIME",
    "forward", "advance", "hidden_states", "initial_states", "readout",
    "one_hot", "identity", "gaussian",
    "Partition",
    # cells (one object per kind)
    "Cell", "parse_cell", "register_cell",
    # closed forms
    "multiset", "shallow_start_end_rank", "depth2_lower_bound", "conjectured_lower_bound",
    "paper_lower_bound", "paper_lower_bound_status", "input_copies", "all_chains_cut", "degree_bound",
    "symmetric_copies_bound", "boundary_ideal_bound", "network_size",
    # bounds for members of the RAC family
    "member_degree_bound", "member_symmetric_bound", "member_ideal_bound", "shallow_member_bound",
    "member_upper_bounds",
    # drawing
    "draw", "write_figure", "to_tikz", "write_tikz", "plot_bounds", "Style", "Layout", "FigureResult",
    "network_layout", "chain_layout", "lattice_layout",
    # networks
    "NodeKind", "RACNetwork", "compile_shallow", "compile_deep", "compile_network", "site_lattice",
    "contract", "coefficient_tensor", "matricize",
    "to_networkx", "to_json", "from_json", "write_json", "read_json",
    # min-cut bounds
    "mincut_bound", "CutBound", "mincut_table",
    # exact ranks and bounds side by side
    "separation_rank", "RankResult", "check_bounds", "bounds_table", "bounds_summary", "BoundRow",
]
