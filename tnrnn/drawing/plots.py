"""Result plots: bounds and exact separation ranks against T (matplotlib imported lazily)."""

from __future__ import annotations

import math
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from ..boundset import registered
from ..errors import TnrnnError
from .decorate import legend_rows
from .figure import FigureResult
from .style import Style

__all__ = ["plot_bounds", "QUANTITIES", "BOUND_MARKERS", "plot_quantities", "bound_markers", "group_labels",
           "log10_value"]

_EXACT = ("exact rank (over $F_p$)", "-")


def plot_quantities() -> dict[str, tuple[str, Any]]:
    """Row keys plotted by :func:`plot_bounds`: key -> (legend label, line style): the exact
    rank, then every registered bound that is plotted (:mod:`tnrnn.boundset`), in table order."""
    return {"exact": _EXACT, **{b.name: (b.label, b.linestyle) for b in registered() if b.plotted}}


def bound_markers() -> dict[str, str]:
    """Thin markers of the bounds, drawn where a bound meets another curve (there its line
    would hide under the other one); thin strokes never cover the exact ranks' markers."""
    return {b.name: b.marker for b in registered() if b.plotted}


def __getattr__(name: str) -> Any:
    if name == "QUANTITIES":  # computed: a bound registered later is plotted too
        return plot_quantities()
    if name == "BOUND_MARKERS":
        return bound_markers()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: Colours of the depths (Paul Tol's high-contrast scheme plus black: distinct in greyscale).
PALETTE = ("#004488", "#bb5566", "#ddaa33", "#000000", "#6699cc", "#997700")
#: Markers of the depths (a second cue besides colour).
MARKERS = ("o", "s", "^", "D", "v", "P")
_PALETTE = PALETTE  # backwards-compatible name


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


def _axis(ax, style: Style, huge: bool, low: float, high: float, ylabel: bool = True,
          xlabel: bool = True, steps: Sequence[int] = ()) -> None:
    """Scales, labels and ticks: labelled ticks at 1, 2, 5 x 10^k when the range is short;
    every plotted T when there are at most 11 of them."""
    from matplotlib.ticker import (FixedLocator, FuncFormatter, LogLocator, MaxNLocator, NullFormatter,
                                   ScalarFormatter)

    fs = style.font_size
    steps = sorted(set(steps))
    if 0 < len(steps) <= 11:  # the plotted T themselves, every other one past six
        ax.xaxis.set_major_locator(FixedLocator(steps[::math.ceil(len(steps) / 6)]))
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if not huge:
        ax.set_yscale("log")
        if high - low <= 2.2:  # few decades: label 1, 2, 5, 10, 20, ... not just powers of ten
            ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
            fmt = ScalarFormatter()
            fmt.set_scientific(False)
            ax.yaxis.set_major_formatter(fmt)
            ax.yaxis.set_minor_formatter(NullFormatter())
        elif high - low <= 6.5 and low - math.floor(low) > 0.2:  # a labelled tick near the lowest value
            base = math.floor(low)
            near = max(b * 10.0 ** base for b in (1, 2, 5) if math.log10(b) + base <= low + 1e-9)
            ticks = [near] + [10.0 ** k for k in range(math.ceil(low), math.floor(high) + 2)]
            ax.yaxis.set_major_locator(FixedLocator(ticks))
            ax.yaxis.set_major_formatter(FuncFormatter(
                lambda v, _: f"{v:g}" if v < 1e4 else f"$10^{{{round(math.log10(v))}}}$"))
            ax.yaxis.set_minor_formatter(NullFormatter())
    if xlabel:
        ax.set_xlabel("sequence length $T$", fontsize=fs)
    if ylabel:
        ax.set_ylabel("$\\log_{10}$ of separation rank" if huge else "separation rank", fontsize=fs)
    ax.tick_params(labelsize=fs, which="both")
    ax.grid(True, which="major", alpha=0.3, lw=0.5)


_FIELDS = ("L", "M", "R", "cell", "bias", "dilations")


def group_labels(groups: Sequence[tuple]) -> dict[tuple, str]:
    """One legend label per member (``(L, M, R, cell, bias, dilations)``): the depth, and
    every other field that varies among the groups, so two members never share a label.

    >>> group_labels([(2, 2, 3, "mi", False, 1), (2, 2, 3, "cp:2", False, 1)])
    {(2, 2, 3, 'mi', False, 1): '$L=2$, cell mi', (2, 2, 3, 'cp:2', False, 1): '$L=2$, cell cp:2'}
    """
    join = lambda v: ",".join(map(str, v)) if isinstance(v, tuple) else str(v)  # noqa: E731
    varying = [i for i in range(1, len(_FIELDS)) if len({g[i] for g in groups}) > 1]
    text = {1: lambda v: f"$M={v}$", 2: lambda v: f"$R={join(v)}$", 3: lambda v: f"cell {join(v)}",
            4: lambda v: "bias" if v else "no bias", 5: lambda v: f"$d={join(v)}$"}
    return {g: ", ".join([f"$L={g[0]}$"] + [text[i](g[i]) for i in varying]) for g in groups}


def _legend_entries(style: Style, keys, order, colour, marker, labels_of) -> tuple[list, list]:
    """Member entries (colour + filled marker, as the exact ranks are drawn) and quantity
    entries (line style; the exact rank with a filled grey marker)."""
    from matplotlib.lines import Line2D

    handles, labels = [], []
    quantity, markers = plot_quantities(), bound_markers()
    for g in order:
        handles.append(Line2D([], [], color=colour[g], marker=marker[g], mfc=colour[g], lw=1.4, ms=4.5))
        labels.append(labels_of[g])
    for k in keys:
        handles.append(Line2D([], [], color="#555555", ls=quantity[k][1], lw=1.4 if k == "exact" else 1.0,
                              marker="o" if k == "exact" else markers.get(k), mfc="#555555",
                              ms=4 if k == "exact" else 6, mew=1.0 if k != "exact" else 0.5))
        labels.append(quantity[k][0])
    return handles, labels


def _curves(ax, logs, g, keys, huge, colour, marker) -> None:
    """The bounds of one member as thin lines, then the exact ranks on top (filled markers).

    Where a bound equals another plotted curve its line is hidden, so there it gets its
    thin marker (:func:`bound_markers`), dodged sideways by a fraction of the T spacing
    so that several coinciding bounds stay apart.
    """
    curves = {}
    quantity, markers = plot_quantities(), bound_markers()
    for k in keys:
        pts = [(t, v) for t, v in logs[(g, k)] if not math.isnan(v)]
        if pts:
            curves[k] = np.array(pts, dtype=float).T
    ts = np.unique(np.concatenate([c[0] for c in curves.values()])) if curves else np.zeros(0)
    step = float(np.diff(ts).min()) if ts.size > 1 else 1.0
    bounds = [k for k in curves if k != "exact"]
    for k in sorted(curves, key=lambda k: k == "exact"):
        t, v = curves[k]
        exact = k == "exact"
        ax.plot(t, v if huge else 10.0 ** v, ls=quantity[k][1], color=colour[g],
                lw=1.5 if exact else 1.0, marker=marker[g] if exact else None, ms=4.5,
                mfc=colour[g], mec="white" if exact else colour[g], mew=0.5, zorder=10 if exact else 3,
                alpha=1.0 if exact else 0.85)
        if exact:
            continue
        others = [dict(zip(*curves[o])) for o in curves if o != k]
        hidden = np.array([any(abs(o.get(tt, math.inf) - vv) < 1e-9 for o in others) for tt, vv in zip(t, v)])
        if hidden.any():
            dodge = (bounds.index(k) - (len(bounds) - 1) / 2) * 0.14 * step
            ax.plot(t[hidden] + dodge, (v if huge else 10.0 ** v)[hidden], ls="none", color=colour[g],
                    marker=markers[k], ms=6, mew=1.1, zorder=11)


def _figure(style: Style, panels: int, legend_rows: int):
    """A new Figure (no pyplot): the column preset's width, or 7 x 4 in by default; the
    legend's rows are added below the plot area."""
    from matplotlib.figure import Figure

    width = style.width or 7.0
    height = width * (0.62 if panels == 1 else 0.45) if style.width else 4.0
    if panels > 1 and style.width and style.width < 5:
        height = width * 0.42 * panels  # single column: panels stacked
    height += legend_rows * style.font_size * 1.5 / 72 if style.legend else 0.0
    fig = Figure(figsize=(width, height), dpi=style.dpi, layout="constrained")
    return fig


def plot_bounds(rows: Iterable[Mapping[str, Any]], ax=None, style: Style | None = None, *,
                partition: str | None = None, quantities: Sequence[str] | None = None,
                title: str | bool | None = None, panels: bool = False) -> FigureResult:
    """Bounds and exact ranks against T on a log axis; one colour and marker per depth L.

    Exact ranks are drawn on top with filled markers; the bounds are thinner lines, one
    line style per bound. Colours and markers stay distinct in greyscale.

    Parameters
    ----------
    rows : iterable of dict
        Table rows with keys ``L`` and ``T`` and any of ``exact`` and the registered bounds
        (:func:`plot_quantities`: ``lower``, ``mincut``, ``degree``, ``symmetric``, ``ideal``;
        None or missing where unknown; ints of any size, or digit strings). Optional ``M``,
        ``R``, ``cell``, ``bias``, ``dilations`` (one curve per member: rows of several
        members are drawn as separate curves, labelled by what varies; rows without them
        are plain RACs) and ``partition`` (a name, a Partition, or ``{"name": ...}``).
    ax : matplotlib Axes, optional
    style : Style, optional
        Fonts and width: ``Style.preset("single")`` (3.25 in) or ``Style.preset("double")``
        (7 in) for journal columns; ``Style(legend=False)`` drops the legend.
    partition : str, optional
        Keep only rows of this partition. Default: all rows if they have one partition,
        else ``'start-end'`` (or the first name in sorted order).
    quantities : sequence of str, optional
        Which keys to plot (default: all of ``QUANTITIES`` present in the rows).
    title : str or bool, optional
        None (default): no title (paper figure); True: what is plotted; or a string.
    panels : bool, default False
        One panel per depth, each with its own y range (so bounds that run away at one
        depth do not crush the others' exact ranks).

    Returns
    -------
    FigureResult
        Shows itself in a notebook; ``.figure`` is the matplotlib Figure.

    Notes
    -----
    Values above 1e300 cannot be floats: the axis then shows log10 of the values.
    """
    style = Style() if style is None else style
    rows = [r.to_dict() if hasattr(r, "to_dict") else r for r in rows]  # BoundRow objects too
    if not rows:
        raise TnrnnError("plot_bounds needs at least one row, got none")
    missing = [i for i, r in enumerate(rows) if "L" not in r or "T" not in r]
    if missing:
        raise TnrnnError(f"rows {missing[:5]} lack the keys 'L' and 'T'; every row needs both")
    from ..bounds.rows import row_member

    known = plot_quantities()
    unknown = set(quantities or ()) - set(known)
    if unknown:
        raise TnrnnError(f"unknown quantities {sorted(unknown)}; choose from {list(known)}")
    rows, part = _select(rows, partition)
    keys = [k for k in (quantities or known) if any(r.get(k) is not None for r in rows)]
    groups: dict[tuple, list] = {}
    for r in rows:  # one curve per member: the whole spec, not only (L, M, R)
        groups.setdefault((int(r["L"]), *row_member(r)[1:]), []).append(r)
    logs = {(g, k): [(int(r["T"]), log10_value(r.get(k))) for r in sorted(rs, key=lambda r: r["T"])]
            for g, rs in groups.items() for k in keys}
    finite = [v for pts in logs.values() for _, v in pts if not math.isnan(v)]
    huge = bool(finite) and max(finite) > 300
    several = len({g[1:] for g in groups}) > 1
    order = sorted(groups, key=lambda g: (g[0], *map(str, g[1:])))
    depths = sorted({g[0] for g in groups})
    pick = {g: (order.index(g) if several else depths.index(g[0])) for g in order}
    colour = {g: PALETTE[i % len(PALETTE)] for g, i in pick.items()}
    marker = {g: MARKERS[i % len(MARKERS)] for g, i in pick.items()}
    handles, labels = _legend_entries(style, keys, order, colour, marker, group_labels(order))
    if ax is not None:
        fig, axes, panels = ax.figure, [ax] * len(depths), False
    else:
        ncol, nrows = legend_rows(labels, (style.width or 7.0) * 0.95, style.font_size * 0.9)
        fig = _figure(style, len(depths) if panels else 1, nrows)
        narrow = style.width is not None and style.width < 5
        shape = (len(depths), 1) if panels and narrow else (1, len(depths)) if panels else (1, 1)
        grid = fig.subplots(*shape, squeeze=False).ravel()
        axes = list(grid) if panels else [grid[0]] * len(depths)
    for d, a in zip(depths, axes):
        mine = [g for g in order if g[0] == d]
        for g in mine:
            _curves(a, logs, g, keys, huge, colour, marker)
        shown = [(t, v) for (g, k), pts in logs.items() for t, v in pts
                 if not math.isnan(v) and (g in mine or not panels)]
        vals = [v for _, v in shown]
        stacked = panels and len(set(map(id, axes))) > 1 and axes[0].get_subplotspec().get_geometry()[1] == 1
        _axis(a, style, huge, min(vals, default=0), max(vals, default=1),
              ylabel=a is axes[len(axes) // 2] if stacked else a is axes[0],
              xlabel=a is axes[-1] or not stacked, steps=[t for t, _ in shown])
        if panels:
            a.set_title(f"$L={d}$", fontsize=style.font_size)
    if style.legend:
        if ax is not None:
            ax.legend(handles, labels, fontsize=style.font_size, frameon=False)
        else:
            fig.legend(handles, labels, loc="outside lower center", fontsize=style.font_size,
                       frameon=False, ncol=ncol, handlelength=2.4, columnspacing=1.2)
    if title is True:
        mr = {row_member(r)[1:3] for r in rows}
        (m, r), = mr if len(mr) == 1 else {(None, None)}
        r = ",".join(map(str, r)) if isinstance(r, tuple) else r
        spec = f", $M={m}$, $R={r}$" if m is not None and r is not None else ""
        title = f"separation rank against $T${spec}" + (f" ({part} partition)" if part else "")
    if title:
        fig.suptitle(title, fontsize=style.font_size + 1) if ax is None else ax.set_title(title)
    return FigureResult(fig, description="plot of separation ranks and bounds")
