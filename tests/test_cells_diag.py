"""A new cell costs one module (tests/diag_cell.py) and one registration line: the fixture
cell ``diag`` compiles, contracts (= forward), gets its min-cut and degree bounds and an
exact rank, and draws, with no edit to tnrnn."""

from __future__ import annotations

import numpy as np
import pytest

from tnrnn import Partition, RACSpec, compile_network, contract, forward, mincut_bound, separation_rank
from tnrnn import random_modular_weights, random_weights
from tnrnn.cells import register_cell, unregister_cell
from tnrnn.family_bounds import member_degree_bound
from tnrnn.rank import evaluate_pairs

from diag_cell import Diag
from test_members_rank import P, rank_mod_p


@pytest.fixture(autouse=True)
def diag_registered():
    register_cell(Diag)  # the one registration line
    yield
    unregister_cell("diag")


# keyword arguments of the specs (built inside the tests, once diag is registered)
SPECS = [dict(M=2, R=3, L=1, T=4, cell="diag"), dict(M=2, R=(3, 2), L=2, T=4, cell=("diag", "mi")),
         dict(M=3, R=2, L=2, T=4, cell=("cp:2", "diag"), dilations=(1, 2))]
_IDS = ["L1", "diag-mi", "cp-diag-dilated"]


def naive_diag(weights, inputs, p=None):
    """y for each sequence, one channel at a time with Python numbers (any cells of mi/cp/diag)."""
    s = weights.spec
    cast = int if p else float
    red = (lambda v: v % p) if p else (lambda v: v)
    out = []
    for n in range(inputs.shape[0]):
        hist = [{0: [cast(v) for v in weights.h0[l].tolist()]} for l in range(s.L)]
        for t in range(1, s.T + 1):
            below = [cast(v) for v in inputs[n, t - 1].tolist()]
            for l in range(s.L):
                prev = hist[l][max(t - s.dilations[l], 0)]
                WI = weights.W_I[l].tolist()
                b = [sum(WI[i][j] * below[j] for j in range(len(below))) for i in range(len(WI))]
                if s.cells[l] == "diag":
                    w = weights.W_H[l].tolist()
                    new = [red(w[i] * prev[i] * b[i]) for i in range(len(prev))]
                else:
                    WH = weights.W_H[l].tolist()
                    a = [sum(WH[i][j] * prev[j] for j in range(len(prev))) for i in range(len(WH))]
                    prod = [red(a[i] * b[i]) for i in range(len(a))]
                    if weights.U is not None and weights.U[l] is not None:
                        U = weights.U[l].tolist()
                        prod = [red(sum(U[c][k] * prod[k] for k in range(len(prod)))) for c in range(len(U))]
                    new = prod
                hist[l][t] = new
                below = new
        top = hist[-1][s.T]
        out.append([red(sum(wo[j] * top[j] for j in range(len(top)))) for wo in weights.W_O.tolist()])
    return out


@pytest.mark.parametrize("kw", SPECS, ids=_IDS)
def test_diag_forward_matches_a_naive_loop(kw):
    spec = RACSpec(**kw)
    x = np.random.default_rng(0).normal(size=(3, spec.T, spec.M))
    w = random_weights(spec, rng=1)
    i = [isinstance(c, Diag) for c in spec.cells].index(True)
    assert w.W_H[i].shape == (spec.widths[i],)  # the vector w^H, as the cell declares it
    np.testing.assert_allclose(forward(w, x), np.array(naive_diag(w, x)), rtol=1e-10, atol=1e-12)
    wm = random_modular_weights(spec, rng=2, prime=P)
    xi = np.random.default_rng(3).integers(0, P, size=(3, spec.T, spec.M))
    assert forward(wm, xi).tolist() == naive_diag(wm, xi, P)


@pytest.mark.parametrize("kw", SPECS, ids=_IDS)
@pytest.mark.parametrize("merged", [False, True])
def test_diag_network_contracts_to_forward(kw, merged):
    spec = RACSpec(**kw)
    net = compile_network(spec, merged=merged)
    assert net.n_nodes == compile_network(spec.replace(cell=tuple("mi" if c == "diag" else str(c)
                                                                  for c in spec.cells)), merged=merged).n_nodes
    x = np.random.default_rng(4).normal(size=(2, spec.T, spec.M))
    w = random_weights(spec, rng=5)
    for method in ("einsum", "sweep"):
        np.testing.assert_allclose(contract(net, w, x, method=method), forward(w, x), rtol=1e-10, atol=1e-12)
    wm = random_modular_weights(spec, rng=6, prime=P)
    xi = np.random.default_rng(7).integers(0, P, size=(2, spec.T, spec.M))
    for method in ("einsum", "sweep"):
        assert np.array_equal(contract(net, wm, xi, method=method), forward(wm, xi))


@pytest.mark.parametrize("kw", SPECS, ids=_IDS)
def test_diag_rank_equals_brute_force_and_sits_under_its_bounds(kw):
    spec = RACSpec(**kw)
    part = Partition.start_end(spec.T)
    w = random_modular_weights(spec, rng=8, prime=P)
    got = separation_rank(None, part, weights=w, rng=1)
    deg = member_degree_bound(spec, part)
    n = min(deg + 4, 60)
    gen = np.random.default_rng(9)
    a = gen.integers(0, P, size=(n, len(part.A), spec.M))
    b = gen.integers(0, P, size=(n, len(part.B), spec.M))
    x = np.empty((n * n, spec.T, spec.M), dtype=np.int64)
    x[:, np.array(part.A) - 1] = np.repeat(a, n, axis=0)
    x[:, np.array(part.B) - 1] = np.tile(b, (n, 1, 1))
    Y = forward(w, x)[:, 0].reshape(n, n)  # the probe matrix from the forward pass
    assert np.array_equal(Y, evaluate_pairs(w, part, a, b))
    want = rank_mod_p(Y.tolist(), P)
    assert want < n
    assert got.rank == want and got.certified
    cut = mincut_bound(compile_network(spec), part).bound
    assert 1 <= got.rank <= min(deg, cut)


def test_diag_draws_with_its_legend():
    pytest.importorskip("matplotlib")
    from tnrnn import draw

    spec = RACSpec(**SPECS[1])
    fig = draw(compile_network(spec), "start-end")
    labels = [t.get_text() for ax in fig.figure.axes for t in (ax.get_legend().get_texts() if ax.get_legend() else [])]
    assert fig.figure.axes and labels
    assert any("$l{=}1$" in t.get_text() and "diag" in t.get_text() for ax in fig.figure.axes for t in ax.texts)


def test_diag_is_named_in_the_spec_and_refused_after_unregistering():
    spec = RACSpec(M=2, R=3, L=1, T=4, cell="DIAG")
    assert spec.cell == "diag" and isinstance(spec.cells[0], Diag)
    unregister_cell("diag")
    from tnrnn.errors import SpecError

    with pytest.raises(SpecError, match="cell must be 'mi', 'full', 'glru' or 'cp:K' with K a positive integer, got 'diag'"):
        RACSpec(M=2, R=3, L=1, T=4, cell="diag")
    register_cell(Diag)
