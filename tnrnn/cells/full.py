"""The full second-order cell: ``h[c] = sum_{a,b} A[c, a, b] prev[a] below[b]``."""

from __future__ import annotations

from typing import Mapping

import numpy as np

from ..modular import mod_matmul
from ..nodekind import NodeKind
from ._arith import linear
from .base import CoreCell, register_cell

__all__ = ["Full"]


@register_cell
class Full(CoreCell):
    """``full``: one tensor A (R, R, R_below), ``A[c, a, b]`` (out, previous, below)."""

    name = "full"
    syntax = "'full'"
    weight_degree = 1
    scaled_params = ("A",)
    legend = {NodeKind.CORE: "$A$"}

    def param_shapes(self, R: int, Rb: int, bias: bool) -> dict[str, tuple[int, ...]]:
        return {"h0": (R,), "A": (R, R, Rb)}

    def step(self, params: Mapping[str, np.ndarray], prev: np.ndarray, below: np.ndarray, bias: bool,
             p: int | None) -> np.ndarray:
        A = params["A"]  # (c, a, b)
        R, Ra, Rb = A.shape
        inner = linear(below, A.reshape(R * Ra, Rb), p).reshape(-1, R, Ra)  # [n, c, a]
        if p is None:
            return np.einsum("nca,na->nc", inner, prev)
        return mod_matmul(prev[:, None, :], np.ascontiguousarray(inner.transpose(0, 2, 1)), p)[:, 0]

    def node_tensor(self, kind: NodeKind, params: Mapping[str, np.ndarray], bias: bool,
                    p: int | None) -> np.ndarray:
        if kind == NodeKind.CORE:
            return np.ascontiguousarray(params["A"].transpose(1, 2, 0))
        raise KeyError(kind)

    def state_space_dim(self, R: int, bias: bool) -> int:
        return R

    def ideal_refusal(self, layer: int, L: int) -> str | None:
        if L >= 3:
            return "the boundary-ideal bound is proven for depth L >= 3 with 'mi' cells only"
        return "the boundary-ideal bound is not proven for a 'full' cell in layer 2" if layer == 2 else None
