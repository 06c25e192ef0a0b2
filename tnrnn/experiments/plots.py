"""Plots of experiment records, seeds aggregated: test accuracy against T (Start-End
Similarity) or B (Copying Memory), test error against r (the rank task); one curve per series
(cell and depth, line style per cell), the mean with its 95% interval as error bars, the
min-max over seeds as a light band, n in the legend, and the chance level. matplotlib is
imported lazily."""

from __future__ import annotations

import io
from pathlib import Path

from .._io import write_bytes_atomic
from ..errors import InputError
from .stats import aggregate_records

__all__ = ["accuracy_table", "plot_accuracy", "write_accuracy_plot", "plot_rank_errors"]

_STYLES = {"rac": "-", "scornn": (0, (5, 1, 1, 1)), "tanh": ":", "gru": "-.", "lstm": "--"}


def accuracy_table(records: list[dict]) -> list[dict]:
    """The seed-aggregated rows of test accuracy (:func:`~tnrnn.experiments.stats.aggregate_records`)."""
    return aggregate_records(records, "accuracy")


def _one_task(records: list[dict]) -> str:
    if not records:
        raise InputError("plot_accuracy needs at least one record; run an experiment first")
    tasks = {r["config"]["task"] for r in records}
    if len(tasks) != 1:
        raise InputError(f"records mix tasks {sorted(tasks)}; plot one task at a time")
    return tasks.pop()


def _offsets(rows: list[dict], labels: list[str]) -> tuple[list, dict[str, float]]:
    """The swept values, and a sideways shift per series (together 0.12 of the smallest gap
    between swept values, 0.4 when only one value was swept) so that error bars at one x do
    not hide each other."""
    xs = sorted({r["x"] for r in rows})
    gap = min((b - a for a, b in zip(xs, xs[1:])), default=1)
    step = (0.12 if len(xs) > 1 else 0.4) * gap / max(1, len(labels) - 1)
    return xs, {label: (i - (len(labels) - 1) / 2) * step for i, label in enumerate(labels)}


def _draw_series(ax, rows: list[dict], colors: list[str]) -> None:
    """Mean with 95% interval error bars and a min-max band, per series; the series are
    shifted sideways a little, and the x ticks are the swept values themselves."""
    labels = list(dict.fromkeys(r["label"] for r in rows))
    ticks, shift = _offsets(rows, labels)
    if ticks:
        ax.set_xticks(ticks)
        half = 0.5 * ((ticks[-1] - ticks[0]) / (len(ticks) - 1) if len(ticks) > 1 else 1)
        ax.set_xlim(ticks[0] - half, ticks[-1] + half)
    for i, label in enumerate(labels):
        pts = [r for r in rows if r["label"] == label and r["n"] > 0]
        if not pts:
            continue
        xs = [r["x"] + shift[label] for r in pts]
        means = [r["mean"] for r in pts]
        err = [[r["mean"] - r["lo"] if r["lo"] is not None else 0 for r in pts],
               [r["hi"] - r["mean"] if r["hi"] is not None else 0 for r in pts]]
        ns = sorted({r["n"] for r in pts})
        color = colors[i % len(colors)]
        n_text = f"n={ns[0]}" if len(ns) == 1 else f"n={ns[0]}-{ns[-1]}"
        ax.errorbar(xs, means, yerr=err, linestyle=_STYLES.get(pts[0]["cell"], "-"), marker="o", capsize=3,
                    color=color, label=f"{label} ({n_text})")
        if max(ns) > 1:
            ax.fill_between(xs, [r["min"] for r in pts], [r["max"] for r in pts], color=color, alpha=0.12,
                            linewidth=0)


def plot_accuracy(records: list[dict], *, title: str | None = None):
    """A matplotlib Figure of mean test accuracy against the swept length, one curve per series.

    Error bars: the 95% t interval of the mean over seeds; band: min-max over seeds. A dashed
    grey line marks the chance accuracy (1/3 for Start-End Similarity, 1/32 on the recall steps
    of Copying Memory). For Copying Memory a second panel shows the test loss beside the chance
    loss ``n ln(32) / (B + 2n)``. The rank task is drawn by :func:`plot_rank_errors`. Returns
    the Figure (built without pyplot; nothing is shown).
    """
    task = _one_task(records)
    if task == "rank":
        return plot_rank_errors(records, title=title)
    import matplotlib
    from matplotlib.figure import Figure  # no pyplot: no global figure state, any backend

    copy_task = task == "copy"
    fig = Figure(figsize=(11, 4.2) if copy_task else (6.5, 4.2))
    ax = fig.add_subplot(1, 2, 1) if copy_task else fig.add_subplot()
    colors = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
    _draw_series(ax, accuracy_table(records), colors)
    chance = records[0]["chance"]["accuracy"]
    ax.axhline(chance, color="grey", linestyle="--", linewidth=1, label=f"chance ({chance:.3g})")
    m = records[0]["config"]["m"]
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    if not copy_task:
        ax.set_xlabel("sequence length T")
        ax.set_ylabel("test accuracy (mean, 95% interval; band: min-max)")
        ax.set_title(title or f"Start-End Similarity (m = {m})")
    else:
        ax.set_xlabel("delay B")
        ax.set_ylabel("test accuracy on the recall steps")
        ax.set_title(title or f"Copying Memory ({m} symbols)")
        _loss_panel(fig.add_subplot(1, 2, 2), records, colors)
    fig.tight_layout()
    return fig


def _loss_panel(ax, records: list[dict], colors: list[str]) -> None:
    """Copying Memory: test loss against B beside the chance loss n ln(32) / (B + 2n)."""
    rows = aggregate_records(records, "loss")
    _draw_series(ax, rows, colors)
    chance = {r["x"]: r["chance"] for r in rows}
    xs = sorted(chance)
    ax.plot(xs, [chance[x] for x in xs], "--", color="grey", marker="x", label="chance loss")
    ax.set_xlabel("delay B")
    ax.set_ylabel("test cross-entropy (all steps)")
    ax.set_title("loss beside the chance loss")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)


def rank_floor_points(records: list[dict]) -> dict[int, list[tuple[int, float]]]:
    """``{R: [(r, floor), ...]}``: the exact Eckart-Young floor of a depth-1 RAC with the R
    channels of the depth-1 RAC runs, at every r of the records."""
    from .ranktask import RankTask, eckart_young_floor

    widths = sorted({r["config"]["width"] for r in records if r["config"]["cell"] == "rac"
                     and r["config"]["depth"] == 1})
    out = {}
    for R in widths:
        pts = {}
        for r in records:
            c = r["config"]
            task = RankTask(T=c["length"], r=c["rank"], alphabet=c["alphabet"], hash=c["hash"])
            pts[task.r] = float(eckart_young_floor(task, R))
        out[R] = sorted(pts.items())
    return out


def plot_rank_errors(records: list[dict], *, title: str | None = None):
    """Test mean squared error against the target's rank r, per series, with the exact
    Eckart-Young floor of the depth-1 RAC (its R channels) and the chance error (the target's
    variance)."""
    task = _one_task(records)
    if task != "rank":
        raise InputError(f"plot_rank_errors needs rank-task records, got {task!r}")
    import matplotlib
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 4.5))
    ax = fig.add_subplot()
    colors = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
    rows = aggregate_records(records, "loss")
    _draw_series(ax, rows, colors)
    for R, pts in rank_floor_points(records).items():
        xs, ys = zip(*pts)
        ax.plot(xs, ys, color="black", linewidth=2, drawstyle="default", marker="_",
                label=f"Eckart-Young floor, depth-1 RAC, R={R} (exact)")
    chance = {r["x"]: r["chance"] for r in rows}
    xs = sorted(chance)
    ax.plot(xs, [chance[x] for x in xs], "--", color="grey", label="chance (best constant)")
    c = records[0]["config"]
    ax.set_xlabel("Start-End separation rank r of the target")
    ax.set_ylabel("test mean squared error (exact over all inputs)")
    ax.set_title(title or f"rank-r regression (alphabet {c['alphabet']}, T = {c['length']}, hash {c['hash']})")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def write_accuracy_plot(records: list[dict], path: str | Path, **kwargs) -> Path:
    """Render :func:`plot_accuracy` to ``path`` (format from the suffix), written atomically."""
    fig = plot_accuracy(records, **kwargs)
    buf = io.BytesIO()
    path = Path(path)
    fig.savefig(buf, format=path.suffix.lstrip(".") or "png", dpi=150)
    return write_bytes_atomic(path, buf.getvalue())
