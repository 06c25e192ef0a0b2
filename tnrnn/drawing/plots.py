"""Result plots: bounds and exact separation ranks against T (matplotlib imported lazily)."""

from __future__ import annotations

import math
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from ..errors import TnrnnError
from .figure import FigureResult
from .style import Style

__all__ = ["plot_bounds", "QUANTITIES", "log10_value"]

#: Row keys plotted by :func:`plot_bounds`: key -> (legend label, line style, marker).
QUANTITIES = {
    "exact": ("exact rank (mod p)", "-", "o"),
    "lower": ("paper lower bound", "--", "v"),
    "mincut": ("min-cut bound", ":", "^"),
    "degree": ("degree bound", "-.", "s"),
    "symmetric": ("symmetric-copies bound", (0, (5, 1, 1, 1)), "D"),
    "ideal": ("boundary-ideal bound", (0, (1, 1)), "P"),
}
_PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2")


def log10_value(value: Any) -> float:
    """log10 of a positive count (exact for huge Python ints); NaN for None / missing.

    >>> log10_value(10**400)
    400.0
    >>> import math; math.isnan(log10_value(None))
    True
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return float("nan")
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return float("nan")
        value = int(value) if value.lstrip("-").isdigit() else float(value)
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TnrnnError(f"plot_bounds expects counts (int, float, digit strings or None), got {value!r}")
    if value <= 0:
        raise TnrnnError(f"plot_bounds plots positive counts on a log axis, got {value!r}")
    return math.log10(int(value)) if isinstance(value, (int, np.integer)) else math.log10(float(value))


def _partition_name(row: Mapping[str, Any]) -> str | None:
    p = row.get("partition")
    if p is None or isinstance(p, str):
        return p
    return getattr(p, "name", None) or (p.get("name") if isinstance(p, Mapping) else str(p))


def _select(rows: Sequence[Mapping[str, Any]], partition: str | None) -> tuple[list, str | None]:
    names = [_partition_name(r) for r in rows]
    present = sorted({n for n in names if n is not None})
    if partition is None and len(present) > 1:
        partition = "start-end" if "start-end" in present else present[0]
    if partition is None:
        return list(rows), (present[0] if present else None)
    chosen = [r for r, n in zip(rows, names) if n == partition]
    if not chosen:
        raise TnrnnError(f"no rows with partition {partition!r}; the rows have {present}")
    return chosen, partition


def _decorate(ax, style, huge, keys, order, colour, several) -> None:
    """Axis scale and labels, and the two legends (depth colours, quantity styles)."""
    from matplotlib.lines import Line2D
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if not huge:
        ax.set_yscale("log")
    ax.set_xlabel("T (sequence length)", fontsize=style.font_size + 1)
    ax.set_ylabel("log10 of separation rank / bound" if huge else "separation rank / bound",
                  fontsize=style.font_size + 1)
    ax.tick_params(labelsize=style.font_size)
    ax.grid(True, which="major", alpha=0.3)
    depths = sorted({g[0] for g in order})
    shown = order if several else [next(g for g in order if g[0] == d) for d in depths]
    first = ax.legend(handles=[Line2D([], [], color=colour[g], lw=2, label=(
        f"L={g[0]}, M={g[1]}, R={g[2]}" if several else f"L={g[0]}")) for g in shown],
        loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=style.font_size, frameon=False)
    ax.add_artist(first)
    ax.legend(handles=[Line2D([], [], color=style.line, ls=QUANTITIES[k][1], marker=QUANTITIES[k][2],
                              mfc="white", label=QUANTITIES[k][0]) for k in keys],
              loc="lower left", bbox_to_anchor=(1.01, 0.0), fontsize=style.font_size, frameon=False)


def plot_bounds(rows: Iterable[Mapping[str, Any]], ax=None, style: Style | None = None, *,
                partition: str | None = None, quantities: Sequence[str] | None = None,
                title: str | None = None):
    """Bounds and exact ranks against T, one colour per depth L, on a log axis.

    Parameters
    ----------
    rows : iterable of dict
        Table rows with keys ``L`` and ``T`` and any of ``exact``, ``lower``, ``mincut``,
        ``degree``, ``symmetric``, ``ideal`` (None or missing where unknown; ints of any size, or
        digit strings). Optional ``M``, ``R`` (rows with several (M, R) are drawn as
        separate curves) and ``partition`` (a name, a Partition, or ``{"name": ...}``).
    ax : matplotlib Axes, optional
    style : Style, optional
        Fonts and sizes.
    partition : str, optional
        Keep only rows of this partition. Default: all rows if they have one partition,
        else ``'start-end'`` (or the first name in sorted order).
    quantities : sequence of str, optional
        Which keys to plot (default: all of ``QUANTITIES`` present in the rows).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Values above 1e300 cannot be floats: the axis then shows log10 of the values.
    """
    style = Style() if style is None else style
    rows = list(rows)
    if not rows:
        raise TnrnnError("plot_bounds needs at least one row, got none")
    missing = [i for i, r in enumerate(rows) if "L" not in r or "T" not in r]
    if missing:
        raise TnrnnError(f"rows {missing[:5]} lack the keys 'L' and 'T'; every row needs both")
    unknown = set(quantities or ()) - set(QUANTITIES)
    if unknown:
        raise TnrnnError(f"unknown quantities {sorted(unknown)}; choose from {list(QUANTITIES)}")
    rows, part = _select(rows, partition)
    keys = [k for k in (quantities or QUANTITIES) if any(r.get(k) is not None for r in rows)]
    groups: dict[tuple, list] = {}
    for r in rows:
        groups.setdefault((int(r["L"]), r.get("M"), r.get("R")), []).append(r)
    logs = {(g, k): [(int(r["T"]), log10_value(r.get(k))) for r in sorted(rs, key=lambda r: r["T"])]
            for g, rs in groups.items() for k in keys}
    finite = [v for pts in logs.values() for _, v in pts if not math.isnan(v)]
    huge = bool(finite) and max(finite) > 300
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.8, 4.4), dpi=style.dpi, layout="constrained") if ax is None else ax.figure
    ax = fig.add_subplot() if ax is None else ax
    several = len({(m, r) for _, m, r in groups}) > 1
    order = sorted(groups, key=lambda g: (g[0], str(g[1]), str(g[2])))
    depths = sorted({g[0] for g in groups})
    colour = {g: _PALETTE[(order.index(g) if several else depths.index(g[0])) % len(_PALETTE)]
              for g in order}
    for g in order:
        for k in keys:
            pts = [(t, v) for t, v in logs[(g, k)] if not math.isnan(v)]
            if not pts:
                continue
            t, v = np.array(pts, dtype=float).T
            _, ls, marker = QUANTITIES[k]
            ax.plot(t, v if huge else 10.0 ** v, ls=ls, marker=marker, color=colour[g],
                    ms=5 if k == "exact" else 4, lw=1.6 if k == "exact" else 1.0,
                    mfc=colour[g] if k == "exact" else "white")
    _decorate(ax, style, huge, keys, order, colour, several)
    if title is None:
        mr = {(r.get("M"), r.get("R")) for r in rows}
        (m, r), = mr if len(mr) == 1 else {(None, None)}
        spec = f", M={m}, R={r}" if m is not None and r is not None else ""
        title = f"separation rank against T{spec}" + (f" ({part} partition)" if part else "")
    ax.set_title(title, fontsize=style.font_size + 2)
    return FigureResult(fig, description="plot of separation ranks and bounds")
