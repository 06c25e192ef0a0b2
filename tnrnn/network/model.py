"""The immutable tensor-network model of a RAC, stored as flat numpy arrays.

Nodes
-----
Every node has a kind (:class:`NodeKind`), a layer, a time step and a copy index:

============  ======  ===================================================  ==========
kind          legs    leg meaning (in order)                                layer/step
============  ======  ===================================================  ==========
DELTA         3       0: from W^H (R), 1: from W^I (R), 2: out (R)          l, t
W_H           2       0: out (R), 1: in (R)          tensor ``W^{H,l}[out, in]``  l, t
W_I           2       0: out (R), 1: in (M or R)     tensor ``W^{I,l}[out, in]``  l, t
W_O           2       0: output (K, open), 1: in (R) tensor ``W^O[k, r]``         L, T
H0            1       0: out (R)                     vector ``h^l_0``             l, 0
INPUT         1       0: out (M)    the slot where ``f(x^t)`` is placed          0, t
CORE          3       0: from previous state (R), 1: from below (M or R),     l, t
                      2: out (R): ``C[a, b, c] = W^H[c, a] W^I[c, b]``
U             2       0: out (R), 1: in (K)          tensor ``U^l[out, in]``      l, t
============  ======  ===================================================  ==========

CORE nodes replace a (DELTA, W_H, W_I) triple in the merged form.

Members of the family (see :mod:`tnrnn.spec`): a ``cp:K`` layer has V as W_H (K x R_l),
W as W_I (K x R_{l-1}), a DELTA of dimension K and a U node (R_l x K) after it, whose leg
0 is the site's output (merged: one CORE, ``C[a, b, c] = sum_k U[c, k] V[k, a] W[k, b]``);
a ``full`` layer is one CORE node holding ``C[a, b, c] = A[c, a, b]`` in both forms.
Dimensions follow :meth:`RACSpec.state_dim`: R_l per layer, M for inputs, one more each
with bias (the constant coordinate). With dilations each layer-l chain steps by ``d_l``
and starts at its own H0 node; copies are numbered as above.

Copies
------
In the duplicated-input network of a depth-L RAC, a node of layer l at step t belongs to
one copy of the network of ``h^l_t``. That copy is identified by the steps
``t <= tau_{l+1} <= ... <= tau_L <= T`` of the sites above it that it feeds; ``copy`` is the
index of that non-decreasing tuple in lexicographic order (0 for l = L, and for every
node of the shallow network). INPUT nodes are numbered like the layer-1 sites they feed,
so x^t has ``C(T - t + L - 1, L - 1)`` copies numbered 0, 1, ... For L = 2 the copy of a
layer-1 node at step t in the chain hanging from layer-2 site tau is ``tau - t``.
H0 nodes of layer l carry the copy of the step-1 site of their chain.

Edges
-----
Edge e joins leg ``edge_u_leg[e]`` of node ``edge_u[e]`` (the producer: data flows from
u to v) to leg ``edge_v_leg[e]`` of node ``edge_v[e]``; ``edge_dim[e]`` is its dimension.
Every leg is in exactly one edge except the open output leg of W_O (dimension K) and,
conceptually, the INPUT slots, whose node is where an input vector goes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import TnrnnError
from ..nodekind import LEG_COUNT, NodeKind
from ..spec import RACSpec

__all__ = ["NodeKind", "RACNetwork", "LEG_COUNT", "layer_dims"]


_NODE_FIELDS = ("node_kind", "node_layer", "node_step", "node_copy")
_EDGE_FIELDS = ("edge_u", "edge_u_leg", "edge_v", "edge_v_leg", "edge_dim")
_DTYPES = {
    "node_kind": np.int8,
    "node_layer": np.int16,
    "node_step": np.int32,
    "node_copy": np.int64,
    "edge_u": np.int64,
    "edge_u_leg": np.int8,
    "edge_v": np.int64,
    "edge_v_leg": np.int8,
    "edge_dim": np.int64,
}


def layer_dims(spec: RACSpec) -> tuple[np.ndarray, np.ndarray]:
    """``(state, inner)``: arrays indexed by layer 0..L of the state dimension
    (:meth:`RACSpec.state_dim`; index 0 is the input) and of the DELTA dimension of each
    layer's cell (:meth:`tnrnn.cells.Cell.inner_dim`: the state dimension for ``mi``, K
    for ``cp:K``, 0 for ``full``)."""
    state = np.array([spec.state_dim(l) for l in range(spec.L + 1)], dtype=np.int64)
    inner = state.copy()
    for l, cell in enumerate(spec.cells, start=1):
        inner[l] = cell.inner_dim(int(state[l]))
    return state, inner


def expected_leg_dims(spec: RACSpec, kind: np.ndarray, layer: np.ndarray) -> np.ndarray:
    """Dimensions of legs 0..2 of each node, shape (n, 3); -1 where a node has no such leg."""
    state, inner = layer_dims(spec)
    lay = np.clip(layer, 0, spec.L)
    S, B, I = state[lay], state[np.maximum(lay - 1, 0)], inner[lay]
    dims = np.full((kind.shape[0], 3), -1, dtype=np.int64)
    k = kind
    sel = k == NodeKind.DELTA
    dims[sel] = I[sel, None]
    for kk, legs in ((NodeKind.W_H, (I, S)), (NodeKind.W_I, (I, B)), (NodeKind.U, (S, I)),
                     (NodeKind.CORE, (S, B, S))):
        sel = k == kk
        for j, d in enumerate(legs):
            dims[sel, j] = d[sel]
    sel = k == NodeKind.W_O
    dims[sel, 0] = spec.K
    dims[sel, 1] = state[spec.L]
    sel = k == NodeKind.H0
    dims[sel, 0] = S[sel]
    dims[k == NodeKind.INPUT, 0] = state[0]
    return dims


@dataclass(frozen=True, eq=False)
class RACNetwork:
    """An immutable tensor network compiled from a :class:`~tnrnn.RACSpec` (structure only).

    Build it with :func:`tnrnn.compile_network` (or the shallow/deep compilers); it holds no
    weights. All arrays are read-only.
    """

    spec: RACSpec
    merged: bool
    node_kind: np.ndarray
    node_layer: np.ndarray
    node_step: np.ndarray
    node_copy: np.ndarray
    edge_u: np.ndarray
    edge_u_leg: np.ndarray
    edge_v: np.ndarray
    edge_v_leg: np.ndarray
    edge_dim: np.ndarray
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in _NODE_FIELDS + _EDGE_FIELDS:
            arr = np.ascontiguousarray(getattr(self, name), dtype=_DTYPES[name])
            if arr.ndim != 1:
                raise TnrnnError(f"{name} must be one-dimensional, got shape {arr.shape}")
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        n, m = self.node_kind.shape[0], self.edge_u.shape[0]
        for name in _NODE_FIELDS:
            if getattr(self, name).shape[0] != n:
                raise TnrnnError(f"{name} has {getattr(self, name).shape[0]} entries, node_kind has {n}")
        for name in _EDGE_FIELDS:
            if getattr(self, name).shape[0] != m:
                raise TnrnnError(f"{name} has {getattr(self, name).shape[0]} entries, edge_u has {m}")

    # -- sizes ---------------------------------------------------------------------
    @property
    def n_nodes(self) -> int:
        return int(self.node_kind.shape[0])

    @property
    def n_edges(self) -> int:
        return int(self.edge_u.shape[0])

    @property
    def input_nodes(self) -> np.ndarray:
        """Indices of the INPUT slot nodes, ordered by (step, copy)."""
        if "input_nodes" not in self._cache:
            idx = np.flatnonzero(self.node_kind == NodeKind.INPUT)
            order = np.lexsort((self.node_copy[idx], self.node_step[idx]))
            out = idx[order]
            out.setflags(write=False)
            self._cache["input_nodes"] = out
        return self._cache["input_nodes"]

    def input_copies(self, t: int) -> np.ndarray:
        """INPUT node indices of step t, ordered by copy."""
        idx = self.input_nodes
        return idx[self.node_step[idx] == t]

    @property
    def output_node(self) -> int:
        """Index of the W_O node."""
        (idx,) = np.flatnonzero(self.node_kind == NodeKind.W_O)
        return int(idx)

    def kind_counts(self) -> dict[str, int]:
        """Number of nodes of each kind present."""
        counts = np.bincount(self.node_kind, minlength=len(NodeKind))
        return {k.name: int(counts[k]) for k in NodeKind if counts[k]}

    def nbytes(self) -> int:
        """Memory held by the structure arrays, in bytes."""
        return sum(getattr(self, f).nbytes for f in _NODE_FIELDS + _EDGE_FIELDS)

    def __repr__(self) -> str:
        form = "merged" if self.merged else "full"
        return f"RACNetwork({self.spec}, {form}, nodes={self.n_nodes}, edges={self.n_edges})"

    # -- consistency ---------------------------------------------------------------
    def validate(self) -> "RACNetwork":
        """Check that every leg is used exactly once with the right dimension.

        Vectorised, so it is cheap on networks with millions of nodes. Returns ``self``;
        raises :class:`~tnrnn.errors.TnrnnError` naming the first inconsistency.
        """
        n = self.n_nodes
        kind = self.node_kind.astype(np.int64)
        if n == 0 or kind.min() < 0 or kind.max() >= len(NodeKind):
            raise TnrnnError("node_kind holds values outside NodeKind")
        for end in ("u", "v"):
            nodes = getattr(self, f"edge_{end}")
            legs = getattr(self, f"edge_{end}_leg").astype(np.int64)
            if nodes.size and (nodes.min() < 0 or nodes.max() >= n):
                raise TnrnnError(f"edge_{end} refers to nodes outside 0..{n - 1}")
            if legs.size and (legs.min() < 0 or np.any(legs >= LEG_COUNT[kind[nodes]])):
                raise TnrnnError(f"edge_{end}_leg names a leg its node does not have")
        dims = expected_leg_dims(self.spec, kind, self.node_layer.astype(np.int64))
        for end in ("u", "v"):
            nodes = getattr(self, f"edge_{end}")
            legs = getattr(self, f"edge_{end}_leg").astype(np.int64)
            bad = np.flatnonzero(dims[nodes, legs] != self.edge_dim)
            if bad.size:
                e = int(bad[0])
                raise TnrnnError(
                    f"edge {e} has dimension {int(self.edge_dim[e])}, its leg expects "
                    f"{int(dims[nodes[e], legs[e]])}"
                )
        keys = np.concatenate([self.edge_u * 4 + self.edge_u_leg, self.edge_v * 4 + self.edge_v_leg])
        if keys.size and np.bincount(keys, minlength=4 * n).max() > 1:  # O(n), unlike np.unique
            raise TnrnnError("a leg is used by more than one edge")
        is_wo = kind == NodeKind.W_O
        if int(is_wo.sum()) != 1:
            raise TnrnnError(f"a network needs exactly one W_O node, got {int(is_wo.sum())}")
        if np.any(keys == np.flatnonzero(is_wo)[0] * 4):
            raise TnrnnError("the output leg of W_O must stay open")
        needed = int(LEG_COUNT[kind].sum()) - 1  # W_O's output leg stays open
        if keys.size != needed:
            raise TnrnnError(f"{needed - keys.size} legs are left unconnected")
        return self
