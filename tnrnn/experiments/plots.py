"""Plots of experiment records: test accuracy against T (Start-End Similarity) or B (Copying
Memory), one curve per depth (and line style per cell). matplotlib is imported lazily."""

from __future__ import annotations

import io
from collections import defaultdict
from pathlib import Path

from .._io import write_bytes_atomic
from ..errors import InputError

__all__ = ["accuracy_table", "plot_accuracy", "write_accuracy_plot"]

_STYLES = {"rac": "-", "tanh": ":", "gru": "-.", "lstm": "--"}


def accuracy_table(records: list[dict]) -> dict[tuple[str, int], list[tuple[int, float]]]:
    """``{(cell, depth): [(length, test accuracy), ...]}`` sorted by length."""
    table: dict[tuple[str, int], list[tuple[int, float]]] = defaultdict(list)
    for r in records:
        c = r["config"]
        table[(c["cell"], c["depth"])].append((c["length"], r["test"]["accuracy"]))
    return {k: sorted(v) for k, v in sorted(table.items())}


def plot_accuracy(records: list[dict], *, title: str | None = None):
    """A matplotlib Figure of test accuracy against the swept length, one curve per depth.

    A dashed grey line marks the chance accuracy (1/3 for Start-End Similarity, 1/32 on the
    recall steps of Copying Memory). For Copying Memory a second panel shows the test loss
    beside the chance loss ``n ln(32) / (B + 2n)``. Returns the Figure (built without pyplot;
    nothing is shown).
    """
    if not records:
        raise InputError("plot_accuracy needs at least one record; run an experiment first")
    tasks = {r["config"]["task"] for r in records}
    if len(tasks) != 1:
        raise InputError(f"records mix tasks {sorted(tasks)}; plot one task at a time")
    import matplotlib
    from matplotlib.figure import Figure  # no pyplot: no global figure state, any backend

    task = tasks.pop()
    copy_task = task == "copy"
    fig = Figure(figsize=(10, 3.8) if copy_task else (5.5, 3.8))
    ax = fig.add_subplot(1, 2, 1) if copy_task else fig.add_subplot()
    colors = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
    table = accuracy_table(records)
    for (cell, depth), points in table.items():
        xs, ys = zip(*points)
        ax.plot(xs, ys, _STYLES.get(cell, "-"), marker="o", color=colors[(depth - 1) % len(colors)],
                label=f"{cell}, depth {depth}")
    chance = records[0]["chance"]["accuracy"]
    ax.axhline(chance, color="grey", linestyle="--", linewidth=1, label=f"chance ({chance:.3g})")
    m = records[0]["config"]["m"]
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    if not copy_task:
        ax.set_xlabel("sequence length T")
        ax.set_ylabel("test accuracy")
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
    losses: dict[tuple[str, int], list[tuple[int, float]]] = defaultdict(list)
    chance: dict[int, float] = {}
    for r in records:
        c = r["config"]
        losses[(c["cell"], c["depth"])].append((c["length"], r["test"]["loss"]))
        chance[c["length"]] = r["chance"]["loss"]
    for (cell, depth), points in sorted(losses.items()):
        xs, ys = zip(*sorted(points))
        ax.plot(xs, ys, _STYLES.get(cell, "-"), marker="o", color=colors[(depth - 1) % len(colors)],
                label=f"{cell}, depth {depth}")
    xs = sorted(chance)
    ax.plot(xs, [chance[x] for x in xs], "--", color="grey", marker="x", label="chance loss")
    ax.set_xlabel("delay B")
    ax.set_ylabel("test cross-entropy (all steps)")
    ax.set_title("loss beside the chance loss")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)


def write_accuracy_plot(records: list[dict], path: str | Path, **kwargs) -> Path:
    """Render :func:`plot_accuracy` to ``path`` (format from the suffix), written atomically."""
    fig = plot_accuracy(records, **kwargs)
    buf = io.BytesIO()
    path = Path(path)
    fig.savefig(buf, format=path.suffix.lstrip(".") or "png", dpi=150)
    return write_bytes_atomic(path, buf.getvalue())
