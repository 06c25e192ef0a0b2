"""An atlas of exact generic separation ranks with every bound and the proven flag.

``tnrnn atlas`` (or :func:`make_atlas`) sweeps depths L = 1..4, M, R = 1..6 and the
partitions Start-End, interleaved and every ``split:k``, T from 2 upward, into one result
store (``<out>/atlas.sqlite``), then writes the compact table ``atlas.csv.gz``
(:mod:`tnrnn.atlas_table`; CSV and JSON on demand with ``tnrnn atlas --export``),
``atlas_summary.json`` and ``.md`` (the counts, by distinct case) and one figure per depth,
``atlas_L<L>.png``: how far each bound sits from the exact rank. :func:`rederive_atlas`
(``tnrnn atlas --rederive``) rewrites all of it from the compact table without ranks.

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
from .errors import TnrnnError

__all__ = ["ATLAS_PASSES", "T_MAX", "largest_T", "atlas_passes", "make_atlas", "atlas_summary", "summary_markdown",
           "plot_atlas", "case_key", "distinct_cases", "write_atlas_outputs", "rederive_atlas", "summary_bounds"]

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
    out : folder of ``atlas.sqlite``, ``atlas.csv.gz``, ``atlas_summary.{json,md}``, ``atlas_L*.png``
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
        bounds_table(stem.with_suffix(".sqlite"), **grid, rng=seed, max_row_seconds=max_row_seconds,
                     budget_seconds=left, workers=workers, progress=progress, cheapest_first=True,
                     max_probes=max_rank + 1)
    rows = read_bounds_table(stem.with_suffix(".sqlite"))
    return [stem.with_suffix(".sqlite"), *write_atlas_outputs(rows, out)]


def write_atlas_outputs(rows: Iterable[dict[str, Any]], out: str | Path) -> list[Path]:
    """Re-derive ``rows`` (:func:`tnrnn.atlas_table.rederive_rows`: every closed-form bound
    and the proven flags from the code; ranks and min-cuts as given) and write the atlas's
    outputs into ``out``: the compact table ``atlas.csv.gz``, ``atlas_summary.json``,
    ``atlas_summary.md`` and ``atlas_L<L>.png``. Returns the paths written."""
    from .atlas_table import ATLAS_TABLE, rederive_rows, write_atlas_table

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rows = rederive_rows(rows)
    summary = atlas_summary(rows)
    paths = [write_atlas_table(rows, out / ATLAS_TABLE)]
    paths.append(write_text_atomic(out / "atlas_summary.json", _json(summary)))
    paths.append(write_text_atomic(out / "atlas_summary.md", summary_markdown(summary)))
    paths += plot_atlas(rows, out)
    return paths


def rederive_atlas(out: str | Path = "figures", source: str | Path | None = None) -> list[Path]:
    """Rewrite the atlas in ``out`` from its rows without computing a rank.

    Reads ``source`` (default ``out/atlas.csv.gz``; a bounds store ``.sqlite`` or a JSON
    export works too), recomputes every closed-form bound column and the proven flags from
    the code, and rewrites the compact table, the summary and the figures
    (:func:`write_atlas_outputs`). A new closed-form bound reaches the atlas this way in
    about a minute (46,521 rows) instead of the hours its ranks took.
    """
    from .atlas_table import ATLAS_TABLE, read_atlas_table
    from .bounds import read_bounds_table

    out = Path(out)
    source = Path(source) if source is not None else out / ATLAS_TABLE
    if not source.is_file():
        raise TnrnnError(f"no atlas table at {str(source)!r}; give the atlas.csv.gz (or a .sqlite store or "
                         "JSON export) written by tnrnn atlas")
    rows = read_atlas_table(source) if source.name.endswith(".gz") else read_bounds_table(source)
    return write_atlas_outputs(rows, out)


def _json(obj: Any) -> str:
    import json

    return json.dumps(obj, indent=1, sort_keys=True) + "\n"


def summary_bounds() -> tuple[str, ...]:
    """The bound columns whose tightness the summary counts: every registered bound
    (:mod:`tnrnn.boundset`), uppers first, in table order."""
    from .boundset import bound_names

    return (*bound_names("upper"), *bound_names("lower"))


def _plain(r: dict[str, Any]) -> bool:
    """True for a row of the paper's RAC (rows without member columns are plain)."""
    from .bounds.rows import row_member

    member = row_member(r)
    return not isinstance(member[2], tuple) and member[3:] == ("mi", False, 1)

_SPEC_KEYS = ("L", "M", "R", "T", "cell", "bias", "dilations", "widths")


def case_key(row: dict[str, Any]) -> tuple:
    """The distinct case of a row: its spec and the unordered pair of sides {A, B}.

    ``split:T/2`` and ``start-end`` (and ``interleaved`` at T = 2) name one case.

    >>> a = dict(L=2, M=2, R=2, T=4, partition="start-end", A=[1, 2])
    >>> case_key(a) == case_key({**a, "partition": "split:2"}) == case_key({**a, "A": [3, 4]})
    True
    """
    spec = tuple((k, str(row[k])) for k in _SPEC_KEYS if row.get(k) is not None)
    A = frozenset(row["A"])
    B = frozenset(range(1, row["T"] + 1)) - A
    return spec + (frozenset((A, B)),)


def distinct_cases(rows: Iterable[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """One row per distinct case (:func:`case_key`; the first in the given order) and the
    number of cases whose rows disagree on the exact rank (0 in a sound atlas)."""
    first: dict[tuple, dict[str, Any]] = {}
    ranks: dict[tuple, set] = {}
    for r in rows:
        key = case_key(r)
        first.setdefault(key, r)
        ranks.setdefault(key, set()).add(r.get("exact"))
    return list(first.values()), sum(len(v) > 1 for v in ranks.values())


def _degree(r: dict[str, Any]) -> int:
    """The sharper degree bound of a row: the bottleneck bound where the row has it."""
    return min(v for v in (r.get("degree"), r.get("bottleneck")) if v is not None)


def _depth2_formula(r: dict[str, Any]) -> int | None:
    """The measured depth-2 formula min(ideal, degree, min-cut, syzygy), plain rows only."""
    if r.get("ideal") is None or r.get("mincut") is None or not _plain(r):
        return None
    return min(v for v in (r["ideal"], _degree(r), r["mincut"], r.get("syzygy")) if v is not None)


def _count(rows: list[dict[str, Any]], test) -> int:
    return sum(bool(test(r)) for r in rows)


def _per_depth(ok: list[dict[str, Any]], cases: list[dict[str, Any]]) -> dict[str, Any]:
    out, bounds = {}, summary_bounds()
    for L in sorted({r["L"] for r in ok}):
        rs = [r for r in ok if r["L"] == L]
        cs = [r for r in cases if r["L"] == L]
        proven = _count(cs, lambda r: r.get("proven"))
        out[str(L)] = {
            "rows": len(rs), "cases": len(cs), "proven": proven, "proven_rows": _count(rs, lambda r: r.get("proven")),
            "proven_fraction": round(proven / len(cs), 6),
            "max_T": max(r["T"] for r in cs), "max_exact": max(r["exact"] for r in cs),
            "tight": {b: _count(cs, lambda r: r.get(b) is not None and r[b] == r["exact"]) for b in bounds},
            "defined": {b: _count(cs, lambda r: r.get(b) is not None) for b in bounds},
        }
    return out


def atlas_summary(rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The counts of an atlas, **by distinct case** (:func:`case_key`: a spec and the
    unordered pair of sides, so ``split:T/2`` and ``start-end`` count once): proven cases,
    checks of the paper's statements, the depth-2 formula ``min(ideal, degree, mincut,
    syzygy)`` (degree: the bottleneck degree bound where the rows have it; syzygy where it
    applies) and the depth-3 Start-End
    formula ``min(ideal, degree)``, violations, and where each bound is tight (equal to the
    exact rank), per depth. Row counts sit beside them (``rows*``, ``proven_rows``).

    >>> rows = [dict(L=2, M=2, R=3, T=8, partition="start-end", A=[1, 2, 3, 4], status="ok", exact=42,
    ...              lower=5, lower_status="theorem", proven=True, proven_by="ideal", mincut=162, degree=120,
    ...              symmetric=45, ideal=42, all_chains=243)]
    >>> s = atlas_summary(rows + [{**rows[0], "partition": "split:4"}])
    >>> s["rows_ok"], s["cases"], s["proven"], s["proven_rows"], s["theorem_checks"]
    (2, 1, 1, 2, 1)
    >>> s["depth2_formula"]
    {'start_end': [1, 1], 'other_prefix': [0, 0], 'failures_other_prefix': []}
    """
    rows = list(rows)
    ok = [r for r in rows if r.get("status") == "ok"]
    cases, disagreeing = distinct_cases(ok)
    se2 = [r for r in cases if r["L"] == 2 and r.get("lower") is not None]  # Start-End, whatever the name
    other2 = [r for r in cases if r["L"] == 2 and r.get("lower") is None and _depth2_formula(r) is not None]
    fails = [r for r in other2 if r["exact"] != _depth2_formula(r)]
    se3 = [r for r in cases if r["L"] == 3 and r.get("lower") is not None and r.get("ideal") is not None]
    return {
        "rows": len(rows), "rows_ok": len(ok), "cases": len(cases), "cases_disagreeing": disagreeing,
        "too_large": sum(r.get("status") == "too-large" for r in rows),
        "violations": sum(r.get("status") == "VIOLATION" for r in rows),
        "proven": _count(cases, lambda r: r.get("proven")), "proven_rows": _count(ok, lambda r: r.get("proven")),
        "theorem_checks": _count(cases, lambda r: r.get("lower_status") == "theorem"),
        "theorem_checks_rows": _count(ok, lambda r: r.get("lower_status") == "theorem"),
        "theorem1_shallow_checks": _count(cases, lambda r: r["L"] == 1 and r.get("lower") is not None),
        "theorem1_shallow_equal": _count(cases, lambda r: r["L"] == 1 and r.get("lower") is not None
                                         and r["exact"] == r["lower"]),
        "conjecture_checks": _count(cases, lambda r: r.get("lower_status") == "conjecture"),
        "conjecture_holds": _count(cases, lambda r: r.get("lower_status") == "conjecture" and r["exact"] >= r["lower"]),
        "depth2_formula": {
            "start_end": [_count(se2, lambda r: r["exact"] == _depth2_formula(r)), len(se2)],
            "other_prefix": [len(other2) - len(fails), len(other2)],
            "failures_other_prefix": [[r["M"], r["R"], r["T"], r["partition"], r["exact"], _depth2_formula(r)]
                                      for r in fails],
        },
        "depth3_start_end_formula": [_count(se3, lambda r: r["exact"] == min(r["ideal"], _degree(r))), len(se3)],
        "per_depth": _per_depth(ok, cases),
    }


def _tight_columns() -> tuple[tuple[str, str], ...]:
    """(name, label) of the bounds in the summary table: every plotted registered bound."""
    from .boundset import registered

    return tuple((b.name, b.label) for b in (*registered("upper"), *registered("lower")) if b.plotted)


def _varying(members: list[tuple]) -> list[str]:
    """M and R, and whichever of cell, bias and dilations varies among the members."""
    names = ("L", "M", "R", "cell", "bias", "dilations")
    return ["M", "R"] + [names[i] for i in (3, 4, 5) if len({m[i] for m in members}) > 1]


def summary_markdown(summary: dict[str, Any]) -> str:
    """The counts of :func:`atlas_summary` as a short Markdown list and a table per depth
    (every count by distinct case; rows in words where they differ)."""
    s, d2 = summary, summary["depth2_formula"]
    d3 = s.get("depth3_start_end_formula", [0, 0])
    lines = [
        f"- {s['cases']} distinct cases in {s['rows_ok']} rows computed (a case is a spec and the unordered "
        f"pair of sides: `split:T/2` and interleaved at T = 2 repeat Start-End); {s['too_large']} rows refused "
        f"as too large; **{s['violations']} violations**; {s['cases_disagreeing']} cases whose rows disagree.",
        f"- **{s['proven']} of {s['cases']} cases proven** (exact rank = an upper bound valid for all weights; "
        f"{s['proven_rows']} rows).",
        f"- Theorem 1 checked on {s['theorem_checks']} Start-End cases (L = 1, 2); the shallow value "
        f"min(R, M^(T/2)) is met exactly on {s['theorem1_shallow_equal']} of {s.get('theorem1_shallow_checks', '?')}.",
        f"- The paper's conjecture (L >= 3, Start-End) checked on {s['conjecture_checks']} cases; it holds on "
        f"{s['conjecture_holds']}.",
        f"- Depth 2, Start-End: generic rank = min(ideal, bottleneck degree, min-cut, syzygy) on "
        f"{d2['start_end'][0]} of {d2['start_end'][1]} cases (so the formula is proven there); other prefix "
        "partitions: "
        f"{d2['other_prefix'][0]} of {d2['other_prefix'][1]}.",
        f"- Depth 3, Start-End: generic rank = min(ideal, bottleneck degree) on {d3[0]} of {d3[1]} cases.",
        "",
        "| L | cases | rows | proven cases | largest T | largest rank | "
        + " | ".join(f"tight: {label}" for _, label in _tight_columns()) + " |",
        "|---:|---:|---:|---:|---:|---:|" + "---:|" * len(_tight_columns()),
    ]
    for L, p in s["per_depth"].items():
        tight, defined = p["tight"], p["defined"]
        cells = [f"{tight.get(b, 0)}/{defined.get(b, 0)}" for b, _ in _tight_columns()]
        lines.append(f"| {L} | {p['cases']} | {p['rows']} | {p['proven']} ({100 * p['proven'] / p['cases']:.1f}%) | "
                     f"{p['max_T']} | {p['max_exact']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


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
