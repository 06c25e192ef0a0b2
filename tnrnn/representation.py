"""Representation functions ``f: X -> R^M`` that turn raw inputs into vectors ``f(x^t)``.

Linear independence (what the theory needs)
-------------------------------------------
The separation rank of a shallow RAC equals the rank of its coefficient tensor's
matricization when the M functions ``f_1..f_M`` are linearly independent as functions on X.

- :func:`one_hot` on X = {0, .., M-1}: ``f_d(x) = [x == d]`` are independent (the M x M
  matrix ``f_d(x)`` is the identity).
- :func:`identity` on X = R^M: the coordinate functions are independent.
- :func:`gaussian` with M *distinct* centres in R^d: ``f_d(x) = exp(-|x - c_d|^2 / (2 s^2))``
  are independent for every width ``s > 0`` (the Gaussian kernel is strictly positive
  definite, so the M x M matrix ``f_d(c_e)`` is non-singular). Repeated centres make them
  dependent; :func:`gaussian` refuses them.
"""

from __future__ import annotations

import numpy as np

from .errors import InputError

__all__ = ["one_hot", "identity", "gaussian"]


def one_hot(symbols: np.ndarray, M: int) -> np.ndarray:
    """One-hot vectors: integer symbols of any shape in ``0..M-1`` -> shape ``(..., M)``.

    >>> one_hot([[0, 2]], 3).tolist()
    [[[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]]
    """
    s = np.asarray(symbols)
    if s.dtype.kind not in "iu":
        raise InputError(f"one_hot needs integer symbols, got dtype {s.dtype}")
    if s.size and (s.min() < 0 or s.max() >= M):
        raise InputError(f"symbols must be in 0..{M - 1} for M={M}, got range {s.min()}..{s.max()}")
    return np.eye(M, dtype=np.float64)[s]


def identity(x: np.ndarray) -> np.ndarray:
    """The identity representation on R^M: returns ``x`` as float64 (shape ``(..., M)``)."""
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim < 1:
        raise InputError(f"identity needs vectors of shape (..., M), got a scalar {x!r}")
    return arr


def gaussian(x: np.ndarray, centers: np.ndarray, width: float = 1.0) -> np.ndarray:
    """Gaussian radial features ``exp(-|x - c_d|^2 / (2 width^2))``, d = 1..M.

    Parameters
    ----------
    x : array (..., d)
        Raw inputs (d-dimensional points).
    centers : array (M, d)
        Distinct centres (distinct centres make the M functions linearly independent).
    width : float > 0
    """
    c = np.asarray(centers, dtype=np.float64)
    if c.ndim == 1:
        c = c[:, None]
    pts = np.asarray(x, dtype=np.float64)
    if pts.ndim == 0 or (c.shape[1] == 1 and pts.shape[-1:] != (1,)):
        pts = pts[..., None]
    if pts.shape[-1] != c.shape[1]:
        raise InputError(f"x has points of dimension {pts.shape[-1]}, centers of dimension {c.shape[1]}")
    if not width > 0:
        raise InputError(f"width must be positive, got {width!r}")
    if len(np.unique(c, axis=0)) != len(c):
        raise InputError("gaussian centers must be distinct (repeated centres give dependent functions)")
    d2 = ((pts[..., None, :] - c) ** 2).sum(-1)
    return np.exp(-d2 / (2.0 * width**2))
