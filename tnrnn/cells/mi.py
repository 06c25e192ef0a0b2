"""Multiplicative integration, the paper's RAC cell:
``h = (W^H prev [+ b^H]) * (W^I below [+ b^I])``."""

from __future__ import annotations

from typing import Mapping

import numpy as np

from ..nodekind import NodeKind
from ._arith import add, linear, mul
from .base import Cell, register_cell

__all__ = ["MI"]


def augment(matrix: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    """``[[W, b], [0, 1]]`` (bias None: ``[[W, 0], [0, 1]]``): the map on states with a
    constant last coordinate 1 that keeps it 1."""
    out = np.zeros((matrix.shape[0] + 1, matrix.shape[1] + 1), dtype=matrix.dtype)
    out[:-1, :-1] = matrix
    if bias is not None:
        out[:-1, -1] = bias
    out[-1, -1] = 1
    return out


def delta_pair(wh: np.ndarray, wi: np.ndarray, p: int | None) -> np.ndarray:
    """``P[k, a, b] = W^H[k, a] W^I[k, b]`` (mod p)."""
    pair = np.einsum("ka,kb->kab", wh, wi)  # entries below p**2 < 2**62
    if p is not None:
        pair %= p
    return pair


@register_cell
class MI(Cell):
    """``mi``: multiplicative integration (the RAC), biases allowed."""

    name = "mi"
    syntax = "'mi'"
    supports_bias = True
    plain_kernel = True
    weight_degree = 2
    scaled_params = ("W_H",)
    legend = {NodeKind.DELTA: "δ", NodeKind.W_H: "$W^H$", NodeKind.W_I: "$W^I$"}
    torch_module = "tnrnn.experiments.models.RACStack"

    def param_shapes(self, R: int, Rb: int, bias: bool) -> dict[str, tuple[int, ...]]:
        out = {"W_H": (R, R), "W_I": (R, Rb), "h0": (R,)}
        if bias:
            out.update(b_H=(R,), b_I=(R,))
        return out

    def scaled(self, bias: bool) -> tuple[str, ...]:
        return ("W_H", "b_H") if bias else ("W_H",)

    def step(self, params: Mapping[str, np.ndarray], prev: np.ndarray, below: np.ndarray, bias: bool,
             p: int | None) -> np.ndarray:
        a = linear(prev, params["W_H"], p)
        b = linear(below, params["W_I"], p)
        if bias:
            a = add(a, params["b_H"], p)
            b = add(b, params["b_I"], p)
        return mul(a, b, p)

    def node_tensor(self, kind: NodeKind, params: Mapping[str, np.ndarray], bias: bool,
                    p: int | None) -> np.ndarray:
        if kind in (NodeKind.W_H, NodeKind.W_I):
            name = "W_H" if kind == NodeKind.W_H else "W_I"
            w = params[name]
            return augment(w, params["b" + name[1:]]) if bias else w
        if kind == NodeKind.CORE:
            wh = self.node_tensor(NodeKind.W_H, params, bias, p)
            wi = self.node_tensor(NodeKind.W_I, params, bias, p)
            return np.ascontiguousarray(delta_pair(wh, wi, p).transpose(1, 2, 0))
        raise KeyError(kind)

    def input_space_dim(self, R: int, R_below: int) -> int:
        return min(R_below, R)

    def ideal_refusal(self, layer: int, L: int) -> str | None:
        return None
