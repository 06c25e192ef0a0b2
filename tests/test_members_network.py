"""Networks of RAC-family members: compiled structure, copy counts (closed form, counted on
the network, brute-force recursion) and contraction equal to the forward pass."""

import itertools

import numpy as np
import pytest

from naive_members import naive_member_forward
from tnrnn import RACSpec, compile_network, contract, random_modular_weights, random_weights
from tnrnn.copies import boundary_copies, chain_counts, copy_counts
from tnrnn.errors import MemoryLimitError
from tnrnn.formulas import input_copies, layer_copies
from tnrnn.network import coefficient_tensor, matricize
from tnrnn.network.compile import check_network_size, compile_shallow
from tnrnn.network.members import compile_members, member_network_size
from tnrnn.network.model import NodeKind
from tnrnn.partition import Partition

P = 2_147_483_647

from specs import SMALL_MEMBERS as MEMBERS  # noqa: E402
try:  # tensornetwork is an optional extra: its method is skipped without it
    import tensornetwork  # noqa: F401
except ImportError:
    tensornetwork = None
METHODS = ["einsum", "sweep", pytest.param("tensornetwork", marks=pytest.mark.skipif(
    tensornetwork is None, reason="needs the tensornetwork extra"))]


def brute_copies(T, dilations):
    """Copies of each x^s by expanding the recursion literally (no formula)."""
    L = len(dilations)
    counts = [0] * (T + 1)

    def visit(l, t):  # the network of h^l_t
        if t <= 0:
            return
        if l == 0:
            counts[t] += 1
            return
        visit(l, t - dilations[l - 1])
        visit(l - 1, t)

    visit(L, T)
    return tuple(counts[1:])


@pytest.mark.parametrize("T, dilations", [
    (6, (1,)), (7, (2,)), (8, (1, 1)), (9, (1, 2)), (9, (3, 2)), (8, (2, 1, 3)), (7, (1, 1, 1)),
    (10, (4, 4)), (9, (1, 2, 2, 1)),
])
def test_copy_counts_against_recursion_and_network(T, dilations):
    want = brute_copies(T, dilations)
    assert copy_counts(T, dilations) == want
    L = len(dilations)
    assert tuple(input_copies(T, t, L, dilations=dilations) for t in range(1, T + 1)) == want
    net = compile_network(RACSpec(M=2, R=2, L=L, T=T, dilations=dilations))
    assert tuple(net.input_copies(t).size for t in range(1, T + 1)) == want
    # copies of x^t are numbered 0..c-1
    for t in range(1, T + 1):
        assert sorted(net.node_copy[net.input_copies(t)].tolist()) == list(range(want[t - 1]))
    if all(d == 1 for d in dilations):
        assert want == tuple(input_copies(T, t, L) for t in range(1, T + 1))


@pytest.mark.parametrize("T, dilations", [(8, (1, 1)), (8, (1, 2)), (9, (2, 3)), (8, (1, 1, 1)), (9, (2, 1, 2))])
def test_boundary_copies_counted_on_the_network(T, dilations):
    """Chains crossing the prefix 1..k and entering it at step u: counted on the network as
    edges from a prefix site of layer l into a suffix site of layer l."""
    L = len(dilations)
    net = compile_network(RACSpec(M=2, R=2, L=L, T=T, dilations=dilations), merged=True)
    k = T // 2
    u_, v_ = net.edge_u, net.edge_v
    for l in range(1, L + 1):
        same = (net.node_layer[u_] == l) & (net.node_layer[v_] == l) & (net.node_kind[u_] == NodeKind.CORE)
        cross = same & (net.node_step[u_] <= k) & (net.node_step[v_] > k)
        got = {u: int(np.sum(cross & (net.node_step[u_] == u))) for u in range(max(1, k - dilations[l - 1] + 1), k + 1)}
        assert boundary_copies(T, k, dilations, l) == got
        if all(d == 1 for d in dilations) and T % 2 == 0:
            assert got == {k: layer_copies(T, L, l)}


@pytest.mark.parametrize("spec", MEMBERS, ids=repr)
@pytest.mark.parametrize("merged", [False, True])
def test_structure_validates_and_size_formula(spec, merged):
    net = compile_network(spec, merged=merged).validate()
    assert (net.n_nodes, net.n_edges) == member_network_size(spec, merged=merged)
    assert check_network_size(spec, merged=merged) == net.n_nodes
    sites = [sum(s) for _, s in chain_counts(spec.T, spec.dilations)]
    kinds = net.kind_counts()
    assert kinds.get("INPUT", 0) == sites[0] == sum(copy_counts(spec.T, spec.dilations))
    n_cp = sum(sites[l] for l in range(spec.L) if spec.cells[l].startswith("cp:"))
    assert kinds.get("U", 0) == (0 if merged else n_cp)


@pytest.mark.parametrize("T", [1, 2, 5])
@pytest.mark.parametrize("merged", [False, True])
def test_member_compiler_equals_the_shallow_compiler(T, merged):
    """compile_shallow is written separately: the general builder must agree with it."""
    spec = RACSpec(2, 3, 1, T)
    a, b = compile_shallow(spec, merged=merged), compile_members(spec, merged=merged)
    for f in ("node_kind", "node_layer", "node_step", "node_copy", "edge_u", "edge_u_leg", "edge_v",
              "edge_v_leg", "edge_dim"):
        assert np.array_equal(getattr(a, f), getattr(b, f)), f


@pytest.mark.parametrize("spec", MEMBERS, ids=repr)
@pytest.mark.parametrize("merged", [False, True])
@pytest.mark.parametrize("method", METHODS)
def test_float_contraction_equals_forward(spec, merged, method):
    w = random_weights(spec, rng=1)
    x = np.random.default_rng(2).normal(size=(3, spec.T, spec.M))
    want = np.array(naive_member_forward(w, x))
    got = contract(compile_network(spec, merged=merged), w, x, method=method)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12 * np.abs(want).max())


@pytest.mark.parametrize("spec", MEMBERS, ids=repr)
@pytest.mark.parametrize("merged", [False, True])
@pytest.mark.parametrize("method", METHODS)
def test_modular_contraction_equals_forward_exactly(spec, merged, method):
    w = random_modular_weights(spec, rng=3)
    x = np.random.default_rng(4).integers(0, P, size=(2, spec.T, spec.M))
    x[0] = P - 1
    got = contract(compile_network(spec, merged=merged), w, x, method=method)
    assert got.tolist() == naive_member_forward(w, x, p=P)


@pytest.mark.parametrize("spec", [MEMBERS[0], MEMBERS[4], MEMBERS[6], MEMBERS[9]], ids=repr)
def test_coefficient_tensor_reproduces_outputs(spec):
    """y = the coefficient tensor contracted with (x^t [, 1]) on every copy."""
    w = random_modular_weights(spec, rng=5, prime=1_000_003)
    net = compile_network(spec)
    A = coefficient_tensor(net, w).astype(object)
    x = np.random.default_rng(6).integers(0, 1_000_003, size=(2, spec.T, spec.M))
    steps = net.node_step[net.input_nodes]
    for seq, want in zip(x, naive_member_forward(w, x, p=1_000_003)):
        val = A
        for t in steps:
            vec = [int(v) for v in seq[t - 1]] + ([1] if spec.bias else [])
            val = np.tensordot(np.asarray(vec, dtype=object), val, axes=([0], [0]))
        assert int(val) % 1_000_003 == want[0]
    mat = matricize(net, A, Partition.start_end(spec.T) if spec.T % 2 == 0 else Partition.parse("split:2", spec.T))
    assert mat.size == A.size


def test_size_checks_refuse_members_up_front():
    big = RACSpec(M=2, R=2, L=4, T=400, cell="cp:2", dilations=(1, 1, 1, 2))
    with pytest.raises(MemoryLimitError, match="above max_nodes"):
        compile_network(big)
    with pytest.raises(MemoryLimitError, match="more than"):
        compile_network(RACSpec(M=2, R=2, L=1, T=10**9, dilations=3))
    small = RACSpec(M=2, R=2, L=2, T=6, dilations=(2, 2))
    n = member_network_size(small)[0]
    with pytest.raises(MemoryLimitError):
        compile_network(small, max_nodes=n - 1)
    assert compile_network(small, max_nodes=n).n_nodes == n


def test_inputs_with_no_copies_do_not_change_the_output():
    spec = RACSpec(M=2, R=2, L=1, T=6, dilations=2)  # only even steps reach y
    w = random_modular_weights(spec)
    x = np.random.default_rng(0).integers(0, P, size=(1, 6, 2))
    y = contract(compile_network(spec), w, x)
    x[0, ::2] = 7  # odd steps
    assert contract(compile_network(spec), w, x).tolist() == y.tolist() == naive_member_forward(w, x, p=P)
    assert [t for t in range(1, 7) if compile_network(spec).input_copies(t).size] == [2, 4, 6]


def test_copy_counts_closed_form_for_two_layers():
    """L = 2, d = (1, d2): copies of x^s = floor((T - s) / d2) + 1."""
    for T, d2 in itertools.product(range(1, 12), range(1, 5)):
        assert copy_counts(T, (1, d2)) == tuple((T - s) // d2 + 1 for s in range(1, T + 1))
