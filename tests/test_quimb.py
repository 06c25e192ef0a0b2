"""Export to quimb and back (tnrnn.interop.quimb_io); skipped cleanly without quimb."""

import numpy as np
import pytest

import tnrnn
from tnrnn.errors import InputError, TnrnnError, WeightsError

qtn = pytest.importorskip("quimb.tensor")

SPECS = [
    tnrnn.RACSpec(M=2, R=3, L=1, T=4),
    tnrnn.RACSpec(M=2, R=3, L=2, T=3, K=2),
    tnrnn.RACSpec(M=3, R=2, L=3, T=4, K=2),
    tnrnn.RACSpec(M=2, R=(3, 2), L=2, T=4, cell="cp:2"),
    tnrnn.RACSpec(M=2, R=2, L=2, T=3, cell="full"),
    tnrnn.RACSpec(M=2, R=3, L=2, T=3, bias=True, dilations=(1, 2)),
]
ARRAY_FIELDS = ("node_kind", "node_layer", "node_step", "node_copy",
                "edge_u", "edge_u_leg", "edge_v", "edge_v_leg", "edge_dim")


def _rel(a, b):
    return float(np.abs(a - b).max() / max(1.0, np.abs(b).max()))


@pytest.mark.parametrize("spec", SPECS, ids=str)
@pytest.mark.parametrize("merged", [False, True])
@pytest.mark.parametrize("copy", ["tensor", "hyper"])
def test_contracts_to_forward(spec, merged, copy):
    net = tnrnn.compile_network(spec, merged=merged)
    w = tnrnn.random_weights(spec, rng=0)
    x = np.random.default_rng(1).normal(size=(3, spec.T, spec.M))
    ref = tnrnn.forward(w, x)
    one = tnrnn.to_quimb(net, w, x[1], copy=copy).contract(output_inds=("y",)).data
    assert one.shape == (spec.K,) and _rel(one, ref[1]) < 1e-10
    batch = tnrnn.to_quimb(net, w, x, copy=copy).contract(output_inds=("b", "y")).data
    assert batch.shape == (3, spec.K) and _rel(batch, ref) < 1e-10


def test_extreme_inputs_and_single_sequence_batch():
    spec = tnrnn.RACSpec(M=3, R=4, L=2, T=4)
    net, w = tnrnn.compile_network(spec), tnrnn.random_weights(spec, rng=5)
    x = np.full((1, spec.T, spec.M), 1e3)
    y = tnrnn.to_quimb(net, w, x).contract(output_inds=("b", "y")).data
    assert _rel(y, tnrnn.forward(w, x)) < 1e-10


@pytest.mark.parametrize("spec", SPECS, ids=str)
@pytest.mark.parametrize("merged", [False, True])
@pytest.mark.parametrize("copy", ["tensor", "hyper"])
def test_from_quimb_round_trip_array_for_array(spec, merged, copy):
    net = tnrnn.compile_network(spec, merged=merged)
    w = tnrnn.random_weights(spec, rng=0)
    x = np.zeros((spec.T, spec.M))
    for tn in (tnrnn.to_quimb(net, copy=copy), tnrnn.to_quimb(net, w, x, copy=copy),
               tnrnn.to_quimb(net, w, x[None], copy=copy, partition="start-end" if spec.T % 2 == 0 else None)):
        back = tnrnn.from_quimb(tn)
        assert back.spec == net.spec and back.merged == net.merged
        for name in ARRAY_FIELDS:
            np.testing.assert_array_equal(getattr(back, name), getattr(net, name), err_msg=name)


def test_structure_only_placeholders_have_the_leg_shapes():
    spec = tnrnn.RACSpec(M=2, R=3, L=2, T=3, K=4)
    net = tnrnn.compile_network(spec)
    tn = tnrnn.to_quimb(net)
    assert len(tn.tensors) == net.n_nodes - net.input_nodes.size
    assert set(tn.outer_inds()) == {"y"} | {f"x{t}_{c}" for t in range(1, 4) for c in range(4 - t)}
    (wo,) = tn.select_tensors("W_O")
    assert wo.shape == (4, 3) and not wo.data.any()
    assert {t.shape for t in tn.select_tensors("W_I")} == {(3, 2), (3, 3)}
    hyper = tnrnn.to_quimb(net, copy="hyper")
    assert "DELTA" not in hyper.tag_map
    assert len(hyper.tensors) == net.n_nodes - net.input_nodes.size - net.kind_counts()["DELTA"]


def test_tags_select_layers_steps_copies_and_sides():
    spec = tnrnn.RACSpec(M=2, R=3, L=2, T=4)
    net = tnrnn.compile_network(spec)
    cut = tnrnn.mincut_bound(net, "start-end")
    tn = tnrnn.to_quimb(net, tnrnn.random_weights(spec, rng=0), np.ones((4, 2)), partition="start-end", cut=cut)
    kind, layer, step, copy = net.node_kind, net.node_layer, net.node_step, net.node_copy
    for l in (0, 1, 2):
        assert len(tn.select_tensors(f"L{l}")) == int((layer == l).sum())
    for t in range(5):
        ids = {int(tag[1:]) for tt in tn.select_tensors(f"T{t}") for tag in tt.tags if tag[0] == "N"}
        assert ids == set(np.flatnonzero(step == t).tolist())
    assert len(tn.select_tensors(["W_I", "L1", "C2"], which="all")) == int(
        ((kind == tnrnn.NodeKind.W_I) & (layer == 1) & (copy == 2)).sum())
    side_a = {int(tag[1:]) for tt in tn.select_tensors("CUT_A") for tag in tt.tags if tag[0] == "N"}
    assert side_a == set(np.flatnonzero(cut.side).tolist())
    assert len(tn.select_tensors("CUT_A")) + len(tn.select_tensors("CUT_B")) == net.n_nodes
    part_a = {int(tag[1:]) for tt in tn.select_tensors("SIDE_A") for tag in tt.tags if tag[0] == "N"}
    assert part_a == set(np.flatnonzero(np.maximum(step, 1) <= 2).tolist())
    assert all(f"N{i}" in tn.tag_map for i in range(net.n_nodes))


@pytest.mark.parametrize("spec", [tnrnn.RACSpec(M=2, R=3, L=2, T=4), tnrnn.RACSpec(M=4, R=2, L=2, T=6),
                                  tnrnn.RACSpec(M=3, R=2, L=3, T=4), tnrnn.RACSpec(M=5, R=3, L=1, T=6),
                                  tnrnn.RACSpec(M=2, R=(3, 2), L=2, T=4, cell="cp:2")], ids=str)
@pytest.mark.parametrize("copy", ["tensor", "hyper"])
def test_exported_rac_min_cut_equals_native(spec, copy):
    for merged in (False, True):
        net = tnrnn.compile_network(spec, merged=merged)
        tn = tnrnn.to_quimb(net, copy=copy)
        for name in ("start-end", "interleaved", "split:1"):
            part = tnrnn.Partition.coerce(name, spec.T)
            left = [ix for ix in tn.outer_inds() if ix[0] == "x" and int(ix[1:].split("_")[0]) in part.A]
            right = [ix for ix in tn.outer_inds() if ix[0] == "x" and ix not in left]
            cut = tnrnn.mincut_bound(tn, left_inds=left, right_inds=right)  # "y" held fixed
            assert cut.bound == tnrnn.mincut_bound(net, part).bound


def test_positions_follow_tnrnn_layout_and_draw():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    spec = tnrnn.RACSpec(M=2, R=3, L=2, T=3)
    net = tnrnn.compile_network(spec)
    pos = tnrnn.quimb_positions(net)
    layout = tnrnn.network_layout(net)
    assert len(pos) == net.n_nodes
    assert pos[f"N{net.output_node}"] == tuple(float(v) for v in layout.pos[net.output_node])
    tn = tnrnn.to_quimb(net)
    fig = tn.draw(fix=pos, color=["W_H", "W_I", "DELTA"], return_fig=True, figsize=(4, 3))
    assert fig is not None
    matplotlib.pyplot.close(fig)


def test_bad_input_is_one_clear_line():
    spec = tnrnn.RACSpec(M=2, R=3, L=1, T=4)
    net = tnrnn.compile_network(spec)
    with pytest.raises(InputError, match=r"\(T, M\) = \(4, 2\)"):
        tnrnn.to_quimb(net, tnrnn.random_weights(spec, rng=0), np.zeros((3, 2)))
    with pytest.raises(WeightsError, match="float weights"):
        tnrnn.to_quimb(net, tnrnn.random_modular_weights(spec, rng=0))
    with pytest.raises(WeightsError, match="RACWeights for"):
        tnrnn.to_quimb(net, tnrnn.random_weights(tnrnn.RACSpec(M=2, R=2, L=1, T=4), rng=0))
    with pytest.raises(TnrnnError, match="copy must be"):
        tnrnn.to_quimb(net, copy="delta")
    with pytest.raises(TnrnnError, match="made by tnrnn.to_quimb"):
        tnrnn.from_quimb(qtn.MPS_rand_state(4, 2, seed=0))
    with pytest.raises(TnrnnError, match="a CutBound of this network"):
        tnrnn.to_quimb(net, cut=tnrnn.mincut_bound(tnrnn.compile_network(tnrnn.RACSpec(M=2, R=3, L=2, T=4)),
                                                   "start-end"))


# -- exact rank over F_p against the min-cut ------------------------------------------


def _integer_network(tn, seed, low=-3, high=4):
    rng = np.random.default_rng(seed)
    for t in tn:
        t.modify(data=rng.integers(low, high, size=t.shape))
    return tn


def _float_rank(tn, left):
    right = [ix for ix in tn.outer_inds() if ix not in left]
    full = tn.contract(output_inds=left + right).data.astype(float)
    return int(np.linalg.matrix_rank(full.reshape(int(np.prod(full.shape[:len(left)])), -1)))


@pytest.mark.parametrize("N,chi,d", [(6, 3, 2), (5, 4, 3), (6, 9, 2)])
def test_matricization_rank_meets_the_min_cut_on_an_mps(N, chi, d):
    mps = _integer_network(qtn.MPS_rand_state(N, chi, phys_dim=d, seed=0), seed=N + chi)
    for k in range(1, N):
        left = [f"k{i}" for i in range(k)]
        rank = tnrnn.matricization_rank(mps, left)
        bound = tnrnn.mincut_bound(mps, left_inds=left).bound
        assert rank == _float_rank(mps, left) == bound == min(chi, d**k, d ** (N - k))
    odd = [f"k{i}" for i in range(1, N, 2)]  # interleaved: rows are not a prefix of the open indices
    assert tnrnn.matricization_rank(mps, odd) == _float_rank(mps, odd) <= tnrnn.mincut_bound(mps, left_inds=odd).bound


def test_matricization_rank_on_a_peps_and_extreme_entries():
    peps = _integer_network(qtn.PEPS.rand(3, 3, 2, phys_dim=2, seed=0), seed=1)
    left = [f"k{i},0" for i in range(3)]
    rank = tnrnn.matricization_rank(peps, left)
    assert rank <= tnrnn.mincut_bound(peps, left_inds=left).bound == 8
    assert rank == _float_rank(peps, left)
    p = 2_147_483_647  # entries p - 1 everywhere: the rank-one tensor network of a constant
    const = _integer_network(qtn.MPS_rand_state(4, 2, seed=0), seed=0, low=p - 1, high=p)
    assert tnrnn.matricization_rank(const, ["k0", "k1"], prime=p) == 1
    assert tnrnn.matricization_rank(const, ["k0", "k1"], prime=5) == 1


def test_matricization_rank_refuses_bad_input():
    mps = qtn.MPS_rand_state(4, 2, seed=0)
    with pytest.raises(TnrnnError, match="integer data"):
        tnrnn.matricization_rank(mps, ["k0"])
    ints = _integer_network(mps.copy(), seed=0)
    with pytest.raises(TnrnnError, match="open indices"):
        tnrnn.matricization_rank(ints, ["k9"])
    with pytest.raises(TnrnnError, match="memory_limit="):
        tnrnn.matricization_rank(ints, ["k0"], memory_limit=64)
    with pytest.raises(TnrnnError, match="quimb TensorNetwork"):
        tnrnn.matricization_rank(([("a",)], ("a",), {"a": 2}), ["a"])
