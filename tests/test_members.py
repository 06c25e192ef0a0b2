"""The RAC family (issue 17): spec validation, weights and the forward pass of every member
against nested loops written from the equations (tests/naive_members.py)."""

import numpy as np
import pytest

from naive_members import naive_member_forward
from tnrnn import RACSpec, RACWeights, SpecError, WeightsError, forward, hidden_states, random_modular_weights, random_weights
from tnrnn.rac import advance, initial_states, readout
from tnrnn.weights import layer_shapes

P = 2_147_483_647

from specs import SMALL_MEMBERS as MEMBERS  # noqa: E402


@pytest.mark.parametrize("spec", MEMBERS, ids=repr)
@pytest.mark.parametrize("seed", [0, 1])
def test_float_forward_matches_nested_loops(spec, seed):
    w = random_weights(spec, rng=seed)
    x = np.random.default_rng(seed + 10).normal(size=(4, spec.T, spec.M))
    got = forward(w, x)
    want = np.array(naive_member_forward(w, x))
    assert got.shape == (4, spec.K)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12 * np.abs(want).max())


@pytest.mark.parametrize("spec", MEMBERS, ids=repr)
@pytest.mark.parametrize("prime", [P, 1_000_003, 13])
def test_modular_forward_matches_python_integers(spec, prime):
    w = random_modular_weights(spec, rng=3, prime=prime)
    x = np.random.default_rng(4).integers(0, prime, size=(3, spec.T, spec.M))
    got = forward(w, x)
    assert got.dtype == np.int64
    assert got.tolist() == naive_member_forward(w, x, p=prime)


@pytest.mark.parametrize("spec", MEMBERS, ids=repr)
def test_modular_forward_with_every_entry_p_minus_1(spec):
    """Entries p - 1 everywhere: the largest products; exact (no int64 overflow)."""
    w = random_modular_weights(spec, rng=0)
    top = {name: (tuple(None if a is None else np.full(a.shape, P - 1) for a in seq) if seq is not None else None)
           for name in ("W_H", "W_I", "h0", "U", "A", "b_H", "b_I") for seq in [getattr(w, name)]}
    full = RACWeights(spec, top.pop("W_H"), top.pop("W_I"), top.pop("h0"), np.full(w.W_O.shape, P - 1),
                      prime=P, **top)
    x = np.full((2, spec.T, spec.M), P - 1)
    assert forward(full, x).tolist() == naive_member_forward(full, x, p=P)


@pytest.mark.parametrize("spec", MEMBERS[:4] + MEMBERS[-3:], ids=repr)
def test_continuation_and_hidden_states(spec):
    w = random_modular_weights(spec, rng=5)
    x = np.random.default_rng(6).integers(0, P, size=(3, spec.T, spec.M))
    h = advance(w, initial_states(w, 3), x[:, :2])
    h = advance(w, h, x[:, 2:])
    assert readout(w, h).tolist() == forward(w, x).tolist()
    hs = hidden_states(w, x)
    assert [a.shape for a in hs] == [(3, spec.T + 1, r) for r in spec.widths]
    # h^L_T from hidden_states gives the output too
    top = hs[-1][:, -1]
    assert ((top @ w.W_O.T.astype(object)) % P).astype(np.int64).tolist() == forward(w, x).tolist()


def test_float_and_modular_agree_on_small_integers():
    spec = RACSpec(M=2, R=(2, 3), L=2, T=3, cell=("full", "cp:2"), dilations=(2, 1))
    w = random_modular_weights(spec, rng=1, prime=5)
    ints = w.to_float()  # representatives 0..4: the float forward is exact at this size
    x = np.random.default_rng(2).integers(0, 3, size=(4, spec.T, spec.M))
    y_float = forward(ints, x.astype(float))
    assert np.all(np.abs(y_float) < 2**52) and np.any(y_float != 0)
    assert (np.round(y_float).astype(np.int64) % 5).tolist() == forward(w, x).tolist()


def test_plain_spec_is_unchanged():
    spec = RACSpec(M=2, R=3, L=2, T=4)
    assert repr(spec) == "RACSpec(M=2, R=3, L=2, T=4, K=1)"
    assert spec.plain and spec.widths == (3, 3) and spec.cells == ("mi", "mi") and spec.dilations == (1, 1)
    assert RACSpec(M=2, R=(3, 3), L=2, T=4, cell=("mi", "mi"), dilations=(1, 1)) == spec
    w = random_weights(spec, rng=0)
    assert w.U is None and w.A is None and w.b_H is None
    assert initial_states(w, 2).shape == (2, 2, 3)


@pytest.mark.parametrize("kwargs, message", [
    (dict(R=(3, 2)), "R needs one value or one per layer (L=3), got 2: (3, 2)"),
    (dict(cell="cp:0"), "cell must be 'mi', 'full', 'glru' or 'cp:K' with K a positive integer, got 'cp:0'"),
    (dict(cell="rnn"), "got 'rnn'"),
    (dict(cell=("mi", "full")), "cell needs one value or one per layer (L=3), got 2"),
    (dict(bias=True, cell="cp:2"), "bias is defined for 'mi' layers only, got cell='cp:2'"),
    (dict(bias=True, cell=("mi", "full", "mi")), "bias is defined for 'mi' layers only"),
    (dict(dilations=0), "dilations must be a positive integer, got 0"),
    (dict(dilations=(1, 2, -1)), "dilations must be a positive integer, got -1"),
    (dict(bias="yes"), "bias must be True or False, got 'yes'"),
])
def test_bad_member_fields_one_line(kwargs, message):
    base = dict(M=2, R=3, L=3, T=4)
    base.update(kwargs)
    with pytest.raises(SpecError) as err:
        RACSpec(**base)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_spec_views_and_replace():
    spec = RACSpec(M=2, R=(3, 2), L=2, T=6, cell=("cp:4", "full"), dilations=(1, 2))
    assert spec.widths == (3, 2) and spec.cells == ("cp:4", "full") and spec.dilations == (1, 2)
    assert spec.dilation_of(2) == 2 and spec.cp_rank(1) == 4 and spec.cp_rank(2) is None
    assert spec.input_dim(2) == 3 and spec.state_dim(0) == 2 and not spec.plain
    assert spec.replace(T=8).T == 8 and spec.replace(T=8).cells == spec.cells
    assert RACSpec(M=2, R=3, L=2, T=4, dilations=2).replace(L=3).dilations == (2, 2, 2)
    assert RACSpec(M=2, R=3, L=1, T=4, bias=True).state_dim(1) == 4
    with pytest.raises(SpecError, match="unknown fields"):
        spec.replace(width=3)


@pytest.mark.parametrize("spec", MEMBERS, ids=repr)
def test_weight_shapes_per_layer(spec):
    for w in (random_weights(spec, rng=0), random_modular_weights(spec, rng=0)):
        for l in range(1, spec.L + 1):
            for name, shape in layer_shapes(spec, l).items():
                seq = getattr(w, name)
                got = None if seq is None else seq[l - 1]
                assert (got is None) == (shape is None) and (got is None or got.shape == shape)
        assert w.W_O.shape == (spec.K, spec.widths[-1])


def test_weights_refuse_wrong_shapes_and_missing_fields():
    spec = RACSpec(M=2, R=3, L=1, T=4, cell="cp:2")
    w = random_modular_weights(spec)
    with pytest.raises(WeightsError, match=r"U needs one array per layer"):
        RACWeights(spec, w.W_H, w.W_I, w.h0, w.W_O)
    with pytest.raises(WeightsError, match=r"U\[0\] must have shape \(3, 2\)"):
        RACWeights(spec, w.W_H, w.W_I, w.h0, w.W_O, U=(np.zeros((2, 3)),))
    with pytest.raises(WeightsError, match=r"A\[0\] must be None"):
        RACWeights(spec, w.W_H, w.W_I, w.h0, w.W_O, U=w.U, A=(np.zeros((3, 3, 2)),))


def test_random_weights_are_seeded():
    spec = MEMBERS[9]
    a, b = random_weights(spec, rng=3), random_weights(spec, rng=3)
    assert all(np.array_equal(x, y) for x, y in zip(a.arrays(), b.arrays()))
    assert a.scales == b.scales and len(a.scales) == spec.L


def test_stabilised_member_stays_finite_over_long_sequences():
    spec = RACSpec(M=3, R=4, L=1, T=400, cell="cp:3", dilations=2)
    w = random_weights(spec, rng=0)
    y = forward(w, np.random.default_rng(0).normal(size=(8, spec.T, spec.M)))
    assert np.all(np.isfinite(y)) and np.all(np.abs(y) < 1e100) and np.any(np.abs(y) > 1e-100)


def test_a_huge_layer_count_is_refused_in_one_line_before_any_allocation():
    """Hypothesis found L = 3,567,587,327 (from a JSON network) raising a bare MemoryError
    while the spec built its tuple of L dilations."""
    from tnrnn.spec import MAX_LAYERS

    with pytest.raises(SpecError, match=r"L must be at most 100,000 layers, got 3,567,587,327"):
        RACSpec(M=2, R=2, L=3_567_587_327, T=3)
    assert RACSpec(M=2, R=2, L=MAX_LAYERS, T=3).dilations == (1,) * MAX_LAYERS
    with pytest.raises(SpecError):
        RACSpec(M=2, R=2, L=MAX_LAYERS + 1, T=3)
