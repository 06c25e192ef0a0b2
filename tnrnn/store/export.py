"""The one writer of table files: CSV, JSON, Markdown and booktabs LaTeX from rows.

A table is a list of flat dicts (rows of a :class:`~tnrnn.store.ResultStore`, or any rows).
:func:`write_table` picks the format from the suffix and writes atomically;
:func:`write_tables` writes several files all or nothing, so a CSV and a JSON of the same
table never disagree. Integers are exact in every format:

- CSV: every digit (:func:`tnrnn.numbers.int_to_text`), whatever the size;
- JSON: ``{"meta": ..., "rows": [...]}``; integers as JSON numbers up to 4000 digits, longer
  ones as strings of all their digits (Python's JSON reader refuses longer numbers), listed
  in ``meta["text_int_columns"]`` so :func:`read_table` restores them;
- Markdown and LaTeX (for papers): digit grouping up to 15 digits (``12,345`` /
  ``$12{,}345$``), exponent form beyond (``1.607e+60`` / ``$1.607 \\times 10^{60}$``), a
  dash where a value is not defined; LaTeX uses booktabs rules (``\\usepackage{booktabs}``).

Examples
--------
>>> rows = [{"L": 1, "T": 4, "exact": 2}, {"L": 2, "T": 4, "exact": 2**200}]
>>> print(to_markdown(rows))
| L | T | exact |
|---:|---:|---:|
| 1 | 4 | 2 |
| 2 | 4 | 1.607e+60 |
<BLANKLINE>
>>> print(to_latex(rows).splitlines()[6])
$2$ & $4$ & $1.607 \\times 10^{60}$ \\\\
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..errors import TnrnnError
from ..numbers import JSON_MAX_DIGITS, decimal_digits, format_int, format_int_latex, int_to_text
from .db import text_to_int

__all__ = [
    "TABLE_SUFFIXES", "table_columns", "to_csv", "to_json", "to_markdown", "to_latex",
    "table_text", "write_table", "write_tables", "read_table", "check_table_suffix",
]

#: Formats of table files, by suffix.
TABLE_SUFFIXES = (".csv", ".json", ".md", ".tex")
_HIDDEN = ("key",)


def check_table_suffix(path: str | Path, allowed: Sequence[str] = TABLE_SUFFIXES) -> str:
    """The lower-case suffix of ``path`` if it is one of ``allowed``; else a clear error."""
    suffix = Path(path).suffix.lower()
    if suffix not in allowed:
        raise TnrnnError(f"cannot tell the table format of {str(path)!r}; use a file ending in "
                         + ", ".join(allowed))
    return suffix


def table_columns(rows: Iterable[dict[str, Any]], leading: Sequence[str] = ()) -> list[str]:
    """``leading`` columns present in the rows, then every other key in first-seen order."""
    seen: dict[str, None] = {}
    for row in rows:
        for k in row:
            if k not in _HIDDEN:
                seen.setdefault(k, None)
    return [c for c in leading if c in seen] + [c for c in seen if c not in leading]


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _csv_cell(v: Any) -> str:
    if v is None:
        return ""
    if _is_int(v):
        return int_to_text(v)
    if isinstance(v, (list, tuple)) and all(_is_int(x) for x in v):
        return " ".join(int_to_text(x) for x in v)
    if isinstance(v, (list, tuple)) and v and all(isinstance(x, str) and x and " " not in x for x in v):
        return " ".join(v)  # per-layer names, e.g. cells: mi cp:2
    if isinstance(v, (dict, list, tuple)):
        return json.dumps(_json_value(v, set(), ""), separators=(",", ":"))
    return str(v)


def to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None) -> str:
    """CSV text: a header, then one line per row (lists of steps or per-layer values as
    ``1 2 3`` or ``mi cp:2``, exact integers)."""
    columns = list(columns or table_columns(rows))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row.get(c)) for c in columns])
    return buf.getvalue()


def _json_value(v: Any, text_cols: set, col: str) -> Any:
    if _is_int(v) and decimal_digits(v) > JSON_MAX_DIGITS:
        text_cols.add(col)
        return int_to_text(v)
    if isinstance(v, dict):
        return {str(k): _json_value(x, text_cols, col) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_json_value(x, text_cols, col) for x in v]
    if isinstance(v, float) and v != v:
        return None
    return v


def to_json(rows: Sequence[dict[str, Any]], meta: dict[str, Any] | None = None,
            columns: Sequence[str] | None = None) -> str:
    """``{"meta": ..., "rows": [...]}`` as JSON text (exact integers of any size)."""
    columns = list(columns or table_columns(rows))
    text_cols: set[str] = set()
    out_rows = [{c: _json_value(row.get(c), text_cols, c) for c in columns if c in row} for row in rows]
    meta = dict(meta or {})
    meta["columns"] = columns
    meta["text_int_columns"] = sorted(text_cols)
    return json.dumps({"meta": _json_value(meta, set(), ""), "rows": out_rows}, indent=1) + "\n"


def _header(col: str) -> str:
    return col.replace("_", " ")


def _latex_escape(text: str) -> str:
    out = text.replace("\\", r"\textbackslash{}")
    for ch in "&%$#_{}":
        out = out.replace(ch, "\\" + ch)
    return out.replace("~", r"\textasciitilde{}").replace("^", r"\textasciicircum{}")


def _display(v: Any, latex: bool) -> str:
    if v is None:
        return "--" if latex else "-"
    if _is_int(v):
        return f"${format_int_latex(v)}$" if latex else format_int(v)
    if isinstance(v, float):
        text = f"{v:.3g}"
        return f"${text}$" if latex else text
    if isinstance(v, (list, tuple)):
        v = " ".join(map(str, v))
    return _latex_escape(str(v)) if latex else str(v).replace("|", "\\|")


def _numeric(rows: Sequence[dict[str, Any]], col: str) -> bool:
    values = [r.get(col) for r in rows if r.get(col) is not None]
    return bool(values) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def to_markdown(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None) -> str:
    """A Markdown table (numbers right-aligned, grouped digits or exponent form)."""
    columns = list(columns or table_columns(rows))
    head = "| " + " | ".join(_header(c) for c in columns) + " |"
    rule = "|" + "|".join("---:" if _numeric(rows, c) else "---" for c in columns) + "|"
    body = ["| " + " | ".join(_display(r.get(c), False) for c in columns) + " |" for r in rows]
    return "\n".join([head, rule, *body]) + "\n"


def to_latex(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None) -> str:
    """A booktabs ``tabular`` to ``\\input`` (needs ``\\usepackage{booktabs}``)."""
    columns = list(columns or table_columns(rows))
    spec = "".join("r" if _numeric(rows, c) else "l" for c in columns)
    lines = [
        "% written by tnrnn; needs \\usepackage{booktabs}",
        f"\\begin{{tabular}}{{{spec}}}",
        "\\toprule",
        " & ".join(_latex_escape(_header(c)) for c in columns) + " \\\\",
        "\\midrule",
        *(" & ".join(_display(r.get(c), True) for c in columns) + " \\\\" for r in rows),
        "\\bottomrule",
        "\\end{tabular}",
    ]
    return "\n".join(lines) + "\n"


def table_text(rows: Sequence[dict[str, Any]], suffix: str, *, columns: Sequence[str] | None = None,
               display_columns: Sequence[str] | None = None, meta: dict[str, Any] | None = None) -> str:
    """The text of a table file of the given suffix (``.csv``, ``.json``, ``.md``, ``.tex``).

    ``columns`` are the columns of the data formats (CSV, JSON; default: every field);
    ``display_columns`` those of the paper formats (Markdown, LaTeX; default ``columns``).
    """
    suffix = check_table_suffix(f"x{suffix}")
    if suffix == ".csv":
        return to_csv(rows, columns)
    if suffix == ".json":
        return to_json(rows, meta, columns)
    shown = display_columns or [c for c in (columns or table_columns(rows))
                                if not any(isinstance(r.get(c), dict) for r in rows)]  # no nested records
    return to_markdown(rows, shown) if suffix == ".md" else to_latex(rows, shown)


def write_table(rows: Sequence[dict[str, Any]], path: str | Path, **options: Any) -> Path:
    """Write one table file atomically (format from the suffix; options of :func:`table_text`)."""
    return write_tables(rows, [path], **options)[0]


def write_tables(rows: Sequence[dict[str, Any]], paths: Iterable[str | Path], **options: Any) -> list[Path]:
    """Write several table files of the same rows, all or nothing.

    Every file is written (and synced) to a temporary file beside its target first; they
    replace their targets only when all are written. If a replacement fails, the targets
    already replaced are removed, so the files of one table never disagree (the rows stay
    in the store: export them again).
    """
    paths = [Path(p) for p in paths]
    texts = [table_text(rows, check_table_suffix(p), **options) for p in paths]
    temps: list[str] = []
    try:
        for path, text in zip(paths, texts):
            if path.is_dir():
                raise TnrnnError(f"table path {str(path)!r} is a folder; give a file name")
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            temps.append(tmp)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        done: list[Path] = []
        try:
            for tmp, path in zip(temps, paths):
                os.replace(tmp, path)
                done.append(path)
        except OSError as err:
            for p in done:
                with contextlib.suppress(OSError):
                    os.unlink(p)
            raise TnrnnError(f"cannot replace table file {str(err.filename)!r}: {err.strerror or err}"
                             + (f"; removed {', '.join(map(str, done))} so that the files do not disagree"
                                if done else "")) from None
    except OSError as err:
        raise TnrnnError(f"cannot write table file {str(err.filename or paths[len(temps) - 1])!r}: "
                         f"{err.strerror or err}") from None
    finally:
        for tmp in temps:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
    return paths


def read_table(path: str | Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """``(meta, rows)`` of a JSON table written by :func:`write_table` (exact integers)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        meta, rows = data["meta"], data["rows"]
        if not isinstance(meta, dict) or not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise TypeError
    except (OSError, UnicodeDecodeError) as err:
        raise TnrnnError(f"cannot read table {str(path)!r}: {getattr(err, 'strerror', None) or err}") from None
    except (ValueError, KeyError, TypeError, RecursionError):
        raise TnrnnError(f"{str(path)!r} is not a table written by tnrnn (expected JSON with 'meta' and "
                         "'rows')") from None
    for col in meta.get("text_int_columns", []):
        for row in rows:
            if isinstance(row.get(col), str):
                row[col] = text_to_int(row[col])
    return meta, rows
