"""The CP-decomposed second-order cell ``cp:K``: ``h = U [(V prev) * (W below)]``
(V is stored as ``W_H``, W as ``W_I``)."""

from __future__ import annotations

from typing import Mapping

import numpy as np

from ..errors import SpecError
from ..nodekind import NodeKind
from ._arith import linear, mod_einsum, mul
from .base import DELTA_SITE, MAX_BOND, Cell, Site, expected_cells, register_cell
from .mi import delta_pair

__all__ = ["CP"]



@register_cell
class CP(Cell):
    """``cp:K``: V (K x R), W (K x R_below), U (R x K)."""

    name = "cp"
    syntax = "'cp:K' with K a positive integer"
    weight_degree = 3
    scaled_params = ("U",)
    legend = {NodeKind.DELTA: "δ", NodeKind.W_H: "$V$", NodeKind.W_I: "$W$", NodeKind.U: "$U$"}

    def __new__(cls, K: int = 1) -> "CP":
        obj = str.__new__(cls, f"cp:{int(K)}")
        obj.K = int(K)
        return obj

    @classmethod
    def parse(cls, arg: str | None, given: object) -> "CP":
        digits = arg or ""
        if not (digits.isascii() and digits.isdigit()) or not digits.strip("0"):
            raise SpecError(f"cell must be {expected_cells()}, got {given!r}")
        digits = digits.lstrip("0")
        if len(digits) > 19 or int(digits) > MAX_BOND:  # no huge int: refuse on the digit count
            raise SpecError(f"cp:K needs K at most {MAX_BOND:,} (2**63 - 1, the largest bond dimension), "
                            f"got {given!r}")
        return cls(int(digits))

    def param_shapes(self, R: int, Rb: int, bias: bool) -> dict[str, tuple[int, ...]]:
        k = self.K
        return {"W_H": (k, R), "W_I": (k, Rb), "h0": (R,), "U": (R, k)}

    def step(self, params: Mapping[str, np.ndarray], prev: np.ndarray, below: np.ndarray, bias: bool,
             p: int | None) -> np.ndarray:
        out = mul(linear(prev, params["W_H"], p), linear(below, params["W_I"], p), p)
        return linear(out, params["U"], p)

    def site(self, merged: bool) -> Site:
        if merged:
            return super().site(True)
        return Site(DELTA_SITE.kinds + (NodeKind.U,), DELTA_SITE.edges + ((0, 2, 3, 1, "I"),), (3, 0))

    def inner_dim(self, state: int) -> int:
        return self.K

    def node_tensor(self, kind: NodeKind, params: Mapping[str, np.ndarray], bias: bool,
                    p: int | None) -> np.ndarray:
        if kind in (NodeKind.W_H, NodeKind.W_I, NodeKind.U):
            return params[kind.name]
        if kind == NodeKind.CORE:
            pair, U = delta_pair(params["W_H"], params["W_I"], p), params["U"]
            return np.einsum("ck,kab->abc", U, pair) if p is None else mod_einsum("kab,ck->abc", pair, U, p)
        raise KeyError(kind)

    def state_space_dim(self, R: int, bias: bool) -> int:
        return min(R, self.K)

    def input_space_dim(self, R: int, R_below: int) -> int:
        return min(R_below, self.K)

    def ideal_refusal(self, layer: int, L: int) -> str | None:
        return None if L == 2 else "the boundary-ideal bound is proven for depth L >= 3 with 'mi' cells only"
