"""The glru cell (tnrnn/cells/glru.py) through tnrnn's normal paths, held against the
independent loops of tests/naive_modern.py: forward pass, contraction of the network,
exact rank, bounds, JSON, command line, a torch module built from the weights."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

import naive_modern as nm
from tnrnn import (Partition, RACSpec, check_bounds, compile_network, contract, forward, from_json, mincut_bound,
                   random_modular_weights, random_weights, separation_rank, to_json)
from tnrnn.cells import parse_cell
from tnrnn.cells.glru import glru_core
from tnrnn.errors import SpecError

P = nm.P


def naive_stack(w) -> nm.Stack:
    """The naive loops' weights from tnrnn weights (glru: A, B = W_I, h0; mi with its biases)."""
    s = w.spec
    layers = []
    for l, cell in enumerate(s.cells):
        if cell == "glru":
            layers.append({"A": w.A[l], "B": w.W_I[l], "h0": w.h0[l]})
        else:
            layer = {"W_H": w.W_H[l], "W_I": w.W_I[l], "h0": w.h0[l]}
            if s.bias:
                layer.update(b_H=w.b_H[l], b_I=w.b_I[l])
            layers.append(layer)
    return nm.Stack(s.M, s.widths, tuple(str(c) for c in s.cells), tuple(layers), w.W_O[0], w.prime)


SPECS = [
    RACSpec(M=2, R=2, L=1, T=5, cell="glru"),
    RACSpec(M=3, R=(2, 3), L=2, T=4, cell="glru"),
    RACSpec(M=2, R=2, L=2, T=5, cell=("mi", "glru")),
    RACSpec(M=2, R=(3, 2), L=2, T=4, cell=("glru", "mi")),
    RACSpec(M=2, R=2, L=3, T=4, cell="glru"),
]
IDS = [f"{s.cell}-L{s.L}-T{s.T}" for s in SPECS]


def test_spec_turns_on_the_constant_coordinate():
    s = RACSpec(M=2, R=2, L=2, T=4, cell="glru")
    assert s.bias is True and s.cells[0] == "glru" and s.cells[0].needs_constant
    assert RACSpec(M=2, R=2, L=2, T=4).bias is False
    assert random_weights(s, rng=0).layer_params(0).keys() == {"A", "W_I", "h0"}


def test_glru_refuses_layers_without_the_constant():
    with pytest.raises(SpecError, match=r"^cell 'glru' needs the constant coordinate \(bias\), which 'cp:2', 'full' "
                                        r"layers do not have, got cell=\('glru', 'full', 'cp:2'\)"):
        RACSpec(M=2, R=2, L=3, T=4, cell=("glru", "full", "cp:2"))


def test_drawing_legend_names_the_glru_core():
    pytest.importorskip("matplotlib")
    from tnrnn import draw

    for cell, want in [("glru", "core $G^{l}$ (glru cell)"), ("full", "core $A$ (full cell)")]:
        fig = draw(compile_network(RACSpec(M=2, R=2, L=2, T=3, cell=cell))).figure
        legend = fig.legends[0] if fig.legends else fig.axes[0].get_legend()
        assert want in [t.get_text() for t in legend.get_texts()]


def test_glru_takes_no_parameter():
    with pytest.raises(SpecError, match="cell 'glru' takes no parameter, got 'glru:2'"):
        parse_cell("glru:2")


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_forward_mod_p_equals_naive_loops(spec):
    w = random_modular_weights(spec, rng=1)
    z = np.random.default_rng(2).integers(0, P, (7, spec.T, spec.M), dtype=np.int64)
    assert forward(w, z)[:, 0].tolist() == nm.forward(naive_stack(w), z).tolist()


@pytest.mark.parametrize("spec", SPECS[:3], ids=IDS[:3])
def test_forward_mod_p_at_the_largest_entries(spec):
    """Every weight, initial state and input p - 1: no overflow on either side."""
    w = random_modular_weights(spec, rng=1)
    top = lambda seq: None if seq is None else tuple(None if a is None else np.full_like(a, P - 1) for a in seq)  # noqa: E731
    w = dataclasses.replace(w, **{n: top(getattr(w, n)) for n in ("A", "W_I", "W_H", "h0", "b_H", "b_I")},
                            W_O=np.full_like(w.W_O, P - 1))
    z = np.full((2, spec.T, spec.M), P - 1, dtype=np.int64)
    assert forward(w, z)[:, 0].tolist() == nm.forward(naive_stack(w), z).tolist()


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_forward_float_equals_naive_loops(spec):
    w = random_weights(spec, rng=3)
    z = np.random.default_rng(4).normal(size=(6, spec.T, spec.M))
    y, ref = forward(w, z)[:, 0], nm.forward(naive_stack(w), z)
    assert np.allclose(y, ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_contraction_equals_forward(spec):
    net = compile_network(spec)
    wf = random_weights(spec, rng=5)
    z = np.random.default_rng(6).normal(size=(4, spec.T, spec.M))
    assert np.allclose(contract(net, wf, z)[:, 0], forward(wf, z)[:, 0], rtol=1e-10, atol=1e-12)
    wp = random_modular_weights(spec, rng=7)
    zp = np.random.default_rng(8).integers(0, P, (4, spec.T, spec.M), dtype=np.int64)
    assert contract(net, wp, zp)[:, 0].tolist() == forward(wp, zp)[:, 0].tolist()


def test_core_tensor_closed_form():
    A, B = np.array([[1, 2], [3, 4], [5, 6]]), np.array([[7, 8], [9, 10], [11, 12]])
    C = glru_core(A, B)
    assert C.shape == (4, 3, 4)
    h, z = np.array([2, -1, 3, 1]), np.array([1, 5, 1])  # augmented: last coordinates 1
    assert np.einsum("abc,a,b->c", C, h, z).tolist() == ((A @ z[:2]) * h[:3] + B @ z[:2]).tolist() + [1]


def _probe_rank(w, partition, start=8):
    st = naive_stack(w)
    A = list(partition.A)
    rng = np.random.default_rng(11)
    n = start
    while True:
        r = nm.rank_mod_p(nm.probe_matrix(st, w.spec.T, A, n, n, rng), P)
        if r < n:
            return r
        n *= 2


@pytest.mark.parametrize("M,R,L,T,part", [
    (2, 2, 1, 6, "start-end"), (2, 4, 1, 6, "start-end"), (3, 2, 1, 5, "split:2"),
    (2, 2, 2, 4, "start-end"), (2, 2, 2, 6, "start-end"), (3, 2, 2, 5, "split:2"), (2, 3, 2, 6, "split:1"),
    (2, 2, 3, 4, "start-end")])
def test_exact_rank_equals_direct_probe_matrix(M, R, L, T, part):
    spec = RACSpec(M=M, R=R, L=L, T=T, cell="glru")
    partition = Partition.parse(part, T)
    w = random_modular_weights(spec, rng=M + R + L + T)
    got = separation_rank(spec, partition, weights=w, rng=0).rank
    assert got == _probe_rank(w, partition)
    generic = separation_rank(spec, partition, rng=1).rank
    assert generic == nm.probe_rank(M, (R,) * L, ("glru",) * L, T, list(partition.A), seed=3)[0]
    assert got <= mincut_bound(spec, partition).bound


@pytest.mark.parametrize("M,R,h", [(2, 2, 2), (2, 4, 3), (3, 9, 2), (1, 3, 3)])
def test_depth1_rank_meets_the_formula(M, R, h):
    from math import comb

    r = separation_rank(RACSpec(M=M, R=R, L=1, T=2 * h, cell="glru"), "start-end", rng=0).rank
    assert r == min(min(R, comb(M + h - 1, h)) + 1, M * (M + 1) ** (h - 1))


def test_check_bounds_hold_and_symmetric_is_the_boundary_bound():
    rows = check_bounds([RACSpec(M=2, R=2, L=2, T=6, cell="glru"), RACSpec(M=3, R=3, L=1, T=4, cell="glru"),
                         RACSpec(M=2, R=2, L=2, T=6, cell=("mi", "glru"))])
    assert [r.exact for r in rows] == [22, 4, 26]
    assert rows[0].symmetric == nm.glru_boundary_bound((2, 2), 3) == 30
    assert rows[1].mincut == rows[1].symmetric == 4
    for r in rows:
        assert r.exact <= min(v for v in (r.mincut, r.degree, r.symmetric, r.ideal) if v is not None)


def test_mixed_stack_rank_matches_naive():
    spec = RACSpec(M=2, R=2, L=2, T=6, cell=("mi", "glru"))
    w = random_modular_weights(spec, rng=4)
    assert separation_rank(spec, "start-end", weights=w, rng=0).rank == _probe_rank(w, Partition.start_end(6)) == 26


def test_json_round_trip():
    spec = RACSpec(M=2, R=(3, 2), L=2, T=4, cell=("glru", "mi"))
    net = compile_network(spec)
    text = to_json(net)
    assert json.loads(text)["spec"]["cell"] == ["glru", "mi"]
    back = from_json(text)
    assert back.spec == spec
    w = random_weights(spec, rng=0)
    z = np.random.default_rng(0).normal(size=(3, 4, 2))
    assert np.allclose(contract(back, w, z), contract(net, w, z), rtol=1e-12)


def test_cli_rank_check_and_bad_cell(capsys):
    from tnrnn.cli import main

    assert main(["rank", "--M", "2", "--R", "2", "--L", "2", "--T", "6", "--cell", "glru", "--seed", "0"]) == 0
    assert "separation rank 22" in capsys.readouterr().out
    assert main(["check", "--M", "2", "--R", "2", "--L", "2", "--T", "4", "--cell", "mi,glru"]) == 0
    capsys.readouterr()
    assert main(["bound", "--M", "2", "--R", "2", "--L", "1", "--T", "4", "--cell", "glru:3"]) == 2
    err = capsys.readouterr().err
    assert "cell 'glru' takes no parameter, got 'glru:3'" in err and "Traceback" not in err


def test_torch_module_from_weights_equals_forward():
    torch = pytest.importorskip("torch")
    spec = RACSpec(M=3, R=(2, 3), L=2, T=5, cell="glru")
    w = random_weights(spec, rng=2)

    class GLRUStack(torch.nn.Module):
        def __init__(self, weights):
            super().__init__()
            t = lambda a: torch.nn.Parameter(torch.tensor(np.array(a), dtype=torch.float64))  # noqa: E731
            self.A = torch.nn.ParameterList([t(a) for a in weights.A])
            self.B = torch.nn.ParameterList([t(b) for b in weights.W_I])
            self.h0 = torch.nn.ParameterList([t(h) for h in weights.h0])
            self.w = t(weights.W_O)

        def forward(self, x):
            for A, B, h0 in zip(self.A, self.B, self.h0):
                h, out = h0.expand(x.shape[0], -1), []
                for t in range(x.shape[1]):
                    h = (x[:, t] @ A.T) * h + x[:, t] @ B.T
                    out.append(h)
                x = torch.stack(out, dim=1)
            return x[:, -1] @ self.w.T

    z = np.random.default_rng(3).normal(size=(4, 5, 3))
    y = GLRUStack(w)(torch.as_tensor(z)).detach().numpy()
    assert np.allclose(y, forward(w, z), rtol=1e-10, atol=1e-12)
