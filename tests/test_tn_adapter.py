"""The tensornetwork bridge (tnrnn.network.tn_adapter), behind the ``tensornetwork`` extra.

Moved here from test_contract.py; skipped cleanly when tensornetwork is not installed.
"""

import numpy as np
import pytest

from tnrnn import RACSpec, compile_network, forward, random_modular_weights, random_weights
from tnrnn.network import coefficient_tensor, contract, contract_tensornetwork, to_tensornetwork

pytest.importorskip("tensornetwork")


def _rel_err(a, b):
    return np.max(np.abs(a - b)) / np.max(np.abs(b))


def _case(L, T, K, seed):
    spec = RACSpec(M=3, R=2, L=L, T=T, K=K)
    rng = np.random.default_rng(seed)
    return spec, rng


@pytest.mark.parametrize("merged", [False, True])
@pytest.mark.parametrize("L,T", [(1, 8), (2, 5), (2, 8), (3, 4), (3, 8)])
def test_tensornetwork_matches_forward(L, T, merged):
    spec, rng = _case(L, T, K=2, seed=200 + 10 * L + T)
    net = compile_network(spec, merged=merged)
    w = random_weights(spec, rng=rng)
    x = rng.normal(size=(2, T, spec.M))
    assert _rel_err(contract(net, w, x, method="tensornetwork"), forward(w, x)) < 1e-10
    wm = random_modular_weights(spec, rng=rng)
    xm = rng.integers(0, wm.prime, size=(2, T, spec.M))
    np.testing.assert_array_equal(contract(net, wm, xm, method="tensornetwork"), forward(wm, xm))


@pytest.mark.parametrize("algorithm", ["greedy", "auto"])
def test_tensornetwork_contractors(algorithm):
    spec = RACSpec(M=2, R=3, L=2, T=4, K=2)
    w = random_weights(spec, rng=3)
    x = np.random.default_rng(4).normal(size=(2, 4, 2))
    y = contract_tensornetwork(compile_network(spec), w, x, algorithm=algorithm)
    assert _rel_err(y, forward(w, x)) < 1e-10


def test_to_tensornetwork_structure():
    import tensornetwork as tn

    spec = RACSpec(M=2, R=3, L=2, T=3, K=2)
    net = compile_network(spec)
    nodes, open_edges = to_tensornetwork(net)  # structure only: inputs stay open
    assert len(nodes) == net.n_nodes
    assert sum(n is None for n in nodes) == net.input_nodes.size
    assert len(open_edges) == 1 + net.input_nodes.size
    assert open_edges[0].dimension == spec.K
    assert all(e.dimension == spec.M for e in open_edges[1:])
    live = [n for n in nodes if n is not None]
    assert sum(len(n.edges) for n in live) == 2 * (net.n_edges - net.input_nodes.size) + len(open_edges)
    assert isinstance(nodes[int(np.flatnonzero(net.node_kind == 0)[0])], tn.CopyNode)


def test_to_tensornetwork_open_legs_give_coefficient_tensor():
    spec = RACSpec(M=2, R=2, L=2, T=2, K=2)
    net = compile_network(spec)
    w = random_weights(spec, rng=5)
    import tensornetwork as tn

    nodes, open_edges = to_tensornetwork(net, w)
    res = tn.contractors.greedy([n for n in nodes if n is not None], output_edge_order=open_edges)
    np.testing.assert_allclose(res.tensor, coefficient_tensor(net, w, output=None), rtol=1e-12)
