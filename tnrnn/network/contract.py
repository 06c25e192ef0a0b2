"""Contraction of a compiled RAC network: weights are attached here, and only here.

Two opt_einsum engines, plus tensornetwork's contractors through
:mod:`tnrnn.network.tn_adapter`:

``"einsum"``
    The whole network as one ``opt_einsum`` expression. DELTA nodes are not stored as
    tensors: the three edges at a DELTA share one (hyper)index, which is exactly the copy
    tensor. A batch index runs over the N input sequences. The path comes from
    ``opt_einsum.contract_path`` (``optimize="auto"``: optimal / branch-and-bound for up to
    14 operands, greedy beyond; any opt_einsum optimizer may be passed).
``"sweep"``
    The network is a tree whose edges run from producer to consumer, so it is contracted
    leaves-first in rounds (a vectorised topological sweep): all nodes of one kind and
    layer in a round are contracted at once, each as one batched ``opt_einsum`` call
    (``W h``) or an elementwise product (DELTA). Linear in the size of the network, so
    it handles long deep chains (the default above 300 nodes).

Exact arithmetic: with modular weights (``weights.prime`` set) every pairwise contraction
is done on int64 with one factor split into 16-bit halves and reduced mod p, so nothing
overflows and the result equals :func:`tnrnn.forward` exactly.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import opt_einsum as oe

from ..errors import InputError, MemoryLimitError, TnrnnError, WeightsError
from ..modular import to_field
from ..partition import Partition
from ..weights import RACWeights
from ._kernels import flow_rounds, mod_einsum, mod_matvec, producers, weight_tensor
from .model import LEG_COUNT, NodeKind, RACNetwork, expected_leg_dims

__all__ = ["contract", "coefficient_tensor", "matricize", "DEFAULT_MEMORY_LIMIT"]

#: Default memory limit of contraction results and intermediates: 1 GiB.
DEFAULT_MEMORY_LIMIT: int = 1 << 30

_AUTO_EINSUM_MAX_NODES = 300


def _check_weights(network: RACNetwork, weights: RACWeights) -> None:
    if not isinstance(network, RACNetwork):
        raise TnrnnError(f"network must be a RACNetwork, got {type(network).__name__}")
    if not isinstance(weights, RACWeights):
        raise WeightsError(f"weights must be RACWeights, got {type(weights).__name__}")
    if weights.spec != network.spec:
        raise WeightsError(
            f"weights are for {weights.spec} but the network is compiled from {network.spec}; "
            "draw weights for the network's spec"
        )


def _check_inputs(network: RACNetwork, weights: RACWeights, inputs: np.ndarray) -> np.ndarray:
    spec = network.spec
    arr = np.asarray(inputs)
    if arr.ndim != 3 or arr.shape[1:] != (spec.T, spec.M):
        raise InputError(
            f"inputs must have shape (N, T, M) = (N, {spec.T}, {spec.M}), got {arr.shape}; "
            "pass one represented vector f(x^t) per time step"
        )
    if weights.prime is not None:
        return to_field(arr, weights.prime)
    if arr.dtype.kind not in "iuf" or not np.all(np.isfinite(arr)):
        raise InputError(f"inputs must hold finite real numbers, got dtype {arr.dtype}")
    return arr.astype(np.float64, copy=False)


def slot_inputs(spec, x: np.ndarray) -> np.ndarray:
    """What the INPUT slots hold: ``f(x^t)``, with the constant coordinate 1 appended
    when ``spec.bias`` (shape (..., M + 1))."""
    if not spec.bias:
        return x
    return np.concatenate([x, np.ones(x.shape[:-1] + (1,), dtype=x.dtype)], axis=-1)


def _check_limit(memory_limit: object) -> int:
    if isinstance(memory_limit, bool) or not isinstance(memory_limit, (int, np.integer)) or memory_limit < 1:
        raise TnrnnError(f"memory_limit must be a positive number of bytes, got {memory_limit!r}")
    return int(memory_limit)


def contract(
    network: RACNetwork,
    weights: RACWeights,
    inputs: np.ndarray,
    *,
    method: str = "auto",
    optimize: str = "auto",
    memory_limit: int = DEFAULT_MEMORY_LIMIT,
    progress: bool | None = None,
) -> np.ndarray:
    """Contract the network with weights and one input vector per step on every copy.

    Parameters
    ----------
    network : RACNetwork
    weights : RACWeights
        For ``network.spec``; float64 or modular.
    inputs : array (N, T, M)
        Represented inputs ``f(x^t)``; the vector of step t is placed on every copy of x^t.
    method : {"auto", "einsum", "sweep", "tensornetwork"}
        ``"auto"`` uses ``"einsum"`` up to 300 nodes and ``"sweep"`` above (see the module
        docstring); ``"tensornetwork"`` runs tensornetwork's contractor ``optimize``
        (``"greedy"`` when ``optimize="auto"``) once per sequence.
    optimize : str
        The opt_einsum path optimizer for ``"einsum"`` (e.g. ``"greedy"``, ``"optimal"``).
    memory_limit : int, default 1 GiB
        Largest intermediate allowed (einsum), or memory for the messages of one batch
        (sweep, which then splits N into batches). Raise it to allow more.
    progress : bool or None
        Show a tqdm bar over the sweep rounds; ``None`` shows it for networks of more
        than 100 000 nodes.

    Returns
    -------
    array (N, K)
        Equal to :func:`tnrnn.forward` (float64, or exact int64 residues mod p).

    Raises
    ------
    MemoryLimitError
        Before allocating, if the contraction needs more than ``memory_limit`` bytes.

    Examples
    --------
    >>> import numpy as np
    >>> from tnrnn import RACSpec, random_weights, forward, compile_network
    >>> spec = RACSpec(M=2, R=3, L=2, T=4, K=2)
    >>> w = random_weights(spec, rng=0)
    >>> x = np.random.default_rng(1).normal(size=(5, 4, 2))
    >>> bool(np.allclose(contract(compile_network(spec), w, x), forward(w, x)))
    True
    """
    _check_weights(network, weights)
    x = _check_inputs(network, weights, inputs)
    limit = _check_limit(memory_limit)
    if method == "auto":
        method = "einsum" if network.n_nodes <= _AUTO_EINSUM_MAX_NODES else "sweep"
    if method == "einsum":
        terms, operands, output = _einsum_operands(network, weights, x=slot_inputs(network.spec, x))
        return _run_einsum(terms, operands, output, weights.prime, optimize, limit)
    if method == "sweep":
        show = network.n_nodes > 100_000 if progress is None else bool(progress)
        return _sweep(network, weights, slot_inputs(network.spec, x), limit, show)
    if method == "tensornetwork":
        from .tn_adapter import contract_tensornetwork

        algorithm = "greedy" if optimize == "auto" else optimize
        return contract_tensornetwork(network, weights, x, algorithm=algorithm)
    raise TnrnnError(f"method must be 'auto', 'einsum', 'sweep' or 'tensornetwork', got {method!r}")


# -- the sweep engine ------------------------------------------------------------------


def _sweep(network: RACNetwork, weights: RACWeights, x: np.ndarray, limit: int, progress: bool) -> np.ndarray:
    spec = network.spec
    width = max(int(expected_leg_dims(spec, network.node_kind, network.node_layer.astype(np.int64)).max()), spec.K)
    per_sequence = network.n_nodes * width * 8
    if per_sequence > limit:
        raise MemoryLimitError(
            f"the sweep keeps one vector per node: {per_sequence} bytes per sequence for "
            f"{network!r}, over memory_limit={limit}; pass a larger memory_limit="
        )
    batch = max(1, limit // per_sequence)
    parts = [
        _sweep_batch(network, weights, x[i : i + batch], width, progress)
        for i in range(0, x.shape[0], batch)
    ]
    return np.concatenate(parts, axis=0) if parts else np.zeros((0, spec.K), x.dtype)


def _sweep_batch(network, weights, x, width, progress) -> np.ndarray:
    from tqdm.auto import tqdm

    spec, p = network.spec, weights.prime
    if not spec.plain:
        return _sweep_batch_members(network, weights, x, width, progress)
    M, R = spec.M, spec.R
    dtype = np.int64 if p is not None else np.float64
    msg = np.zeros((network.n_nodes, x.shape[0], width), dtype=dtype)
    prod = producers(network)
    kind = network.node_kind.astype(np.int64)
    layer = network.node_layer.astype(np.int64)
    rounds = flow_rounds(network)

    def mul(a, b):
        return a * b if p is None else (a * b) % p

    for nodes in tqdm(rounds, desc="sweep", disable=not progress, leave=False):
        keys = kind[nodes] * 65536 + layer[nodes]
        for key in np.unique(keys):
            g = nodes[keys == key]
            k, l = NodeKind(int(key) >> 16), int(key) & 0xFFFF
            below = M if l <= 1 else R
            if k == NodeKind.INPUT:
                msg[g, :, :M] = x[:, network.node_step[g] - 1, :].transpose(1, 0, 2)
            elif k == NodeKind.H0:
                msg[g, :, :R] = weights.h0[l - 1]
            elif k == NodeKind.DELTA:
                msg[g, :, :R] = mul(msg[prod[g, 0], :, :R], msg[prod[g, 1], :, :R])
            elif k == NodeKind.CORE:
                a = mod_matvec(msg[prod[g, 0], :, :R], weights.W_H[l - 1], p)
                b = mod_matvec(msg[prod[g, 1], :, :below], weights.W_I[l - 1], p)
                msg[g, :, :R] = mul(a, b)
            else:  # W_H, W_I, W_O: a matrix applied to the vector on leg 1
                din = below if k == NodeKind.W_I else R
                w = weight_tensor(weights, k, l)
                msg[g, :, : w.shape[0]] = mod_matvec(msg[prod[g, 1], :, :din], w, p)
    return msg[network.output_node, :, : spec.K].copy()


def _sweep_batch_members(network, weights, x, width, progress) -> np.ndarray:
    """:func:`_sweep_batch` for members: every dimension from the leg table, CORE nodes
    from their order-3 tensor (cp, full, bias)."""
    from tqdm.auto import tqdm

    spec, p = network.spec, weights.prime
    msg = np.zeros((network.n_nodes, x.shape[0], width), dtype=np.int64 if p is not None else np.float64)
    prod = producers(network)
    kind = network.node_kind.astype(np.int64)
    layer = network.node_layer.astype(np.int64)
    dims = expected_leg_dims(spec, kind, layer)
    for nodes in tqdm(flow_rounds(network), desc="sweep", disable=not progress, leave=False):
        keys = kind[nodes] * 65536 + layer[nodes]
        for key in np.unique(keys):
            g = nodes[keys == key]
            k, l = NodeKind(int(key) >> 16), int(key) & 0xFFFF
            if k == NodeKind.INPUT:
                msg[g, :, : x.shape[2]] = x[:, network.node_step[g] - 1, :].transpose(1, 0, 2)
            elif k == NodeKind.DELTA:
                d = int(dims[g[0], 0])
                a, b = msg[prod[g, 0], :, :d], msg[prod[g, 1], :, :d]
                msg[g, :, :d] = a * b if p is None else (a * b) % p
            elif k == NodeKind.CORE:
                msg[g, :, : int(dims[g[0], 2])] = _core_apply(
                    weight_tensor(weights, k, l), msg[prod[g, 0], :, : int(dims[g[0], 0])],
                    msg[prod[g, 1], :, : int(dims[g[0], 1])], p)
            else:
                w = weight_tensor(weights, k, l)
                if k == NodeKind.H0:
                    msg[g, :, : w.shape[0]] = w
                else:  # W_H, W_I, U, W_O: a matrix applied to the vector on leg 1
                    msg[g, :, : w.shape[0]] = mod_matvec(msg[prod[g, 1], :, : w.shape[1]], w, p)
    return msg[network.output_node, :, : spec.K].copy()


def _core_apply(core: np.ndarray, prev: np.ndarray, below: np.ndarray, p: int | None) -> np.ndarray:
    """``out[..., c] = sum_{a,b} core[a, b, c] prev[..., a] below[..., b]`` (mod p)."""
    a, b, c = core.shape
    inner = mod_matvec(below, np.ascontiguousarray(core.transpose(0, 2, 1)).reshape(a * c, b), p)
    inner = inner.reshape(below.shape[:-1] + (a, c))
    if p is None:
        return np.einsum("...a,...ac->...c", prev, inner)
    from ..modular import mod_matmul

    return mod_matmul(np.ascontiguousarray(prev[..., None, :]), inner, p)[..., 0, :]


# -- the einsum engine -----------------------------------------------------------------


def _leg_symbols(network: RACNetwork) -> np.ndarray:
    """Index ids of every leg, shape (n, 3): the edges at a DELTA share one id."""
    kind = network.node_kind
    u, v = network.edge_u, network.edge_v
    m = network.n_edges
    du, dv = kind[u] == NodeKind.DELTA, kind[v] == NodeKind.DELTA
    if np.any(du & dv):
        raise TnrnnError("two DELTA nodes are joined directly; the einsum engine does not support it")
    sym = np.where(dv, m + v, np.where(du, m + u, np.arange(m)))
    _, sym = np.unique(sym, return_inverse=True)
    legs = np.full((network.n_nodes, 3), -1, dtype=np.int64)
    legs[u, network.edge_u_leg.astype(np.int64)] = sym
    legs[v, network.edge_v_leg.astype(np.int64)] = sym
    legs[network.output_node, 0] = sym.max() + 1  # the open output leg
    return legs


def _einsum_operands(network, weights, *, x=None, w_out=None):
    """Terms (lists of index ids), operands and output ids of the whole network.

    With ``x`` (N, T, M) the INPUT slots hold the inputs and a batch index leads the
    output; without it the INPUT legs stay open and follow the output leg, in the order
    of ``network.input_nodes``.
    """
    legs = _leg_symbols(network)
    batch = int(legs.max()) + 1
    kind, layer, step = network.node_kind, network.node_layer, network.node_step
    cache: dict[tuple[int, int], np.ndarray] = {}
    terms, operands = [], []
    for node in range(network.n_nodes):
        k = NodeKind(int(kind[node]))
        if k == NodeKind.DELTA or (k == NodeKind.INPUT and x is None):
            continue
        term = [int(s) for s in legs[node, : LEG_COUNT[k]]]
        if k == NodeKind.INPUT:
            operands.append(x[:, int(step[node]) - 1, :])
            term = [batch] + term
        elif k == NodeKind.W_O and w_out is not None:
            operands.append(w_out)
        else:
            key = (int(k), int(layer[node]))
            if key not in cache:
                cache[key] = weight_tensor(weights, k, int(layer[node]))
            operands.append(cache[key])
        terms.append(term)
    out_leg = int(legs[network.output_node, 0])
    if x is not None:
        output = [batch, out_leg]
    else:
        output = [out_leg] + [int(s) for s in legs[network.input_nodes, 0]]
    return terms, operands, output


def _run_einsum(terms, operands, output, p, optimize, limit) -> np.ndarray:
    sym = oe.get_symbol
    strs = ["".join(sym(i) for i in t) for t in terms]
    out = "".join(sym(i) for i in output)
    eq = ",".join(strs) + "->" + out
    path, info = oe.contract_path(eq, *operands, optimize=optimize)
    factor = 8 if p is None else 24  # the modular split holds two extra temporaries
    need = int(info.largest_intermediate) * factor
    if need > limit:
        raise MemoryLimitError(
            f"the contraction path needs an intermediate of {need} bytes, over "
            f"memory_limit={limit}; pass a larger memory_limit= or another method/optimize"
        )
    if p is None:
        return oe.contract(eq, *operands, optimize=path)
    return run_mod_path(strs, list(operands), out, path, p)


def run_mod_path(terms: list[str], ops: list[np.ndarray], output: str, path, p: int) -> np.ndarray:
    """Follow an opt_einsum path pairwise, reducing mod p after every contraction."""
    count = Counter("".join(terms) + output)

    def kept(term: str, rest: str = "") -> str:
        return "".join(c for c in dict.fromkeys(term) if count[c] > 0 or c in rest)

    for step in path:
        picked = [(ops.pop(i), terms.pop(i)) for i in sorted(step, reverse=True)]
        for _, t in picked:
            count.subtract(t)
        a, ta = picked[0]
        if len(picked) == 1:
            tb = kept(ta)
            a = np.asarray(oe.contract(f"{ta}->{tb}", a) % p)
            ta = tb
        for j, (b, tb) in enumerate(picked[1:], start=2):
            tc = kept(ta + tb, "".join(t for _, t in picked[j:]))
            a, ta = mod_einsum(f"{ta},{tb}->{tc}", a, b, p), tc
        count.update(ta)
        ops.append(a)
        terms.append(ta)
    (res,), (term,) = ops, terms
    return np.ascontiguousarray(oe.contract(f"{term}->{output}", res))


# -- coefficient tensor ----------------------------------------------------------------


def coefficient_tensor(
    network: RACNetwork,
    weights: RACWeights,
    *,
    output: int | None = 0,
    optimize: str = "auto",
    memory_limit: int = DEFAULT_MEMORY_LIMIT,
) -> np.ndarray:
    """The network contracted with its INPUT slots left open.

    One axis of dimension M per input copy, in the order of ``network.input_nodes``
    (by step, then copy): order T for a shallow network, ``C(T + L - 1, L)`` for a deep one.
    ``y_c = sum A[d_1, ...] prod_i f_{d_i}(x^{t_i})`` with ``t_i`` the step of axis i.

    Parameters
    ----------
    network : RACNetwork
    weights : RACWeights
    output : int or None, default 0
        The class c whose tensor is returned; ``None`` keeps all K outputs as a leading axis.
    optimize : str
        opt_einsum path optimizer.
    memory_limit : int, default 1 GiB
        Refuse, before allocating, results or intermediates larger than this (bytes).

    Raises
    ------
    MemoryLimitError
        If the tensor (``K' * M^copies`` entries of 8 bytes) or an intermediate of the
        contraction path would exceed ``memory_limit``.

    Examples
    --------
    >>> from tnrnn import RACSpec, random_weights, compile_network
    >>> spec = RACSpec(M=2, R=2, L=2, T=3)
    >>> coefficient_tensor(compile_network(spec), random_weights(spec, rng=0)).shape
    (2, 2, 2, 2, 2, 2)
    """
    _check_weights(network, weights)
    limit = _check_limit(memory_limit)
    spec = network.spec
    if output is not None and (isinstance(output, bool) or not 0 <= int(output) < spec.K):
        raise TnrnnError(f"output must be a class index in 0..{spec.K - 1} or None, got {output!r}")
    legs = int(network.input_nodes.size)
    rows = spec.K if output is None else 1
    S0 = spec.state_dim(0)
    need = rows * S0**legs * 8
    if need > limit:
        raise MemoryLimitError(
            f"the coefficient tensor of {network!r} has {legs} legs of dimension {S0}: "
            f"{need} bytes, over memory_limit={limit}; pass a larger memory_limit= or use a "
            "smaller T, L or M"
        )
    w_out = None if output is None else weight_tensor(weights, NodeKind.W_O, spec.L)[int(output) : int(output) + 1]
    terms, operands, out = _einsum_operands(network, weights, w_out=w_out)
    res = _run_einsum(terms, operands, out, weights.prime, optimize, limit)
    return res if output is None else res[0]


def matricize(network: RACNetwork, tensor: np.ndarray, partition: Partition) -> np.ndarray:
    """The matricization ``[A]_(A,B)`` of a coefficient tensor of ``network``.

    Rows run over the axes of every copy of every step in ``partition.A`` (in axis order),
    columns over those of B: shape ``(M^a, M^b)`` with a, b the numbers of copies.

    Examples
    --------
    >>> from tnrnn import RACSpec, random_weights, compile_network, Partition
    >>> spec = RACSpec(M=2, R=2, L=2, T=2)
    >>> net = compile_network(spec)
    >>> A = coefficient_tensor(net, random_weights(spec, rng=0))
    >>> matricize(net, A, Partition.start_end(2)).shape  # x^1 has 2 copies, x^2 one
    (4, 2)
    """
    if not isinstance(partition, Partition):
        raise TnrnnError(f"partition must be a Partition, got {type(partition).__name__}")
    partition.check_T(network.spec.T)
    steps = network.node_step[network.input_nodes]
    arr = np.asarray(tensor)
    M = network.spec.state_dim(0)
    if arr.shape != (M,) * steps.size:
        raise InputError(
            f"tensor must have {steps.size} axes of dimension {M} (M, plus 1 with bias; one per input copy), got "
            f"shape {arr.shape}; pass coefficient_tensor(..., output=c) for one class"
        )
    in_a = np.isin(steps, partition.A)
    order = np.concatenate([np.flatnonzero(in_a), np.flatnonzero(~in_a)])
    return np.transpose(arr, order).reshape(M ** int(in_a.sum()), -1)
