"""Handlers of the ``tnrnn`` subcommands: parse into tnrnn objects, call the API, print."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .errors import TnrnnError
from .numbers import decimal_digits, format_int, int_to_text, json_safe
from .partition import Partition
from .spec import RACSpec

_FIGURE_SUFFIXES = (".pdf", ".svg", ".png")


def _spec_partition(args: argparse.Namespace) -> tuple[RACSpec, Partition]:
    spec = RACSpec(M=args.M, R=args.R, L=args.L, T=args.T, cell=args.cell, bias=args.bias,
                   dilations=args.dilations)
    return spec, Partition.parse(args.partition, spec.T)


def _print(args: argparse.Namespace, obj: dict, text: str) -> None:
    """Text, or one JSON object whose integers are exact (see :func:`tnrnn.numbers.json_safe`)."""
    print(json.dumps(json_safe(obj), default=str) if args.json else text)


def _fmt(value) -> str:
    """An exact integer in full up to 40 digits, else in exponent form with its digit count."""
    if value is None:
        return "-"
    if not isinstance(value, int):
        return str(value)
    digits = decimal_digits(value)  # no str(): bounds can pass Python's 4300-digit limit
    if digits <= 40:
        return int_to_text(value)
    return f"{format_int(value)} ({digits:,} digits; --json gives all)"


def cmd_bound(args: argparse.Namespace) -> int:
    from .bounds.summary import bounds_summary

    spec, part = _spec_partition(args)
    from .boundset import registered

    s = bounds_summary(spec, part, max_nodes=args.max_nodes)
    lines = [f"{spec}, partition {part.name} (A = {list(part.A)})"]
    for b in [*registered("upper"), *registered("lower")]:  # every registered bound, by its label
        extra = ""
        if b.name == "mincut":
            extra = f"  (log2 {s['mincut_log2']:.3f}, {s['mincut_edges']} cut edges)"
        elif s.get(f"{b.name}_status"):
            extra = f"  ({s[f'{b.name}_status']})"
        lines.append(f"  {b.label:<21}{_fmt(s.get(b.name))}{extra}")
    _print(args, s, "\n".join(lines))
    return 0


def cmd_rank(args: argparse.Namespace) -> int:
    from .bounds import mincut_upper_bounds, prove_rank
    from .rank import separation_rank

    spec, part = _spec_partition(args)
    known = mincut_upper_bounds(spec, part)  # the min-cut, where the network is small
    extra = {"prime": args.prime} if args.prime else {}
    res = separation_rank(spec, part, rng=args.seed, max_probes=args.max_probes, upper_bounds=known,
                          backend=args.backend, progress=args.progress, **extra)
    res = prove_rank(res, spec, part, mincut=known.get("mincut"))
    out = res.to_dict()
    out["spec_fields"] = spec.fields()  # the spec as values (``spec`` is its repr)
    _print(args, out, res.report())
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from .bounds import check_bounds

    spec, part = _spec_partition(args)
    (row,) = check_bounds([(spec, part)], rng=args.seed, max_probes=args.max_probes)
    d = row.to_dict()
    from .boundset import bound_names

    order = [*bound_names("lower"), "exact", *bound_names("upper")]
    status = (f"proven: generic rank = {row.exact} ({row.proven_by} bound)" if row.proven else
              f"exact rank is a certified lower bound (= generic rank with probability >= 1 - "
              f"{row.failure_bound:.3g})")
    text = f"{spec}, partition {part.name}: ordering holds; {status}\n" + "\n".join(
        f"  {k:<11}{_fmt(d[k])}" for k in order
    )
    _print(args, d, text)
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    from .bounds.table import table_paths
    from .store import STORE_SUFFIXES, TABLE_SUFFIXES, default_workers

    if Path(args.output).suffix.lower() not in STORE_SUFFIXES + TABLE_SUFFIXES:
        raise TnrnnError(f"cannot tell what to write for {args.output!r}; use a store (.sqlite) or a "
                         f"table ({', '.join(TABLE_SUFFIXES)}), e.g. -o table.sqlite")
    workers = default_workers() if args.workers is None else args.workers
    if workers < 1:
        raise TnrnnError(f"--workers must be a positive integer, got {workers}")
    store_path, exports = table_paths(args.output)
    from .bounds import bounds_table

    parts = [p.strip() for p in args.partition.split(";") if p.strip()]
    from .store.run import connect_scheduler

    # reach the scheduler before the store is touched: a bad address leaves no file behind
    client = None if args.scheduler is None else connect_scheduler(args.scheduler)
    try:
        rows = bounds_table(
            args.output, L_values=args.L, M_values=args.M, T_values=args.T, **member_grid(args),
            partitions=parts, rng=args.seed, workers=workers, scheduler=client,
        )
    finally:
        if client is not None:
            client.close()
    print(_sweep_line(rows, store_path, exports))
    return 0


def member_grid(args: argparse.Namespace) -> dict:
    """The member grid of ``sweep``/``atlas`` arguments, as keyword arguments of
    :func:`tnrnn.bounds.bounds_table` (defaults where an option was not given)."""
    return {"R_values": args.R or args.R_default, "cell_values": args.cell or ["mi"],
            "bias_values": [bool(args.bias)], "dilation_values": args.dilations or [1]}


def _sweep_line(rows: list[dict], store_path: Path, exports: list[Path]) -> str:
    from .store import ResultStore

    counts: dict[str, int] = {}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    status = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    with ResultStore(store_path) as store:
        total, sweeps = len(store), len(store.sweeps())
    held = f"; the store holds {total} rows from {sweeps} sweeps" if total != len(rows) else ""
    return f"{len(rows)} rows ({status}) -> " + ", ".join(map(str, [store_path, *exports])) + held


def cmd_export(args: argparse.Namespace) -> int:
    from .store import STORE_SUFFIXES, ResultStore
    from .store.export import check_table_suffix

    for out in args.output:
        check_table_suffix(out)
    if not Path(args.store).is_file():
        raise TnrnnError(f"no store at {args.store!r}; give a .sqlite file written by tnrnn sweep")
    if Path(args.store).suffix.lower() not in STORE_SUFFIXES:
        raise TnrnnError(f"{args.store!r} is not a store; give a .sqlite file written by tnrnn sweep")
    with ResultStore(args.store) as store:
        kinds = store.kinds()
        if kinds in ([], ["bounds"]):
            from .bounds.table import export_bounds_store

            paths = export_bounds_store(store, args.output)
        else:
            from .store import write_tables

            rows = [{k: v for k, v in r.items() if k != "key"} for r in store.rows()]
            paths = write_tables(rows, args.output, meta={"store": str(args.store), "sweeps": store.sweeps()})
        n = len(store)
    print(f"{n} rows -> " + ", ".join(map(str, paths)))
    return 0


def cmd_draw(args: argparse.Namespace) -> int:
    from .network import compile_network

    spec, part = _spec_partition(args)
    out = Path(args.output)
    suffix = out.suffix.lower()
    if suffix not in _FIGURE_SUFFIXES + (".tex",):
        raise TnrnnError(f"cannot tell the format of {str(out)!r}; use a .pdf, .svg, .png or .tex file")
    from .drawing.figure import check_drawable
    from .mincut import mincut_bound
    from .numbers import format_int

    from .network.members import spec_network_size

    if spec.plain and spec_network_size(spec, merged=args.merged)[0] <= args.max_nodes:
        check_drawable(spec, args.merged, args.max_draw_nodes)  # before compiling, in microseconds
    network = compile_network(spec, merged=args.merged, max_nodes=args.max_nodes)
    cut = mincut_bound(network, part) if args.cut else None
    options = {"partition": part, "cut": cut, "style": figure_style(args),
               "title": True if args.title == "auto" else args.title, "bound": args.bound}
    if suffix == ".tex":
        from .drawing import write_tikz

        write_tikz(network, out, standalone=not args.bare, **options)
    else:
        from .drawing import write_figure

        write_figure(network, out, dpi=args.dpi, **options)
    print(f"wrote {out}" + (f" (min cut {format_int(cut.bound)})" if cut is not None else ""))
    return 0


def figure_style(args: argparse.Namespace):
    """The drawing Style asked for by ``--column`` and ``--no-legend``."""
    from .drawing import Style

    changes = {"legend": args.legend}
    return Style.preset(args.column, **changes) if args.column else Style(**changes)


def cmd_report(args: argparse.Namespace) -> int:
    from .report import make_report

    paths = make_report(args.out, quick=args.quick, dpi=args.dpi, style=figure_style(args))
    print("\n".join(str(p) for p in paths))
    return 0


def cmd_atlas(args: argparse.Namespace) -> int:
    from .atlas import make_atlas, rederive_atlas
    from .atlas_table import ATLAS_TABLE, export_atlas
    from .store.export import check_table_suffix

    for out in args.export:
        check_table_suffix(out)
    if args.rederive:
        paths = rederive_atlas(args.out)
    else:
        paths = make_atlas(args.out, L_values=args.L, M_values=args.M, **member_grid(args), max_rank=args.max_rank,
                           max_row_seconds=args.max_seconds, budget_seconds=args.budget, seed=args.seed,
                           workers=args.workers, T_max=args.T_max)
    if args.export:
        paths += export_atlas(Path(args.out) / ATLAS_TABLE, args.export)
    print("\n".join(str(p) for p in paths))
    return 0


def cmd_experiment(args: argparse.Namespace) -> int:
    import importlib.util

    if importlib.util.find_spec("torch") is None:
        raise TnrnnError(
            "the experiments need PyTorch, which is not installed; install the CPU build and "
            "the extra: pip install torch==2.13.0 && pip install -e '.[experiments]'"
        )
    from .experiments.cli import run_experiment

    return run_experiment(args)
