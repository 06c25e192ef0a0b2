"""Rich display of networks in Jupyter, registered from the drawing layer.

The network module knows nothing of drawing: :func:`register_formatters` (called when
``tnrnn.drawing`` is imported inside IPython, i.e. by ``import tnrnn`` in a notebook)
tells IPython how to show a :class:`~tnrnn.network.RACNetwork`. Exactly one of
:func:`network_svg`, :func:`network_png` and :func:`network_html` returns content (the
others return None, which IPython skips), chosen by the number of nodes the drawing would
show, so a huge network prints a summary instead of hanging the notebook.

Results (CutBound, RankResult, rows, tables, RACSpec) build their own small HTML
(:mod:`tnrnn._html`); a Partition's HTML (:func:`tnrnn._html.partition_html`) is registered
here too, so the partition module imports no display code; figures are :class:`~tnrnn.drawing.figure.FigureResult`.
"""

from __future__ import annotations

import sys
from typing import Any

from .._html import html_table, partition_html, spec_text
from ..network.model import RACNetwork
from ..numbers import format_int
from ..partition import Partition
from .style import Style

__all__ = ["network_svg", "network_png", "network_html", "register_formatters",
           "display_mode", "SVG_MAX_NODES", "PNG_MAX_NODES"]

#: Up to this many drawn nodes a network displays as SVG (crisp, small files).
SVG_MAX_NODES = 400
#: Up to this many drawn nodes it displays as PNG; above, as an HTML summary.
PNG_MAX_NODES = 20_000


def _shown_nodes(network: RACNetwork, style: Style) -> int:
    """Nodes a default drawing shows (merged view hides W_H, W_I and a cp cell's U)."""
    if not network.merged and network.n_nodes <= style.max_full_nodes:
        return network.n_nodes
    counts = network.kind_counts()
    return network.n_nodes - sum(counts.get(k, 0) for k in ("W_H", "W_I", "U"))


def display_mode(network: RACNetwork, style: Style | None = None) -> str:
    """``'svg'``, ``'png'`` or ``'summary'``: how a network displays in a notebook."""
    shown = _shown_nodes(network, style or Style())
    return "svg" if shown <= SVG_MAX_NODES else "png" if shown <= PNG_MAX_NODES else "summary"


def _render(network: RACNetwork, fmt: str) -> bytes:
    from .render import draw, figure_bytes

    return figure_bytes(draw(network), fmt)


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


def network_html(network: RACNetwork) -> str | None:
    """An HTML summary table for networks too large to draw inline, else None."""
    if display_mode(network) != "summary":
        return None
    s = network.spec
    kinds = ", ".join(f"{k}: {v:,}" for k, v in network.kind_counts().items())
    return html_table("RACNetwork (too large to draw inline; use tnrnn.draw / write_figure)", [
        ("spec", spec_text(s)),
        ("form", "merged" if network.merged else "full"),
        ("nodes", format_int(network.n_nodes)),
        ("edges", format_int(network.n_edges)),
        ("kinds", kinds),
        ("memory", f"{network.nbytes() / 2**20:.1f} MiB"),
    ])


def register_formatters(target: Any = None) -> bool:
    """Teach IPython to display networks (SVG, PNG or an HTML summary by size) and partitions.

    Parameters
    ----------
    target : IPython shell or DisplayFormatter, optional
        Default: the running IPython, if any (IPython is never imported here).

    Returns
    -------
    bool
        True if formatters were registered.
    """
    if target is None:
        ipython = sys.modules.get("IPython")
        target = ipython.get_ipython() if ipython is not None else None
        if target is None:
            return False
    formatters = getattr(getattr(target, "display_formatter", target), "formatters", None)
    if formatters is None:
        return False
    for mime, fn in (("image/svg+xml", network_svg), ("image/png", network_png),
                     ("text/html", network_html)):
        formatters[mime].for_type(RACNetwork, fn)
    formatters["text/html"].for_type(Partition, partition_html)
    return True
