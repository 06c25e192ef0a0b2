"""Exact, certified min-cut bounds for any tensor network: a quimb ``TensorNetwork`` or
an einsum triple ``(inputs, output, size_dict)``.

The network is read as a hypergraph: one vertex per tensor, one hyperedge per index,
joining the tensors that carry it (an open index also joins the terminal of its side:
the *source* for ``left_inds``, the *sink* for the other open indices). For any set C of
indices whose removal disconnects the source from the sink, the matricization of the
contracted network (left indices as rows) has rank at most ``prod_{i in C} dim(i)``:
summing over the values of the cut indices writes it as that many products of a left
and a right factor. A hyperindex (a copy tensor) shared by tensors on both sides is
cut once, whatever the number of tensors on each side.

Hyperedges of three or more members become Lawler's gadget: two extra vertices e_in,
e_out, one arc e_in -> e_out of the index's dimension, and uncuttable arcs from each
member to e_in and from e_out to each member. A finite cut crosses the arc exactly when
the index has members on both sides, so graph cuts and hypergraph cuts cost the same.
The minimum of the product is then found by :func:`tnrnn.mincut.exact.exact_min_cut`
(integer max-flows and a cone certificate; dimensions need not be powers of one base),
and the cut is checked independently before it is returned (:func:`verify_cut`).

Nothing here imports quimb: a quimb network is read through ``tn.tensors``, each
tensor's ``inds`` and ``shape``, and ``tn.outer_inds()``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import TnrnnError
from .exact import exact_min_cut
from .flow import FlowGraph, cut_mask

__all__ = ["IndexNetwork", "TensorCut", "as_index_network", "tensor_mincut_bound", "verify_cut",
           "is_tensor_network"]


@dataclass(frozen=True)
class IndexNetwork:
    """Which tensor carries which index: the geometry of a tensor network, no arrays.

    Attributes
    ----------
    terms : tuple of tuple
        The indices of each tensor, in tensor order.
    sizes : dict
        Dimension of every index.
    open : tuple
        The open (output) indices, in order.
    """

    terms: tuple[tuple[Hashable, ...], ...]
    sizes: dict
    open: tuple[Hashable, ...]


def is_tensor_network(obj: Any) -> bool:
    """True for a quimb ``TensorNetwork`` (duck-typed: ``tensors`` and ``outer_inds``)."""
    return hasattr(obj, "tensors") and hasattr(obj, "outer_inds") and hasattr(obj, "ind_map")


def as_index_network(obj: Any) -> IndexNetwork:
    """An :class:`IndexNetwork` from a quimb TensorNetwork or an einsum triple.

    The triple is ``(inputs, output, size_dict)`` as cotengra takes it: ``inputs`` a
    sequence of index sequences (or strings, one character per index), ``output`` the
    open indices, ``size_dict`` every index's dimension.
    """
    if is_tensor_network(obj):
        terms = tuple(tuple(t.inds) for t in obj.tensors)
        sizes = {ix: int(d) for t in obj.tensors for ix, d in zip(t.inds, t.shape)}
        return IndexNetwork(terms, sizes, tuple(obj.outer_inds()))
    if isinstance(obj, tuple) and len(obj) == 3:
        inputs, output, size_dict = obj
        terms = tuple(tuple(term) for term in inputs)
        sizes = dict(size_dict)
        missing = sorted({str(ix) for term in terms for ix in term} - {str(ix) for ix in sizes})
        if missing:
            raise TnrnnError(f"size_dict gives no dimension for the indices {missing[:5]}; add them")
        return IndexNetwork(terms, sizes, tuple(output))
    raise TnrnnError(
        "expected a quimb TensorNetwork or an einsum triple (inputs, output, size_dict), "
        f"got {type(obj).__name__}"
    )


@dataclass(frozen=True, eq=False)
class TensorCut:
    """A minimum cut of a tensor network between ``left_inds`` and the other open indices.

    ``bound`` bounds the rank of the matricization (left indices as rows) of the
    contracted network, for every value of its tensors; it is the smallest bound any
    cut of this network gives.

    Attributes
    ----------
    bound : int
        Product of the dimensions of the cut indices.
    log2 : float
    cut_inds : tuple
        The cut indices (each counted once, hyperindices included).
    left_tensors : np.ndarray
        Positions (in ``tn.tensors`` / ``inputs`` order) of the tensors on the left side.
    side : np.ndarray
        Bool per tensor: True on the left side.
    left_inds, right_inds : tuple
    dim_counts : dict[int, int]
        How many cut indices have each dimension.
    method : str
        How exactness was obtained (see :mod:`tnrnn.mincut.exact`).
    flows : int
    seconds : float
    """

    bound: int
    log2: float
    cut_inds: tuple
    side: np.ndarray
    left_inds: tuple
    right_inds: tuple
    dim_counts: dict
    method: str
    flows: int
    seconds: float

    @property
    def left_tensors(self) -> np.ndarray:
        return np.flatnonzero(self.side)

    @property
    def n_cut(self) -> int:
        return len(self.cut_inds)

    def factored(self) -> str:
        """The bound as a product of powers, e.g. ``'3^2 * 2^1'``."""
        parts = [f"{d}^{c}" for d, c in sorted(self.dim_counts.items(), reverse=True) if d > 1]
        return " * ".join(parts) if parts else "1"

    def report(self) -> str:
        """A short readable summary."""
        shown = ", ".join(map(str, self.cut_inds[:12])) + (", ..." if self.n_cut > 12 else "")
        return "\n".join([
            f"min-cut bound {self.bound} = {self.factored()} (log2 {self.log2:.6g})",
            f"left: {len(self.left_inds)} open indices, {int(self.side.sum())} of {self.side.size} tensors",
            f"cut: {self.n_cut} indices: {shown}",
            f"exact: {self.method}, {self.flows} max-flow run(s)",
        ])

    def __repr__(self) -> str:
        return (f"TensorCut(bound={self.bound}, cut={self.n_cut} indices, "
                f"left_tensors={int(self.side.sum())}/{self.side.size})")


def _sides(net: IndexNetwork, left_inds, right_inds) -> tuple[tuple, tuple]:
    if left_inds is None:
        raise TnrnnError("a tensor network needs left_inds=: the open indices on the left (row) side")
    if isinstance(left_inds, (str, bytes)) or not isinstance(left_inds, Iterable):
        left_inds = (left_inds,)
    left = tuple(dict.fromkeys(left_inds))
    opened = set(net.open)
    bad = [ix for ix in left if ix not in opened]
    if bad:
        raise TnrnnError(f"left_inds must be open indices of the network; {bad[:5]} are not "
                         f"(open: {list(net.open)[:8]}{' ...' if len(net.open) > 8 else ''})")
    if right_inds is None:
        right = tuple(ix for ix in net.open if ix not in set(left))
    else:
        if isinstance(right_inds, (str, bytes)) or not isinstance(right_inds, Iterable):
            right_inds = (right_inds,)
        right = tuple(dict.fromkeys(right_inds))
        both = set(left) & set(right)
        if both or any(ix not in opened for ix in right):
            raise TnrnnError(
                f"right_inds must be open indices not in left_inds; shared {sorted(map(str, both))[:5]}, "
                f"not open {sorted(str(ix) for ix in right if ix not in opened)[:5]}")
    return left, right


def build_flow_graph(net: IndexNetwork, left: Sequence, right: Sequence) -> tuple[FlowGraph, list, np.ndarray]:
    """The flow graph of the hypergraph (Lawler gadgets for 3+ members).

    Returns the graph, the indices in edge-group order, and per flow edge the position
    of its index in that list (-1 for uncuttable arcs).
    """
    n_t = len(net.terms)
    members: dict[Hashable, list[int]] = {}
    for i, term in enumerate(net.terms):
        for ix in dict.fromkeys(term):  # an index repeated in one tensor is a trace
            members.setdefault(ix, []).append(i)
    source, sink = n_t, n_t + 1
    for ix in left:
        members.setdefault(ix, []).append(source)
    for ix in right:
        members.setdefault(ix, []).append(sink)
    u, v, dim, directed, infinite, owner = [], [], [], [], [], []
    inds = []
    extra = n_t + 2
    for ix, mem in members.items():
        if len(mem) < 2:
            continue  # an index of one tensor that is not open (a trace) joins nothing
        k = len(inds)
        inds.append(ix)
        d = int(net.sizes[ix])
        if len(mem) == 2:
            u.append(mem[0]), v.append(mem[1]), dim.append(d)
            directed.append(False), infinite.append(False), owner.append(k)
            continue
        e_in, e_out = extra, extra + 1
        extra += 2
        u.append(e_in), v.append(e_out), dim.append(d)
        directed.append(True), infinite.append(False), owner.append(k)
        for m in mem:
            u += [m, e_out]
            v += [e_in, m]
            dim += [1, 1]
            directed += [True, True]
            infinite += [True, True]
            owner += [-1, -1]
    # terminals last, as FlowGraph expects: swap them with the last two vertex numbers
    n = extra
    relabel = np.arange(n, dtype=np.int64)
    relabel[[source, sink, n - 2, n - 1]] = [n - 2, n - 1, source, sink]
    arr = lambda x, t: np.asarray(x, dtype=t)  # noqa: E731
    graph = FlowGraph(None, None, n, relabel[arr(u, np.int64)], relabel[arr(v, np.int64)], None, None,
                      arr(dim, np.int64), arr(directed, bool), arr(infinite, bool))
    return graph, inds, (arr(owner, np.int64), relabel)


def verify_cut(net: IndexNetwork, left: Sequence, right: Sequence, cut_inds: Iterable) -> int:
    """Check that removing ``cut_inds`` disconnects every left index from every right one;
    return the product of their dimensions. Independent of the flow: a union-find over
    tensors and open indices joined by the remaining indices."""
    cut = set(cut_inds)
    parent = list(range(len(net.terms) + 2))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    first: dict = {}
    s, t = len(net.terms), len(net.terms) + 1
    pairs = [(i, ix) for i, term in enumerate(net.terms) for ix in term]
    pairs += [(s, ix) for ix in left] + [(t, ix) for ix in right]
    for node, ix in pairs:
        if ix in cut:
            continue
        if ix in first:
            parent[find(node)] = find(first[ix])
        else:
            first[ix] = node
    if find(s) == find(t):
        raise TnrnnError(f"internal error: the cut of {len(cut)} indices leaves left and right connected")
    return math.prod(int(net.sizes[ix]) for ix in cut)


def tensor_mincut_bound(tn_or_triple: Any, left_inds: Iterable | None = None,
                        right_inds: Iterable | None = None) -> TensorCut:
    """The exact minimum, over index cuts separating ``left_inds`` from ``right_inds``, of
    the product of the cut dimensions, with its certificate checked.

    Parameters
    ----------
    tn_or_triple : quimb.tensor.TensorNetwork or (inputs, output, size_dict)
    left_inds : iterable
        Open indices on the left (row) side of the matricization.
    right_inds : iterable, optional
        Open indices on the right side; default every other open index. Open indices in
        neither list are held fixed (like the class c of a RAC's output leg): they join
        no side and are never cut.

    Returns
    -------
    TensorCut

    Examples
    --------
    An MPS of 4 sites, physical dimension 2 and bond 3, cut after site 1:
    min(chi, d^k, d^(N-k)) = min(3, 2, 8).

    >>> inputs = [("a", "p0"), ("a", "b", "p1"), ("b", "c", "p2"), ("c", "p3")]
    >>> sizes = {"a": 3, "b": 3, "c": 3, "p0": 2, "p1": 2, "p2": 2, "p3": 2}
    >>> cut = tensor_mincut_bound((inputs, ("p0", "p1", "p2", "p3"), sizes), left_inds=["p0"])
    >>> cut.bound, cut.cut_inds
    (2, ('p0',))
    """
    net = as_index_network(tn_or_triple)
    left, right = _sides(net, left_inds, right_inds)
    t0 = time.perf_counter()
    graph, inds, (owner, relabel) = build_flow_graph(net, left, right)
    exact = exact_min_cut(graph)
    cross = cut_mask(graph, exact.side)
    cut_inds = tuple(inds[k] for k in sorted(set(owner[cross].tolist())))
    if np.any(owner[cross] < 0):
        raise TnrnnError("internal error: the minimum cut crosses an uncuttable arc")
    bound = verify_cut(net, left, right, cut_inds)
    side = exact.side[relabel[: len(net.terms)]]
    dims = [int(net.sizes[ix]) for ix in cut_inds]
    counts = {d: dims.count(d) for d in sorted(set(dims))}
    return TensorCut(bound, math.log2(bound), cut_inds, side, left, right, counts,
                     exact.method, exact.flows, time.perf_counter() - t0)
