"""Exact separation ranks of RAC outputs.

- :func:`separation_rank` (probes over F_p, the paper's grid tensor, or float SVD) returns
  a :class:`RankResult` saying what its number certifies.
- :func:`rank_mod_p`: the rank of an integer matrix over F_p (python-flint, or numpy).
- :func:`evaluate_pairs`: the probe matrix ``Y[i, j] = y(a_i, b_j)``.

This package never imports :mod:`tnrnn.mincut` (and vice versa); :mod:`tnrnn.bounds`
holds the two against each other.
"""

from .api import separation_rank
from .evaluate import evaluate_pairs
from .fieldrank import numpy_rank_mod_p, rank_mod_p
from .floatpath import svd_rank
from .grid import grid_matrix, templates_needed
from .probes import output_degree, probe_cap, proven_upper_bounds, schwartz_zippel_bound
from .result import RankResult, proven_by

__all__ = [
    "separation_rank",
    "RankResult",
    "proven_by",
    "proven_upper_bounds",
    "evaluate_pairs",
    "rank_mod_p",
    "numpy_rank_mod_p",
    "svd_rank",
    "grid_matrix",
    "templates_needed",
    "output_degree",
    "probe_cap",
    "schwartz_zippel_bound",
]
