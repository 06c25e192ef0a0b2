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
    recall steps of Copying Memory). Returns the Figure (built without pyplot; nothing is
    shown).
    """
    if not records:
        raise InputError("plot_accuracy needs at least one record; run an experiment first")
    tasks = {r["config"]["task"] for r in records}
    if len(tasks) != 1:
        raise InputError(f"records mix tasks {sorted(tasks)}; plot one task at a time")
    import matplotlib
    from matplotlib.figure import Figure  # no pyplot: no global figure state, any backend

    task = tasks.pop()
    fig = Figure(figsize=(5.5, 3.8))
    ax = fig.add_subplot()
    colors = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
    for (cell, depth), points in accuracy_table(records).items():
        xs, ys = zip(*points)
        ax.plot(xs, ys, _STYLES.get(cell, "-"), marker="o", color=colors[(depth - 1) % len(colors)],
                label=f"{cell}, depth {depth}")
    chance = records[0]["chance"]["accuracy"]
    ax.axhline(chance, color="grey", linestyle="--", linewidth=1, label=f"chance ({chance:.3g})")
    m = records[0]["config"]["m"]
    if task == "ses":
        ax.set_xlabel("sequence length T")
        ax.set_ylabel("test accuracy")
        default_title = f"Start-End Similarity (m = {m})"
    else:
        ax.set_xlabel("delay B")
        ax.set_ylabel("test accuracy on the recall steps")
        default_title = f"Copying Memory ({m} symbols)"
    ax.set_ylim(0, 1.02)
    ax.set_title(title or default_title)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def write_accuracy_plot(records: list[dict], path: str | Path, **kwargs) -> Path:
    """Render :func:`plot_accuracy` to ``path`` (format from the suffix), written atomically."""
    fig = plot_accuracy(records, **kwargs)
    buf = io.BytesIO()
    path = Path(path)
    fig.savefig(buf, format=path.suffix.lstrip(".") or "png", dpi=150)
    return write_bytes_atomic(path, buf.getvalue())
