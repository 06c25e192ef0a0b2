"""Cells as objects (tnrnn.cells): parsing, the registry, the facts each cell declares, and
the promise that the one path through the cells gives main's weights and networks.

The digests were computed on main (commit d71973d, before the cells package) with the same
helper functions; they pin plain random draws bit for bit and every compiled array.
"""

from __future__ import annotations

import hashlib
import pickle

import numpy as np
import pytest

from tnrnn import RACSpec, compile_network, random_modular_weights, random_weights
from tnrnn.cells import CP, MI, Cell, Full, parse_cell
from tnrnn.errors import SpecError
from tnrnn.network import NodeKind, spec_network_size


def _weights_digest(w) -> str:
    h = hashlib.sha256()
    for a in w.arrays():
        h.update(np.ascontiguousarray(a).tobytes())
    h.update(repr(w.scales).encode())
    return h.hexdigest()[:16]


_NET_FIELDS = ("node_kind", "node_layer", "node_step", "node_copy", "edge_u", "edge_u_leg", "edge_v", "edge_v_leg",
               "edge_dim")


def _network_digest(net) -> str:
    h = hashlib.sha256()
    for f in _NET_FIELDS:
        a = getattr(net, f)
        h.update(f.encode())
        h.update(str(a.dtype).encode())
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()[:16]


# (spec, random_weights(spec, 7), kind="uniform", (spec, 3, stabilize=False), random_modular_weights(spec, 5))
MAIN_WEIGHTS = [
    (RACSpec(M=3, R=4, L=1, T=5), "da396c5903136302", "47b04a22af960efa", "78ee85702c350e18", "e96ba2fd4eed3e12"),
    (RACSpec(M=2, R=3, L=2, T=6, K=2), "63a36c26c59eb74f", "da87ac2928851efb", "9ee8077452e4d04f", "8eeea47a381ee49a"),
    (RACSpec(M=5, R=2, L=3, T=4), "ae37eb1aaaca554f", "0c7b780e10737577", "0c8e0f0ece0f1f7f", "9de9c864dbfe40b3"),
]

# members: unstabilised float draws are main's too (random_weights(spec, 3, stabilize=False));
# stabilised and modular member draws moved (one stabiliser, one draw order for all specs)
MAIN_MEMBER_RAW = [
    (RACSpec(M=2, R=(3, 2), L=2, T=4, cell=("cp:2", "full")), "536f786eb89c7b31"),
    (RACSpec(M=2, R=3, L=2, T=4, bias=True, dilations=(1, 2)), "4b7cf8ce93aa057a"),
]

MAIN_NETWORKS = [  # (spec, full form, merged form)
    (RACSpec(M=3, R=4, L=1, T=5), "43400f2c37aa6cdc", "71e1d3195772b83c"),
    (RACSpec(M=2, R=3, L=2, T=6), "e565286b7c6343c2", "682c4c03422af7a6"),
    (RACSpec(M=2, R=2, L=3, T=5), "50beae247a77c72b", "4b31665b2b871411"),
    (RACSpec(M=2, R=2, L=4, T=4), "1530bed84bcbd924", "cd7d7fa2a4eacd58"),
    (RACSpec(M=2, R=(3, 2), L=2, T=4, cell=("cp:2", "full")), "d6f6fac3d774fd07", "d5c63be75f6b9eb4"),
    (RACSpec(M=2, R=3, L=2, T=5, bias=True, dilations=(1, 2)), "5a0e631ad2971f37", "49cbbb2f362c5811"),
    (RACSpec(M=3, R=(2, 3, 2), L=3, T=6, cell=("full", "cp:3", "mi"), dilations=(2, 1, 3)), "19774e168eab5dc7",
     "f0ee647cbae400f8"),
]


@pytest.mark.parametrize("spec, gauss, uniform, raw, modular", MAIN_WEIGHTS, ids=repr)
def test_plain_random_draws_are_mains_bit_for_bit(spec, gauss, uniform, raw, modular):
    assert _weights_digest(random_weights(spec, 7)) == gauss
    assert _weights_digest(random_weights(spec, 7, kind="uniform")) == uniform
    assert _weights_digest(random_weights(spec, 3, stabilize=False)) == raw
    assert _weights_digest(random_modular_weights(spec, 5)) == modular


@pytest.mark.parametrize("spec, raw", MAIN_MEMBER_RAW, ids=repr)
def test_member_float_draws_are_mains(spec, raw):
    assert _weights_digest(random_weights(spec, 3, stabilize=False)) == raw


@pytest.mark.parametrize("spec, full, merged", MAIN_NETWORKS, ids=repr)
def test_compiled_arrays_are_mains(spec, full, merged):
    assert _network_digest(compile_network(spec)) == full
    assert _network_digest(compile_network(spec, merged=True)) == merged
    for form in (False, True):  # the one count agrees with the one compiler
        net = compile_network(spec, merged=form)
        assert spec_network_size(spec, merged=form) == (net.n_nodes, net.n_edges)


# -- parsing ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected, kind", [
    ("mi", "mi", MI), (" MI ", "mi", MI), ("full", "full", Full), ("cp:4", "cp:4", CP), ("CP:004", "cp:4", CP),
    ("cp:9223372036854775807", "cp:9223372036854775807", CP),
])
def test_parse_gives_the_canonical_cell(text, expected, kind):
    cell = parse_cell(text)
    assert isinstance(cell, kind) and isinstance(cell, Cell)
    assert str(cell) == expected and cell == expected and hash(cell) == hash(expected)
    assert parse_cell(cell) is cell
    assert pickle.loads(pickle.dumps(cell)) == cell and type(pickle.loads(pickle.dumps(cell))) is kind


@pytest.mark.parametrize("text", ["cp:0", "cp:", "cp:-1", "cp:x", "cp: 4", "cp:4.0", "lstm", "", "mi:2", "full:1",
                                  "cp:٣", 3, None])
def test_parse_refuses_with_one_line(text):
    with pytest.raises(SpecError) as err:
        parse_cell(text)
    assert "\n" not in str(err.value) and repr(text) in str(err.value)


@pytest.mark.parametrize("text", ["cp:9223372036854775808", "cp:99999999999999999999999999", "cp:" + "9" * 5000])
def test_absurd_K_is_refused_up_front(text):
    with pytest.raises(SpecError, match=r"at most 9,223,372,036,854,775,807") as err:
        parse_cell(text)
    assert "\n" not in str(err.value)
    with pytest.raises(SpecError):
        RACSpec(M=2, R=3, L=1, T=4, cell=text)


def test_spec_keeps_strings_and_gives_cell_objects():
    spec = RACSpec(M=2, R=(3, 2), L=2, T=4, cell=("CP:02", "full"))
    assert spec.cell == ("cp:2", "full") and type(spec.cell[0]) is str
    assert spec.cells == ("cp:2", "full") and isinstance(spec.cells[0], CP) and spec.cells[0].K == 2
    assert spec.fields()["cell"] == ["cp:2", "full"]
    assert repr(spec) == "RACSpec(M=2, R=(3, 2), L=2, T=4, K=1, cell=('cp:2', 'full'))"
    assert RACSpec(M=2, R=3, L=2, T=4).cells[0] == "mi"
    from tnrnn.spec import parse_cell as old_name
    assert old_name("cp:3") == "cp:3"


# -- what each cell declares ---------------------------------------------------------------

def test_parameter_shapes():
    assert MI().param_shapes(3, 2, False) == {"W_H": (3, 3), "W_I": (3, 2), "h0": (3,)}
    assert MI().param_shapes(3, 2, True) == {"W_H": (3, 3), "W_I": (3, 2), "h0": (3,), "b_H": (3,), "b_I": (3,)}
    assert CP(4).param_shapes(3, 2, False) == {"W_H": (4, 3), "W_I": (4, 2), "h0": (3,), "U": (3, 4)}
    assert Full().param_shapes(3, 2, False) == {"h0": (3,), "A": (3, 3, 2)}
    assert MI().scaled(True) == ("W_H", "b_H") and CP(2).scaled(False) == ("U",) and Full().scaled(False) == ("A",)


@pytest.mark.parametrize("cell, R, Rb, bias, state, inp", [
    (MI(), 5, 3, False, 5, 3), (MI(), 5, 7, True, 6, 5), (CP(2), 5, 3, False, 2, 2), (CP(9), 5, 3, False, 5, 3),
    (Full(), 5, 7, False, 5, 7), (CP(2**63 - 1), 2**62, 2**61, False, 2**62, 2**61),
])
def test_dimensions_for_the_bounds(cell, R, Rb, bias, state, inp):
    assert cell.state_space_dim(R, bias) == state
    assert cell.input_space_dim(R, Rb) == inp
    assert cell.bilinear


def test_sites_and_inner_dimensions():
    assert MI().site(False).kinds == (NodeKind.DELTA, NodeKind.W_H, NodeKind.W_I)
    assert CP(3).site(False).kinds[-1] == NodeKind.U and CP(3).inner_dim(5) == 3
    assert Full().site(False).kinds == (NodeKind.CORE,) and Full().inner_dim(5) == 0
    assert all(c.site(True).kinds == (NodeKind.CORE,) for c in (MI(), CP(2), Full()))
    assert set(CP(2).legend) == set(CP(2).site(False).kinds)


@pytest.mark.parametrize("cell, bias", [(MI(), False), (MI(), True), (CP(3), False), (Full(), False)], ids=repr)
def test_step_matches_a_naive_loop_and_is_exact_mod_p(cell, bias):
    assert cell.supports_bias or not bias
    rng = np.random.default_rng(1)
    R, Rb, p = 3, 2, 2**31 - 1
    shapes = cell.param_shapes(R, Rb, bias)
    params = {k: rng.integers(0, p, size=s) for k, s in shapes.items()}
    prev, below = rng.integers(0, p, size=(4, R)), rng.integers(0, p, size=(4, Rb))
    got = cell.step(params, prev, below, bias, p)
    # naive: the same formula on Python integers
    P = {k: v.astype(object) for k, v in params.items()}
    for n in range(4):
        a, b = prev[n].astype(object), below[n].astype(object)
        if isinstance(cell, Full):
            want = [sum(P["A"][c, i, j] * a[i] * b[j] for i in range(R) for j in range(Rb)) for c in range(R)]
        else:
            u = P["W_H"].dot(a) + (P["b_H"] if bias else 0)
            v = P["W_I"].dot(b) + (P["b_I"] if bias else 0)
            want = u * v if isinstance(cell, MI) else P["U"].dot(u * v)
        assert [int(x) % p for x in want] == got[n].tolist()
    # float64 gives the same numbers on small integers
    small = {k: (v % 5).astype(float) for k, v in params.items()}
    f = cell.step(small, (prev % 5).astype(float), (below % 5).astype(float), bias, None)
    e = cell.step({k: v.astype(np.int64) for k, v in small.items()}, prev % 5, below % 5, bias, p)
    np.testing.assert_array_equal(f, e.astype(float))


def test_weight_degree_feeds_the_probe_degree():
    from tnrnn.rank.probes import output_degree

    plain = RACSpec(M=2, R=2, L=1, T=3)
    # deg h_t = 2 + deg h_{t-1} + 1, deg h_0 = 1: 4, 7, 10, plus W^O
    assert output_degree(plain, True) == 11
    assert output_degree(RACSpec(M=2, R=2, L=1, T=3, cell="cp:2"), True) == 14
    assert output_degree(RACSpec(M=2, R=2, L=1, T=3, cell="full"), True) == 8


def test_torch_module_is_data_and_used_by_rac_from_weights():
    assert MI.torch_module == "tnrnn.experiments.models.RACStack" and CP.torch_module is None
    pytest.importorskip("torch")
    from tnrnn.errors import InputError
    from tnrnn.experiments.models import rac_from_weights

    spec = RACSpec(M=2, R=3, L=2, T=4)
    x = np.random.default_rng(0).normal(size=(2, 4, 2))
    w = random_weights(spec, 1)
    import torch

    from tnrnn import forward
    np.testing.assert_allclose(rac_from_weights(w)(torch.tensor(x)).detach().numpy(), forward(w, x), rtol=1e-10)
    with pytest.raises(InputError, match="rac_from_weights holds the paper's RAC"):
        rac_from_weights(random_weights(spec.replace(cell="cp:2"), 1))


def test_nested_layout_asks_the_cells():
    from tnrnn.drawing.layout import network_layout
    from tnrnn.errors import TnrnnError

    plain = network_layout(compile_network(RACSpec(M=2, R=2, L=3, T=4)), deep="nested")
    widths = network_layout(compile_network(RACSpec(M=2, R=(2, 3, 2), L=3, T=4, bias=True)), deep="nested")
    assert np.array_equal(plain.pos, widths.pos)  # widths and bias do not move a node
    for cell, dil in (("cp:2", 1), ("full", 1), ("mi", (1, 2, 1))):
        with pytest.raises(TnrnnError, match="deep='nested' draws undilated networks"):
            network_layout(compile_network(RACSpec(M=2, R=2, L=3, T=4, cell=cell, dilations=dil)), deep="nested")


@pytest.mark.parametrize("L", [2, 3])
def test_cell_facts_agree_with_family_bounds(L):
    """family_bounds' input_space_dim / state_space_dim / ideal_bound_refusal (to be rerouted
    to the cells at merge) give what the cells say, on every mix of the three kinds."""
    import itertools

    from tnrnn.family_bounds import ideal_bound_refusal, state_space_dim

    for names in itertools.product(["mi", "cp:2", "full"], repeat=L):
        spec = RACSpec(M=2, R=(4,) * L, L=L, T=4, cell=names)
        for l, cell in enumerate(spec.cells, start=1):
            assert cell.state_space_dim(spec.width(l), spec.bias) == state_space_dim(spec, l)
        mine = next((m for m in (c.ideal_refusal(l, L) for l, c in enumerate(spec.cells, 1)) if m), None)
        assert mine == ideal_bound_refusal(spec), names
