"""A resumable sweep: exact ranks and every bound over grids of (L, M, R, T, partition).

Each case is one row of a :class:`~tnrnn.store.ResultStore` (SQLite), keyed by its full
description (spec, partition, base seed, options) and committed as soon as it finishes;
run the sweep again into the same store and it resumes, computing only the missing rows.
Rows run here, in local worker processes (``workers``) or on a Dask cluster
(``scheduler``); each row's seed comes from :func:`~tnrnn.bounds.case_seed` of the base
seed and the case alone, so every way of running gives the same rows. CSV, JSON, Markdown
and LaTeX tables are exports of the store (:mod:`tnrnn.store.export`).

For each (L, M, R, partition) the lengths T are tried in increasing order until one row
takes longer than ``max_row_seconds`` or is too large: "T up to the limit the time budget
allows". Sizes are checked before a row is sent: a row too large for the probe limits is
stored with status ``too-large`` and its reason, not computed.
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path
from typing import Any, Iterable

from .._html import RowTable
from ..errors import BoundViolationError, MemoryLimitError, PartitionError, SpecError, TnrnnError
from ..partition import Partition
from ..spec import RACSpec
from ..store import STORE_SUFFIXES, TABLE_SUFFIXES, Job, ResultStore, read_table, run_jobs, write_tables
from ..store.db import key_text
from ..store.export import table_columns
from ..boundset import bound_names, registered
from .rows import SPEC_COLUMNS, bound_row, case_seed, spec_columns, violations

__all__ = ["bounds_table", "read_bounds_table", "export_bounds_table", "export_bounds_store",
           "without_run_fields", "RUN_FIELDS",
           "table_paths", "TABLE_COLUMNS",
           "DISPLAY_COLUMNS", "KIND"]

#: The kind of computation of a bounds row (part of its key in the store).
KIND = "bounds"
_ID = ("L", "M", "R", *SPEC_COLUMNS, "T", "partition", "A")
_BOOKKEEPING = ("n_probes",)


def leading_columns() -> tuple[str, ...]:
    """Leading columns of CSV/JSON exports (every other field follows): the spec, the
    partition, the status, then every registered bound in table order."""
    lower = [c for b in registered("lower") for c in (b.name, f"{b.name}_status")]
    fields = ("exact", "proven_by", *bound_names("upper"), "certified", "failure_bound", "n_probes", "seed",
              "seconds")
    return tuple(dict.fromkeys((*_ID, "status", *lower, *fields, "tightest_upper", "rng", "rank_seconds")))


def display_columns() -> tuple[str, ...]:
    """Bound columns of the paper tables (Markdown, LaTeX): every registered bound and the
    exact rank, in table order."""
    return (*bound_names("lower"), "exact", *bound_names("upper"))


def __getattr__(name: str) -> Any:
    if name == "TABLE_COLUMNS":  # computed: a bound registered later is a column too
        return leading_columns()
    if name == "DISPLAY_COLUMNS":
        return display_columns()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: Fields of a row that say when, where and how fast it ran (not what it computed).
RUN_FIELDS = ("seconds", "rank_seconds", "started", "host", "pid", "python_version", "tnrnn_version",
              "numpy_version", "flint_version", "torch_version")


def without_run_fields(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows without :data:`RUN_FIELDS`: what a sweep computed, the same on every run."""
    return [{k: v for k, v in r.items() if k not in RUN_FIELDS} for r in rows]


def table_paths(path: str | Path | None) -> tuple[Path | None, list[Path]]:
    """The store and the export files a sweep writes for ``path``.

    - None: a store in memory, no file;
    - ``x.sqlite`` (``.sqlite3``, ``.db``): that store;
    - ``x.csv`` / ``x.json`` / ``x.md`` / ``x.tex``: the store ``x.sqlite`` and that export;
    - ``x`` without a suffix: the store ``x.sqlite`` and the exports ``x.csv`` and ``x.json``.
    """
    if path is None:
        return None, []
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in STORE_SUFFIXES:
        return p, []
    if suffix in TABLE_SUFFIXES:
        return p.with_suffix(".sqlite"), [p]
    if suffix == "":
        return p.with_name(p.name + ".sqlite"), [p.with_name(p.name + ".csv"), p.with_name(p.name + ".json")]
    raise TnrnnError(f"cannot tell what to write for {str(path)!r}; give a store (.sqlite) or a table "
                     f"({', '.join(TABLE_SUFFIXES)}; the store is then written beside it)")


def read_bounds_table(path: str | Path) -> list[dict[str, Any]]:
    """The rows of a bounds table: a store (``.sqlite``), a JSON export, or a stem ([] if none)."""
    p = Path(path)
    if p.suffix.lower() not in STORE_SUFFIXES + (".json",):
        store, exports = table_paths(p if p.suffix.lower() in TABLE_SUFFIXES + ("",) else p.with_suffix(""))
        p = store if store.exists() else next((e for e in exports if e.suffix == ".json"), p.with_suffix(".json"))
    if not p.exists():
        return []
    if p.suffix.lower() == ".json":
        return read_table(p)[1]
    with ResultStore(p) as store:
        return _public(store.rows(KIND))


def export_bounds_table(rows: list[dict[str, Any]], paths: Iterable[str | Path],
                        meta: dict[str, Any] | None = None) -> list[Path]:
    """Write bounds rows to table files (all or nothing; format from each suffix).

    CSV and JSON hold every field; Markdown and booktabs LaTeX hold the varying case
    columns and every bound, with digit grouping and exponent forms.
    """
    return write_tables(rows, paths, columns=table_columns(rows, leading_columns()),
                        display_columns=_display_columns(rows), meta=meta)


def export_bounds_store(store: ResultStore, paths: Iterable[str | Path]) -> list[Path]:
    """Export every bounds row of ``store`` to table files (see :func:`export_bounds_table`)."""
    rows = _public(store.rows(KIND))
    meta = {"store": str(store.path) if store.path else None, "sweeps": store.sweeps()}
    return export_bounds_table(rows, paths, meta=meta)


def _display_columns(rows: list[dict[str, Any]]) -> list[str]:
    def shown_member(c: str) -> bool:  # a member's columns show even when they do not vary
        return c in _PLAIN and any(r.get(c, _PLAIN[c]) not in (_PLAIN[c], [_PLAIN[c]]) for r in rows) or (
            c == "R" and any(isinstance(r.get("R"), list) for r in rows))

    varying = [c for c in ("L", "M", "R", *SPEC_COLUMNS, "partition", "rng")
               if len({_hashable(r.get(c, _PLAIN.get(c))) for r in rows}) > 1 or shown_member(c)]
    shown = [*varying, "T", *display_columns()]
    return [c for c in shown if any(c in r for r in rows)]


#: The spec columns of a plain RAC (rows of older stores lack them).
_PLAIN = {"cell": "mi", "bias": False, "dilations": 1}


def _hashable(v: Any) -> Any:
    return tuple(v) if isinstance(v, list) else v


def _public(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k not in ("key", "kind")} for r in rows]


def _send_order(groups: list[list[tuple[RACSpec, Partition]]],
                cheapest_first: bool = False) -> list[tuple[int, tuple[RACSpec, Partition]]]:
    """The order rows are sent in, as (group index, case); a group's rows always stay in
    increasing T, so a slow or refused row can stop the larger ones.

    The cost of a case is its closed-form upper bound on the rank (the probe matrix is that
    size, plus one, square), then T. By default rows go in waves, the i-th T of every group
    in wave i, costliest first within a wave: the last wave holds the sweep's largest rows,
    and sent last the largest would run alone at the end while the other workers wait.
    ``cheapest_first`` sends, at each step, the cheapest next row of any group instead: a
    sweep cut short by a time budget then holds as many rows as it could (cheap groups reach
    their largest T before the costly groups' large rows start). Exports do not depend on
    the order (they sort by key).

    >>> g = [[(RACSpec(M=1, R=1, L=2, T=T), Partition.start_end(T)) for T in (2, 4)],
    ...      [(RACSpec(M=3, R=3, L=2, T=T), Partition.start_end(T)) for T in (2, 4)]]
    >>> [(i, spec.M, spec.T) for i, (spec, _) in _send_order(g)]
    [(1, 3, 2), (0, 1, 2), (1, 3, 4), (0, 1, 4)]
    >>> [(i, spec.M, spec.T) for i, (spec, _) in _send_order(g, cheapest_first=True)]
    [(0, 1, 2), (0, 1, 4), (1, 3, 2), (1, 3, 4)]
    """
    import heapq

    from ..boundset import smallest_upper_bound_log2

    def cost(case: tuple[RACSpec, Partition]) -> tuple[float, int]:
        spec, part = case
        return smallest_upper_bound_log2(spec, part)[0], spec.T

    order = []
    if cheapest_first:  # a merge of the groups by the cost of their next row
        heap = [(cost(group[0]), g, 0) for g, group in enumerate(groups) if group]
        heapq.heapify(heap)
        while heap:
            _, g, i = heapq.heappop(heap)
            order.append((g, groups[g][i]))
            if i + 1 < len(groups[g]):
                heapq.heappush(heap, (cost(groups[g][i + 1]), g, i + 1))
        return order
    for i in range(max(len(g) for g in groups)):
        wave = [(g, group[i]) for g, group in enumerate(groups) if i < len(group)]
        order += sorted(wave, key=lambda item: tuple(-x for x in cost(item[1])))  # stable: ties in grid order
    return order


def _members(L_values, M_values, R_values, cell_values, bias_values, dilation_values) -> list[RACSpec]:
    """One spec (at T = 1) per member of the grid, refused up front with one line if a value
    makes no valid spec: a per-layer value (a tuple) needs one value per layer of every depth
    swept (so ``--L 1,2 --R 2,3`` is an error, not a silent sweep of depth 2 only)."""
    members = []
    for name, values in (("R", R_values), ("cell", cell_values), ("dilations", dilation_values)):
        for v in values:
            if isinstance(v, (tuple, list)) and any(len(v) != L for L in L_values):
                raise SpecError(f"{name}={','.join(map(str, v))} gives one value per layer for L={len(v)}, but "
                                f"the grid has L in {list(L_values)}; sweep that depth alone (--L {len(v)}), or "
                                f"repeat the option for a grid of values (--{name} a --{name} b)")
    for L, M, R, cell, bias, dil in itertools.product(L_values, M_values, R_values, cell_values, bias_values,
                                                      dilation_values):
        members.append(RACSpec(M=M, R=R, L=L, T=1, cell=cell, bias=bias, dilations=dil))
    return members


def _cases(L_values, M_values, R_values, T_values, partitions, cell_values=("mi",), bias_values=(False,),
           dilation_values=(1,)) -> list[list[tuple[RACSpec, Partition]]]:
    """The groups of cases (one per member and partition; T increasing); refuse a grid with none."""
    T_sorted = sorted(set(T_values))
    fits: dict[str, int] = {}
    errors: dict[str, str] = {}
    groups = []
    for member in _members(L_values, M_values, R_values, cell_values, bias_values, dilation_values):
        for name in partitions:
            group = []
            for T in T_sorted:
                try:
                    group.append((member.replace(T=T), Partition.parse(name, T)))
                    fits[name] = fits.get(name, 0) + 1
                except PartitionError as err:
                    errors.setdefault(name, str(err))  # e.g. Start-End with odd T
            groups.append(group)
    unfit = [n for n in partitions if not fits.get(n)]
    if unfit:
        name = unfit[0]
        raise PartitionError(f"partition {name!r} fits none of T = {', '.join(map(str, T_sorted))}: "
                             f"{errors.get(name, 'no case')}")
    if not any(groups):
        raise TnrnnError("the grid has no case; give at least one value of L, M, R, T and a partition")
    return groups


def _member_fields(spec: RACSpec) -> dict[str, Any]:
    """The spec columns beyond M, R, L, T that a member adds (empty for a plain RAC, whose
    keys and payloads stay those of older stores)."""
    if spec.plain:
        return {}
    cols = spec_columns(spec)
    return {"R": cols["R"], **{c: cols[c] for c in SPEC_COLUMNS}}


def _spec_of(payload: dict[str, Any]) -> RACSpec:
    """The spec of a payload or stored row (older rows: a plain RAC)."""
    return RACSpec(M=payload["M"], R=_tuple(payload["R"]), L=payload["L"], T=payload["T"],
                   K=payload.get("K", 1), cell=_tuple(payload.get("cell", "mi")),
                   bias=bool(payload.get("bias", False)), dilations=_tuple(payload.get("dilations", 1)))


def _tuple(v: Any) -> Any:
    return tuple(v) if isinstance(v, list) else v


def _key(spec: RACSpec, part: Partition, rng: int, with_mincut: bool, options: dict) -> tuple:
    member = tuple(_member_fields(spec).items())[1:]  # a plain RAC keeps the key of older stores
    R = spec_columns(spec)["R"]
    return (("kind", KIND), ("L", spec.L), ("M", spec.M), ("R", R), *member, ("partition", part.name),
            ("T", spec.T), ("K", spec.K), ("A", list(part.A)), ("rng", rng), ("with_mincut", with_mincut),
            ("options", options))


def _result_options(rank_options: dict[str, Any]) -> dict[str, str]:
    """The rank options that can change a row's values (limits only decide whether it runs)."""
    return {k: repr(v) for k, v in sorted(rank_options.items()) if k not in ("max_probes", "progress")}


def compute_bounds_row(payload: dict[str, Any]) -> dict[str, Any]:
    """One row of the table (runs in a worker): every bound and the exact rank, or why not."""
    t0 = time.perf_counter()
    spec = _spec_of(payload)
    A = tuple(payload["A"])
    part = Partition(A, tuple(t for t in range(1, spec.T + 1) if t not in A), payload["partition"])
    cols = spec_columns(spec)
    base = {"L": spec.L, "M": spec.M, "R": cols["R"], **{c: cols[c] for c in SPEC_COLUMNS}, "T": spec.T,
            "partition": part.name, "A": list(A), "rng": payload["rng"], "seed": payload["seed"]}
    try:
        row = bound_row(spec, part, rng=payload["seed"], with_mincut=payload["with_mincut"],
                        **payload["rank_options"])
    except MemoryLimitError as err:
        return {**base, "status": "too-large", "error": str(err), "seconds": time.perf_counter() - t0}
    out = {**base, **row.to_dict(), "rank_seconds": row.seconds, "seconds": time.perf_counter() - t0}
    failed = violations(row)
    out["status"] = "VIOLATION" if failed else "ok"
    if failed:
        out["violation"] = "bound ordering violated:\n  " + "\n  ".join(failed)
    return out


def _budget_refusal(job: Job, rank_options: dict[str, Any]) -> dict[str, Any] | None:
    """The too-large row of a case refused up front by the shared size check, or None."""
    from ..rank.probes import DEFAULT_MAX_PROBES, check_probe_budget
    from .rows import mincut_upper_bounds

    if rank_options.get("method", "probes") != "probes":
        return None
    p = job.payload
    spec = _spec_of(p)
    part = Partition(tuple(p["A"]), tuple(t for t in range(1, spec.T + 1) if t not in p["A"]), p["partition"])
    limit = rank_options.get("max_probes") or DEFAULT_MAX_PROBES
    try:  # the closed forms first (cheap): a case that fits without the min-cut fits with it
        check_probe_budget(spec, part, limit)
        return None
    except MemoryLimitError:
        pass
    known = mincut_upper_bounds(spec, part) if p.get("with_mincut", True) else {}  # the min-cut
    try:
        check_probe_budget(spec, part, limit, known=known)
    except MemoryLimitError as err:
        cols = spec_columns(spec)
        return {"L": spec.L, "M": spec.M, "R": cols["R"], **{c: cols[c] for c in SPEC_COLUMNS}} | {
            k: p[k] for k in ("T", "partition", "A", "rng", "seed")} | {
            "status": "too-large", "error": str(err), "seconds": 0.0}
    return None


def bounds_table(
    path: str | Path | None = None,
    *,
    L_values: Iterable[int] = (1, 2, 3),
    M_values: Iterable[int] = (1, 2, 3, 4),
    R_values: Iterable[int | tuple[int, ...]] = (1, 2, 3, 4),
    T_values: Iterable[int] = (2, 4, 6, 8),
    partitions: Iterable[str] = ("start-end",),
    cell_values: Iterable[str | tuple[str, ...]] = ("mi",),
    bias_values: Iterable[bool] = (False,),
    dilation_values: Iterable[int | tuple[int, ...]] = (1,),
    rng: int = 0,
    max_row_seconds: float = 30.0,
    budget_seconds: float | None = None,
    with_mincut: bool = True,
    resume: bool = True,
    workers: int = 1,
    scheduler: Any = None,
    progress: bool = True,
    cheapest_first: bool = False,
    **rank_options: Any,
) -> list[dict[str, Any]]:
    """Sweep the grid into a store (and its exports); return the rows of this grid.

    Parameters
    ----------
    path : str, Path or None
        Where to write (see :func:`table_paths`): None keeps the rows in memory only;
        ``x.sqlite`` is the store; ``x.csv`` (``.json``, ``.md``, ``.tex``) is written from
        the store ``x.sqlite`` at the end (also after Ctrl-C); a bare stem ``x`` writes
        ``x.sqlite``, ``x.csv`` and ``x.json``. Exports hold every row of the store.
    L_values, M_values, R_values, T_values, partitions
        The grid; partitions are names for :meth:`Partition.parse`. An R value may be a
        tuple of per-layer widths (then every depth in ``L_values`` must have that many layers).
    cell_values, bias_values, dilation_values
        The members swept (default: the plain RAC): each value is one cell (``"mi"``,
        ``"cp:K"``, ``"full"``) or a tuple per layer, a bias flag, one dilation or a tuple
        per layer. Every combination is a member; one that makes no valid spec (e.g. bias
        with a ``cp`` cell) is refused up front with one line.
    rng : int
        Base seed; row seeds come from :func:`tnrnn.bounds.case_seed`. It is part of each
        row's key: a sweep with another seed adds its own rows beside the first ones.
    max_row_seconds : float
        After a row takes longer than this, larger T of the same (L, M, R, partition)
        are not tried.
    budget_seconds : float, optional
        Send no new row once the sweep has run this long (every finished row is kept).
    with_mincut, **rank_options
        As in :func:`tnrnn.bounds.bound_row`.
    resume : bool
        Keep the rows already stored (else compute every row of the grid again).
    workers : int
        Processes computing rows (1: this process).
    scheduler : str or distributed.Client, optional
        Address of a Dask distributed scheduler to compute the rows on.
    progress : bool
        A progress bar over the rows.
    cheapest_first : bool
        Send the cheapest remaining rows first (for a sweep cut by ``budget_seconds``: as many
        rows as fit); default: in waves of T, costliest first within a wave (see
        :func:`_send_order`).

    Raises
    ------
    BoundViolationError
        After storing the offending row (status ``"VIOLATION"``), if any ordering fails.
    PartitionError, TnrnnError
        Before any work, if a partition fits none of the lengths or the grid has no case.

    Examples
    --------
    >>> rows = bounds_table(None, L_values=[2], M_values=[2], R_values=[2], T_values=[2, 4], progress=False)
    >>> [(r["T"], r["lower"], r["exact"], r["symmetric"]) for r in rows]
    [(2, 2, 2, 4), (4, 3, 6, 6)]
    """
    store_path, exports = table_paths(path)
    L_values, M_values, R_values = list(L_values), list(M_values), list(R_values)
    T_values, partitions = list(T_values), list(partitions)
    cell_values, bias_values, dilation_values = list(cell_values), list(bias_values), list(dilation_values)
    groups = _cases(L_values, M_values, R_values, T_values, partitions, cell_values, bias_values,
                    dilation_values)
    from .rows import _seed_int

    rng = _seed_int(rng)
    options = _result_options(rank_options)
    meta = {"L_values": L_values, "M_values": M_values, "R_values": R_values, "T_values": T_values,
            "partitions": partitions, "rng": rng, "with_mincut": with_mincut,
            "rank_options": {k: repr(v) for k, v in rank_options.items()}, "max_row_seconds": max_row_seconds,
            "workers": workers, "scheduler": None if scheduler is None else str(scheduler),
            "cheapest_first": cheapest_first}
    members = {"cell_values": cell_values, "bias_values": bias_values, "dilation_values": dilation_values}
    if members != {"cell_values": ["mi"], "bias_values": [False], "dilation_values": [1]}:
        meta.update(members)  # a plain sweep keeps the record of older stores
    jobs = []
    for g, (spec, part) in _send_order(groups, cheapest_first):
        payload = {"M": spec.M, "R": spec.R, "L": spec.L, "T": spec.T, "K": spec.K, **_member_fields(spec),
                   "A": list(part.A),
                   "partition": part.name, "rng": rng, "seed": case_seed(rng, spec, part),
                   "with_mincut": with_mincut, "rank_options": rank_options}
        jobs.append(Job(_key(spec, part, rng, with_mincut, options), payload, g))
    store = ResultStore(store_path)
    try:
        sweep = store.begin_sweep(KIND, meta)
        summary = None
        try:
            summary = run_jobs(
                store, compute_bounds_row, jobs, workers=workers, scheduler=scheduler, sweep=sweep,
                precheck=lambda job: _budget_refusal(job, rank_options),
                stop_group=lambda row: row["status"] != "ok" or row["seconds"] > max_row_seconds,
                halt=lambda row: row["status"] == "VIOLATION",
                skip=lambda job, status: resume and (status != "too-large"
                                                     or _budget_refusal(job, rank_options) is not None),
                budget_seconds=budget_seconds, progress=progress, desc="bounds table",
            )
        finally:
            store.end_sweep(sweep, summary.as_dict() if summary else {"interrupted": True})
            if exports:
                export_bounds_store(store, exports)
        wanted = {key_text(k) for k in summary.keys}
        rows = [r for r in store.rows(KIND) if key_text(r["key"]) in wanted]
    finally:
        store.close()
    bad = [r for r in rows if r["status"] == "VIOLATION"]
    if bad:
        raise BoundViolationError(bad[0]["violation"])
    return RowTable(_public(rows), "bounds_table")
