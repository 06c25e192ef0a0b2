"""An atlas of exact generic separation ranks with every bound and the proven flag.

``tnrnn atlas`` (or :func:`make_atlas`) sweeps depths L = 1..4, M, R = 1..6 and the
partitions Start-End, interleaved and every ``split:k``, T from 2 upward, into one result
store (``<out>/atlas.sqlite``, exported to ``atlas.csv`` and ``atlas.json``), then writes
``atlas_summary.json`` (the counts) and one figure per depth, ``atlas_L<L>.png``: how far
each bound sits from the exact rank.

It is a :func:`tnrnn.bounds.bounds_table` sweep, so it resumes: run the same command again
and only the missing rows are computed. Rows go cheapest first (smallest closed-form
bound), so a time budget covers every cheap (M, R, partition) up to its largest T before
the costly ones' large rows. Each (L, M, R, partition) stops growing T once a row
takes longer than ``max_row_seconds`` or its rank may pass ``max_rank`` (the up-front
probe budget, which refuses cases whose proven upper bound is above ``max_rank``).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Iterable, Mapping

from ._io import write_text_atomic

__all__ = ["ATLAS_PASSES", "T_MAX", "largest_T", "atlas_passes", "make_atlas", "atlas_summary", "summary_markdown",
           "plot_atlas"]

#: Largest T tried per depth (the atlas also stops earlier, by rank and time); deeper
#: networks than listed get the last depth's value.
T_MAX = {1: 24, 2: 24, 3: 16, 4: 12}


def largest_T(L: int, T_max: Mapping[int, int] | None = None) -> int:
    """The largest T of depth ``L`` in the atlas: ``T_max[L]`` if given, else :data:`T_MAX`.

    >>> largest_T(2), largest_T(7), largest_T(2, {2: 48})
    (24, 12, 48)
    """
    table = {**T_MAX, **(T_max or {})}
    return table[L] if L in table else T_MAX[max(T_MAX)]


def atlas_passes(L_values: Iterable[int] = (2, 3, 1, 4), M_values: Iterable[int] = range(1, 7),
                 R_values: Iterable[int | tuple[int, ...]] = range(1, 7),
                 T_max: Mapping[int, int] | None = None, *, cell_values: Iterable[Any] = ("mi",),
                 bias_values: Iterable[bool] = (False,),
                 dilation_values: Iterable[Any] = (1,)) -> list[dict[str, Any]]:
    """The sweeps of the atlas, in the order they run: Start-End and interleaved for every
    depth first, then every ``split:k`` for every depth (T up to ``T_max[L]``, default
    :data:`T_MAX`), so a time budget spreads over the depths.

    >>> [(p["L_values"], p["partitions"][:2], len(p["partitions"])) for p in atlas_passes([4, 1])]
    [([4], ['start-end', 'interleaved'], 2), ([1], ['start-end', 'interleaved'], 2), ([4], ['split:1', 'split:2'], 11), ([1], ['split:1', 'split:2'], 23)]
    """
    M_values = list(M_values)
    members = {"R_values": list(R_values), "cell_values": list(cell_values), "bias_values": list(bias_values),
               "dilation_values": list(dilation_values)}
    first, then = [], []
    for L in L_values:
        T = list(range(2, largest_T(L, T_max) + 1))
        fit = dict(members)
        if fit["cell_values"] == ["mi"] and fit["bias_values"] == [False] and fit["dilation_values"] == [1]:
            fit = {"R_values": fit["R_values"]}  # the plain atlas
        grid = {"L_values": [L], "M_values": M_values, **fit, "T_values": T}
        first.append({**grid, "partitions": ["start-end", "interleaved"]})
        then.append({**grid, "partitions": [f"split:{k}" for k in range(1, T[-1])]})
    return first + then


#: The default sweeps (every depth, M, R = 1..6).
ATLAS_PASSES = atlas_passes()


def make_atlas(out: str | Path = "figures", *, L_values: Iterable[int] = (2, 3, 1, 4),
               M_values: Iterable[int] = range(1, 7), R_values: Iterable[int | tuple[int, ...]] = range(1, 7),
               T_max: Mapping[int, int] | None = None, max_rank: int = 2000, max_row_seconds: float = 60.0,
               budget_seconds: float | None = None, seed: int = 0, workers: int = 1,
               progress: bool = True, cell_values: Iterable[Any] = ("mi",), bias_values: Iterable[bool] = (False,),
               dilation_values: Iterable[Any] = (1,)) -> list[Path]:
    """Compute (or resume) the atlas into ``out`` and write its tables, summary and figures.

    Parameters
    ----------
    out : folder of ``atlas.{sqlite,csv,json}``, ``atlas_summary.json``, ``atlas_L*.png``
    L_values, M_values, R_values, T_max : the grid (T and partitions: :func:`atlas_passes`); an R
        value may be a tuple of per-layer widths (then every depth swept must have that many layers)
    cell_values, bias_values, dilation_values
        The members of the family swept (default: the plain RAC), as in
        :func:`tnrnn.bounds.bounds_table` (a per-layer tuple needs one value per layer of every depth).
    max_rank : int
        Refuse rows whose proven upper bound is above this (their probe matrix could be
        larger than ``max_rank + 1`` square); T stops growing there.
    max_row_seconds : float
        T stops growing after a row that took longer.
    budget_seconds : float, optional
        Stop sending rows after this long (every finished row is kept; rerun to resume).
        Each pass of :func:`atlas_passes` gets an equal share of the time left.
    seed, workers, progress
        As in :func:`tnrnn.bounds.bounds_table`.

    Returns
    -------
    list of Path
        The files written.
    """
    from .bounds import bounds_table, read_bounds_table

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    stem = out / "atlas"
    t0 = time.perf_counter()
    passes = atlas_passes(L_values, M_values, R_values, T_max, cell_values=cell_values, bias_values=bias_values,
                          dilation_values=dilation_values)
    for i, grid in enumerate(passes):
        left = None  # each pass gets an equal share of what is left, so every depth gets rows
        if budget_seconds is not None:
            left = (budget_seconds - (time.perf_counter() - t0)) / (len(passes) - i)
            if left <= 0:
                break
        bounds_table(stem, **grid, rng=seed, max_row_seconds=max_row_seconds, budget_seconds=left,
                     workers=workers, progress=progress, cheapest_first=True, max_probes=max_rank + 1)
    rows = read_bounds_table(stem.with_suffix(".sqlite"))
    summary = atlas_summary(rows)
    paths = [stem.with_suffix(s) for s in (".sqlite", ".csv", ".json")]
    paths.append(write_text_atomic(out / "atlas_summary.json", _json(summary)))
    paths.append(write_text_atomic(out / "atlas_summary.md", summary_markdown(summary)))
    paths += plot_atlas(rows, out)
    return paths


def _json(obj: Any) -> str:
    import json

    return json.dumps(obj, indent=1, sort_keys=True) + "\n"


def _plain(r: dict[str, Any]) -> bool:
    """True for a row of the paper's RAC (rows without member columns are plain)."""
    from .bounds.rows import row_member

    member = row_member(r)
    return not isinstance(member[2], tuple) and member[3:] == ("mi", False, 1)


def _depth2_formula(r: dict[str, Any]) -> int | None:
    """The measured depth-2 formula min(ideal, degree, min-cut), for plain rows only."""
    if r.get("ideal") is None or r.get("mincut") is None or not _plain(r):
        return None
    return min(r["ideal"], r["degree"], r["mincut"])


def _bounds() -> tuple[str, ...]:
    """The bound columns of the atlas: every registered bound, uppers first, in table order."""
    from .boundset import bound_names

    return (*bound_names("upper"), *bound_names("lower"))


def _tight_columns() -> tuple[tuple[str, str], ...]:
    """(name, label) of the bounds in the summary table: every plotted registered bound."""
    from .boundset import registered

    return tuple((b.name, b.label) for b in (*registered("upper"), *registered("lower")) if b.plotted)


def atlas_summary(rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The counts of an atlas: rows, proven rows, checks of the paper's statements and of
    the depth-2 formula ``min(ideal, degree, mincut)``, violations, and where each bound is
    tight (equal to the exact rank), per depth.

    >>> rows = [dict(L=2, M=2, R=3, T=8, partition="start-end", status="ok", exact=42, lower=5,
    ...              lower_status="theorem", proven=True, proven_by="ideal", mincut=162, degree=120,
    ...              symmetric=45, ideal=42, all_chains=243)]
    >>> s = atlas_summary(rows)
    >>> s["rows_ok"], s["proven"], s["theorem_checks"], s["depth2_formula"]
    (1, 1, 1, {'start_end': [1, 1], 'other_prefix': [0, 0], 'failures_other_prefix': []})
    """
    rows = list(rows)
    ok = [r for r in rows if r.get("status") == "ok"]
    bounds = _bounds()
    per_depth = {}
    for L in sorted({r["L"] for r in ok}):
        rs = [r for r in ok if r["L"] == L]
        per_depth[str(L)] = {
            "rows": len(rs), "proven": sum(bool(r.get("proven")) for r in rs),
            "max_T": max(r["T"] for r in rs), "max_exact": max(r["exact"] for r in rs),
            "tight": {b: sum(r.get(b) is not None and r[b] == r["exact"] for r in rs) for b in bounds},
            "defined": {b: sum(r.get(b) is not None for r in rs) for b in bounds},
        }
    se2 = [r for r in ok if r["L"] == 2 and r.get("lower") is not None]  # Start-End, whatever the name
    other2 = [r for r in ok if r["L"] == 2 and r.get("lower") is None and _depth2_formula(r) is not None]
    fails = [r for r in other2 if r["exact"] != _depth2_formula(r)]
    return {
        "rows": len(rows), "rows_ok": len(ok),
        "too_large": sum(r.get("status") == "too-large" for r in rows),
        "violations": sum(r.get("status") == "VIOLATION" for r in rows),
        "proven": sum(bool(r.get("proven")) for r in ok),
        "theorem_checks": sum(r.get("lower_status") == "theorem" for r in ok),
        "theorem1_shallow_equal": sum(r["L"] == 1 and r.get("lower") is not None and r["exact"] == r["lower"]
                                      for r in ok),
        "conjecture_checks": sum(r.get("lower_status") == "conjecture" for r in ok),
        "conjecture_holds": sum(r.get("lower_status") == "conjecture" and r["exact"] >= r["lower"] for r in ok),
        "depth2_formula": {
            "start_end": [sum(r["exact"] == _depth2_formula(r) for r in se2), len(se2)],
            "other_prefix": [len(other2) - len(fails), len(other2)],
            "failures_other_prefix": [[r["M"], r["R"], r["T"], r["partition"], r["exact"], _depth2_formula(r)]
                                      for r in fails],  # plain rows only: M, R say the whole spec
        },
        "per_depth": per_depth,
    }


def summary_markdown(summary: dict[str, Any]) -> str:
    """The counts of :func:`atlas_summary` as a short Markdown list and a table per depth."""
    d2 = summary["depth2_formula"]
    lines = [
        f"- {summary['rows_ok']} rows computed ({summary['too_large']} refused as too large), "
        f"**{summary['violations']} violations**; **{summary['proven']} proven** (exact rank = an upper "
        "bound valid for all weights).",
        f"- Theorem 1 checked on {summary['theorem_checks']} rows (L = 1, 2, Start-End); the shallow "
        f"value min(R, M^(T/2)) is met exactly on {summary['theorem1_shallow_equal']}.",
        f"- The paper's conjecture (L >= 3, Start-End) checked on {summary['conjecture_checks']} rows; "
        f"it holds on {summary['conjecture_holds']}.",
        f"- Depth 2, Start-End: generic rank = min(ideal, degree, min-cut) on {d2['start_end'][0]} of "
        f"{d2['start_end'][1]} rows (so the depth-2 formula is proven there); other prefix partitions: "
        f"{d2['other_prefix'][0]} of {d2['other_prefix'][1]}.",
        "",
        "| L | rows | proven | largest T | largest rank | "
        + " | ".join(f"tight: {label}" for _, label in _tight_columns()) + " |",
        "|---:|---:|---:|---:|---:|" + "---:|" * len(_tight_columns()),
    ]
    for L, s in summary["per_depth"].items():
        tight, defined = s["tight"], s["defined"]
        cells = [f"{tight.get(b, 0)}/{defined.get(b, 0)}" for b, _ in _tight_columns()]
        lines.append(f"| {L} | {s['rows']} | {s['proven']} | {s['max_T']} | {s['max_exact']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _varying(members: list[tuple]) -> list[str]:
    """M and R, and whichever of cell, bias and dilations varies among the members."""
    names = ("L", "M", "R", "cell", "bias", "dilations")
    return ["M", "R"] + [names[i] for i in (3, 4, 5) if len({m[i] for m in members}) > 1]


def plot_atlas(rows: Iterable[dict[str, Any]], out: str | Path) -> list[Path]:
    """One figure per depth, ``atlas_L<L>.png``: log10(bound / exact rank) of each bound on
    the Start-End rows, as heatmaps over (M, R) and T (0 = tight; grey = not computed)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    import numpy as np

    from .bounds.rows import member_text, row_member
    from .drawing import write_figure
    from .drawing.plots import log10_value

    rows = [r for r in rows if r.get("status") == "ok" and r["partition"] == "start-end"]
    paths = []
    for L in sorted({r["L"] for r in rows}):
        rs = [r for r in rows if r["L"] == L]
        names = [b for b in (*(n for n, _ in _tight_columns()), "tightest_upper") if any(r.get(b) for r in rs)]
        members = {row_member(r): r for r in rs}
        pairs = sorted(members, key=lambda m: tuple(map(str, m[1:])))
        Ts = sorted({r["T"] for r in rs})
        fig, axes = plt.subplots(1, len(names), figsize=(2.2 * len(names) + 1.6, 0.16 * len(pairs) + 2.0),
                                 sharey=True, squeeze=False, layout="constrained")
        for ax, name in zip(axes[0], names):
            grid = np.full((len(pairs), len(Ts)), np.nan)
            for r in rs:
                if r.get(name) is not None:
                    grid[pairs.index(row_member(r)), Ts.index(r["T"])] = (
                        log10_value(r[name]) - log10_value(r["exact"]))
            lim = 2.0
            image = ax.imshow(np.clip(grid, -lim, lim), aspect="auto", cmap="RdBu_r", vmin=-lim, vmax=lim,
                              interpolation="nearest")
            ax.set_title(name, fontsize=9)
            step = -(-len(Ts) // 12)  # at most 12 labels: 24 lengths side by side overlapped
            ax.set_xticks(range(0, len(Ts), step), [str(t) for t in Ts[::step]], fontsize=6)
            ax.set_xlabel("T", fontsize=8)
            ax.set_facecolor("#b8b8b8")  # not computed: darker than any tight (white) cell
        axes[0][0].set_yticks(range(len(pairs)), [member_text(m, _varying(pairs)) for m in pairs], fontsize=5)
        fig.colorbar(image, ax=axes[0].tolist(), shrink=0.8, label="log10(bound / exact)")
        fig.suptitle(f"L = {L}, Start-End: log10(bound / exact rank); 0 = tight, clipped at ±2, "
                     "grey = not computed", fontsize=9)
        try:
            paths.append(write_figure(fig, Path(out) / f"atlas_L{L}.png"))
        finally:
            plt.close(fig)
    return paths
