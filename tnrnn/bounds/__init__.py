"""Bounds side by side: the paper's lower bound, the exact rank, and every upper bound.

This package sits above :mod:`tnrnn.rank` and :mod:`tnrnn.mincut` (which never import
each other) and holds them against each other. Which bounds there are comes from the
registry of :mod:`tnrnn.boundset` (this is where the min-cut's value is computed); every
row carries its whole spec (M, R per layer, L, T, cell, bias, dilations).
"""

from .rows import (
    BUDGET_MAX_NODES,
    UPPER_BOUNDS,
    BoundRow,
    bound_row,
    case_seed,
    check_bounds,
    check_row,
    formula_bounds,
    mincut_upper_bounds,
    SPEC_COLUMNS,
    member_text,
    prove_rank,
    row_member,
    spec_columns,
    violations,
)
from .summary import bounds_summary
from .table import TABLE_COLUMNS, bounds_table, read_bounds_table

__all__ = [
    "BoundRow",
    "bound_row",
    "mincut_upper_bounds",
    "BUDGET_MAX_NODES",
    "check_row",
    "check_bounds",
    "violations",
    "case_seed",
    "formula_bounds",
    "prove_rank",
    "UPPER_BOUNDS",
    "bounds_table",
    "bounds_summary",
    "read_bounds_table",
    "TABLE_COLUMNS",
    "SPEC_COLUMNS",
    "spec_columns",
    "row_member",
    "member_text",
]
