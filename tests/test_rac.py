"""Forward pass against a plain nested-loop implementation, float vs modular, continuation."""

import numpy as np
import pytest

from tnrnn import (
    InputError,
    RACSpec,
    RACWeights,
    advance,
    forward,
    hidden_states,
    initial_states,
    random_modular_weights,
    random_weights,
    readout,
)


def naive_forward(weights, inputs, p=None):
    """Nested loops over sequences, steps, layers and channels, with Python integers/floats."""
    s = weights.spec
    W_H = [w.tolist() for w in weights.W_H]
    W_I = [w.tolist() for w in weights.W_I]
    W_O = weights.W_O.tolist()
    cast = int if p is not None else float
    out = []
    for n in range(inputs.shape[0]):
        h = [[cast(v) for v in weights.h0[l].tolist()] for l in range(s.L)]
        for t in range(s.T):
            below = [cast(v) for v in inputs[n, t].tolist()]
            for l in range(s.L):
                new = []
                for i in range(s.R):
                    a = sum(W_H[l][i][j] * h[l][j] for j in range(s.R))
                    b = sum(W_I[l][i][j] * below[j] for j in range(len(below)))
                    new.append(a * b if p is None else (a * b) % p)
                h[l] = new
                below = new
        y = [sum(W_O[k][j] * h[-1][j] for j in range(s.R)) for k in range(s.K)]
        out.append([v % p for v in y] if p is not None else y)
    return out


SPECS = [RACSpec(2, 3, 1, 5), RACSpec(3, 2, 2, 4, K=2), RACSpec(2, 2, 3, 6, K=3), RACSpec(4, 3, 2, 1)]


@pytest.mark.parametrize("spec", SPECS, ids=str)
@pytest.mark.parametrize("seed", [0, 1])
def test_float_forward_matches_nested_loops(spec, seed):
    w = random_weights(spec, rng=seed)
    x = np.random.default_rng(seed + 10).normal(size=(4, spec.T, spec.M))
    got = forward(w, x)
    want = np.array(naive_forward(w, x))
    assert got.shape == (4, spec.K)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12 * np.abs(want).max())


@pytest.mark.parametrize("spec", SPECS, ids=str)
@pytest.mark.parametrize("prime", [2_147_483_647, 1_000_003, 13])
def test_modular_forward_matches_python_integers(spec, prime):
    w = random_modular_weights(spec, rng=3, prime=prime)
    x = np.random.default_rng(4).integers(0, prime, size=(3, spec.T, spec.M))
    got = forward(w, x)
    assert got.dtype == np.int64
    assert got.tolist() == naive_forward(w, x, p=prime)


@pytest.mark.parametrize("spec", SPECS, ids=str)
def test_float_and_modular_agree_exactly_on_small_integers(spec):
    rng = np.random.default_rng(7)
    ints = dict(
        W_H=tuple(rng.integers(-2, 3, size=(spec.R, spec.R)) for _ in range(spec.L)),
        W_I=tuple(rng.integers(-2, 3, size=(spec.R, spec.input_dim(l + 1))) for l in range(spec.L)),
        h0=tuple(rng.integers(-2, 3, size=spec.R) for _ in range(spec.L)),
        W_O=rng.integers(-2, 3, size=(spec.K, spec.R)),
    )
    x = rng.integers(-1, 2, size=(5, spec.T, spec.M))
    exact_int = np.array(naive_forward(RACWeights(spec, **ints, prime=None), x.astype(float)))
    assert np.all(np.abs(exact_int) < 2**40)  # exactly representable, below p
    y_float = forward(RACWeights(spec, **ints), x.astype(float))
    p = 2_147_483_647
    y_mod = forward(RACWeights(spec, **ints, prime=p), x)
    assert np.array_equal(y_float, exact_int)
    assert np.array_equal(y_mod, np.mod(exact_int.astype(np.int64), p))


@pytest.mark.parametrize("exact", [False, True])
def test_states_and_continuation(exact):
    spec = RACSpec(3, 4, 3, 9, K=2)
    w = random_modular_weights(spec, rng=5) if exact else random_weights(spec, rng=5)
    gen = np.random.default_rng(6)
    x = gen.integers(0, 50, size=(2, 9, 3)) if exact else gen.normal(size=(2, 9, 3))
    traj = hidden_states(w, x)
    assert traj.shape == (2, 10, 3, 4)
    assert np.array_equal(traj[:, 0], initial_states(w, 2))
    # stop at step 4, continue from the saved states: same states and output
    mid = advance(w, initial_states(w, 2), x[:, :4])
    assert np.array_equal(mid, traj[:, 4])
    end = advance(w, mid, x[:, 4:])
    assert np.array_equal(end, traj[:, -1])
    assert np.array_equal(readout(w, end), forward(w, x))


def test_input_validation_messages():
    w = random_weights(RACSpec(3, 2, 1, 4), rng=0)
    with pytest.raises(InputError, match=r"shape \(N, T, M\) with M=3, got \(2, 4, 2\)"):
        forward(w, np.zeros((2, 4, 2)))
    with pytest.raises(InputError, match="T=4 steps"):
        forward(w, np.zeros((2, 5, 3)))
    with pytest.raises(InputError, match="states must have shape"):
        advance(w, np.zeros((2, 3)), np.zeros((2, 1, 3)))


def test_float_weights_stay_in_range_for_long_shallow_runs():
    """The documented stabilisation: a shallow RAC over 2000 steps neither overflows nor vanishes."""
    for R in (2, 4, 16):
        spec = RACSpec(3, R, 1, 2000)
        w = random_weights(spec, rng=1)
        h = hidden_states(w, np.random.default_rng(2).normal(size=(8, 2000, 3)))
        logn = np.log10(np.linalg.norm(h[:, 1:, 0], axis=-1))
        assert np.all(np.isfinite(logn))
        assert np.abs(np.median(logn[:, -1])) < 30
        unstab = random_weights(spec, rng=1, stabilize=False)
        assert unstab.scales is None and len(w.scales) == 1


# --------------------------------------------------------------------------- API conventions
def test_forward_of_a_spec_is_a_clear_error():
    from tnrnn import RACSpec, forward
    from tnrnn.errors import WeightsError

    spec = RACSpec(M=2, R=2, L=1, T=3)
    with pytest.raises(WeightsError, match=r"expected RACWeights, got RACSpec \(a spec has no weights: pass random_weights"):
        forward(spec, np.ones((1, 3, 2)))


def test_float_overflow_is_loud_not_nan():
    from tnrnn import RACSpec, forward, random_weights
    from tnrnn.errors import InputError

    w = random_weights(RACSpec(M=2, R=3, L=2, T=4))  # rng defaults to 0, like everywhere
    assert np.all(np.isfinite(forward(w, np.ones((2, 4, 2)))))
    x = np.ones((3, 4, 2))
    x[1] *= 1e200
    with pytest.raises(InputError, match=r"float64 overflow: 1 of 3 outputs are inf or nan \(largest \|input\| 1e\+200\)"):
        forward(w, x)
    assert np.array_equal(random_weights(w.spec).W_O, w.W_O)  # the default seed is 0
