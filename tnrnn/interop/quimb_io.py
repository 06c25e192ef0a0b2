"""A compiled RAC network as a quimb ``TensorNetwork``, and back (quimb imported lazily).

One quimb tensor per network node. Index names: ``e{edge}`` for a bond between two
tensors, ``y`` for the open output leg of W_O, ``x{t}_{c}`` for the open input leg of copy
c of step t (when no inputs are given), ``d{node}`` for the hyperindex that stands for a
DELTA node when ``copy="hyper"``, and ``b`` for the batch hyperindex of N input
sequences. Tags: the node kind (``W_H``, ``W_I``, ``DELTA``, ``INPUT``, ...), ``L{layer}``,
``T{step}``, ``C{copy}``, the unique ``N{node}``, the partition side ``SIDE_A`` /
``SIDE_B`` (a node's step, H0 with step 1) and the min-cut side ``CUT_A`` / ``CUT_B``.
The W_O tensor also carries one tag ``tnrnn:{json}`` with the spec and what no tensor or
index name holds (the ids of DELTA and INPUT nodes that are not tensors, and of their
edges), so :func:`from_quimb` rebuilds the network array for array.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from ..errors import InputError, TnrnnError, WeightsError
from ..network._kernels import OUT_LEG, weight_tensor
from ..network.contract import slot_inputs
from ..network.model import LEG_COUNT, NodeKind, RACNetwork, expected_leg_dims
from ..network.readwrite import parse_spec
from ..partition import Partition
from ..weights import RACWeights

__all__ = ["to_quimb", "from_quimb", "quimb_positions", "META_TAG"]

#: Prefix of the tag that carries the spec and the ids of nodes that are not tensors.
META_TAG = "tnrnn:"
_COPY_MODES = ("tensor", "hyper")


def _qtn():
    try:
        import quimb.tensor as qtn
    except ImportError as err:
        raise TnrnnError("to_quimb and from_quimb need quimb: pip install 'tnrnn[quimb]'") from err
    return qtn


def _inputs(network: RACNetwork, inputs: Any) -> np.ndarray | None:
    if inputs is None:
        return None
    spec = network.spec
    x = np.asarray(inputs)
    if x.ndim == 2:
        x = x[None]
    if x.ndim != 3 or x.shape[1:] != (spec.T, spec.M):
        raise InputError(f"inputs must have shape (T, M) = ({spec.T}, {spec.M}) for one sequence or "
                         f"(N, T, M) for a batch, got {np.shape(inputs)}")
    if x.dtype.kind not in "iuf" or not np.all(np.isfinite(x)):
        raise InputError(f"inputs must hold finite real numbers, got dtype {x.dtype}")
    return slot_inputs(spec, x.astype(np.float64))


def _edge_names(network: RACNetwork, copy: str, open_inputs: bool) -> np.ndarray:
    """Index name of every edge (object array)."""
    kind = network.node_kind
    names = np.array([f"e{e}" for e in range(network.n_edges)], dtype=object)
    if open_inputs:
        u = network.edge_u
        for e in np.flatnonzero(kind[u] == NodeKind.INPUT).tolist():
            n = int(u[e])
            names[e] = f"x{int(network.node_step[n])}_{int(network.node_copy[n])}"
    if copy == "hyper":
        for end in (network.edge_u, network.edge_v):
            at = np.flatnonzero(kind[end] == NodeKind.DELTA)
            for e in at.tolist():
                names[e] = f"d{int(end[e])}"
    return names


def _tags(network: RACNetwork, node: int, part: Partition | None, cut_side) -> list[str]:
    k = NodeKind(int(network.node_kind[node]))
    step = int(network.node_step[node])
    tags = [k.name, f"L{int(network.node_layer[node])}", f"T{step}", f"C{int(network.node_copy[node])}",
            f"N{node}"]
    if part is not None:
        tags.append("SIDE_A" if max(step, 1) in part.A else "SIDE_B")
    if cut_side is not None:
        tags.append("CUT_A" if cut_side[node] else "CUT_B")
    return tags


def to_quimb(network: RACNetwork, weights: RACWeights | None = None, inputs: Any = None, *,
             partition: Partition | str | None = None, cut: Any = None, copy: str = "tensor") -> Any:
    """The network as a ``quimb.tensor.TensorNetwork`` (names and tags: module docstring).

    Parameters
    ----------
    network : RACNetwork
    weights : RACWeights, optional
        Float weights for ``network.spec``. Without them every tensor holds zeros of its
        shape (structure only).
    inputs : array (T, M) or (N, T, M), optional
        Represented inputs. One sequence: the INPUT tensors of step t hold ``inputs[t-1]``
        and contracting gives ``forward(weights, inputs[None])[0]`` (shape (K,)). A batch:
        every INPUT tensor also carries the batch hyperindex ``b``; contract with
        ``output_inds=("b", "y")`` for ``forward(weights, inputs)``. Without inputs there
        are no INPUT tensors and their legs stay open as ``x{t}_{c}``.
    partition : Partition or str, optional
        Tag every tensor ``SIDE_A`` or ``SIDE_B`` by its step.
    cut : CutBound, optional
        A min-cut of this network (:func:`tnrnn.mincut_bound`): tag ``CUT_A`` / ``CUT_B``.
    copy : {"tensor", "hyper"}
        DELTA nodes as quimb ``COPY_tensor`` s, or as one shared hyperindex ``d{node}``.

    Returns
    -------
    quimb.tensor.TensorNetwork

    Examples
    --------
    >>> import numpy as np, tnrnn
    >>> spec = tnrnn.RACSpec(M=2, R=3, L=2, T=3)
    >>> net, w = tnrnn.compile_network(spec), tnrnn.random_weights(spec, rng=0)
    >>> x = np.random.default_rng(1).normal(size=(3, 2))
    >>> tn = to_quimb(net, w, x)
    >>> bool(np.allclose(tn.contract(output_inds=("y",)).data, tnrnn.forward(w, x[None])[0]))
    True
    """
    qtn = _qtn()
    if not isinstance(network, RACNetwork):
        raise TnrnnError(f"to_quimb needs a RACNetwork, got {type(network).__name__}")
    if copy not in _COPY_MODES:
        raise TnrnnError(f"copy must be 'tensor' (COPY_tensor nodes) or 'hyper' (shared indices), got {copy!r}")
    if weights is not None:
        if not isinstance(weights, RACWeights) or weights.spec != network.spec:
            raise WeightsError(f"weights must be RACWeights for {network.spec}, got "
                               f"{getattr(weights, 'spec', type(weights).__name__)}")
        if weights.prime is not None:
            raise WeightsError("to_quimb takes float weights; modular weights would overflow in quimb's "
                               "float contraction (use tnrnn.contract for exact arithmetic)")
    part = None if partition is None else Partition.coerce(partition, network.spec.T)
    cut_side = None if cut is None else np.asarray(cut.side)
    if cut_side is not None and cut_side.shape != (network.n_nodes,):
        raise TnrnnError(f"cut must be a CutBound of this network ({network.n_nodes} nodes), "
                         f"got sides for {cut_side.shape[0]} nodes")
    x = _inputs(network, inputs)
    names = _edge_names(network, copy, x is None)
    legs = np.full((network.n_nodes, 3), None, dtype=object)
    legs[network.edge_u, network.edge_u_leg.astype(int)] = names
    legs[network.edge_v, network.edge_v_leg.astype(int)] = names
    legs[network.output_node, 0] = "y"
    kind = network.node_kind.astype(np.int64)
    dims = expected_leg_dims(network.spec, kind, network.node_layer.astype(np.int64))
    absent_mask = ((kind == NodeKind.DELTA) & (copy == "hyper")) | ((kind == NodeKind.INPUT) & (x is None))
    absent = [[i, int(kind[i]), int(network.node_layer[i]), int(network.node_step[i]), int(network.node_copy[i])]
              for i in np.flatnonzero(absent_mask).tolist()]
    single = x is not None and np.ndim(inputs) == 2
    tensors = []
    for i in np.flatnonzero(~absent_mask).tolist():
        k = NodeKind(int(kind[i]))
        inds = tuple(legs[i, : LEG_COUNT[k]])
        shape = tuple(int(d) for d in dims[i, : LEG_COUNT[k]])
        tags = _tags(network, i, part, cut_side)
        if k == NodeKind.DELTA:
            tensors.append(qtn.COPY_tensor(shape[0], inds, tags=tags))
        elif k == NodeKind.INPUT:
            vec = x[:, int(network.node_step[i]) - 1, :]
            tensors.append(qtn.Tensor(vec[0].copy(), inds, tags=tags) if single
                           else qtn.Tensor(vec.T.copy(), inds + ("b",), tags=tags))
        else:
            data = np.zeros(shape) if weights is None else weight_tensor(weights, k, int(network.node_layer[i]))
            if k == NodeKind.W_O:
                tags.append(META_TAG + _meta(network, names, absent, copy))
            tensors.append(qtn.Tensor(np.array(data, dtype=np.float64), inds, tags=tags))
    return qtn.TensorNetwork(tensors, virtual=True)


def _meta(network: RACNetwork, names: np.ndarray, absent: list, copy: str) -> str:
    """The JSON of the metadata tag: spec, merged, absent nodes and the edges of shared names."""
    shared: dict[str, list[list[int]]] = {}
    for e, name in enumerate(names.tolist()):
        if not name.startswith("e"):
            shared.setdefault(name, []).append([e, int(network.edge_u[e]), int(network.edge_u_leg[e]),
                                                int(network.edge_v[e]), int(network.edge_v_leg[e]),
                                                int(network.edge_dim[e])])
    return json.dumps({"spec": network.spec.fields(), "merged": bool(network.merged),
                       "absent": absent, "shared": shared, "copy": copy}, separators=(",", ":"))


def from_quimb(tn: Any) -> RACNetwork:
    """The :class:`RACNetwork` a :func:`to_quimb` network was made from (arrays equal).

    Nodes come from the tensors' tags (kind, ``L``, ``T``, ``C``, ``N``), bonds from the
    ``e{edge}`` indices (the producer is the end whose leg is its kind's output leg), and
    the rest from the ``tnrnn:`` tag. The result is validated.

    Raises
    ------
    TnrnnError
        If ``tn`` was not made by :func:`to_quimb` (no ``tnrnn:`` tag, missing tags).
    """
    metas = [tag for t in getattr(tn, "tensors", ()) for tag in t.tags if tag.startswith(META_TAG)]
    if len(metas) != 1:
        raise TnrnnError(f"from_quimb reads networks made by tnrnn.to_quimb (one '{META_TAG}' tag), "
                         f"found {len(metas)} such tags")
    meta = json.loads(metas[0][len(META_TAG):])
    version = 1 if set(meta["spec"]) == {"M", "R", "L", "T", "K"} else 2
    spec = parse_spec(meta["spec"], version)
    nodes: dict[int, tuple[int, int, int, int]] = {i: (k, l, s, c) for i, k, l, s, c in meta["absent"]}
    bonds: dict[str, list[tuple[int, int, int]]] = {}
    for t in tn.tensors:
        info = _node_from_tags(t.tags)
        nodes[info[0]] = info[1:]
        for leg, ix in enumerate(t.inds[: LEG_COUNT[info[1]]]):
            if ix.startswith("e"):
                bonds.setdefault(ix, []).append((info[0], leg, int(t.ind_size(ix))))
    n = len(nodes)
    if sorted(nodes) != list(range(n)):
        raise TnrnnError(f"from_quimb: node ids are not 0..{n - 1}; was a tensor removed?")
    cols = np.array([nodes[i] for i in range(n)], dtype=np.int64).reshape(n, 4)
    edges: dict[int, tuple[int, int, int, int, int]] = {}
    for ix, ends in bonds.items():
        if len(ends) != 2:
            raise TnrnnError(f"from_quimb: bond {ix} joins {len(ends)} tensors, expected 2")
        (a, la, d), (b, lb, _) = ends
        if OUT_LEG[cols[b, 0]] == lb:
            (a, la), (b, lb) = (b, lb), (a, la)
        edges[int(ix[1:])] = (a, la, b, lb, d)
    for rows in meta["shared"].values():
        for e, u, ul, v, vl, d in rows:
            edges[e] = (u, ul, v, vl, d)
    m = len(edges)
    if sorted(edges) != list(range(m)):
        raise TnrnnError(f"from_quimb: edge ids are not 0..{m - 1}; was an index renamed?")
    ecols = np.array([edges[e] for e in range(m)], dtype=np.int64).reshape(m, 5)
    return RACNetwork(spec, bool(meta["merged"]), cols[:, 0], cols[:, 1], cols[:, 2], cols[:, 3],
                      ecols[:, 0], ecols[:, 1], ecols[:, 2], ecols[:, 3], ecols[:, 4]).validate()


def _node_from_tags(tags) -> tuple[int, int, int, int, int]:
    """``(node, kind, layer, step, copy)`` from a tensor's tags."""
    found: dict[str, int] = {}
    kind = None
    for tag in tags:
        if tag in NodeKind.__members__:
            kind = int(NodeKind[tag])
        elif tag[:1] in "NLTC" and tag[1:].isdigit():
            found[tag[0]] = int(tag[1:])
    if kind is None or set(found) != set("NLTC"):
        raise TnrnnError(f"from_quimb: a tensor lacks the kind, N, L, T or C tags (has {sorted(tags)})")
    return found["N"], kind, found["L"], found["T"], found["C"]


def quimb_positions(network: RACNetwork, layout: Any = None) -> dict[str, tuple[float, float]]:
    """``{"N{node}": (x, y)}`` from tnrnn's layout, for ``tn.draw(fix=...)``.

    Parameters
    ----------
    network : RACNetwork
    layout : Layout, optional
        Default :func:`tnrnn.network_layout` of the network (full view).
    """
    if layout is None:
        from ..drawing.layout import network_layout

        layout = network_layout(network, merged=network.merged)
    pos = np.asarray(layout.pos, dtype=float)
    return {f"N{i}": (float(pos[i, 0]), float(pos[i, 1])) for i in range(network.n_nodes)}
