"""A compiled network as an einsum triple ``(inputs, output, size_dict)``.

The triple is what cotengra (``cotengra.array_contract_tree``, ``HyperOptimizer().search``)
and opt_einsum (``contract_path``) take. It is the very expression that
:func:`tnrnn.contract` and :func:`tnrnn.coefficient_tensor` hand to opt_einsum: one term
per weight node, DELTA nodes as hyperindices (the three edges at a DELTA share one
index, which is the copy tensor), and either the INPUT legs open (the coefficient tensor)
or one INPUT operand per copy with a batch index (a contraction with N sequences).
Indices are single characters (``opt_einsum.get_symbol``), so ``",".join(inputs)`` with
``"->" + output`` is the equation string.
"""

from __future__ import annotations

import opt_einsum as oe

from ..errors import TnrnnError
from .contract import _leg_symbols
from .model import LEG_COUNT, NodeKind, RACNetwork

__all__ = ["to_einsum", "einsum_equation"]


def to_einsum(network: RACNetwork, *, batch: int | None = None) -> tuple[list[str], str, dict[str, int]]:
    """The network as ``(inputs, output, size_dict)``.

    Parameters
    ----------
    network : RACNetwork
    batch : int, optional
        Without it the INPUT legs stay open: the output is the W_O leg then one input leg
        per copy in the order of ``network.input_nodes`` (as :func:`tnrnn.coefficient_tensor`
        contracts it). With ``batch=N`` every INPUT node is a term ``(batch, leg)`` and the
        output is ``(batch, W_O leg)`` (as :func:`tnrnn.contract` contracts N sequences).

    Returns
    -------
    inputs : list of str
        One term per node holding a tensor, in node order (DELTA nodes have none).
    output : str
    size_dict : dict
        Dimension of every index.

    Examples
    --------
    >>> from tnrnn import RACSpec, compile_network
    >>> inputs, output, sizes = to_einsum(compile_network(RACSpec(M=2, R=3, L=1, T=2)))
    >>> len(inputs), len(output), sorted(set(sizes.values()))
    (6, 3, [1, 2, 3])
    """
    if not isinstance(network, RACNetwork):
        raise TnrnnError(f"to_einsum needs a RACNetwork, got {type(network).__name__}")
    if batch is not None and (isinstance(batch, bool) or not isinstance(batch, int) or batch < 1):
        raise TnrnnError(f"batch must be a positive number of sequences or None, got {batch!r}")
    legs = _leg_symbols(network)
    sym = oe.get_symbol
    kind = network.node_kind
    sizes: dict[str, int] = {}
    u, v = network.edge_u, network.edge_v
    for end, leg in ((u, network.edge_u_leg), (v, network.edge_v_leg)):
        for s, d in zip(legs[end, leg.astype(int)].tolist(), network.edge_dim.tolist()):
            sizes[sym(s)] = int(d)
    out_leg = int(legs[network.output_node, 0])
    sizes[sym(out_leg)] = int(network.spec.K)
    b = sym(int(legs.max()) + 1)
    inputs: list[str] = []
    for node in range(network.n_nodes):
        k = NodeKind(int(kind[node]))
        if k == NodeKind.DELTA or (k == NodeKind.INPUT and batch is None):
            continue
        term = "".join(sym(int(s)) for s in legs[node, : LEG_COUNT[k]])
        inputs.append(b + term if k == NodeKind.INPUT else term)
    if batch is None:
        output = sym(out_leg) + "".join(sym(int(s)) for s in legs[network.input_nodes, 0])
    else:
        sizes[b] = int(batch)
        output = b + sym(out_leg)
    return inputs, output, sizes


def einsum_equation(network: RACNetwork, *, batch: int | None = None) -> str:
    """The equation string of :func:`to_einsum`, e.g. ``'ab,bc->ac'``."""
    inputs, output, _ = to_einsum(network, batch=batch)
    return ",".join(inputs) + "->" + output
