"""Contraction of compiled networks against the forward pass (the independent oracle)."""

import numpy as np
import pytest

from tnrnn import (
    Partition, RACSpec, compile_network, forward, random_modular_weights, random_weights,
    shallow_start_end_rank,
)
from tnrnn.errors import InputError, MemoryLimitError, TnrnnError, WeightsError
from tnrnn.network import coefficient_tensor, contract, matricize

GRID = [(L, T) for L in (1, 2, 3) for T in (1, 2, 5, 8)]


def _rel_err(a, b):
    return np.max(np.abs(a - b)) / np.max(np.abs(b))


def _case(L, T, K, seed):
    spec = RACSpec(M=3, R=2, L=L, T=T, K=K)
    rng = np.random.default_rng(seed)
    return spec, rng


@pytest.mark.parametrize("merged", [False, True])
@pytest.mark.parametrize("method", ["einsum", "sweep"])
@pytest.mark.parametrize("L,T", GRID)
def test_opt_einsum_float_matches_forward(L, T, method, merged):
    spec, rng = _case(L, T, K=3, seed=10 * L + T)
    w = random_weights(spec, rng=rng)
    x = rng.normal(size=(4, T, spec.M))
    y = contract(compile_network(spec, merged=merged), w, x, method=method)
    assert y.shape == (4, 3)
    assert _rel_err(y, forward(w, x)) < 1e-10


@pytest.mark.parametrize("merged", [False, True])
@pytest.mark.parametrize("method", ["einsum", "sweep"])
@pytest.mark.parametrize("L,T", GRID)
def test_opt_einsum_modular_is_exact(L, T, method, merged):
    spec, rng = _case(L, T, K=2, seed=100 + 10 * L + T)
    w = random_modular_weights(spec, rng=rng)
    x = rng.integers(0, w.prime, size=(3, T, spec.M))
    y = contract(compile_network(spec, merged=merged), w, x, method=method)
    assert y.dtype == np.int64
    np.testing.assert_array_equal(y, forward(w, x))


@pytest.mark.parametrize("prime", [2_147_483_647, 65_537, 101])
def test_modular_small_primes(prime):
    spec = RACSpec(M=4, R=3, L=2, T=6, K=2)
    w = random_modular_weights(spec, rng=7, prime=prime)
    x = np.random.default_rng(8).integers(-5 * prime, 5 * prime, size=(3, 6, 4))
    net = compile_network(spec)
    for method in ("einsum", "sweep"):
        np.testing.assert_array_equal(contract(net, w, x, method=method), forward(w, x))


def test_l2_t64_contraction_is_fast():
    import time

    spec = RACSpec(M=4, R=4, L=2, T=64, K=2)
    w = random_weights(spec, rng=0)
    x = np.random.default_rng(1).normal(size=(8, 64, 4))
    net = compile_network(spec)
    y = contract(net, w, x)  # its time: benchmarks/bench_guards.py
    assert _rel_err(y, forward(w, x)) < 1e-10
    wm = random_modular_weights(spec, rng=2)
    xm = np.random.default_rng(3).integers(0, wm.prime, size=(8, 64, 4))
    np.testing.assert_array_equal(contract(net, wm, xm), forward(wm, xm))


def test_sweep_splits_batches_under_memory_limit():
    spec = RACSpec(M=2, R=3, L=2, T=6, K=2)
    net = compile_network(spec)
    w = random_weights(spec, rng=0)
    x = np.random.default_rng(1).normal(size=(10, 6, 2))
    per_sequence = net.n_nodes * 3 * 8
    y = contract(net, w, x, method="sweep", memory_limit=3 * per_sequence)
    assert _rel_err(y, forward(w, x)) < 1e-10
    with pytest.raises(MemoryLimitError, match="memory_limit"):
        contract(net, w, x, method="sweep", memory_limit=per_sequence - 1)


def _contract_tensor(net, tensor, x):
    """Naive evaluation: the tensor with x^{t_i} on axis i, one sequence at a time."""
    steps = net.node_step[net.input_nodes]
    out = []
    for seq in x:
        r = tensor
        for s in steps[::-1]:
            r = r @ seq[s - 1]
        out.append(r)
    return np.array(out)


@pytest.mark.parametrize("merged", [False, True])
@pytest.mark.parametrize("L,T", [(1, 1), (1, 4), (1, 6), (2, 2), (2, 4), (3, 2), (3, 3)])
def test_coefficient_tensor_against_forward(L, T, merged):
    spec = RACSpec(M=2, R=3, L=L, T=T, K=2)
    net = compile_network(spec, merged=merged)
    rng = np.random.default_rng(300 + 10 * L + T)
    w = random_weights(spec, rng=rng)
    x = rng.normal(size=(3, T, 2))
    A = coefficient_tensor(net, w, output=None)
    assert A.shape == (2,) + (2,) * net.input_nodes.size
    for c in range(2):
        A_c = coefficient_tensor(net, w, output=c)
        np.testing.assert_allclose(A_c, A[c], rtol=1e-12, atol=0)
        assert _rel_err(_contract_tensor(net, A_c, x), forward(w, x)[:, c]) < 1e-10
    wm = random_modular_weights(spec, rng=rng)
    xm = rng.integers(0, 50, size=(3, T, 2))
    Am = coefficient_tensor(net, wm, output=1).astype(object)
    ym = _contract_tensor(net, Am, xm.astype(object)) % wm.prime
    np.testing.assert_array_equal(ym.astype(np.int64), forward(wm, xm)[:, 1])


def test_shallow_coefficient_tensor_is_order_T():
    spec = RACSpec(M=3, R=2, L=1, T=5)
    A = coefficient_tensor(compile_network(spec), random_weights(spec, rng=1))
    assert A.shape == (3,) * 5


@pytest.mark.parametrize("M,R,T", [(2, 3, 4), (2, 5, 6), (3, 2, 4), (2, 2, 6)])
def test_shallow_matricization_rank(M, R, T):
    """Theorem 1: rank [A]_(S,E) = min(R, M^(T/2)) for generic weights."""
    spec = RACSpec(M=M, R=R, L=1, T=T)
    net = compile_network(spec)
    A = coefficient_tensor(net, random_weights(spec, rng=T))
    mat = matricize(net, A, Partition.start_end(T))
    assert mat.shape == (M ** (T // 2), M ** (T // 2))
    assert np.linalg.matrix_rank(mat) == shallow_start_end_rank(M, R, T)


@pytest.mark.parametrize("partition", ["start-end", "interleaved", "A:2"])
def test_matricize_entries(partition):
    """Every entry of the matrix is the tensor entry at the combined multi-index."""
    spec = RACSpec(M=2, R=2, L=2, T=4)
    net = compile_network(spec)
    A = coefficient_tensor(net, random_weights(spec, rng=0))
    part = Partition.parse(partition, 4)
    mat = matricize(net, A, part)
    steps = net.node_step[net.input_nodes]
    rows = [i for i, s in enumerate(steps) if s in part.A]
    cols = [i for i, s in enumerate(steps) if s in part.B]
    assert mat.shape == (2 ** len(rows), 2 ** len(cols))
    rng = np.random.default_rng(1)
    for _ in range(50):
        idx = rng.integers(0, 2, size=steps.size)
        r = int("".join(str(v) for v in idx[rows]), 2)
        c = int("".join(str(v) for v in idx[cols]), 2)
        assert mat[r, c] == A[tuple(idx)]


def test_coefficient_tensor_memory_limit():
    spec = RACSpec(M=4, R=2, L=2, T=8)
    net = compile_network(spec)  # 36 legs: 4^36 entries
    with pytest.raises(MemoryLimitError, match="36 legs"):
        coefficient_tensor(net, random_weights(spec, rng=0))
    small = RACSpec(M=2, R=2, L=2, T=3)
    net = compile_network(small)  # 6 legs: 64 entries = 512 bytes
    with pytest.raises(MemoryLimitError):
        coefficient_tensor(net, random_weights(small, rng=0), memory_limit=511)
    A = coefficient_tensor(net, random_weights(small, rng=0), memory_limit=4096)
    assert A.size == 64


def test_errors():
    spec = RACSpec(M=2, R=2, L=2, T=3)
    net = compile_network(spec)
    w = random_weights(spec, rng=0)
    with pytest.raises(WeightsError, match="compiled from"):
        contract(net, random_weights(spec.replace(T=4), rng=0), np.ones((1, 3, 2)))
    with pytest.raises(InputError, match=r"\(N, T, M\)"):
        contract(net, w, np.ones((1, 4, 2)))
    with pytest.raises(TnrnnError, match="method"):
        contract(net, w, np.ones((1, 3, 2)), method="magic")
    with pytest.raises(TnrnnError, match="output"):
        coefficient_tensor(net, w, output=1)
    with pytest.raises(InputError, match="output=c"):
        matricize(net, coefficient_tensor(net, w, output=None), Partition.split(3, 1))
    with pytest.raises(TnrnnError, match="T=4"):
        matricize(net, coefficient_tensor(net, w), Partition.start_end(4))


@pytest.mark.parametrize("optimize", ["greedy", "dp", "branch-2", "auto"])
def test_einsum_path_optimizers(optimize):
    spec = RACSpec(M=2, R=2, L=2, T=2, K=2)
    w = random_weights(spec, rng=9)
    x = np.random.default_rng(10).normal(size=(3, 2, 2))
    y = contract(compile_network(spec), w, x, method="einsum", optimize=optimize)
    assert _rel_err(y, forward(w, x)) < 1e-10


@pytest.mark.parametrize("method", ["einsum", "sweep"])
def test_depth_four(method):
    spec = RACSpec(M=2, R=3, L=4, T=4, K=2)
    net = compile_network(spec)
    w = random_weights(spec, rng=11)
    x = np.random.default_rng(12).normal(size=(3, 4, 2))
    assert _rel_err(contract(net, w, x, method=method), forward(w, x)) < 1e-10
    wm = random_modular_weights(spec, rng=13)
    xm = np.random.default_rng(14).integers(0, wm.prime, size=(3, 4, 2))
    np.testing.assert_array_equal(contract(net, wm, xm, method=method), forward(wm, xm))
