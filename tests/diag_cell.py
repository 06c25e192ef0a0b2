"""A test fixture cell, ``diag``: ``h = (w^H * prev) * (W^I below)`` with w^H a vector.

One module and, in the test that uses it, one registration line: nothing in tnrnn knows
about it. Its parameter ``W_H`` is the vector w^H (shape (R,)); in the network its W_H
node holds the matrix ``diag(w^H)``.
"""

from __future__ import annotations

import numpy as np

from tnrnn.cells import Cell
from tnrnn.cells._arith import linear, mul
from tnrnn.nodekind import NodeKind


class Diag(Cell):
    name = "diag"
    syntax = "'diag'"
    weight_degree = 2
    scaled_params = ("W_H",)
    legend = {NodeKind.DELTA: "δ", NodeKind.W_H: "diag $w^H$", NodeKind.W_I: "$W^I$"}

    def param_shapes(self, R, Rb, bias):
        return {"W_H": (R,), "W_I": (R, Rb), "h0": (R,)}

    def step(self, params, prev, below, bias, p):
        return mul(mul(prev, params["W_H"], p), linear(below, params["W_I"], p), p)

    def node_tensor(self, kind, params, bias, p):
        if kind == NodeKind.W_H:
            return np.diag(params["W_H"])
        if kind == NodeKind.W_I:
            return params["W_I"]
        if kind == NodeKind.CORE:  # C[a, b, c] = diag(w)[c, a] W^I[c, b]
            core = np.einsum("ca,cb->abc", np.diag(params["W_H"]), params["W_I"])
            return core if p is None else core % p
        raise KeyError(kind)

    def input_space_dim(self, R, R_below):
        return min(R, R_below)
