"""Command-line layer of ``tnrnn experiment ses|copy ...`` (torch is imported only to run).

``tnrnn experiment ses --quick`` trains RACs of depth 1, 2, 3 (widths matched to the
parameter count of the depth-1 RAC of width 64) on Start-End Similarity with m = 5 compared
symbols at T = 10, 20, 40, 80, 1000 steps each; ``tnrnn experiment copy --quick`` the same on
Copying Memory with 5 symbols at B = 5, 10, 20, 40. Each takes a few minutes on one CPU core
(see the README for measured times). m = 5 rather than the paper's 30 keeps the shortest
length learnable within 1000 steps: with m = 10 a depth-1 RAC stayed at chance at T = 2m.
Without ``--quick`` the defaults follow the paper's settings (m = 30, longer sequences,
20000 steps per run: hours on a CPU). Every option overrides the preset.

torch runs on one thread by default (``--threads``): at batch 128 and widths below 100 the
per-step work is too small for intra-op parallelism, and on a loaded 2-core machine two
spinning OpenMP threads made training about 10x slower in our measurement.

Outputs in ``--out`` (default ``tnrnn-experiments/<task>``): one JSON record per run in
``runs/``, ``summary.json`` and ``<task>_accuracy.png`` (test accuracy against T or B, one
curve per depth). Ctrl-C stops after scoring the current run and keeps everything finished.
Each run is also a row of the store ``experiments.sqlite`` in ``--out``
(:mod:`tnrnn.experiments.grid`): runs train in ``--workers`` processes (default every core)
or on a Dask cluster (``--scheduler``), and the same command again resumes, training only
the runs not yet finished.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

from ..cli import int_list
from ..errors import InputError

__all__ = ["add_experiment_parser", "add_experiment_arguments", "run_experiment", "PRESETS", "main"]

#: Defaults of each task without and with ``--quick``.
PRESETS = {
    ("ses", False): dict(lengths=[60, 120, 240, 480], m=30, steps=20000, eval_every=500,
                         val_size=2048, test_size=4096),
    ("copy", False): dict(lengths=[50, 100, 200, 400], m=30, steps=20000, eval_every=500,
                          val_size=2048, test_size=4096),
    ("ses", True): dict(lengths=[10, 20, 40, 80], m=5, steps=1000, eval_every=100,
                        val_size=512, test_size=1024),
    ("copy", True): dict(lengths=[5, 10, 20, 40], m=5, steps=1000, eval_every=100,
                         val_size=512, test_size=1024),
}


def _cell_list(text: str) -> list[str]:
    cells = [c.strip() for c in text.split(",") if c.strip()]
    bad = [c for c in cells if c not in ("rac", "tanh", "gru", "lstm")]
    if not cells or bad:
        raise argparse.ArgumentTypeError(f"cells must be from rac,tanh,gru,lstm, got {text!r}")
    return cells


def _add_task_arguments(p: argparse.ArgumentParser, task: str) -> None:
    axis = "T (sequence lengths)" if task == "ses" else "B (delays)"
    p.add_argument("--quick", action="store_true", help="small preset (m=5, 4 lengths, 1000 steps): minutes")
    p.add_argument("--lengths", type=int_list, help=f"comma-separated {axis}")
    p.add_argument("--m", type=int, help="compared symbols (ses) or symbols to copy (copy)")
    p.add_argument("--depths", type=int_list, default=[1, 2, 3], help="default 1,2,3")
    p.add_argument("--cells", type=_cell_list, default=["rac"], help="from rac,tanh,gru,lstm (default rac)")
    p.add_argument("--width", type=int, default=64, help="width of the depth-1 network (default 64)")
    p.add_argument("--params", type=int, help="parameter budget shared by every cell and depth "
                   "(default: the depth-1 network's count of each cell at --width)")
    p.add_argument("--no-match", action="store_true", help="use --width at every depth")
    p.add_argument("--steps", type=int, help="training steps per run")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--clip", type=float, default=1.0, help="gradient norm clip (default 1)")
    p.add_argument("--eval-every", type=int)
    p.add_argument("--patience", type=int, default=10, help="evaluations without progress before lr/10")
    p.add_argument("--min-lr-factor", type=float, default=0.01, help="lr floor as a fraction of --lr")
    p.add_argument("--val-size", type=int)
    p.add_argument("--test-size", type=int)
    p.add_argument("--rac-norm", choices=["rms", "none"], default="rms",
                   help="per-step RMS normalisation of RAC states (default rms)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1, help="torch threads per run (default 1)")
    p.add_argument("--workers", type=int, default=None,
                   help="runs trained at once in worker processes (default: every core; 1: here)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="train the runs on a Dask scheduler, e.g. tcp://host:8786 (extra distributed)")
    p.add_argument("--out", help=f"output folder (default tnrnn-experiments/{task})")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.add_argument("--plot-only", action="store_true", help="only redraw the plot from the records in --out")


def add_experiment_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``ses`` and ``copy`` subcommands to an existing ``experiment`` parser."""
    sub = parser.add_subparsers(dest="task", metavar="TASK", required=True)
    helps = {"ses": "Start-End Similarity: accuracy against sequence length T",
             "copy": "Copying Memory: accuracy against delay B"}
    for task, text in helps.items():
        p = sub.add_parser(task, help=text, description=text)
        _add_task_arguments(p, task)


def add_experiment_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``experiment`` (with ``ses`` and ``copy``) to the ``tnrnn`` command's subparsers."""
    text = "train stacked RNNs of depth 1-3 on long-memory tasks"
    parser = subparsers.add_parser("experiment", help=text, description=text)
    add_experiment_arguments(parser)
    return parser


def _base_config(args: argparse.Namespace, preset: dict):
    from .train import RunConfig

    pick = lambda name: getattr(args, name) if getattr(args, name) is not None else preset[name]  # noqa: E731
    return RunConfig(
        task=args.task, length=pick("lengths")[0], m=pick("m"), width=args.width, steps=pick("steps"),
        batch_size=args.batch_size, lr=args.lr, clip=args.clip, eval_every=pick("eval_every"),
        patience=args.patience, min_lr_factor=args.min_lr_factor, val_size=pick("val_size"),
        test_size=pick("test_size"), rac_norm=args.rac_norm, seed=args.seed,
    ).validate()


def run_experiment(args: argparse.Namespace) -> int:
    """Run the sweep that ``args`` describes; returns 0, or 130 when interrupted."""
    import torch

    from ..store import default_workers
    from .grid import grid_configs, run_grid
    from .models import param_count
    from .plots import write_accuracy_plot

    out = Path(args.out or f"tnrnn-experiments/{args.task}")
    if getattr(args, "plot_only", False):
        from .train import load_records

        records = [r for r in load_records(out) if r["config"]["task"] == args.task]
        print(f"plot: {write_accuracy_plot(records, out / f'{args.task}_accuracy.png')}")
        return 0
    preset = PRESETS[(args.task, bool(args.quick))]
    base = _base_config(args, preset)
    lengths = args.lengths or preset["lengths"]
    for length in lengths:  # refuse a bad length before anything trains
        replace(base, length=length).validate()
    workers = default_workers() if getattr(args, "workers", None) is None else args.workers
    if workers < 1:
        raise InputError(f"--workers must be a positive integer, got {workers}")
    torch.set_num_threads(max(1, args.threads))
    task = base.make_task()
    configs = []
    for cell in args.cells:
        budget = None if args.no_match else args.params or param_count(cell, 1, args.width, task.vocab, task.n_classes)
        configs += grid_configs(base, lengths, args.depths, [cell], budget=budget)
    records, interrupted = run_grid(configs, out_dir=out, workers=workers, scheduler=getattr(args, "scheduler", None),
                                    threads=args.threads, progress=not args.no_progress)
    _write_summary(out, args, records, interrupted)
    if records:
        plot = write_accuracy_plot(records, out / f"{args.task}_accuracy.png")
        print(f"plot: {plot}")
    print(f"records: {out / 'runs'}")
    return 130 if interrupted else 0


def _write_summary(out: Path, args: argparse.Namespace, records: list[dict], interrupted: bool) -> None:
    from .._io import write_text_atomic

    rows = [{"cell": r["config"]["cell"], "depth": r["config"]["depth"], "length": r["config"]["length"],
             "width": r["config"]["width"], "n_params": r["n_params"], "test": r["test"],
             "chance": r["chance"], "best_step": r["best"]["step"], "seconds": r["seconds"],
             "interrupted": r["interrupted"], "diverged": r["diverged"]} for r in records]
    summary = {"task": args.task, "quick": bool(args.quick), "interrupted": interrupted,
               "argv": {k: v for k, v in vars(args).items() if not callable(v)}, "runs": rows}
    write_text_atomic(out / "summary.json", json.dumps(summary, indent=1, default=str))


def main(argv: list[str] | None = None) -> int:
    """``python -m tnrnn.experiments ses|copy ...`` (the same as ``tnrnn experiment ...``)."""
    parser = argparse.ArgumentParser(prog="python -m tnrnn.experiments",
                                     description="train stacked RNNs of depth 1-3 on long-memory tasks")
    add_experiment_arguments(parser)
    return run_experiment(parser.parse_args(argv))
