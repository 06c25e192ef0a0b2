"""The main job: regenerate the project's figures and the table behind them.

``tnrnn report`` (or :func:`make_report`) writes, into one folder:

- ``shallow_mps_start_end.{pdf,svg,png}``: the shallow RAC's matrix product state with its
  Start-End min cut;
- ``deep_lattice_start_end.{pdf,svg,png}``: the depth-2 duplicated-input lattice with its
  Start-End min cut;
- ``growth.{pdf,svg,png}``: exact ranks against T for L = 1, 2, 3 (log axis), with the
  paper's lower bound and the symmetric-copies upper bound that enclose them;
- ``growth_all_bounds.{pdf,svg,png}``: every bound, one panel per depth;
- ``bounds_table.{csv,json,md}``: the table behind the growth plot.

Figures are in paper style (no titles, legends, greyscale-safe), PNG at 300 dpi, PDF with
TrueType fonts. Nothing written depends on the clock (no timings, no dates), so running
the report twice gives the same bytes and leaves ``git status`` clean.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from .partition import Partition
from .spec import RACSpec

__all__ = ["make_report", "REPORT_GRID"]

#: The grid of the growth table (full and quick): depths L, (M, R) and the steps T.
REPORT_GRID = {
    False: {"L": (1, 2, 3), "M": 2, "R": 2, "T": range(2, 21, 2)},
    True: {"L": (1, 2, 3), "M": 2, "R": 2, "T": range(2, 9, 2)},
}
_FORMATS = (".pdf", ".svg", ".png")


def _write_all(fig, stem: Path, dpi: int) -> list[Path]:
    from .drawing import write_figure

    return [write_figure(fig, stem.with_suffix(s), dpi=dpi) for s in _FORMATS]


def _network_figure(spec: RACSpec, stem: Path, style, dpi: int) -> list[Path]:
    from .drawing import draw
    from .mincut import mincut_bound
    from .network import compile_network

    from .drawing import Style

    network = compile_network(spec)
    part = Partition.start_end(spec.T)
    style = Style() if style is None else style
    if style.width is None:  # no column chosen: one column of a paper, as tall as a text block at most
        single = Style.preset("single")
        style = style.replace(width=single.width, max_height=single.max_height, font_size=single.font_size,
                              min_font_size=single.min_font_size)
    return _write_all(draw(network, part, cut=mincut_bound(network, part), style=style), stem, dpi)


def make_report(out: str | Path = "figures", *, quick: bool = False, seed: int = 0,
                progress: bool = True, dpi: int = 300, style: Any = None) -> list[Path]:
    """Regenerate every figure and table into ``out``; returns the paths written.

    Parameters
    ----------
    out : folder (created if missing)
    quick : bool
        A smaller grid (under a minute on 2 cores) instead of the full one (a few minutes).
    seed : int
        Base seed of the exact-rank computations.
    dpi : int
        Resolution of the PNG files.
    style : Style, optional
        Drawing style; default ``Style()``. Network drawings without a column width get the
        sizes of ``Style.preset("single")`` (one column of a two-column article, at most a
        text block tall).
    """
    from .bounds import bounds_table
    from .bounds.table import export_bounds_table, without_run_fields
    from .drawing import plot_bounds

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    paths = _network_figure(RACSpec(M=2, R=4, L=1, T=8), out / "shallow_mps_start_end", style, dpi)
    paths += _network_figure(RACSpec(M=2, R=2, L=2, T=6), out / "deep_lattice_start_end", style, dpi)

    grid = REPORT_GRID[quick]
    rows = bounds_table(
        None, L_values=grid["L"], M_values=[grid["M"]], R_values=[grid["R"]],
        T_values=list(grid["T"]), rng=seed, progress=progress,
    )
    meta = {"grid": {k: list(v) if isinstance(v, (tuple, range)) else v for k, v in grid.items()}, "rng": seed}
    tables = [out / f"bounds_table{suffix}" for suffix in (".csv", ".json", ".md")]
    paths += export_bounds_table(without_run_fields(rows), tables, meta=meta)

    figures = {
        "growth": plot_bounds(rows, quantities=("exact", "lower", "symmetric"), style=style),
        "growth_all_bounds": plot_bounds(rows, style=style, panels=True),
    }
    for name, fig in figures.items():
        paths += _write_all(fig, out / name, dpi)
    if progress:
        print(f"report written to {out}/ in {time.perf_counter() - t0:.1f} s")
    return paths
