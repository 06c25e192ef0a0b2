"""Rich display in Jupyter: networks draw themselves, results show a compact HTML table.

The classes carry two-line ``_repr_*_`` methods that call the functions here. For a
network exactly one of :func:`network_svg`, :func:`network_png` and :func:`network_html`
returns content (the others return None, which IPython skips), chosen by the number of
nodes the drawing would show, so a huge network prints a summary instead of hanging the
notebook.
"""

from __future__ import annotations

import html
from typing import Any, Iterable

from ..network.model import RACNetwork
from .style import Style

__all__ = ["network_svg", "network_png", "network_html", "cut_html", "rank_html",
           "display_mode", "SVG_MAX_NODES", "PNG_MAX_NODES"]

#: Up to this many drawn nodes a network displays as SVG (crisp, small files).
SVG_MAX_NODES = 400
#: Up to this many drawn nodes it displays as PNG; above, as an HTML summary.
PNG_MAX_NODES = 20_000


def _shown_nodes(network: RACNetwork, style: Style) -> int:
    """Nodes a default drawing shows (merged view hides W_H and W_I)."""
    if not network.merged and network.n_nodes <= style.max_full_nodes:
        return network.n_nodes
    counts = network.kind_counts()
    return network.n_nodes - counts.get("W_H", 0) - counts.get("W_I", 0)


def display_mode(network: RACNetwork, style: Style | None = None) -> str:
    """``'svg'``, ``'png'`` or ``'summary'``: how a network displays in a notebook."""
    shown = _shown_nodes(network, style or Style())
    return "svg" if shown <= SVG_MAX_NODES else "png" if shown <= PNG_MAX_NODES else "summary"


def _render(network: RACNetwork, fmt: str) -> bytes:
    from .render import draw, figure_bytes

    fig = draw(network)
    return figure_bytes(fig, fmt)


def network_svg(network: RACNetwork) -> str | None:
    """SVG text of the drawing, or None if the network is too large for SVG."""
    if display_mode(network) != "svg":
        return None
    return _render(network, "svg").decode("utf-8")


def network_png(network: RACNetwork) -> bytes | None:
    """PNG bytes of the drawing, or None if the network displays otherwise."""
    if display_mode(network) != "png":
        return None
    return _render(network, "png")


def _table(title: str, rows: Iterable[tuple[str, Any]]) -> str:
    cells = "".join(
        f"<tr><th style='text-align:left;padding-right:1em'>{html.escape(str(k))}</th>"
        f"<td style='text-align:left'>{html.escape(str(v))}</td></tr>"
        for k, v in rows if v is not None and v != ""
    )
    return (f"<table class='tnrnn'><caption style='text-align:left'><b>{html.escape(title)}</b>"
            f"</caption>{cells}</table>")


def network_html(network: RACNetwork) -> str | None:
    """An HTML summary table for networks too large to draw inline, else None."""
    if display_mode(network) != "summary":
        return None
    s = network.spec
    kinds = ", ".join(f"{k}: {v:,}" for k, v in network.kind_counts().items())
    return _table("RACNetwork (too large to draw inline; use tnrnn.draw / write_figure)", [
        ("spec", f"M={s.M}, R={s.R}, L={s.L}, T={s.T}, K={s.K}"),
        ("form", "merged" if network.merged else "full"),
        ("nodes", f"{network.n_nodes:,}"),
        ("edges", f"{network.n_edges:,}"),
        ("kinds", kinds),
        ("memory", f"{network.nbytes() / 2**20:.1f} MiB"),
    ])


def _short(n: int, digits: int = 30) -> str:
    text = str(n)
    return text if len(text) <= digits else f"{text[:10]}...{text[-4:]} ({len(text)} digits)"


def _steps(steps: tuple[int, ...]) -> str:
    if len(steps) <= 8:
        return "{" + ", ".join(map(str, steps)) + "}"
    return "{" + ", ".join(map(str, steps[:4])) + ", ..., " + str(steps[-1]) + "}"


def cut_html(cut: Any) -> str:
    """A compact HTML table of a :class:`~tnrnn.mincut.CutBound`."""
    s, p, net = cut.spec, cut.partition, cut.network
    return _table("CutBound", [
        ("spec", f"M={s.M}, R={s.R}, L={s.L}, T={s.T}"),
        ("partition", f"{p.name}: A = {_steps(p.A)}, B = {_steps(p.B)}"),
        ("bound", f"{_short(cut.bound)} = {cut.factored()}" if hasattr(cut, "factored") else _short(cut.bound)),
        ("log2 bound", f"{cut.log2:.6g}"),
        ("cut edges", f"{len(cut.cut_edges)}"),
        ("network", f"{'merged' if net.merged else 'full'}, {net.n_nodes:,} nodes"),
        ("method", getattr(cut, "method", None)),
        ("time", f"{cut.seconds:.3g} s" if hasattr(cut, "seconds") else None),
    ])


def rank_html(result: Any) -> str:
    """A compact HTML table of a :class:`~tnrnn.rank.RankResult`."""
    exact = getattr(result, "certified", False)
    rows = [
        ("rank", result.rank),
        ("method", f"{result.method} ({'exact over F_p' if exact else 'floating point, not certified'})"),
        ("spec", getattr(result, "spec", None)),
        ("partition", getattr(result, "partition", None)),
        ("prime", getattr(result, "prime", None)),
        ("matrix", f"{result.n_probes_A} x {result.n_probes_B}" if hasattr(result, "n_probes_A") else None),
        ("P(rank below generic)", f"<= {result.failure_bound:.3g}"
         if getattr(result, "failure_bound", None) is not None else None),
        ("capped", "yes: only a lower bound" if getattr(result, "capped", False) else None),
        ("time", f"{result.seconds:.3g} s" if hasattr(result, "seconds") else None),
    ]
    rows += [("note", n) for n in getattr(result, "notes", ())]
    return _table("RankResult", rows)
