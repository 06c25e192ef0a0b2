"""One set of bounds on separation ranks, with a registry: each bound is one declaration.

:mod:`.registry` holds the :class:`Bound` declaration and the queries every consumer uses
(rows, tables, the probe budget of the rank layer, the atlas, plots, the CLI);
:mod:`.declarations` declares tnrnn's bounds (paper lower bound, min-cut, degree,
symmetric copies, boundary ideal, all-chains cut); :mod:`.members` holds the member forms
of the upper bounds with their proofs. This package sits below :mod:`tnrnn.rank` and
imports only the spec, the partition, :mod:`tnrnn.copies` and :mod:`tnrnn.formulas`.

Adding a bound is one :func:`register` call::

    register(Bound("mine", "my bound", "upper", applies, value, cap=True))
"""

from . import declarations  # noqa: F401  (declares the bounds)
from .members import (ideal_bound_refusal, input_space_dim, member_degree_bound, member_degree_bound_log2,
                      member_ideal_bound, member_symmetric_bound, shallow_member_bound, state_space_dim)
from .registry import (Bound, bound_names, bound_values, get_bound, not_applied, register, registered,
                       smallest_upper_bound, smallest_upper_bound_log2, unregister, upper_bounds)

__all__ = [
    "Bound", "register", "unregister", "registered", "get_bound", "bound_names", "bound_values",
    "not_applied", "upper_bounds", "smallest_upper_bound", "smallest_upper_bound_log2",
    "input_space_dim", "state_space_dim", "ideal_bound_refusal", "member_degree_bound",
    "member_degree_bound_log2", "member_symmetric_bound", "member_ideal_bound", "shallow_member_bound",
]
