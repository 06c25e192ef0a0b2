"""The result of a min-cut bound: :class:`CutBound`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from ..network.model import NodeKind, RACNetwork
from ..numbers import decimal_digits, format_int, int_to_text
from ..partition import Partition
from ..spec import RACSpec

__all__ = ["CutBound"]

_LAZY = ("network", "side", "cut_edges")


def _short_int(n: int, digits: int = 40) -> str:
    count = decimal_digits(n)
    text = format_int(n, max_digits=digits)
    return text if count <= digits else f"{text} ({count:,} digits)"


@dataclass(frozen=True, eq=False)
class CutBound:
    """A minimum cut of a RAC network between the A inputs and the B inputs.

    Its ``bound`` is an upper bound on the separation rank ``sep_(A,B)(y)`` for every
    setting of the weights, and the smallest bound any cut of this network gives.

    Attributes
    ----------
    bound : int
        The product of the cut edges' dimensions (exact).
    log2 : float
        ``log2(bound)``.
    cut_edges : np.ndarray
        Indices (into the network's edge arrays) of the edges with one end on each side.
    side : np.ndarray
        Bool per network node: True on the A side (with the INPUT slots of A steps).
    partition : Partition
    spec : RACSpec
    network : RACNetwork
        ``network``, ``side`` and ``cut_edges`` of a bound computed on the lean graph
        (:mod:`tnrnn.mincut.lean`, from a spec) are built on first access: the network is
        compiled and the cut mapped back to its edges and verified then.
    dim_counts : dict[int, int]
        How many cut edges have each dimension (``bound = prod d**count``).
    weights : dict[int, int]
        Integer capacity per dimension in the max-flow whose cut was kept.
    flows : int
        Number of max-flow runs needed for the exact minimum.
    method : str
        How exactness was obtained (see :mod:`tnrnn.mincut.exact`).
    seconds : float
        Wall time of the min-cut (not of compiling).
    """

    bound: int
    log2: float
    cut_edges: np.ndarray | None
    side: np.ndarray | None
    partition: Partition
    spec: RACSpec
    network: RACNetwork | None
    dim_counts: dict[int, int] = field(default_factory=dict)
    weights: dict[int, int] = field(default_factory=dict)
    flows: int = 0
    method: str = ""
    seconds: float = 0.0
    expand: Callable[[], tuple[RACNetwork, np.ndarray, np.ndarray]] | None = field(
        default=None, repr=False)

    def __getattribute__(self, name: str) -> Any:
        if name in _LAZY and object.__getattribute__(self, name) is None:
            net, side, cut = object.__getattribute__(self, "expand")()
            for key, value in zip(_LAZY, (net, side, cut)):
                object.__setattr__(self, key, value)
        return object.__getattribute__(self, name)

    def _repr_html_(self) -> str:
        """Notebook display: a compact table (size-bounded; no drawing, see ``tnrnn.draw``)."""
        from .._html import html_table, partition_strip, spec_text
        from ..numbers import format_int

        net, p = self.network, self.partition
        edges = f"{self.n_cut} cut edge{'s' if self.n_cut != 1 else ''}"
        return html_table("CutBound", [
            ("spec", spec_text(self.spec)),
            ("partition", str(p)),
            ("bound", f"{format_int(self.bound)} = {self.factored()}"),
            ("log2 bound", f"{self.log2:.6g}"),
            ("cut", edges + "".join(f"; {c} × {name} (dim {d})" for name, d, c in self.edge_groups()[:3])),
            ("network", f"{'merged' if net.merged else 'full'}, {format_int(net.n_nodes)} nodes"),
            ("method", self.method),
        ], extra=partition_strip(p.A, p.T))

    @property
    def merged(self) -> bool:
        return False if self.expand is not None else self.network.merged

    @property
    def n_cut(self) -> int:
        """Number of cut edges (known without mapping a lean cut back)."""
        if self.expand is not None:
            return sum(self.dim_counts.values())
        return int(self.cut_edges.size)

    def factored(self) -> str:
        """The bound as a product of powers, e.g. ``'3^128 * 2^1'``."""
        parts = [f"{d}^{c}" for d, c in sorted(self.dim_counts.items(), reverse=True) if c and d > 1]
        return " * ".join(parts) if parts else "1"

    def cut_edge_records(self) -> list[dict[str, Any]]:
        """One dict per cut edge: index, dimension, and both endpoints' kind, layer, step, copy.

        ``u`` is the producer end of the edge (data flows from u to v); ``u_side`` says on
        which side ("A" or "B") it lies.
        """
        net = self.network
        e = self.cut_edges
        out = []
        cols = {}
        for end in ("u", "v"):
            nodes = getattr(net, f"edge_{end}")[e]
            cols[end] = (nodes, net.node_kind[nodes], net.node_layer[nodes],
                         net.node_step[nodes], net.node_copy[nodes], self.side[nodes])
        dims = net.edge_dim[e]
        for i in range(e.size):
            rec: dict[str, Any] = {"edge": int(e[i]), "dim": int(dims[i])}
            for end in ("u", "v"):
                node, kind, layer, step, copy, side = (c[i] for c in cols[end])
                rec.update({
                    f"{end}_node": int(node), f"{end}_kind": NodeKind(int(kind)).name,
                    f"{end}_layer": int(layer), f"{end}_step": int(step),
                    f"{end}_copy": int(copy), f"{end}_side": "A" if side else "B",
                })
            out.append(rec)
        return out

    def edge_groups(self) -> list[tuple[str, int, int]]:
        """Cut edges grouped as ``(u_kind-v_kind@layer, dim, count)``, most frequent first."""
        net = self.network
        e = self.cut_edges
        keys = Counter(
            (NodeKind(int(net.node_kind[u])).name, NodeKind(int(net.node_kind[v])).name,
             int(max(net.node_layer[u], net.node_layer[v])), int(d))
            for u, v, d in zip(net.edge_u[e], net.edge_v[e], net.edge_dim[e])
        )
        return [(f"{a}-{b}@layer{l}", d, c) for (a, b, l, d), c in keys.most_common()]

    def report(self, max_edges: int = 12) -> str:
        """A readable text summary of the bound and the cut."""
        s = self.spec
        A, B = self.partition.A, self.partition.B
        lines = [
            f"min-cut bound for {s} ({'merged' if self.merged else 'full'} network, "
            f"{self.network.n_nodes} nodes, {self.network.n_edges} edges)",
            f"partition {self.partition.name}: A = {_steps(A)}, B = {_steps(B)}",
            f"bound   = {_short_int(self.bound)} = {self.factored()}",
            f"log2    = {self.log2:.6g}",
            f"cut     = {self.n_cut} edges; A side holds {int(self.side.sum())} nodes",
            f"exact   = {self.method}, {self.flows} max-flow run(s), {self.seconds:.3g} s",
            "cut edges by kind (producer-consumer@layer, dim, count):",
        ]
        for name, d, c in self.edge_groups():
            lines.append(f"  {name:<24} dim {d:<4} x {c}")
        recs = self.cut_edge_records()
        lines.append(f"first {min(max_edges, len(recs))} of {len(recs)} cut edges:")
        for r in recs[:max_edges]:
            lines.append(
                f"  e{r['edge']}: {r['u_kind']}(l{r['u_layer']},t{r['u_step']},c{r['u_copy']})"
                f"[{r['u_side']}] -- {r['v_kind']}(l{r['v_layer']},t{r['v_step']},"
                f"c{r['v_copy']})[{r['v_side']}]  dim {r['dim']}"
            )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.report()

    def __repr__(self) -> str:
        from .._html import spec_text

        return (f"CutBound(bound={_short_int(self.bound, 24)}, log2={self.log2:.6g}, "
                f"cut={self.n_cut} edges, partition='{self.partition}', spec={spec_text(self.spec)})")

    def to_dict(self, *, include_side: bool = False) -> dict[str, Any]:
        """A JSON-able dict (``bound`` is a Python int; ``bound_str`` the same as text)."""
        s = self.spec
        out: dict[str, Any] = {
            "spec": s.fields(),
            "merged": self.merged,
            "partition": {"name": self.partition.name, "A": list(self.partition.A),
                          "B": list(self.partition.B)},
            "bound": int(self.bound),
            "bound_str": int_to_text(self.bound),
            "log2": float(self.log2),
            "factored": self.factored(),
            "dim_counts": {str(d): int(c) for d, c in self.dim_counts.items()},
            "n_cut": self.n_cut,
            "cut_edges": self.cut_edge_records(),
            "n_nodes": self.network.n_nodes,
            "n_edges": self.network.n_edges,
            "n_side_A": int(self.side.sum()),
            "weights": {str(d): int(w) for d, w in self.weights.items()},
            "flows": self.flows,
            "method": self.method,
            "seconds": float(self.seconds),
        }
        if include_side:
            out["side"] = self.side.astype(int).tolist()
        return out


def _steps(steps: tuple[int, ...], limit: int = 10) -> str:
    if len(steps) <= limit:
        return "{" + ", ".join(map(str, steps)) + "}"
    head = ", ".join(map(str, steps[: limit // 2]))
    tail = ", ".join(map(str, steps[-2:]))
    return "{" + f"{head}, ..., {tail}" + "}" + f" ({len(steps)} steps)"
