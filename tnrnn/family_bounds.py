"""Former home of the member bounds: thin aliases of :mod:`tnrnn.boundset`.

The bounds are declared once in the registry of :mod:`tnrnn.boundset` (their member forms
and proofs: :mod:`tnrnn.boundset.members`). These names keep older code working.
"""

from __future__ import annotations

from .boundset import (ideal_bound_refusal, input_space_dim, member_degree_bound, member_degree_bound_log2,
                       member_ideal_bound, member_symmetric_bound, shallow_member_bound, state_space_dim)
from .boundset import smallest_upper_bound as spec_smallest_upper_bound
from .boundset import smallest_upper_bound_log2 as spec_smallest_upper_bound_log2
from .boundset import upper_bounds as member_upper_bounds

__all__ = [
    "input_space_dim",
    "state_space_dim",
    "member_degree_bound",
    "member_symmetric_bound",
    "member_ideal_bound",
    "shallow_member_bound",
    "member_upper_bounds",
    "ideal_bound_refusal",
    "member_degree_bound_log2",
    "spec_smallest_upper_bound",
    "spec_smallest_upper_bound_log2",
]
