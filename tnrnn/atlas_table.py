"""The committed atlas as one compact, deterministic table, and re-deriving it without ranks.

The atlas's rows live in ``atlas.csv.gz``: CSV (every digit of every integer) in a fixed
column order (:data:`ATLAS_COLUMNS`, then any other column by name) and a fixed row order
(:func:`row_order`), gzip-compressed with a zero timestamp and no file name, so the same rows
always give the same bytes and a regeneration changes only the rows that changed.
:func:`read_atlas_table` reads it back with its types; :func:`export_atlas` writes the CSV,
JSON, Markdown or LaTeX forms on demand.

:func:`rederive_rows` recomputes every closed-form bound column and the proven flags of each
row from the code, keeping what needed the network or the ranks (``exact``, ``mincut``, the
certificate) as stored: a new closed-form bound reaches the whole atlas in seconds instead
of hours of ranks. :func:`closed_form_columns` is the one place that says which closed forms
a row gets.
"""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path
from typing import Any, Iterable, Sequence

from ._io import write_bytes_atomic
from .errors import TnrnnError

__all__ = ["ATLAS_TABLE", "ATLAS_COLUMNS", "UPPER_COLUMNS", "row_order", "atlas_table_bytes",
           "write_atlas_table", "read_atlas_table", "export_atlas", "closed_form_columns", "rederive_row",
           "rederive_rows"]

#: File name of the compact table in an atlas folder.
ATLAS_TABLE = "atlas.csv.gz"

#: The leading upper-bound columns of the compact table, in their committed order (every
#: registered bound has a column; one registered later follows by name).
UPPER_COLUMNS = ("mincut", "degree", "symmetric", "ideal", "all_chains", "bottleneck", "syzygy")


def upper_columns() -> tuple[str, ...]:
    """The upper bounds that can prove a row: every registered upper bound
    (:mod:`tnrnn.boundset`), valid for all weights."""
    from .boundset import bound_names

    return tuple(bound_names("upper"))

#: Leading columns of the compact table, in order; any other column follows by name.
ATLAS_COLUMNS = ("L", "M", "R", "T", "partition", "A", "status", "lower", "lower_status", "exact", "proven_by",
                 *UPPER_COLUMNS, "tightest_upper", "proven", "certified", "failure_bound", "n_probes", "seed",
                 "rng")

_LIST_COLUMNS = ("A", "dilations", "widths")
_TEXT_COLUMNS = ("partition", "status", "lower_status", "proven_by", "host", "error", "cell", "python_version",
                 "tnrnn_version", "numpy_version", "flint_version", "torch_version")
_SPEC_COLUMNS = ("L", "M", "R", "T", "cell", "bias", "dilations", "widths")


def row_order(row: dict[str, Any]) -> tuple:
    """Sort key of a row: depth, M, R, T, partition name, side A, then any other spec column.

    >>> row_order({"L": 2, "M": 1, "R": 3, "T": 4, "partition": "split:1", "A": [1]})
    (2, 1, 3, 4, 'split:1', (1,), ())
    """
    extra = tuple(str(row.get(c)) for c in _SPEC_COLUMNS[4:] if row.get(c) is not None)
    R = row["R"]  # one width, or one per layer: compared as tuples so both kinds sort together
    R = tuple(R) if isinstance(R, (list, tuple)) else (R,) if isinstance(R, int) else tuple(map(int, str(R).split()))
    return (row["L"], row["M"], R[0] if len(R) == 1 else R, row["T"], row["partition"], tuple(row["A"]), extra)


def _columns(rows: Sequence[dict[str, Any]]) -> list[str]:
    present = {k for r in rows for k in r if k != "key"}
    return [c for c in ATLAS_COLUMNS if c in present] + sorted(present - set(ATLAS_COLUMNS))


def atlas_table_bytes(rows: Iterable[dict[str, Any]]) -> bytes:
    """The bytes of ``atlas.csv.gz`` for ``rows``: the same rows (in any order) give the same bytes.

    >>> rows = [{"L": 1, "M": 1, "R": 1, "T": 2, "partition": "start-end", "A": [1], "exact": 1}]
    >>> atlas_table_bytes(rows) == atlas_table_bytes(list(rows))
    True
    >>> gzip.decompress(atlas_table_bytes(rows)).decode().splitlines()
    ['L,M,R,T,partition,A,exact', '1,1,1,2,start-end,1,1']
    """
    from .store.export import to_csv

    rows = sorted(rows, key=row_order)
    text = to_csv(rows, _columns(rows))
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as handle:
        handle.write(text.encode("utf-8"))
    return buf.getvalue()


def write_atlas_table(rows: Iterable[dict[str, Any]], path: str | Path) -> Path:
    """Write the compact table (:func:`atlas_table_bytes`) atomically; returns the path."""
    path = Path(path)
    if not path.name.endswith(".csv.gz"):
        raise TnrnnError(f"the compact atlas table is a .csv.gz file, got {str(path)!r}")
    return write_bytes_atomic(path, atlas_table_bytes(rows))


def _cell(column: str, text: str, text_to_int) -> Any:
    if text == "":
        return None
    if column in _LIST_COLUMNS or (column == "R" and " " in text.strip()):  # per-layer widths: "3 2"
        return [text_to_int(t) for t in text.split()]
    if column == "cell" and " " in text.strip():  # one cell per layer: "mi cp:2"
        return text.split()
    if column in _TEXT_COLUMNS:
        return text
    if text in ("True", "False"):
        return text == "True"
    if text.lstrip("-").isdigit():
        return int(text) if len(text) < 4000 else text_to_int(text)
    try:
        return float(text)
    except ValueError:
        return text


def read_atlas_table(path: str | Path) -> list[dict[str, Any]]:
    """The rows of a compact table written by :func:`write_atlas_table`, with their types
    (exact integers of any size, lists of steps, booleans, floats; None for empty cells)."""
    path = Path(path)
    try:
        text = gzip.decompress(path.read_bytes()).decode("utf-8")
    except (EOFError, UnicodeDecodeError, gzip.BadGzipFile):
        raise TnrnnError(f"{str(path)!r} is not a gzip-compressed CSV written by tnrnn atlas") from None
    except OSError as err:
        raise TnrnnError(f"cannot read the atlas table {str(path)!r}: {getattr(err, 'strerror', None) or err}; "
                         "expected a .csv.gz file written by tnrnn atlas") from None
    from .store.db import text_to_int

    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"L", "M", "R", "T", "A", "partition"} <= set(reader.fieldnames):
        raise TnrnnError(f"{str(path)!r} is not an atlas table: expected columns L, M, R, T, partition, A; "
                         f"got {reader.fieldnames}")
    rows = [{c: _cell(c, v, text_to_int) for c, v in row.items()} for row in reader]
    return [{c: v for c, v in row.items() if v is not None} for row in rows]


def export_atlas(table: str | Path, paths: Iterable[str | Path]) -> list[Path]:
    """Write the rows of a compact table to table files (``.csv``, ``.json``, ``.md``, ``.tex``;
    all or nothing), as :func:`tnrnn.bounds.export_bounds_table` writes a store's rows."""
    from .bounds.table import export_bounds_table

    rows = read_atlas_table(table)
    return export_bounds_table(rows, paths, meta={"table": str(table)})


# --- re-deriving the closed-form columns ------------------------------------------------


def _spec_partition(row: dict[str, Any]):
    """The spec and partition of a row, with the member columns (cell, bias, dilations,
    widths) where the row has them; the plain RAC otherwise."""
    from .partition import Partition
    from .spec import RACSpec

    from .bounds.rows import row_member

    L, M, R, cell, bias, dilations = row_member(row)  # rows without member columns are plain RACs
    if row.get("widths"):
        R = tuple(row["widths"])
    if isinstance(cell, str) and (" " in cell.strip() or "," in cell):
        cell = tuple(cell.replace(",", " ").split())
    try:
        spec = RACSpec(M=M, R=R, L=L, T=row["T"], cell=cell, bias=bias, dilations=dilations)
    except (TypeError, ValueError) as err:
        raise TnrnnError(f"atlas row L={row.get('L')} M={row.get('M')} R={row.get('R')} T={row.get('T')} "
                         f"partition={row.get('partition')!r} has a spec tnrnn cannot rebuild: {err}") from None
    return spec, Partition.from_sets(row["A"], row["T"])


def closed_form_columns(row: dict[str, Any]) -> dict[str, Any]:
    """Every closed-form column of one atlas row, computed from the code (no rank, no min-cut).

    Every closed form of the bound registry (:func:`tnrnn.bounds.formula_bounds`: the
    paper's lower bound, degree, bottleneck, symmetric-copies, boundary-ideal,
    boundary-syzygy, all-chains; None where one does not apply): a bound registered in
    :mod:`tnrnn.boundset` reaches the whole atlas through here.

    >>> row = {"L": 2, "M": 3, "R": 2, "T": 6, "partition": "split:1", "A": [1]}
    >>> cols = closed_form_columns(row)
    >>> cols["degree"], cols["ideal"], cols["bottleneck"], cols["syzygy"]
    (28, 12, 7, None)
    """
    from .bounds import formula_bounds

    spec, partition = _spec_partition(row)
    out = formula_bounds(spec, partition)
    out.pop("not_proven", None)
    return out


def rederive_row(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` with its closed-form columns recomputed (:func:`closed_form_columns`) and its
    ``tightest_upper``, ``proven_by`` and ``proven`` re-decided; ``exact``, ``mincut`` and the
    certificate stay as stored. Rows not computed (status other than ``ok``) come back as
    they are. A row whose exact rank is above an upper bound gets status ``VIOLATION`` and
    an ``error`` naming the bound (a bug, never a pass).

    >>> row = {"L": 2, "M": 3, "R": 2, "T": 6, "partition": "split:1", "A": [1], "status": "ok",
    ...        "exact": 7, "mincut": 64, "certified": True, "proven": False, "proven_by": None}
    >>> new = rederive_row(row)
    >>> new["proven"], new["proven_by"], new["tightest_upper"]
    (True, 'bottleneck', 7)
    """
    from .rank import proven_by

    if row.get("status") != "ok":
        return dict(row)
    out = {**row, **closed_form_columns(row)}
    uppers = {k: out.get(k) for k in upper_columns()}
    out["tightest_upper"] = min(v for v in uppers.values() if v is not None)
    out["proven_by"] = proven_by(out["exact"], uppers) if out.get("certified") else None
    out["proven"] = bool(out.get("certified")) and out["proven_by"] is not None
    broken = [k for k, v in uppers.items() if v is not None and out["exact"] > v]
    if broken:
        out["status"] = "VIOLATION"
        out["error"] = (f"exact rank {out['exact']} > the {', '.join(broken)} upper bound(s), which hold for "
                        "every weight setting: a bug (in the rank, or in that bound)")
    return out


def rederive_rows(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """:func:`rederive_row` of every row, in :func:`row_order`."""
    return [rederive_row(r) for r in sorted(rows, key=row_order)]
