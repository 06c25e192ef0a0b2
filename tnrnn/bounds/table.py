"""A resumable sweep: exact ranks and every bound over grids of (L, M, R, T, partition).

Rows are written to ``<stem>.csv`` and ``<stem>.json`` atomically after every finished row,
so an interrupted sweep keeps its rows; run it again with the same stem and it resumes,
skipping the rows already there. For each (L, M, R, partition) the lengths T are tried in
increasing order until one row takes longer than ``max_row_seconds`` (or is too large
for the probe limits): "T up to the limit the time budget allows".
"""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path
from typing import Any, Iterable

from .._html import RowTable
from .._io import write_text_atomic
from ..errors import BoundViolationError, MemoryLimitError, PartitionError
from ..partition import Partition
from ..spec import RACSpec
from .rows import bound_row, case_seed, violations

__all__ = ["bounds_table", "read_bounds_table", "TABLE_COLUMNS"]

TABLE_COLUMNS = (
    "L", "M", "R", "T", "partition", "A", "status", "lower", "lower_status", "exact", "mincut",
    "degree", "symmetric", "ideal", "all_chains", "tightest_upper", "proven", "proven_by",
    "certified", "failure_bound", "n_probes", "seed", "rank_seconds", "seconds",
)


def _paths(path: str | Path) -> tuple[Path, Path]:
    p = Path(path)
    if p.suffix in (".csv", ".json"):
        p = p.with_suffix("")
    return p.with_name(p.name + ".csv"), p.with_name(p.name + ".json")


def read_bounds_table(path: str | Path) -> list[dict[str, Any]]:
    """The rows of a table written by :func:`bounds_table` (from its JSON file; [] if none)."""
    _, js = _paths(path)
    if not js.exists():
        return []
    return list(json.loads(js.read_text(encoding="utf-8"))["rows"])


def _key(row: dict[str, Any]) -> tuple:
    return (row["L"], row["M"], row["R"], row["T"], row["partition"], tuple(row["A"]))


def _write(path: str | Path, rows: list[dict[str, Any]], meta: dict[str, Any]) -> None:
    csv_path, json_path = _paths(path)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=TABLE_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "A": " ".join(map(str, row["A"]))})
    write_text_atomic(csv_path, buf.getvalue())
    write_text_atomic(json_path, json.dumps({"meta": meta, "rows": rows}, indent=1) + "\n")


def _cases(L_values, M_values, R_values, T_values, partitions) -> Iterable[tuple]:
    for L in L_values:
        for M in M_values:
            for R in R_values:
                for name in partitions:
                    group = []
                    for T in sorted(T_values):
                        try:
                            group.append((RACSpec(M=M, R=R, L=L, T=T), Partition.parse(name, T)))
                        except PartitionError:
                            continue  # e.g. Start-End with odd T
                    yield group


def bounds_table(
    path: str | Path,
    *,
    L_values: Iterable[int] = (1, 2, 3),
    M_values: Iterable[int] = (1, 2, 3, 4),
    R_values: Iterable[int] = (1, 2, 3, 4),
    T_values: Iterable[int] = (2, 4, 6, 8),
    partitions: Iterable[str] = ("start-end",),
    rng: int = 0,
    max_row_seconds: float = 30.0,
    budget_seconds: float | None = None,
    with_mincut: bool = True,
    resume: bool = True,
    progress: bool = True,
    **rank_options: Any,
) -> list[dict[str, Any]]:
    """Sweep the grid, writing ``<path>.csv`` and ``<path>.json``; return all rows.

    Parameters
    ----------
    path : str or Path
        File stem (a ``.csv`` / ``.json`` suffix is dropped).
    L_values, M_values, R_values, T_values, partitions
        The grid; partitions are names for :meth:`Partition.parse`.
    rng : int
        Base seed; row seeds come from :func:`tnrnn.bounds.case_seed` (stored per row).
    max_row_seconds : float
        After a row takes longer than this, larger T of the same (L, M, R, partition)
        are not tried.
    budget_seconds : float, optional
        Stop (keeping every finished row) once the sweep has run this long.
    with_mincut, **rank_options
        As in :func:`tnrnn.bounds.bound_row`.
    resume : bool
        Keep and skip rows already in the JSON file (else start afresh).

    Raises
    ------
    BoundViolationError
        After writing the offending row (status ``"VIOLATION"``), if any ordering fails.
    """
    t_start = time.perf_counter()
    L_values, M_values, R_values = list(L_values), list(M_values), list(R_values)
    T_values, partitions = list(T_values), list(partitions)
    meta = {"L_values": L_values, "M_values": M_values, "R_values": R_values, "T_values": T_values,
            "partitions": partitions, "rng": rng, "with_mincut": with_mincut,
            "rank_options": {k: repr(v) for k, v in rank_options.items()}}
    rows = read_bounds_table(path) if resume else []
    done = {_key(r): r for r in rows}
    groups = list(_cases(L_values, M_values, R_values, T_values, partitions))
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=sum(len(g) for g in groups), desc="bounds table")
    try:
        for group in groups:
            stop = False
            for spec, part in group:
                if bar is not None:
                    bar.update(1)
                key = (spec.L, spec.M, spec.R, spec.T, part.name, part.A)
                if stop:
                    continue
                if key in done:
                    old = done[key]
                    stop = old["status"] != "ok" or old["seconds"] > max_row_seconds
                    continue
                if budget_seconds is not None and time.perf_counter() - t_start > budget_seconds:
                    return RowTable(rows, "bounds_table")
                row = _one_row(spec, part, rng, with_mincut, rank_options)
                rows.append(row)
                done[key] = row
                _write(path, rows, meta)
                if row["status"] == "VIOLATION":
                    raise BoundViolationError(row["violation"])
                if bar is not None:
                    bar.set_postfix(L=spec.L, M=spec.M, R=spec.R, T=spec.T, rank=row.get("exact", row["status"]))
                stop = row["status"] != "ok" or row["seconds"] > max_row_seconds
    finally:
        if bar is not None:
            bar.close()
    return RowTable(rows, "bounds_table")


def _one_row(spec: RACSpec, part: Partition, rng: int, with_mincut: bool, rank_options: dict) -> dict:
    t0 = time.perf_counter()
    seed = case_seed(rng, spec, part)
    base = {"L": spec.L, "M": spec.M, "R": spec.R, "T": spec.T, "partition": part.name,
            "A": list(part.A), "seed": seed}
    try:
        row = bound_row(spec, part, rng=seed, with_mincut=with_mincut, **rank_options)
    except MemoryLimitError as err:
        return {**base, "status": "too-large", "error": str(err), "seconds": time.perf_counter() - t0}
    out = {**row.to_dict(), "rank_seconds": row.seconds, "seconds": time.perf_counter() - t0}
    failed = violations(row)
    out["status"] = "VIOLATION" if failed else "ok"
    if failed:
        out["violation"] = "bound ordering violated:\n  " + "\n  ".join(failed)
    return out
