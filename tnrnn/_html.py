"""Small, size-bounded HTML for notebook display of tnrnn's data classes (no dependencies).

The low layers (spec, partition, mincut, rank, bounds) build their ``_repr_html_`` from
these helpers, so they never import the drawing layer (or matplotlib) to show
themselves. Every value goes through :func:`html.escape`; every big integer through
:mod:`tnrnn.numbers`; long lists are abridged, so no repr grows with the network.

One way of writing a spec and a partition everywhere: :func:`spec_text` gives
``M=2, R=2, L=2, T=6`` (``K`` only when it is not 1) and a partition is written as
``str(partition)``, e.g. ``start-end A={1..3} B={4..6}``.

Examples
--------
>>> from tnrnn import RACSpec, Partition
>>> spec_text(RACSpec(M=2, R=3, L=2, T=8))
'M=2, R=3, L=2, T=8'
>>> spec_text("RACSpec(M=2, R=3, L=2, T=8, K=1)")
'M=2, R=3, L=2, T=8'
>>> "<table" in html_table("x", [("a", 1)])
True
>>> value_text({"M": 2, "R": 2, "L": 1, "T": 4}), value_text(10**20), value_text(None)
('M=2, R=2, L=1, T=4', '1.000e+20', '–')
"""

from __future__ import annotations

import html
import re
from typing import Any, Iterable, Sequence

from .numbers import format_int
from .partition import Partition, steps_text

__all__ = ["spec_text", "html_table", "rows_html", "rows_text", "partition_strip", "partition_html", "value_text", "Raw",
           "RowTable", "KeyValues", "SIDE_COLOURS", "MAX_STRIP_STEPS", "MAX_TABLE_ROWS"]

#: Side A / side B fills of the partition strip (the same as the drawing's default Style).
SIDE_COLOURS = ("#2166ac", "#f4a582")
#: A partition strip shows at most this many steps (the first and last halves).
MAX_STRIP_STEPS = 48
#: A table shows at most this many rows (the first and last ones).
MAX_TABLE_ROWS = 40
#: Columns a table does not show: timings (not results; they would make stored notebooks
#: differ on every run) and storage keys. ``to_dict()`` still has them.
HIDDEN_COLUMNS = ("seconds", "rank_seconds", "key", "kind")

_CSS = "border-collapse:collapse;font-size:90%"
_CELL = "padding:1px 8px;text-align:right;border-bottom:1px solid #ddd;white-space:nowrap"


def spec_text(spec: Any) -> str:
    """``'M=2, R=3, L=2, T=8'`` (with ``, K=k`` when K != 1) from a RACSpec or its repr."""
    if isinstance(spec, str):
        found = dict(re.findall(r"\b([MRLTK])=(\d+)", spec))
        if not {"M", "R", "L", "T"} <= set(found):
            return spec
        values = {k: int(v) for k, v in found.items()}
    elif not getattr(spec, "plain", True):  # a member of the family: every field that differs
        return repr(spec)[len("RACSpec("):-1].replace(", K=1,", ",")
    else:
        if not getattr(spec, "plain", True):  # a member: widths, cells, bias, dilations too
            return repr(spec)[len("RACSpec("):-1]
        values = {k: getattr(spec, k) for k in ("M", "R", "L", "T", "K")}
    text = ", ".join(f"{k}={values[k]}" for k in ("M", "R", "L", "T"))
    return text + (f", K={values['K']}" if values.get("K", 1) != 1 else "")


def value_text(value: Any) -> str:
    """One table cell: integers grouped (exponent form past 15 digits), floats to 4 digits."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return format_int(value)
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, dict) and {"M", "R", "L", "T"} <= set(value):
        return spec_text(type("S", (), {"K": 1, **value}))
    if isinstance(value, dict) and {"A", "B"} <= set(value):
        return f"{value.get('name', 'explicit')} A={steps_text(tuple(value['A']))} B={steps_text(tuple(value['B']))}"
    if isinstance(value, (tuple, list)) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return steps_text(tuple(sorted(value)))
    if isinstance(value, (tuple, list)):
        items = list(value)
        text = ", ".join(map(str, items[:8])) + (", …" if len(items) > 8 else "")
        return "{" + text + "}"
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "…"


#: Columns holding one value per layer, in layer order (never shown as a set of steps).
PER_LAYER_COLUMNS = ("R", "cell", "dilations")


def column_text(column: str, value: Any) -> str:
    """:func:`value_text` of one cell of a row table; per-layer columns keep their order.

    >>> column_text("R", [3, 2]), column_text("R", [2, 3]), column_text("A", [3, 1, 2])
    ('3,2', '2,3', '{1..3}')
    """
    if column in PER_LAYER_COLUMNS and isinstance(value, (tuple, list)):
        return ",".join(map(str, value))
    return value_text(value)


def html_table(title: str, rows: Iterable[tuple[str, Any]], extra: str = "") -> str:
    """A two-column key/value table with a bold caption; rows whose value is None are left out.

    Values are escaped unless given as :class:`Raw`.
    """
    cells = "".join(
        f"<tr><th style='text-align:left;padding-right:1em'>{html.escape(str(k))}</th>"
        f"<td style='text-align:left'>{v if isinstance(v, Raw) else html.escape(str(v))}</td></tr>"
        for k, v in rows if v is not None and v != ""
    )
    table = (f"<table class='tnrnn' style='{_CSS}'><caption style='text-align:left'>"
             f"<b>{html.escape(title)}</b></caption>{cells}</table>")
    return f"<div>{table}{extra}</div>" if extra else table


class Raw(str):
    """A string :func:`html_table` inserts without escaping (HTML built by this module)."""


def _row_dicts(rows: Sequence[Any]) -> tuple[list[dict], list[str]]:
    dicts = [r.to_dict() if hasattr(r, "to_dict") else dict(r) for r in rows]
    columns = [k for k in dict.fromkeys(k for d in dicts for k in d) if k not in HIDDEN_COLUMNS]
    return dicts, columns


def rows_text(title: str, rows: Sequence[Any], max_rows: int = 20) -> str:
    """The rows as an aligned plain-text table (timings hidden, long tables abridged).

    >>> print(rows_text("t", [{"L": 1, "exact": 2, "seconds": 0.1}, {"L": 2, "exact": 10**20}]))
    t (2 rows)
    L      exact
    1          2
    2  1.000e+20
    """
    dicts, columns = _row_dicts(rows)
    shown: list[dict | None] = list(dicts)
    if len(dicts) > max_rows:
        shown = dicts[:max_rows // 2] + [None] + dicts[-(max_rows // 2):]
    cells = [[column_text(c, d.get(c)) if d is not None else "…" for c in columns] for d in shown]
    width = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    lines = [f"{title} ({len(dicts)} row{'s' if len(dicts) != 1 else ''})",
             "  ".join(c.rjust(w) for c, w in zip(columns, width)).rstrip()]
    lines += ["  ".join(v.rjust(w) for v, w in zip(row, width)).rstrip() for row in cells]
    return "\n".join(lines)


def rows_html(title: str, rows: Sequence[Any], columns: Sequence[str] | None = None) -> str:
    """An HTML table with one line per row (dicts or objects with ``to_dict``).

    Columns default to every key of the rows, in first-seen order, so a field added to a
    row class shows up without changing this function. Long tables keep the first and last
    rows (:data:`MAX_TABLE_ROWS` in all) and say how many were left out.
    """
    dicts, found = _row_dicts(rows)
    columns = found if columns is None else columns
    shown: list[dict | None] = list(dicts)
    if len(dicts) > MAX_TABLE_ROWS:
        half = MAX_TABLE_ROWS // 2
        shown = dicts[:half] + [None] + dicts[-half:]
    head = "".join(f"<th style='{_CELL}'>{html.escape(str(c))}</th>" for c in columns)
    body = []
    for d in shown:
        if d is None:
            body.append(f"<tr><td colspan='{len(columns)}' style='{_CELL};text-align:center'>"
                        f"… {len(dicts) - MAX_TABLE_ROWS} rows not shown …</td></tr>")
            continue
        body.append("<tr>" + "".join(f"<td style='{_CELL}'>{html.escape(column_text(c, d.get(c)))}</td>"
                                     for c in columns) + "</tr>")
    caption = f"{title} ({len(dicts)} row{'s' if len(dicts) != 1 else ''})"
    return (f"<table class='tnrnn' style='{_CSS}'><caption style='text-align:left'><b>"
            f"{html.escape(caption)}</b></caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")


def partition_strip(A: Sequence[int], T: int, max_steps: int = MAX_STRIP_STEPS) -> str:
    """A row of cells for steps 1..T coloured by side (A dark, B light), abridged past ``max_steps``.

    >>> partition_strip((1, 2), 4).count("<td")
    4
    """
    in_a = set(A)
    steps: list[int | None] = list(range(1, T + 1))
    if T > max_steps:
        half = max_steps // 2
        steps = steps[:half] + [None] + steps[-half:]
    cells = []
    for t in steps:
        if t is None:
            cells.append("<td style='padding:0 4px'>…</td>")
            continue
        a = t in in_a
        cells.append(f"<td title='step {t}: side {'A' if a else 'B'}' style='background:"
                     f"{SIDE_COLOURS[0] if a else SIDE_COLOURS[1]};color:{'#fff' if a else '#000'};"
                     f"text-align:center;min-width:1.6em;padding:1px 2px;font-size:80%'>{t}</td>")
    return f"<table style='border-collapse:separate;border-spacing:1px'><tr>{''.join(cells)}</tr></table>"


class RowTable(list):
    """A list of rows (dicts or row objects) that a notebook shows as an HTML table.

    It is a plain ``list`` in every other respect (equality, JSON, pandas).
    """

    title = "table"

    def __init__(self, rows: Iterable[Any] = (), title: str | None = None) -> None:
        super().__init__(rows)
        if title is not None:
            self.title = title

    def _repr_html_(self) -> str:
        return rows_html(self.title, self)

    def __repr__(self) -> str:
        return rows_text(self.title, self)


class KeyValues(dict):
    """A dict that a notebook shows as a two-column HTML table (a plain ``dict`` otherwise)."""

    title = "summary"

    def __init__(self, items: Any = (), title: str | None = None) -> None:
        super().__init__(items)
        if title is not None:
            self.title = title

    def _repr_html_(self) -> str:
        return html_table(self.title, [(k, value_text(v)) for k, v in self.items()])


def partition_html(partition: Partition) -> str:
    """Notebook display of a Partition: the steps 1..T as a strip coloured by side (abridged
    when long). Registered for IPython by :func:`tnrnn.drawing.jupyter.register_formatters`,
    so the model module never imports display code.

    >>> partition_html(Partition.start_end(4)).count("<td")
    4
    """
    return (f"<div class='tnrnn'><b>Partition</b> {html.escape(str(partition))} "
            f"(<span style='color:{SIDE_COLOURS[0]}'>&#9632; A</span>, "
            f"<span style='color:{SIDE_COLOURS[1]}'>&#9632; B</span>)"
            f"{partition_strip(partition.A, partition.T)}</div>")
