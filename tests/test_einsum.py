"""The einsum triple of a compiled network (tnrnn.network.einsum) and cotengra on it."""

import math

import numpy as np
import opt_einsum as oe
import pytest

import tnrnn
from tnrnn.errors import TnrnnError
from tnrnn.network.contract import _einsum_operands, slot_inputs


def _naive_cost(inputs, output, sizes, path):
    """Sum over the pairwise steps of the product of the sizes of every index involved
    (what cotengra calls the contraction cost), following an opt_einsum path."""
    terms = [set(t) for t in inputs]
    total = 0
    for step in path:
        picked = [terms.pop(i) for i in sorted(step, reverse=True)]
        involved = set().union(*picked)
        total += math.prod(sizes[ix] for ix in involved)
        keep = set(output).union(*terms)
        terms.append(involved & keep)
    return total


@pytest.mark.parametrize("spec", [tnrnn.RACSpec(M=2, R=3, L=3, T=4), tnrnn.RACSpec(M=3, R=2, L=2, T=5, K=2),
                                  tnrnn.RACSpec(M=2, R=(3, 2), L=2, T=3, cell="cp:2", bias=False)], ids=str)
@pytest.mark.parametrize("merged", [False, True])
def test_triple_is_the_expression_contract_plans(spec, merged):
    net = tnrnn.compile_network(spec, merged=merged)
    w = tnrnn.random_weights(spec, rng=0)
    x = np.random.default_rng(1).normal(size=(5, spec.T, spec.M))
    inputs, output, sizes = tnrnn.to_einsum(net, batch=5)
    terms, operands, out = _einsum_operands(net, w, x=slot_inputs(spec, x))
    sym = oe.get_symbol
    assert inputs == ["".join(sym(i) for i in t) for t in terms]
    assert output == "".join(sym(i) for i in out)
    assert all(op.shape == tuple(sizes[ix] for ix in t) for op, t in zip(operands, inputs))
    y = oe.contract(",".join(inputs) + "->" + output, *operands)
    assert np.allclose(y, tnrnn.forward(w, x), rtol=1e-10, atol=0)


def test_open_input_legs_give_the_coefficient_tensor():
    spec = tnrnn.RACSpec(M=2, R=3, L=2, T=3, K=2)
    net = tnrnn.compile_network(spec)
    w = tnrnn.random_weights(spec, rng=2)
    inputs, output, sizes = tnrnn.to_einsum(net)
    ops = [tnrnn.network._kernels.weight_tensor(w, k, int(l))
           for k, l in zip(net.node_kind, net.node_layer)
           if k not in (tnrnn.NodeKind.DELTA, tnrnn.NodeKind.INPUT)]
    A = oe.contract(",".join(inputs) + "->" + output, *ops)
    assert A.shape == (2,) + (2,) * net.input_nodes.size
    np.testing.assert_allclose(A, tnrnn.coefficient_tensor(net, w, output=None), rtol=1e-12)


def test_cotengra_tree_for_a_depth3_network_reports_the_cost_tnrnn_plans():
    ctg = pytest.importorskip("cotengra")
    spec = tnrnn.RACSpec(M=2, R=3, L=3, T=4)
    net = tnrnn.compile_network(spec)
    w = tnrnn.random_weights(spec, rng=0)
    x = np.random.default_rng(1).normal(size=(5, spec.T, spec.M))
    inputs, output, sizes = tnrnn.to_einsum(net, batch=5)
    _, operands, _ = _einsum_operands(net, w, x=slot_inputs(spec, x))
    eq = ",".join(inputs) + "->" + output
    path, info = oe.contract_path(eq, *operands, optimize="auto")  # what tnrnn.contract plans
    tree = ctg.ContractionTree.from_path(inputs, output, sizes, path=path)
    cost = _naive_cost(inputs, output, sizes, path)
    assert int(tree.contraction_cost()) == cost
    assert round(2 ** tree.contraction_width()) == int(info.largest_intermediate)
    found = ctg.array_contract_tree(inputs, output, sizes, optimize="greedy")
    assert found.contraction_cost() > 0 and len(found.get_path()) == len(inputs) - 1
    y = found.contract(operands)
    assert np.allclose(y, tnrnn.contract(net, w, x), rtol=1e-10, atol=0)


def test_bad_arguments():
    net = tnrnn.compile_network(tnrnn.RACSpec(M=2, R=2, L=1, T=2))
    with pytest.raises(TnrnnError, match="batch must be"):
        tnrnn.to_einsum(net, batch=0)
    with pytest.raises(TnrnnError, match="needs a RACNetwork"):
        tnrnn.to_einsum(tnrnn.RACSpec(M=2, R=2, L=1, T=2))
