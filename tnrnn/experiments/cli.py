"""Command-line layer of ``tnrnn experiment ses|copy|rank ...`` (torch is imported only to run).

Presets (``--preset quick|full``, ``--quick`` is ``--preset quick``); every option overrides
its preset's value:

- ``ses --quick``: Start-End Similarity with m = 5 compared symbols at T = 10, 20, 30, RACs of
  depth 1 and 2 with widths matched to the parameter count of the depth-1 RAC of width 64,
  3000 steps per run, learning-rate cuts effectively off (patience 100 evaluations), seeds
  0-2: 18 runs, a few minutes on 2 cores. It shows where depth 2 is above depth 1 (T = 20)
  and where it is not (T = 10: both learn; T = 30: neither leaves chance).
- ``ses --preset full``: m = 30, T = 60, 120, 240, 480, depths 1-3, 20000 steps, seeds 0-4
  (hours per run on a CPU core; ``--estimate`` prints the measured cost first).
- ``copy --quick`` / ``--preset full``: Copying Memory, the same shape.
- ``rank --quick``: the rank-r regression task (:mod:`tnrnn.experiments.ranktask`), alphabet
  16, T = 4, the "first" hash, r = 1, 2, 3, 4, 6, 8, 12, 16, pure RACs of depth 1 (4 channels)
  and 2 at the same parameter count, learning rate 1e-2, 2000 steps, seeds 0-2, with the exact
  Eckart-Young floor of the depth-1 RAC drawn; ``--preset full`` adds LSTM and GRU at that
  parameter count, depth 3, r = 1..16 and seeds 0-4.

``--authors`` switches to the authors' released code where it differs: offset SES layout,
their class rounding, vocabulary and Copy marker and classes, RMSProp decay 0.9 and eps
1e-10, no clipping, their schedule (evaluate every 1000 steps, absolute threshold 1e-3,
patience 10, one cut, then stop). Each of these is also its own option.

torch runs on one thread per run (``--threads``, default 1): at batch 128 and widths below 100
the per-step work is too small for intra-op parallelism, and on a loaded 2-core machine two
spinning OpenMP threads made training about 10x slower in our measurement. ``--device cuda``
trains on a GPU.

Outputs in ``--out`` (default ``tnrnn-experiments/<task>``): one JSON record per run in
``runs/`` (the name carries the parameters and a digest of the whole config, so no run
overwrites another), ``summary.json``, ``<task>_table.md`` (seeds aggregated: n, mean, 95%
interval, min-max, every seed's value and its steps to leave chance) and
``<task>_accuracy.png``. Ctrl-C stops after scoring the current run and keeps everything
finished. Each run is also a row of the store ``experiments.sqlite`` in ``--out``
(:mod:`tnrnn.experiments.grid`): runs train in ``--workers`` processes (default every core)
or on a Dask cluster (``--scheduler``), and the same command again resumes, training only
the runs not yet finished.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

from .._argtypes import int_list
from ..errors import InputError

__all__ = ["add_experiment_parser", "add_experiment_arguments", "run_experiment", "PRESETS", "AUTHORS", "main"]

_SMALL = dict(val_size=512, test_size=1024)
_BIG = dict(val_size=2048, test_size=4096)
#: Defaults of each task and preset ("default" is what runs without a preset).
PRESETS = {
    ("ses", "default"): dict(lengths=[60, 120, 240, 480], m=30, steps=20000, eval_every=500, depths=[1, 2, 3],
                             seeds=[0], **_BIG),
    ("ses", "quick"): dict(lengths=[10, 20, 30], m=5, steps=3000, eval_every=100, patience=100, depths=[1, 2],
                           seeds=[0, 1, 2], **_SMALL),
    ("ses", "full"): dict(lengths=[60, 120, 240, 480], m=30, steps=20000, eval_every=500, depths=[1, 2, 3],
                          seeds=[0, 1, 2, 3, 4], **_BIG),
    ("copy", "default"): dict(lengths=[50, 100, 200, 400], m=30, steps=20000, eval_every=500, depths=[1, 2, 3],
                              seeds=[0], **_BIG),
    ("copy", "quick"): dict(lengths=[5, 10, 20], m=5, steps=1000, eval_every=100, depths=[1, 2],
                            seeds=[0, 1, 2], **_SMALL),
    ("copy", "full"): dict(lengths=[50, 100, 200, 400], m=30, steps=20000, eval_every=500, depths=[1, 2, 3],
                           seeds=[0, 1, 2, 3, 4], **_BIG),
    ("rank", "default"): dict(lengths=[4], ranks=[1, 2, 3, 4, 6, 8, 12, 16], alphabet=16, hash="first", width=4,
                              lr=1e-2, steps=2000, eval_every=100, depths=[1, 2], seeds=[0], rac_norm="none",
                              val_size=1024, test_size=4096),
    ("rank", "quick"): dict(lengths=[4], ranks=[1, 2, 3, 4, 6, 8, 12, 16], alphabet=16, hash="first", width=4,
                            lr=1e-2, steps=2000, eval_every=100, depths=[1, 2], seeds=[0, 1, 2], rac_norm="none",
                            val_size=1024, test_size=4096),
    ("rank", "full"): dict(lengths=[4], ranks=list(range(1, 17)), alphabet=16, hash="first", width=4, lr=1e-2,
                           steps=3000, eval_every=100, depths=[1, 2, 3], seeds=[0, 1, 2, 3, 4], rac_norm="none",
                           cells=["rac", "lstm", "gru"], val_size=1024, test_size=4096),
}
#: Defaults of every option no preset sets.
_DEFAULTS = dict(cells=["rac"], width=64, alphabet=32, patience=10, rac_norm="rms", ranks=[1], lr=1e-3,
                 hash="sum")
#: What ``--authors`` sets (the authors' released code).
AUTHORS = dict(layout="offset", convention="authors", rms_alpha=0.9, rms_eps=1e-10, clip=0.0, schedule="authors",
               eval_every=1000, min_delta=1e-3, patience=10)


def _cell_list(text: str) -> list[str]:
    allowed = ("rac", "scornn", "tanh", "gru", "lstm")
    cells = [c.strip() for c in text.split(",") if c.strip()]
    bad = [c for c in cells if c not in allowed]
    if not cells or bad:
        raise argparse.ArgumentTypeError(f"cells must be from {','.join(allowed)}, got {text!r}")
    return cells


def _seed_list(text: str) -> list[int]:
    from .stats import parse_seeds

    try:
        return parse_seeds(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _add_task_arguments(p: argparse.ArgumentParser, task: str) -> None:
    axis = {"ses": "T (sequence lengths)", "copy": "B (delays)", "rank": "T (even sequence lengths)"}[task]
    p.add_argument("--preset", choices=["quick", "full"], help="quick: minutes on 2 cores; full: the long setting")
    p.add_argument("--quick", action="store_true", help="the same as --preset quick")
    p.add_argument("--lengths", type=int_list, help=f"comma-separated {axis}")
    p.add_argument("--m", type=int, help="compared symbols (ses) or symbols to copy (copy)")
    p.add_argument("--alphabet", type=int, help="symbols (default 32; rank task 4)")
    if task == "rank":
        p.add_argument("--ranks", type=int_list, help="Start-End ranks r of the targets (default 1..13)")
        p.add_argument("--hash", choices=["first", "sum", "random"], help="class of a block (presets: first)")
    p.add_argument("--depths", type=int_list, help="default 1,2 (quick) or 1,2,3")
    p.add_argument("--cells", type=_cell_list, help="from rac,scornn,tanh,gru,lstm (default rac)")
    p.add_argument("--width", type=int, help="width of the depth-1 RAC that sets the budget (default 64; rank 4)")
    p.add_argument("--params", type=int, help="parameter budget shared by every cell and depth "
                   "(default: the depth-1 network's count of each cell at --width; rank task: of the RAC)")
    p.add_argument("--no-match", action="store_true", help="use --width at every depth")
    p.add_argument("--steps", type=int, help="training steps per run")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, help="learning rate (default 1e-3; rank task 1e-2)")
    p.add_argument("--hidden-lr", type=float, help="learning rate of scoRNN's recurrent matrices (default 1e-4)")
    p.add_argument("--rms-alpha", type=float, help="RMSProp smoothing (default 0.99; authors 0.9)")
    p.add_argument("--rms-eps", type=float, help="RMSProp epsilon (default 1e-8; authors 1e-10)")
    p.add_argument("--clip", type=float, help="gradient norm clip, 0 = off (default 1; authors off)")
    p.add_argument("--schedule", choices=["plateau", "authors"], help="learning-rate schedule (default plateau)")
    p.add_argument("--min-delta", type=float, help="improvement that counts as progress (default 0; authors 1e-3)")
    p.add_argument("--eval-every", type=int)
    p.add_argument("--patience", type=int, help="evaluations without progress before lr/10 (default 10)")
    p.add_argument("--min-lr-factor", type=float, default=0.01, help="lr floor as a fraction of --lr")
    p.add_argument("--forget-bias", type=float, default=1.0, help="LSTM forget-gate bias at start (default 1)")
    if task != "rank":
        p.add_argument("--convention", choices=["tnrnn", "authors"], help="class rounding, vocabulary, Copy marker")
    if task == "ses":
        p.add_argument("--layout", choices=["fixed", "offset"], help="fixed blocks or the authors' random offset")
    p.add_argument("--authors", action="store_true", help="every setting of the authors' released code")
    p.add_argument("--val-size", type=int)
    p.add_argument("--test-size", type=int)
    p.add_argument("--rac-norm", choices=["rms", "none"], help="per-step RMS normalisation of RAC states "
                   "(default rms; rank task none)")
    p.add_argument("--seeds", type=_seed_list, help="seeds such as 0-4 or 0,3 (default 0; presets 0-2, 0-4)")
    p.add_argument("--seed", type=int, help=argparse.SUPPRESS)  # the old single seed
    p.add_argument("--threads", type=int, default=1, help="torch threads per run (default 1)")
    p.add_argument("--device", default=None, help="torch device, e.g. cuda (default cpu)")
    p.add_argument("--workers", type=int, default=None,
                   help="runs trained at once in worker processes (default: every core; 1: here)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="train the runs on a Dask scheduler, e.g. tcp://host:8786 (extra distributed)")
    p.add_argument("--out", help=f"output folder (default tnrnn-experiments/{task})")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.add_argument("--plot-only", action="store_true", help="only redraw the plot and table from --out")
    p.add_argument("--estimate", action="store_true",
                   help="time a few steps of each model and print the cost of the grid; train nothing")


def add_experiment_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``ses``, ``copy`` and ``rank`` subcommands to an existing ``experiment`` parser."""
    sub = parser.add_subparsers(dest="task", metavar="TASK", required=True)
    helps = {"ses": "Start-End Similarity: accuracy against sequence length T",
             "copy": "Copying Memory: accuracy against delay B",
             "rank": "rank-r regression: error against the target's Start-End rank r, with the depth-1 floor"}
    for task, text in helps.items():
        p = sub.add_parser(task, help=text, description=text)
        _add_task_arguments(p, task)


def add_experiment_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``experiment`` (with ``ses``, ``copy`` and ``rank``) to the ``tnrnn`` command's subparsers."""
    text = "train stacked RNNs of depth 1-3 on long-memory tasks"
    parser = subparsers.add_parser("experiment", help=text, description=text)
    add_experiment_arguments(parser)
    return parser


def _settings(args: argparse.Namespace) -> dict:
    """Every setting: the option if given, else --authors, else the preset, else the default."""
    name = "quick" if args.quick else args.preset or "default"
    merged = {**_DEFAULTS, **PRESETS[(args.task, name)], **(AUTHORS if args.authors else {})}
    for key in ("lengths", "m", "alphabet", "depths", "cells", "width", "steps", "eval_every", "patience",
                "val_size", "test_size", "rac_norm", "seeds", "clip", "schedule", "min_delta", "rms_alpha",
                "rms_eps", "hidden_lr", "layout", "convention", "ranks", "hash", "lr"):
        value = getattr(args, key, None)
        if value is not None:
            merged[key] = value
    if args.seed is not None and args.seeds is None:
        merged["seeds"] = [args.seed]
    if args.task != "ses":
        merged.pop("layout", None)
    merged["preset"] = name
    return merged


def _base_config(args: argparse.Namespace, st: dict):
    from .train import RunConfig

    fields = {k: st[k] for k in ("m", "width", "steps", "eval_every", "patience", "val_size", "test_size",
                                  "rac_norm", "alphabet", "clip", "schedule", "min_delta", "rms_alpha", "rms_eps",
                                  "hidden_lr", "layout", "convention", "hash", "lr") if k in st}
    return RunConfig(task=args.task, length=st["lengths"][0], rank=st["ranks"][0], seed=st["seeds"][0],
                     batch_size=args.batch_size, min_lr_factor=args.min_lr_factor,
                     forget_bias=args.forget_bias, **fields).validate()


def _grid(args: argparse.Namespace, st: dict) -> list:
    from .grid import grid_configs
    from .models import param_count

    base = _base_config(args, st)
    for length in st["lengths"]:  # refuse a bad length or rank before anything trains
        for rank in st["ranks"]:
            replace(base, length=length, rank=rank).validate()
    task = base.make_task()
    configs = []
    for cell in st["cells"]:
        budget_cell = "rac" if args.task == "rank" else cell
        budget = None if args.no_match else args.params or param_count(budget_cell, 1, st["width"], task.vocab,
                                                                        task.n_classes)
        configs += grid_configs(base, st["lengths"], st["depths"], [cell], budget=budget, seeds=st["seeds"],
                                ranks=st["ranks"] if args.task == "rank" else None)
    return configs


def run_experiment(args: argparse.Namespace) -> int:
    """Run the sweep that ``args`` describes; returns 0, or 130 when interrupted."""
    import torch

    from ..store import default_workers
    from .grid import run_grid

    out = Path(args.out or f"tnrnn-experiments/{args.task}")
    if getattr(args, "plot_only", False):
        from .train import load_records

        records = [r for r in load_records(out) if r["config"]["task"] == args.task]
        _write_outputs(out, args.task, records)
        return 0
    st = _settings(args)
    configs = _grid(args, st)
    workers = default_workers() if getattr(args, "workers", None) is None else args.workers
    if workers < 1:
        raise InputError(f"--workers must be a positive integer, got {workers}")
    torch.set_num_threads(max(1, args.threads))
    if args.estimate:
        from .cost import estimate_cost

        print(estimate_cost(configs, workers=workers, device=args.device))
        return 0
    if getattr(args, "scheduler", None) is None:  # a cluster's workers have their own devices
        check_device(args.device)  # before any file is written
    records, interrupted = run_grid(configs, out_dir=out, workers=workers, scheduler=getattr(args, "scheduler", None),
                                    threads=args.threads, progress=not args.no_progress, device=args.device)
    _write_summary(out, args, st, records, interrupted)
    if records:
        _write_outputs(out, args.task, records)
    print(f"records: {out / 'runs'}")
    return 130 if interrupted else 0


def check_device(device: str | None) -> None:
    """Refuse, in one line, a torch device this machine cannot train on (None: the CPU)."""
    if device is None:
        return
    import torch

    try:
        dev = torch.device(device)
    except (RuntimeError, ValueError):
        raise InputError(f"--device {device!r} is not a torch device; give cpu or cuda (or cuda:N)") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise InputError(f"--device {device!r} needs a CUDA GPU, and this torch sees none (a CPU build of "
                         "torch, or no GPU here); leave --device out to train on the CPU")
    try:
        torch.empty(1, device=dev)
    except (RuntimeError, AssertionError) as err:
        first = (str(err).strip().splitlines() or [type(err).__name__])[0]
        raise InputError(f"--device {device!r} cannot be used here ({first[:160]}); leave --device out "
                         "to train on the CPU") from None


def _write_outputs(out: Path, task: str, records: list[dict]) -> None:
    """The seed-aggregated table (printed and written) and the plot."""
    from .._io import write_text_atomic
    from .plots import write_accuracy_plot
    from .stats import aggregate_records, format_table

    if not records:
        raise InputError(f"no {task} records in {out / 'runs'}; run the experiment first")
    metric = "loss" if task == "rank" else "accuracy"
    table = format_table(aggregate_records(records, metric), axis={"copy": "B", "rank": "r"}.get(task, "T"),
                         metric="mean squared error" if task == "rank" else metric)
    if task == "rank":
        from .plots import rank_floor_points

        for R, pts in rank_floor_points(records).items():
            table += f"\n\nEckart-Young floor of a depth-1 RAC with R={R}: " + ", ".join(
                f"r={r}: {v:.4f}" for r, v in pts)
    write_text_atomic(out / f"{task}_table.md", table + "\n")
    print(table)
    print(f"table: {out / f'{task}_table.md'}")
    print(f"plot: {write_accuracy_plot(records, out / f'{task}_accuracy.png')}")


def _write_summary(out: Path, args: argparse.Namespace, st: dict, records: list[dict], interrupted: bool) -> None:
    from .._io import write_text_atomic
    from .stats import aggregate_records

    rows = [{"cell": r["config"]["cell"], "depth": r["config"]["depth"], "length": r["config"]["length"],
             "rank": r["config"]["rank"], "seed": r["config"]["seed"], "width": r["config"]["width"],
             "n_params": r["n_params"], "test": r["test"], "chance": r["chance"], "best_step": r["best"]["step"],
             "left_chance_step": r.get("left_chance_step"), "seconds": r["seconds"],
             "interrupted": r["interrupted"], "diverged": r["diverged"]} for r in records]
    metric = "loss" if args.task == "rank" else "accuracy"
    agg = [{k: v for k, v in row.items() if k != "series"} for row in aggregate_records(records, metric)]
    summary = {"task": args.task, "preset": st["preset"], "authors": bool(args.authors), "interrupted": interrupted,
               "argv": {k: v for k, v in vars(args).items() if not callable(v)}, "runs": rows, "aggregate": agg}
    write_text_atomic(out / "summary.json", json.dumps(summary, indent=1, default=str))


def main(argv: list[str] | None = None) -> int:
    """``python -m tnrnn.experiments ses|copy|rank ...`` (the same as ``tnrnn experiment ...``)."""
    parser = argparse.ArgumentParser(prog="python -m tnrnn.experiments",
                                     description="train stacked RNNs of depth 1-3 on long-memory tasks")
    add_experiment_arguments(parser)
    return run_experiment(parser.parse_args(argv))
