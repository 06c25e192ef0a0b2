"""Bounds side by side: the paper's lower bound, the exact rank, and every upper bound.

This package sits above :mod:`tnrnn.rank` and :mod:`tnrnn.mincut` (which never import
each other) and holds them against each other.
"""

from .rows import (
    UPPER_BOUNDS, BoundRow, bound_row, case_seed, check_bounds, check_row, formula_bounds, prove_rank,
    violations,
)
from .summary import bounds_summary
from .table import TABLE_COLUMNS, bounds_table, read_bounds_table

__all__ = [
    "BoundRow",
    "bound_row",
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
]
