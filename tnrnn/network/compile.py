"""Compilers: a :class:`~tnrnn.RACSpec` becomes a :class:`RACNetwork` (structure only)."""

from __future__ import annotations

from ..errors import SpecError
from ..spec import RACSpec
from .lattice import site_lattice
from .members import check_member_size, compile_members
from .model import RACNetwork

__all__ = ["DEFAULT_MAX_NODES", "check_network_size", "site_lattice", "compile_shallow", "compile_deep",
           "compile_network"]

#: Largest network (in nodes) compiled by default: about 1.3 GB of structure arrays, and
#: about 4 GB of work arrays for a min-cut.
DEFAULT_MAX_NODES = 20_000_000


def check_network_size(spec: RACSpec, *, merged: bool = False, max_nodes: int = DEFAULT_MAX_NODES) -> int:
    """The node count of ``spec``'s network; raises before any allocation above ``max_nodes``
    (:func:`tnrnn.network.members.check_member_size`, the one check of every spec)."""
    return check_member_size(spec, merged, max_nodes)


def compile_shallow(spec: RACSpec, *, merged: bool = False, max_nodes: int = DEFAULT_MAX_NODES) -> RACNetwork:
    """The matrix product state of a shallow RAC (L = 1).

    Per step t a DELTA node joins W^H (applied to the previous bond), W^I (whose other
    leg meets the INPUT slot of x^t, dimension M) and the outgoing bond of dimension R;
    H0 starts the chain and W_O ends it. With ``merged=True`` each (DELTA, W_H, W_I)
    triple is one CORE node.

    Node order: H0, then per step (DELTA, W_H, W_I, INPUT) or (CORE, INPUT), then W_O.
    """
    if not isinstance(spec, RACSpec):
        raise SpecError(f"spec must be a RACSpec, got {type(spec).__name__}")
    if spec.L != 1:
        raise SpecError(f"compile_shallow needs L=1, got L={spec.L}; use compile_network for deep RACs")
    return compile_members(spec, merged=merged, max_nodes=max_nodes)


def compile_deep(spec: RACSpec, *, merged: bool = False, max_nodes: int = DEFAULT_MAX_NODES) -> RACNetwork:
    """The duplicated-input tensor network of a RAC of any depth (vectorised).

    The network of ``h^l_t`` is a DELTA node joining ``W^{H,l}`` applied to the network of
    ``h^l_{t-1}`` and ``W^{I,l}`` applied to a fresh copy of the network of ``h^{l-1}_t``.
    So layer L is one chain over t = 1..T, each layer-l site at step tau hangs a complete
    layer-(l-1) chain over steps 1..tau, and x^t has ``C(T - t + L - 1, L - 1)`` copies.
    Copy indices follow :mod:`tnrnn.network.model`. With ``merged=True`` each
    (DELTA, W_H, W_I) triple is one CORE node. For L = 1 the result equals
    :func:`compile_shallow` array for array. Built by
    :func:`tnrnn.network.members.compile_members`, the builder of every member of the
    family (for a plain spec it gives exactly this structure).

    Node order: for l = 1..L a block of layer l holding its H0 nodes (one per chain, in
    chain order) and then its sites in chain order, each site as (DELTA, W_H, W_I[, INPUT])
    or (CORE[, INPUT]); W_O last. Edge order: per layer, the four (merged: two) edge
    groups into W_H, DELTA, W_I, DELTA (merged: into CORE legs 0 and 1), then the edge to W_O.

    Parameters
    ----------
    spec : RACSpec
    merged : bool, default False

    Returns
    -------
    RACNetwork

    Examples
    --------
    >>> from tnrnn import RACSpec
    >>> net = compile_deep(RACSpec(M=2, R=3, L=2, T=4))
    >>> net.input_copies(1).size, net.input_copies(4).size
    (4, 1)
    """
    if not isinstance(spec, RACSpec):
        raise SpecError(f"spec must be a RACSpec, got {type(spec).__name__}")
    return compile_members(spec, merged=merged, max_nodes=max_nodes)  # one builder for every spec


def compile_network(spec: RACSpec, *, merged: bool = False, max_nodes: int = DEFAULT_MAX_NODES) -> RACNetwork:
    """Compile a RAC spec into its tensor network (structure only, no weights).

    The matrix product state for L = 1 (:func:`compile_shallow`), the duplicated-input
    network for L >= 2 (:func:`compile_deep`), for the plain RAC and every member of the
    family (per-layer widths, cells, bias, dilations): one builder,
    :func:`tnrnn.network.members.compile_members`.

    Examples
    --------
    >>> from tnrnn import RACSpec
    >>> compile_network(RACSpec(M=2, R=3, L=1, T=4))
    RACNetwork(RACSpec(M=2, R=3, L=1, T=4, K=1), full, nodes=18, edges=17)
    """
    if not isinstance(spec, RACSpec):
        raise SpecError(f"spec must be a RACSpec, got {type(spec).__name__}")
    return compile_members(spec, merged=merged, max_nodes=max_nodes)
