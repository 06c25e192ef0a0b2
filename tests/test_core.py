"""Spec, weights, partitions and representation functions: validation and values."""

import dataclasses

import numpy as np
import pytest

from tnrnn import (
    DEFAULT_PRIME,
    Partition,
    PartitionError,
    RACSpec,
    RACWeights,
    SpecError,
    TnrnnError,
    WeightsError,
    gaussian,
    identity,
    one_hot,
    random_modular_weights,
    random_weights,
)
from tnrnn.modular import is_prime, mod_matmul


@pytest.mark.parametrize(
    "fields, message",
    [
        (dict(M=2, R=0, L=1, T=4), "R must be a positive integer, got 0"),
        (dict(M=-1, R=2, L=1, T=4), "M must be a positive integer, got -1"),
        (dict(M=2, R=2, L=1.5, T=4), "L must be a positive integer, got 1.5"),
        (dict(M=2, R=2, L=1, T=True), "T must be a positive integer, got True"),
        (dict(M=2, R=2, L=1, T=4, K=0), "K must be a positive integer, got 0"),
    ],
)
def test_spec_validation_messages(fields, message):
    with pytest.raises(SpecError) as info:
        RACSpec(**fields)
    assert str(info.value) == message
    assert isinstance(info.value, TnrnnError) and isinstance(info.value, ValueError)


def test_spec_is_frozen_and_hashable():
    spec = RACSpec(np.int64(2), 3, 2, 8)
    assert type(spec.M) is int and spec.K == 1 and not spec.shallow
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.R = 5
    assert {spec: 1}[RACSpec(2, 3, 2, 8)] == 1
    assert spec.replace(L=1).shallow


def test_weight_shapes_and_determinism():
    spec = RACSpec(M=3, R=4, L=3, T=5, K=2)
    w = random_weights(spec, rng=11)
    assert [a.shape for a in w.W_I] == [(4, 3), (4, 4), (4, 4)]
    assert all(a.shape == (4, 4) for a in w.W_H) and w.W_O.shape == (2, 4)
    w2 = random_weights(spec, rng=11)
    assert all(np.array_equal(a, b) for a, b in zip(w.W_H, w2.W_H))
    assert not np.array_equal(w.W_H[0], random_weights(spec, rng=12).W_H[0])
    m = random_modular_weights(spec, rng=11)
    assert m.prime == DEFAULT_PRIME and m.W_H[0].dtype == np.int64
    assert all(0 <= a.min() and a.max() < DEFAULT_PRIME for a in m.W_H + m.W_I + m.h0)
    with pytest.raises(ValueError):
        w.W_H[0][0, 0] = 1.0  # read-only


def test_uniform_kind_has_the_documented_variance():
    spec = RACSpec(M=50, R=200, L=1, T=2)
    w = random_weights(spec, rng=0, kind="uniform", stabilize=False)
    assert abs(w.W_I[0].var() * 50 - 1) < 0.05
    assert abs(w.W_H[0].var() * 200 - 1) < 0.05
    assert np.abs(w.W_I[0]).max() <= np.sqrt(3 / 50)


def test_weights_errors():
    spec = RACSpec(2, 3, 1, 4)
    good = random_weights(spec, rng=0)
    with pytest.raises(WeightsError, match=r"W_I\[0\] must have shape \(3, 2\)"):
        RACWeights(spec, good.W_H, (np.zeros((3, 3)),), good.h0, good.W_O)
    with pytest.raises(WeightsError, match="one array per layer"):
        RACWeights(spec, good.W_H * 2, good.W_I, good.h0, good.W_O)
    with pytest.raises(TnrnnError, match="prime must be a prime"):
        random_modular_weights(spec, rng=0, prime=2**31 + 11)
    with pytest.raises(TnrnnError, match="non-integer"):
        good.to_modular()
    with pytest.raises(TnrnnError, match="rng must be"):
        random_weights(spec, rng=None)


def test_mod_matmul_against_python_integers():
    p = DEFAULT_PRIME
    gen = np.random.default_rng(0)
    a = gen.integers(0, p, size=(5, 70))
    b = gen.integers(0, p, size=(70, 4))
    want = [[sum(int(a[i, k]) * int(b[k, j]) for k in range(70)) % p for j in range(4)] for i in range(5)]
    assert mod_matmul(a, b, p).tolist() == want
    assert [n for n in range(30) if is_prime(n)] == [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]
    assert is_prime(DEFAULT_PRIME) and not is_prime(DEFAULT_PRIME - 2)


def test_partition_constructors():
    assert Partition.start_end(6).A == (1, 2, 3) and Partition.start_end(6).B == (4, 5, 6)
    inter = Partition.interleaved(5)
    assert inter.A == (1, 3, 5) and inter.B == (2, 4) and not inter.is_prefix
    split = Partition.split(5, 2)
    assert split.A == (1, 2) and split.is_prefix and split.name == "split:2"
    expl = Partition.from_sets({4, 1}, 5)
    assert expl.A == (1, 4) and expl.B == (2, 3, 5) and expl.T == 5
    assert expl.side(3) == "B" and expl.swapped().A == (2, 3, 5)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Partition.start_end(7), "Start-End partition needs even T, got T=7; pass an explicit Partition"),
        (lambda: Partition((1, 2), (2, 3)), r"disjoint, both contain steps \[2\]"),
        (lambda: Partition((1, 2), ()), "both sides must be non-empty"),
        (lambda: Partition((1, 3), (4,)), r"cover the steps 1..3 exactly"),
        (lambda: Partition.split(4, 4), r"k must be an integer in 1..3 for T=4, got 4"),
        (lambda: Partition.from_sets([0, 1], 3), r"steps of A must be in 1..3, got \[0\]"),
        (lambda: Partition.from_sets([1, 2, 3], 3), "both sides must be non-empty"),
    ],
)
def test_partition_validation_messages(make, message):
    with pytest.raises(PartitionError, match=message):
        make()


def test_representations_and_independence():
    x = one_hot(np.array([[2, 0, 1]]), 3)
    assert x.shape == (1, 3, 3) and np.array_equal(x[0], np.eye(3)[[2, 0, 1]])
    with pytest.raises(TnrnnError, match="symbols must be in 0..2"):
        one_hot([3], 3)
    assert identity([[1, 2]]).dtype == np.float64
    centers = np.array([[0.0], [1.0], [2.5], [4.0]])
    G = gaussian(centers[:, 0], centers, width=0.7)  # f_d(c_e)
    assert G.shape == (4, 4) and np.allclose(np.diag(G), 1.0)
    assert np.linalg.matrix_rank(G) == 4  # distinct centres: independent functions
    pts = np.random.default_rng(0).normal(size=(3, 2))
    want = np.exp(-((pts[:, None, :] - pts[None]) ** 2).sum(-1) / 2)
    np.testing.assert_allclose(gaussian(pts, pts), want)
    with pytest.raises(TnrnnError, match="distinct"):
        gaussian([0.0], [[1.0], [1.0]])


def test_partition_parse():
    assert Partition.parse("start-end", 6) == Partition.start_end(6)
    assert Partition.parse("interleaved", 5) == Partition.interleaved(5)
    assert Partition.parse("split:2", 5) == Partition.split(5, 2)
    assert Partition.parse("A:1, 3", 4).A == (1, 3)
    for bad in ("split:x", "B:1", "halves", "A:"):
        with pytest.raises(PartitionError, match="cannot read partition"):
            Partition.parse(bad, 4)
    with pytest.raises(PartitionError, match="steps of A must be in 1..4"):
        Partition.parse("A:1,9", 4)


def test_partition_coerce_and_is_start_end():
    assert Partition.coerce("split:2", 4).is_start_end
    assert Partition.coerce(Partition.start_end(6), 6).is_start_end
    assert not Partition.interleaved(4).is_start_end and not Partition.split(5, 2).is_start_end
    with pytest.raises(PartitionError, match="partition is over T=6 steps, the network has T=4"):
        Partition.coerce(Partition.start_end(6), 4)
    with pytest.raises(PartitionError, match="must be a Partition or a string"):
        Partition.coerce(3, 4)


# --------------------------------------------------------------------------- safety nets
def test_check_prime_refuses_two_and_non_primes():
    from tnrnn.modular import check_prime

    for bad in (2, 1, 0, 4, 2**31 - 2, 2**31 + 11, 2**61 - 1):
        with pytest.raises(TnrnnError, match="prime must be a prime with 2 < p < 2\\*\\*31"):
            check_prime(bad)
    assert check_prime(3) == 3 and check_prime(2**31 - 1) == 2**31 - 1


@pytest.mark.parametrize("p", [3, 65_521, 2_147_483_629])
def test_random_modular_weights_honour_the_prime(p):
    spec = RACSpec(M=3, R=5, L=2, T=4)
    w = random_modular_weights(spec, 0, prime=p)
    arrays = list(w.W_H) + list(w.W_I) + list(w.h0) + [w.W_O]
    assert w.prime == p and all(a.min() >= 0 and a.max() < p for a in arrays)
    # with p = 3 every entry value appears; with large p entries pass 2**15 (not a small default)
    values = np.concatenate([a.ravel() for a in arrays])
    assert set(values.tolist()) == {0, 1, 2} if p == 3 else values.max() > 2**15
    from tnrnn import separation_rank

    assert separation_rank(spec, rng=0, prime=p).prime == p


def _naive_matmul(a, b, p):
    return [[sum(int(x) * int(y) for x, y in zip(row, col)) % p for col in zip(*b)] for row in a]


@pytest.mark.parametrize("p", [3, 65_521, 2_147_483_647])
@pytest.mark.parametrize("inner", [1, 7, 300])
def test_mod_matmul_with_every_entry_p_minus_1(p, inner):
    """The largest entries: a reduction one product too late overflows int64 here."""
    a = np.full((4, inner), p - 1, dtype=np.int64)
    b = np.full((inner, 3), p - 1, dtype=np.int64)
    b[0, 0] = p - 2
    assert mod_matmul(a, b, p).tolist() == _naive_matmul(a.tolist(), b.tolist(), p)


@pytest.mark.parametrize("L", [1, 2, 3])
def test_modular_forward_with_every_entry_p_minus_1(L):
    from tnrnn import RACWeights, forward

    p = 2_147_483_647
    spec = RACSpec(M=3, R=4, L=L, T=5)
    full = lambda *shape: np.full(shape, p - 1, dtype=np.int64)  # noqa: E731
    w = RACWeights(spec, tuple(full(4, 4) for _ in range(L)),
                   (full(4, 3),) + tuple(full(4, 4) for _ in range(L - 1)),
                   tuple(full(4) for _ in range(L)), full(1, 4), prime=p)
    x = full(2, 5, 3)
    # naive: every entry is -1 mod p, so each layer's state stays a constant vector
    h = [[p - 1] * 4 for _ in range(L)]
    for t in range(5):
        below = [p - 1] * 3
        for l in range(L):
            wi = [[p - 1] * len(below)] * 4
            proj = [sum(int(a) * int(b) for a, b in zip(row, below)) % p for row in wi]
            hh = [sum((p - 1) * v for v in h[l]) % p] * 4
            h[l] = [u * v % p for u, v in zip(hh, proj)]
            below = h[l]
    y = sum((p - 1) * v for v in h[-1]) % p
    assert forward(w, x).tolist() == [[y], [y]]
