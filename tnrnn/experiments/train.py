"""Training runs and sweeps: RMSProp, plateau schedule, best checkpoint, JSON records.

One run (:func:`train_run`) trains one network on one task length:

- RMSProp with learning rate ``lr`` (default 1e-3), batches of ``batch_size`` (default 128)
  fresh sequences drawn on the fly, gradient norm clipped to ``clip`` (default 1.0);
- every ``eval_every`` steps the validation set is scored; the learning rate is divided by 10
  when the validation loss has not improved for ``patience`` evaluations
  (``ReduceLROnPlateau``), down to ``lr * min_lr_factor`` (default: at most two cuts). The
  defaults (patience 10 evaluations, floor lr/100) are there because Start-End Similarity
  sits on the chance plateau (loss ln 3) for hundreds of steps before it starts to learn:
  with patience 3 and no floor, a 4000-step run at T = 20 had its learning rate cut to 1e-8
  during that plateau and never left it; the parameters with the lowest validation loss are kept and
  restored at the end, and the test set is scored with them (the loss, not the accuracy,
  picks the checkpoint: near chance the accuracy is noise, and on Copying Memory an early
  lucky accuracy could otherwise keep a checkpoint whose loss is far above chance);
- a non-finite training loss stops the run (``"diverged": true``) and keeps the best
  checkpoint; Ctrl-C (``KeyboardInterrupt``) stops it the same way (``"interrupted": true``).

Seeds: the training stream, validation and test sets are seeded from ``(seed, task, length)``
only, so every depth and cell of a sweep sees the same validation and test sequences; the
model's initial weights are seeded from ``seed``.

The record (:func:`train_run`'s return value, also written atomically as JSON when ``out_dir``
is given) holds the config, seed, width, parameter count, learning curves, the best
checkpoint's step and scores, the test accuracy and loss, and the chance levels.
"""

from __future__ import annotations

import copy
import json
import math
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from .._io import write_text_atomic
from ..errors import InputError
from .tasks import Task, make_task

__all__ = ["RunConfig", "train_run", "run_sweep", "grid_configs", "record_path", "load_records"]


@dataclass(frozen=True)
class RunConfig:
    """Everything that defines one training run (see module docs for the meaning)."""

    task: str = "ses"
    length: int = 60
    m: int = 30
    cell: str = "rac"
    depth: int = 1
    width: int = 64
    steps: int = 2000
    batch_size: int = 128
    lr: float = 1e-3
    clip: float = 1.0
    eval_every: int = 100
    patience: int = 10
    min_lr_factor: float = 0.01
    val_size: int = 1024
    test_size: int = 2048
    rac_norm: str = "rms"
    init_noise: float = 0.1
    seed: int = 0

    def make_task(self) -> Task:
        return make_task(self.task, self.length, m=self.m)

    def validate(self) -> "RunConfig":
        for name in ("length", "m", "depth", "width", "steps", "batch_size", "eval_every",
                     "val_size", "test_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise InputError(f"{name} must be a positive integer, got {value!r}")
        if not (self.lr > 0 and self.clip > 0 and 0 < self.min_lr_factor <= 1):
            raise InputError(f"lr and clip must be positive and min_lr_factor in (0, 1], got lr={self.lr}, "
                             f"clip={self.clip}, min_lr_factor={self.min_lr_factor}")
        if self.patience < 0 or self.seed < 0:
            raise InputError(f"patience and seed must be >= 0, got {self.patience}, {self.seed}")
        self.make_task()  # raises on a bad task or length
        return self


def record_path(out_dir: str | Path, config: RunConfig) -> Path:
    """Where the record of ``config`` is written inside ``out_dir``."""
    axis = "T" if config.task == "ses" else "B"
    name = f"{config.task}_{config.cell}_L{config.depth}_{axis}{config.length}_seed{config.seed}.json"
    return Path(out_dir) / "runs" / name


def _streams(config: RunConfig) -> tuple[np.random.Generator, ...]:
    task_id = 0 if config.task == "ses" else 1
    root = np.random.SeedSequence([config.seed, task_id, config.length])
    return tuple(np.random.default_rng(s) for s in root.spawn(3))  # train, validation, test


def _to_tensors(task: Task, x: np.ndarray, y: np.ndarray):
    import torch

    xt = torch.nn.functional.one_hot(torch.from_numpy(x), task.vocab).float()
    return xt, torch.from_numpy(y)


def _scores(task: Task, logits, y) -> tuple[float, float, int]:
    """(summed loss, number correct, count) of one batch; loss averaged as the task defines."""
    import torch.nn.functional as F

    if task.per_step:
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        rec = task.recall_slice()
        correct = (logits[:, rec].argmax(-1) == y[:, rec]).float().mean(-1).sum()
    else:
        loss = F.cross_entropy(logits, y)
        correct = (logits.argmax(-1) == y).sum()
    return loss, float(correct), y.shape[0]


def evaluate(model, task: Task, data: tuple[np.ndarray, np.ndarray], chunk: int = 512) -> tuple[float, float]:
    """Mean loss and accuracy of ``model`` on a fixed data set."""
    import torch

    model.eval()
    total_loss, total_correct, total = 0.0, 0.0, 0
    with torch.no_grad():
        for i in range(0, data[0].shape[0], chunk):
            xt, yt = _to_tensors(task, data[0][i : i + chunk], data[1][i : i + chunk])
            loss, correct, n = _scores(task, model(xt), yt)
            total_loss += float(loss) * n
            total_correct += correct
            total += n
    model.train()
    return total_loss / total, total_correct / total


def _model_for(config: RunConfig, task: Task):
    from .models import build_model, param_count

    model = build_model(config.cell, config.depth, config.width, task.vocab, task.n_classes,
                        per_step=task.per_step, rac_norm=config.rac_norm,
                        init_noise=config.init_noise, seed=config.seed)
    return model, param_count(config.cell, config.depth, config.width, task.vocab, task.n_classes)


def _fit(model, task: Task, config: RunConfig, train_rng, val_data, progress: bool) -> dict:
    """The training loop; returns curves, best checkpoint and how it ended."""
    import torch
    from tqdm.auto import tqdm

    opt = torch.optim.RMSprop(model.parameters(), lr=config.lr)
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="min", factor=0.1, patience=config.patience,
                                                       min_lr=config.lr * config.min_lr_factor)
    out = {"curves": {"step": [], "train_loss": [], "val_loss": [], "val_accuracy": [], "lr": []},
           "best": {"step": 0, "val_accuracy": None, "val_loss": math.inf}, "best_state": None,
           "steps_done": 0, "interrupted": False, "diverged": False}
    curves, window = out["curves"], []
    label = f"{task.name} {config.cell} L={config.depth} {'T' if task.name == 'ses' else 'B'}={config.length}"
    bar = tqdm(range(1, config.steps + 1), desc=label, disable=not progress, leave=False)
    try:
        for step in bar:
            xt, yt = _to_tensors(task, *task.sample(config.batch_size, train_rng))
            loss, _, _ = _scores(task, model(xt), yt)
            if not torch.isfinite(loss):
                out["diverged"] = True
                break
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), config.clip)
            opt.step()
            out["steps_done"] = step
            window.append(float(loss.detach()))
            if step % config.eval_every and step != config.steps:
                continue
            val_loss, val_acc = evaluate(model, task, val_data)
            values = (step, float(np.mean(window)), val_loss, val_acc, opt.param_groups[0]["lr"])
            for key, value in zip(curves, values):
                curves[key].append(value)
            window = []
            if val_loss < out["best"]["val_loss"]:
                out["best"] = {"step": step, "val_accuracy": val_acc, "val_loss": val_loss}
                out["best_state"] = copy.deepcopy(model.state_dict())
            sched.step(val_loss if math.isfinite(val_loss) else math.inf)
            bar.set_postfix(loss=f"{curves['train_loss'][-1]:.3f}", val_acc=f"{val_acc:.3f}")
    except KeyboardInterrupt:
        out["interrupted"] = True
    finally:
        bar.close()
    return out


def train_run(config: RunConfig, *, out_dir: str | Path | None = None, progress: bool = True) -> dict:
    """Train one network as described in the module docs and return its record.

    Parameters
    ----------
    config : RunConfig
    out_dir : path, optional
        Write the record to :func:`record_path` (atomically).
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    dict
        The JSON record; ``record["interrupted"]`` is True if Ctrl-C stopped the run.
    """
    import torch

    config = config.validate()
    task = config.make_task()
    train_rng, val_rng, test_rng = _streams(config)
    val_data = task.sample(config.val_size, val_rng)
    test_data = task.sample(config.test_size, test_rng)
    model, n_params = _model_for(config, task)
    start = time.perf_counter()
    fit = _fit(model, task, config, train_rng, val_data, progress)
    if fit["best_state"] is not None:  # else stopped before the first evaluation: keep the last weights
        model.load_state_dict(fit["best_state"])
    if fit["diverged"] and fit["best_state"] is None:  # no finite model to score
        test_loss, test_acc = math.nan, None
    else:
        test_loss, test_acc = evaluate(model, task, test_data)
    record = {
        "config": asdict(config),
        "seed": config.seed,
        "task": {"name": task.name, "T": task.T, "length": task.length, "vocab": task.vocab,
                 "n_classes": task.n_classes},
        "n_params": n_params,
        "curves": fit["curves"],
        "best": fit["best"],
        "test": {"accuracy": test_acc, "loss": test_loss},
        "chance": {"accuracy": task.chance_accuracy, "loss": task.chance_loss},
        "steps_done": fit["steps_done"],
        "interrupted": fit["interrupted"],
        "diverged": fit["diverged"],
        "seconds": time.perf_counter() - start,
        "torch": {"version": torch.__version__, "threads": torch.get_num_threads()},
    }
    record = _json_safe(record)
    if out_dir is not None:
        write_text_atomic(record_path(out_dir, config), json.dumps(record, indent=1, allow_nan=False))
    return record


def _json_safe(value):
    """The record with every non-finite float (a diverged loss) replaced by None."""
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def grid_configs(base: RunConfig, lengths: list[int], depths: list[int], cells: list[str],
                 budget: int | None = None) -> list[RunConfig]:
    """The configs of every (cell, depth, length), in that order.

    With ``budget`` the width of each (cell, depth) is :func:`~tnrnn.experiments.models.match_width`
    of that parameter count; otherwise every run uses ``base.width``.
    """
    from .models import match_width

    out = []
    for cell in cells:
        for depth in depths:
            for length in lengths:
                config = replace(base, cell=cell, depth=depth, length=length).validate()
                if budget is not None:
                    task = config.make_task()
                    config = replace(config, width=match_width(cell, depth, budget, task.vocab, task.n_classes))
                out.append(config)
    return out


def run_sweep(base: RunConfig, lengths: list[int], depths: list[int], cells: list[str], *,
              budget: int | None = None, out_dir: str | Path | None = None, progress: bool = True,
              log=print) -> tuple[list[dict], bool]:
    """Train every (cell, depth, length) combination here; returns (records, interrupted).

    Widths as in :func:`grid_configs`. A Ctrl-C stops the sweep after the current run has
    been scored and recorded; the records of finished runs are kept. (The command line runs
    grids through :func:`tnrnn.experiments.grid.run_grid`: worker processes, a store, resume.)
    """
    records: list[dict] = []
    for config in grid_configs(base, lengths, depths, cells, budget):
        record = train_run(config, out_dir=out_dir, progress=progress)
        records.append(record)
        if log is not None:
            log(_summary_line(record))
        if record["interrupted"]:
            return records, True
    return records, False


def _summary_line(record: dict) -> str:
    c = record["config"]
    axis = "T" if c["task"] == "ses" else "B"
    flags = " (interrupted)" if record["interrupted"] else " (diverged)" if record["diverged"] else ""
    return (f"{c['task']} {c['cell']:>4} L={c['depth']} {axis}={c['length']:<4} width={c['width']:<4} "
            f"params={record['n_params']:<6} test acc={_fmt(record['test']['accuracy'], 3)} "
            f"loss={_fmt(record['test']['loss'])} (chance acc {record['chance']['accuracy']:.3f}, "
            f"loss {record['chance']['loss']:.4f}) {record['seconds']:.0f}s{flags}")


def _fmt(value: float | None, digits: int = 4) -> str:
    return "nan" if value is None else f"{value:.{digits}f}"


def load_records(out_dir: str | Path) -> list[dict]:
    """All run records written under ``out_dir/runs``."""
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((Path(out_dir) / "runs").glob("*.json"))]
