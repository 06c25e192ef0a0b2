"""The gated linear recurrence: ``h = (A below) * prev + B below``.

The polynomial core of a selective state-space model: a diagonal decay ``A z_t`` that
depends on the input and an additive input ``B z_t`` (docs/results/modern-layers.md).

The additive term is not bilinear in (previous state, input); with the constant coordinate
(``h~ = (h, 1)``, ``z~ = (z, 1)``) it is:

    h~[c] = sum_{a, b} G[c, a, b] h~_prev[a] z~[b],
    G[c, c, b] = A[c, b],  G[c, R, b] = B[c, b]  (c < R, b < R_below),  G[R, R, R_below] = 1.

So a glru layer lives on the spec's augmented spaces: a spec with a glru layer always has
``bias=True`` (:attr:`Cell.needs_constant`), which gives every state and the input their
constant coordinate; the glru itself has no bias parameters (``mi`` layers of the same
stack do get theirs). Its network site is one CORE node holding G.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from ..errors import SpecError
from ..nodekind import NodeKind
from ._arith import add, linear, mul
from .base import CoreCell, register_cell

__all__ = ["GLRU", "glru_core"]


def glru_core(A: np.ndarray, B: np.ndarray, p: int | None = None) -> np.ndarray:
    """The CORE tensor ``C[a, b, c]`` (previous, below, out) on augmented spaces:
    shape (R + 1, R_below + 1, R + 1).

    >>> glru_core(np.array([[2.0]]), np.array([[3.0]]))[:, :, 0].tolist()
    [[2.0, 0.0], [3.0, 0.0]]
    """
    R, Rb = A.shape
    core = np.zeros((R + 1, Rb + 1, R + 1), dtype=A.dtype)
    idx = np.arange(R)
    core[idx, :Rb, idx] = A  # decay: h[c] * (A z)[c]
    core[R, :Rb, :R] = B.T  # additive: 1 * (B z)[c]
    core[R, Rb, R] = 1  # the constant stays 1
    return core if p is None else core % p


@register_cell
class GLRU(CoreCell):
    """``glru``: ``h_t = (A z_t) * h_{t-1} + B z_t`` with A (parameter ``A``) and B (parameter
    ``W_I``) of shape (R, R_below), and ``h0``."""

    name = "glru"
    syntax = "'glru'"
    supports_bias = True
    needs_constant = True
    weight_degree = 1
    bilinear = False  # affine in the input: the additive term B z_t
    scaled_params = ("A",)
    legend = {NodeKind.CORE: "$G^{l}$"}

    def param_shapes(self, R: int, Rb: int, bias: bool) -> dict[str, tuple[int, ...]]:
        return {"A": (R, Rb), "W_I": (R, Rb), "h0": (R,)}

    def step(self, params: Mapping[str, np.ndarray], prev: np.ndarray, below: np.ndarray, bias: bool,
             p: int | None) -> np.ndarray:
        return add(mul(linear(below, params["A"], p), prev, p), linear(below, params["W_I"], p), p)

    def node_tensor(self, kind: NodeKind, params: Mapping[str, np.ndarray], bias: bool,
                    p: int | None) -> np.ndarray:
        if kind != NodeKind.CORE:
            raise KeyError(kind)
        if not bias:
            raise SpecError("a glru layer's network needs the constant coordinate (bias=True), got bias=False")
        return glru_core(params["A"], params["W_I"], p)

    def bond_dim(self, R: int, bias: bool) -> int:
        return R + 1  # the constant coordinate, always (the spec has bias=True)

    def state_space_dim(self, R: int, bias: bool) -> int:
        return R + 1

    def input_space_dim(self, R: int, R_below: int) -> int:
        return min(R_below, 2 * R)
