"""The one bridge to Google's ``tensornetwork`` package (imported lazily, here only).

Nothing else in tnrnn imports tensornetwork, so ``import tnrnn`` stays light, and nothing in
the core needs it: it is an optional extra (``pip install 'tnrnn[tensornetwork]'``). The
package is archived upstream (last release 0.4.6); quimb (:mod:`tnrnn.interop`) is the
maintained alternative.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InputError, TnrnnError
from ..weights import RACWeights
from ._kernels import weight_tensor
from .model import LEG_COUNT, NodeKind, RACNetwork, expected_leg_dims

__all__ = ["to_tensornetwork", "contract_tensornetwork"]

_CONTRACTORS = ("greedy", "auto", "optimal", "branch")


def _tn():
    try:
        import tensornetwork
    except ImportError as err:
        raise TnrnnError("to_tensornetwork and contract(method='tensornetwork') need the tensornetwork "
                         "package: pip install 'tnrnn[tensornetwork]'") from err
    return tensornetwork


def to_tensornetwork(
    network: RACNetwork, weights: RACWeights | None = None, inputs: np.ndarray | None = None
) -> tuple[list[Any], list[Any]]:
    """The network as tensornetwork Nodes with their edges connected.

    Parameters
    ----------
    network : RACNetwork
    weights : RACWeights, optional
        Fills the weight nodes; without weights every node holds zeros of the right shape
        (structure only). Modular weights give object arrays of Python integers, so a
        contraction is exact (reduce it mod ``weights.prime``).
    inputs : array (T, M), optional
        One represented sequence: the INPUT nodes of step t hold ``inputs[t - 1]``.
        Without inputs there are no INPUT nodes and their legs stay open.

    Returns
    -------
    nodes : list
        One entry per network node, in node order: a ``tensornetwork.Node`` (DELTA nodes
        are ``tensornetwork.CopyNode``), or ``None`` for INPUT slots without inputs. Each
        node is named ``"<KIND>:l<layer>:t<step>:c<copy>"``.
    open_edges : list
        The dangling edges: the output leg of W_O (dimension K), then, without inputs,
        the open input leg of every copy in the order of ``network.input_nodes``.
    """
    tn = _tn()
    if not isinstance(network, RACNetwork):
        raise TnrnnError(f"network must be a RACNetwork, got {type(network).__name__}")
    spec = network.spec
    exact = weights is not None and weights.prime is not None
    if weights is not None and weights.spec != network.spec:
        raise TnrnnError(f"weights are for {weights.spec}, the network for {network.spec}")
    x = None
    if inputs is not None:
        x = np.asarray(inputs)
        if x.shape != (spec.T, spec.M):
            raise InputError(f"inputs must have shape (T, M) = ({spec.T}, {spec.M}), got {x.shape}")
        x = x.astype(object) if exact else x.astype(np.float64)
        if spec.bias:  # the constant coordinate of the input slots
            x = np.concatenate([x, np.ones((spec.T, 1), dtype=x.dtype)], axis=1)
    dtype = object if exact else np.float64
    kind = network.node_kind.astype(np.int64)
    dims = expected_leg_dims(spec, kind, network.node_layer.astype(np.int64))
    nodes: list[Any] = []
    for i in range(network.n_nodes):
        k = NodeKind(int(kind[i]))
        name = f"{k.name}:l{network.node_layer[i]}:t{network.node_step[i]}:c{network.node_copy[i]}"
        shape = tuple(int(d) for d in dims[i, : LEG_COUNT[k]])
        if k == NodeKind.DELTA:
            nodes.append(tn.CopyNode(3, int(dims[i, 0]), name=name, dtype=dtype))
        elif k == NodeKind.INPUT:
            nodes.append(None if x is None else tn.Node(x[int(network.node_step[i]) - 1], name=name))
        elif weights is None:
            nodes.append(tn.Node(np.zeros(shape), name=name))
        else:
            tensor = weight_tensor(weights, k, int(network.node_layer[i]))
            nodes.append(tn.Node(tensor.astype(dtype), name=name))
    for u, ul, v, vl in zip(network.edge_u.tolist(), network.edge_u_leg.tolist(),
                            network.edge_v.tolist(), network.edge_v_leg.tolist()):
        if nodes[u] is not None and nodes[v] is not None:
            nodes[u][ul] ^ nodes[v][vl]
    open_edges = [nodes[network.output_node][0]]
    if x is None:
        for i in network.input_nodes.tolist():
            (e,) = np.flatnonzero(network.edge_u == i)
            open_edges.append(nodes[int(network.edge_v[e])][int(network.edge_v_leg[e])])
    return nodes, open_edges


def contract_tensornetwork(
    network: RACNetwork, weights: RACWeights, inputs: np.ndarray, *, algorithm: str = "greedy"
) -> np.ndarray:
    """Contract with tensornetwork's contractor ``algorithm``, one sequence at a time.

    Parameters
    ----------
    network, weights
        As for :func:`tnrnn.network.contract`.
    inputs : array (N, T, M)
    algorithm : {"greedy", "auto", "optimal", "branch"}
        A function of ``tensornetwork.contractors``.

    Returns
    -------
    array (N, K)
        float64, or exact int64 residues mod ``weights.prime``.
    """
    tn = _tn()
    if algorithm not in _CONTRACTORS:
        raise TnrnnError(f"algorithm must be one of {_CONTRACTORS}, got {algorithm!r}")
    x = np.asarray(inputs)
    if x.ndim != 3:
        raise InputError(f"inputs must have shape (N, T, M), got {x.shape}")
    p = weights.prime
    if p is not None:
        from ..modular import to_field

        x = to_field(x, p)
    contractor = getattr(tn.contractors, algorithm)
    out = []
    for seq in x:
        nodes, open_edges = to_tensornetwork(network, weights, seq)
        result = contractor([n for n in nodes if n is not None], output_edge_order=open_edges)
        out.append(np.asarray(result.tensor))
    y = np.stack(out) if out else np.zeros((0, network.spec.K))
    if p is None:
        return y.astype(np.float64)
    return np.asarray([int(v) % p for v in y.ravel()], dtype=np.int64).reshape(y.shape)
