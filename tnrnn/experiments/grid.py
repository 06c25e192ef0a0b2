"""Experiment grids as rows of a result store: each training run is one row.

A run (task, cell, depth, length, seed and the rest of its :class:`RunConfig`) is keyed by its
whole config in a :class:`~tnrnn.store.ResultStore`, so an experiment grid runs in local
worker processes or on a Dask cluster like a bounds sweep (:func:`tnrnn.store.run_jobs`), and
running it again resumes: finished runs are skipped, interrupted ones trained again. The row
holds the summary columns (test accuracy and loss, chance levels, width, parameter count,
seconds, versions, host) and the full JSON record (curves, best checkpoint) under ``record``;
the client also writes each record to ``runs/`` as before, so plots and
:func:`~tnrnn.experiments.train.load_records` see every finished run.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .._io import write_text_atomic
from ..store import Job, ResultStore, run_jobs
from .train import grid_configs

__all__ = ["KIND", "run_grid", "train_row", "run_key", "grid_configs"]

#: The kind of computation of an experiment row.
KIND = "experiment"
_AXES = ("task", "cell", "depth", "length", "seed")


def run_key(config) -> tuple:
    """The key of one training run: its axes first (for the order), then the whole config."""
    cfg = asdict(config)
    return (("kind", KIND), *((a, cfg[a]) for a in _AXES), ("config", cfg))


def train_row(payload: dict[str, Any]) -> dict[str, Any]:
    """Train one run (in a worker) and return its row: summary columns and the record."""
    import torch

    from .train import RunConfig, train_run

    torch.set_num_threads(max(1, int(payload.get("threads", 1))))
    config = RunConfig(**payload["config"])
    record = train_run(config, progress=bool(payload.get("progress", False)), device=payload.get("device"))
    status = "interrupted" if record["interrupted"] else "diverged" if record["diverged"] else "ok"
    return {**{a: getattr(config, a) for a in _AXES}, "status": status, "width": config.width,
            "n_params": record["n_params"], "test_accuracy": record["test"]["accuracy"],
            "test_loss": record["test"]["loss"], "chance_accuracy": record["chance"]["accuracy"],
            "chance_loss": record["chance"]["loss"], "best_step": record["best"]["step"],
            "steps_done": record["steps_done"], "seconds": record["seconds"], "record": record}


def run_grid(configs: list, *, store: str | Path | None = None, out_dir: str | Path | None = None,
             workers: int = 1, scheduler: Any = None, threads: int = 1, progress: bool = True,
             log=print, device: str | None = None) -> tuple[list[dict], bool]:
    """Train every config not already in the store; returns (records of the grid, interrupted).

    Parameters
    ----------
    configs : list of RunConfig
    store : path, optional
        The result store (default ``out_dir / "experiments.sqlite"``; in memory without either).
    out_dir : path, optional
        Where each finished record is also written (``runs/``, see :func:`record_path`).
    workers, scheduler
        As in :func:`tnrnn.store.run_jobs`: 1 trains here; more, in local processes; a Dask
        scheduler address, on a cluster.
    threads : int
        torch threads per run (1 by default: every worker one thread).
    device : str, optional
        torch device of every run (``"cuda"``); not part of a run's key.
    """
    from .train import _summary_line, record_path

    if store is None and out_dir is not None:
        store = Path(out_dir) / "experiments.sqlite"
    jobs = [Job(run_key(c), {"config": asdict(c), "threads": threads, "device": device,
                             "progress": progress and workers == 1 and scheduler is None}) for c in configs]

    def keep(job: Job, row: dict) -> None:
        record = row["record"]
        if out_dir is not None and not record["interrupted"]:
            config = configs[jobs.index(job)]
            write_text_atomic(record_path(out_dir, config), json.dumps(record, indent=1, allow_nan=False))
        if log is not None:
            log(_summary_line(record))

    db = ResultStore(store)
    interrupted = False
    try:
        summary = run_jobs(db, train_row, jobs, workers=workers, scheduler=scheduler,
                           skip=lambda job, status: status != "interrupted",
                           halt=lambda row: row["status"] == "interrupted",
                           progress=progress and (workers > 1 or scheduler is not None),
                           desc="training runs", on_row=keep)
        interrupted = summary.halted
    except KeyboardInterrupt:
        interrupted = True
    finally:
        from ..store.db import key_text

        wanted = {key_text(j.key) for j in jobs}
        rows = [r for r in db.rows(KIND) if key_text(r["key"]) in wanted]
        db.close()
    return [r["record"] for r in rows], interrupted
