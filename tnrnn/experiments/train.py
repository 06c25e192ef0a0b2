"""Training runs and sweeps: RMSProp, plateau schedule, best checkpoint, JSON records.

One run (:func:`train_run`) trains one network on one task length:

- RMSProp with learning rate ``lr`` (default 1e-3), smoothing ``rms_alpha`` (default 0.99,
  PyTorch's; the authors' TensorFlow code: decay 0.9) and ``rms_eps`` (default 1e-8; theirs
  1e-10), batches of ``batch_size`` (default 128) fresh sequences drawn on the fly, gradient
  norm clipped to ``clip`` (default 1.0; ``clip=0`` turns clipping off, as in their code). A
  scoRNN's skew-symmetric matrices get their own learning rate ``hidden_lr`` (theirs 1e-4).
- every ``eval_every`` steps the validation set is scored and the learning rate follows
  ``schedule``:

  - ``"plateau"`` (default): divided by 10 when the validation loss has not improved for
    ``patience`` evaluations (``ReduceLROnPlateau``), down to ``lr * min_lr_factor`` (default:
    at most two cuts). The defaults (patience 10 evaluations, floor lr/100) are there because
    Start-End Similarity sits on the chance plateau (loss ln 3) for hundreds of steps before it
    starts to learn: with patience 3 and no floor, a 4000-step run at T = 20 had its learning
    rate cut to 1e-8 during that plateau and never left it. A cut during the plateau can still
    kill learning: the quick preset sets ``patience=100`` (cuts effectively off).
  - ``"authors"`` (their released code): an evaluation counts as progress when the validation
    loss falls more than ``min_delta`` (absolute; theirs 1e-3, every 1000 steps) below the best
    so far; after more than ``patience`` evaluations without progress (theirs 10) the learning
    rate is divided by 10 once, and the next time the run stops.

  The parameters with the best validation loss are kept and restored at the end, and the test
  set is scored with them (the loss, not the accuracy, picks the checkpoint: near chance the
  accuracy is noise, and on Copying Memory an early lucky accuracy could otherwise keep a
  checkpoint whose loss is far above chance); a loss counts as better when it is more than
  ``min_delta`` (default 0) below the best;
- a non-finite training loss stops the run (``"diverged": true``) and keeps the best
  checkpoint; Ctrl-C (``KeyboardInterrupt``) stops it the same way (``"interrupted": true``).

The rank task (:mod:`tnrnn.experiments.ranktask`) trains on the mean squared error; its test set
is every sequence once when there are at most ``FULL_GRID_MAX`` (the exact population error,
comparable with the Eckart-Young floor), and its "accuracy" is the fraction with
``|output - target| < 1/2``.

The record's ``left_chance_step`` is the first evaluation step at which the validation accuracy
exceeds chance by three standard errors of a chance guesser on the validation set (regression:
the validation loss is below 0.8 times the chance loss), or None.

Seeds: the training stream, validation and test sets are seeded from ``(seed, task, length)``
only, so every depth and cell of a sweep sees the same validation and test sequences; the
model's initial weights are seeded from ``seed``.

The record (:func:`train_run`'s return value, also written atomically as JSON when ``out_dir``
is given) holds the config, seed, width, parameter count, learning curves, the best
checkpoint's step and scores, the test accuracy and loss, and the chance levels.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from .._io import write_text_atomic
from ..errors import InputError
from .tasks import Task, make_task

__all__ = ["RunConfig", "train_run", "run_sweep", "grid_configs", "record_path", "load_records",
           "left_chance_step"]


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
    alphabet: int = 32
    layout: str = "fixed"
    convention: str = "tnrnn"
    rank: int = 1
    hash: str = "sum"
    rms_alpha: float = 0.99
    rms_eps: float = 1e-8
    schedule: str = "plateau"
    min_delta: float = 0.0
    forget_bias: float = 1.0
    hidden_lr: float = 1e-4

    def make_task(self) -> Task:
        return make_task(self.task, self.length, m=self.m, alphabet=self.alphabet, layout=self.layout,
                         convention=self.convention, rank=self.rank, hash=self.hash)

    def validate(self) -> "RunConfig":
        for name in ("length", "m", "depth", "width", "steps", "batch_size", "eval_every",
                     "val_size", "test_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise InputError(f"{name} must be a positive integer, got {value!r}")
        if not (self.lr > 0 and self.clip >= 0 and 0 < self.min_lr_factor <= 1 and self.hidden_lr > 0):
            raise InputError(f"lr and hidden_lr must be positive, clip >= 0 (0: off) and min_lr_factor in (0, 1], "
                             f"got lr={self.lr}, hidden_lr={self.hidden_lr}, clip={self.clip}, "
                             f"min_lr_factor={self.min_lr_factor}")
        if not (0 <= self.rms_alpha < 1 and self.rms_eps > 0 and self.min_delta >= 0):
            raise InputError(f"rms_alpha must be in [0, 1), rms_eps > 0 and min_delta >= 0, got "
                             f"{self.rms_alpha}, {self.rms_eps}, {self.min_delta}")
        if self.schedule not in ("plateau", "authors"):
            raise InputError(f"schedule must be 'plateau' or 'authors', got {self.schedule!r}")
        if self.patience < 0 or self.seed < 0:
            raise InputError(f"patience and seed must be >= 0, got {self.patience}, {self.seed}")
        self.make_task()  # raises on a bad task or length
        return self


def config_digest(config: RunConfig) -> str:
    """Ten hex digits of the SHA-1 of the whole config (every parameter)."""
    text = json.dumps(asdict(config), sort_keys=True)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def record_path(out_dir: str | Path, config: RunConfig) -> Path:
    """Where the record of ``config`` is written inside ``out_dir``.

    The name spells the main parameters and ends with :func:`config_digest`, so runs that differ
    in any parameter never share a file.
    """
    axis = {"ses": "T", "copy": "B"}.get(config.task, "T")
    extra = f"_r{config.rank}" if config.task == "rank" else f"_m{config.m}"
    name = (f"{config.task}_{config.cell}_L{config.depth}_{axis}{config.length}{extra}_w{config.width}"
            f"_s{config.steps}_seed{config.seed}_{config_digest(config)}.json")
    return Path(out_dir) / "runs" / name


def _streams(config: RunConfig) -> tuple[np.random.Generator, ...]:
    task_id = {"ses": 0, "copy": 1, "rank": 2}[config.task]
    words = [config.seed, task_id, config.length] + ([config.rank] if config.task == "rank" else [])
    root = np.random.SeedSequence(words)
    return tuple(np.random.default_rng(s) for s in root.spawn(3))  # train, validation, test


def _to_tensors(task: Task, x: np.ndarray, y: np.ndarray, device=None):
    import torch

    xt = torch.nn.functional.one_hot(torch.from_numpy(x), task.vocab).float()
    yt = torch.from_numpy(y).float() if _regression(task) else torch.from_numpy(y)
    if device is not None:
        xt, yt = xt.to(device), yt.to(device)
    return xt, yt


def _regression(task: Task) -> bool:
    return bool(getattr(task, "regression", False))


def _scores(task: Task, logits, y) -> tuple[float, float, int]:
    """(summed loss, number correct, count) of one batch; loss averaged as the task defines."""
    import torch.nn.functional as F

    if _regression(task):
        pred = logits[:, 0]
        loss = F.mse_loss(pred, y)
        correct = ((pred - y).abs() < 0.5).sum()
    elif task.per_step:
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        rec = task.recall_slice()
        correct = (logits[:, rec].argmax(-1) == y[:, rec]).float().mean(-1).sum()
    else:
        loss = F.cross_entropy(logits, y)
        correct = (logits.argmax(-1) == y).sum()
    return loss, float(correct), y.shape[0]


def evaluate(model, task: Task, data: tuple[np.ndarray, np.ndarray], chunk: int = 512,
             device=None) -> tuple[float, float]:
    """Mean loss and accuracy of ``model`` on a fixed data set."""
    import torch

    model.eval()
    total_loss, total_correct, total = 0.0, 0.0, 0
    with torch.no_grad():
        for i in range(0, data[0].shape[0], chunk):
            xt, yt = _to_tensors(task, data[0][i : i + chunk], data[1][i : i + chunk], device)
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
                        init_noise=config.init_noise, seed=config.seed, forget_bias=config.forget_bias)
    return model, param_count(config.cell, config.depth, config.width, task.vocab, task.n_classes)


def _optimizer(model, config: RunConfig):
    """RMSProp with the config's settings; a scoRNN's recurrent parameters at ``hidden_lr``."""
    import torch

    hidden = list(model.hidden_parameters()) if hasattr(model, "hidden_parameters") else []
    ids = {id(p) for p in hidden}
    groups = [{"params": [p for p in model.parameters() if id(p) not in ids], "lr": config.lr}]
    if hidden:
        groups.append({"params": hidden, "lr": config.hidden_lr})
    return torch.optim.RMSprop(groups, lr=config.lr, alpha=config.rms_alpha, eps=config.rms_eps)


class _AuthorsSchedule:
    """The authors' schedule: progress is a drop of more than ``min_delta``; after more than
    ``patience`` evaluations without it, the learning rate is cut by 10 once, then the run stops."""

    def __init__(self, opt, config: RunConfig) -> None:
        self.opt, self.patience, self.min_delta = opt, config.patience, config.min_delta
        self.best, self.count, self.cut = math.inf, 0, False

    def step(self, val_loss: float) -> bool:
        """Record one evaluation; True when the run should stop."""
        if self.best - val_loss > self.min_delta:
            self.best, self.count = val_loss, 0
            return False
        self.count += 1
        if self.count <= self.patience:
            return False
        if self.cut:
            return True
        for group in self.opt.param_groups:
            group["lr"] *= 0.1
        self.cut, self.count = True, 0
        return False


class _PlateauSchedule:
    def __init__(self, opt, config: RunConfig) -> None:
        import torch

        floors = [g["lr"] * config.min_lr_factor for g in opt.param_groups]
        self.inner = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="min", factor=0.1,
                                                                patience=config.patience, min_lr=floors)

    def step(self, val_loss: float) -> bool:
        self.inner.step(val_loss)
        return False


def _fit(model, task: Task, config: RunConfig, train_rng, val_data, progress: bool, device=None) -> dict:
    """The training loop; returns curves, best checkpoint and how it ended."""
    import torch
    from tqdm.auto import tqdm

    opt = _optimizer(model, config)
    sched = (_AuthorsSchedule if config.schedule == "authors" else _PlateauSchedule)(opt, config)
    out = {"curves": {"step": [], "train_loss": [], "val_loss": [], "val_accuracy": [], "lr": []},
           "best": {"step": 0, "val_accuracy": None, "val_loss": math.inf}, "best_state": None,
           "steps_done": 0, "interrupted": False, "diverged": False, "stopped_early": False}
    curves, window = out["curves"], []
    label = f"{task.name} {config.cell} L={config.depth} {_axis(config.task)}={config.length}"
    bar = tqdm(range(1, config.steps + 1), desc=label, disable=not progress, leave=False)
    try:
        for step in bar:
            xt, yt = _to_tensors(task, *task.sample(config.batch_size, train_rng), device)
            loss, _, _ = _scores(task, model(xt), yt)
            if not torch.isfinite(loss):
                out["diverged"] = True
                break
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if config.clip > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), config.clip)
            opt.step()
            out["steps_done"] = step
            window.append(float(loss.detach()))
            if step % config.eval_every and step != config.steps:
                continue
            val_loss, val_acc = evaluate(model, task, val_data, device=device)
            values = (step, float(np.mean(window)), val_loss, val_acc, opt.param_groups[0]["lr"])
            for key, value in zip(curves, values):
                curves[key].append(value)
            window = []
            if val_loss < out["best"]["val_loss"] - config.min_delta:
                out["best"] = {"step": step, "val_accuracy": val_acc, "val_loss": val_loss}
                out["best_state"] = copy.deepcopy(model.state_dict())
            bar.set_postfix(loss=f"{curves['train_loss'][-1]:.3f}", val_acc=f"{val_acc:.3f}")
            if sched.step(val_loss if math.isfinite(val_loss) else math.inf):
                out["stopped_early"] = True
                break
    except KeyboardInterrupt:
        out["interrupted"] = True
    finally:
        bar.close()
    return out


def _axis(task: str) -> str:
    return "B" if task == "copy" else "T"


def left_chance_step(record: dict) -> int | None:
    """The first evaluation step at which the run left chance (see module docs), or None."""
    threshold, above = chance_threshold(record)
    key = "val_accuracy" if above else "val_loss"
    for step, value in zip(record["curves"]["step"], record["curves"][key]):
        if value is not None and (value >= threshold if above else value <= threshold):
            return int(step)
    return None


def chance_threshold(record: dict) -> tuple[float, bool]:
    """(threshold, True when an accuracy must reach it; False when a loss must fall to it)."""
    c = record["config"]
    if c["task"] == "rank":
        return 0.8 * record["chance"]["loss"], False
    p = record["chance"]["accuracy"]
    n = c["val_size"] * (c["m"] if c["task"] == "copy" else 1)
    return p + 3.0 * math.sqrt(p * (1 - p) / n), True


def _test_data(task: Task, config: RunConfig, test_rng) -> tuple[tuple[np.ndarray, np.ndarray], bool]:
    """The test set and whether it is the whole input space (the rank task's exact error)."""
    if task.name == "rank":
        from .ranktask import FULL_GRID_MAX

        if task.N ** 2 <= FULL_GRID_MAX:
            return task.full_grid(), True
    return task.sample(config.test_size, test_rng), False


def train_run(config: RunConfig, *, out_dir: str | Path | None = None, progress: bool = True,
              device: str | None = None) -> dict:
    """Train one network as described in the module docs and return its record.

    Parameters
    ----------
    config : RunConfig
    out_dir : path, optional
        Write the record to :func:`record_path` (atomically).
    progress : bool
        Show a tqdm progress bar.
    device : str, optional
        torch device (``"cuda"``); default the CPU.

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
    test_data, exact_test = _test_data(task, config, test_rng)
    model, n_params = _model_for(config, task)
    model = model.to(device) if device else model
    start = time.perf_counter()
    fit = _fit(model, task, config, train_rng, val_data, progress, device)
    if fit["best_state"] is not None:  # else stopped before the first evaluation: keep the last weights
        model.load_state_dict(fit["best_state"])
    if fit["diverged"] and fit["best_state"] is None:  # no finite model to score
        test_loss, test_acc = math.nan, None
    else:
        test_loss, test_acc = evaluate(model, task, test_data, device=device)
    record = {
        "config": asdict(config),
        "seed": config.seed,
        "task": {"name": task.name, "T": task.T, "length": task.length, "vocab": task.vocab,
                 "n_classes": task.n_classes},
        "n_params": n_params,
        "curves": fit["curves"],
        "best": fit["best"],
        "test": {"accuracy": test_acc, "loss": test_loss, "exact": exact_test},
        "chance": {"accuracy": task.chance_accuracy, "loss": task.chance_loss},
        "steps_done": fit["steps_done"],
        "stopped_early": fit["stopped_early"],
        "interrupted": fit["interrupted"],
        "diverged": fit["diverged"],
        "seconds": time.perf_counter() - start,
        "torch": {"version": torch.__version__, "threads": torch.get_num_threads(), "device": str(device or "cpu")},
    }
    if task.name == "rank":
        from .ranktask import eckart_young_floor

        floor = float(eckart_young_floor(task, config.width)) if config.cell == "rac" and config.depth == 1 else None
        record["task"].update(rank=task.r, N=task.N, hash=task.hash, class_sizes=task.class_sizes().tolist(),
                              floor=floor)
    record = _json_safe(record)
    record["left_chance_step"] = left_chance_step(record)
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
                 budget: int | None = None, *, seeds: list[int] | None = None,
                 ranks: list[int] | None = None) -> list[RunConfig]:
    """The configs of every (cell, depth, length, rank, seed), in that order.

    ``seeds`` and ``ranks`` default to the base config's. With ``budget`` the width of each
    (cell, depth) is :func:`~tnrnn.experiments.models.match_width` of that parameter count;
    otherwise every run uses ``base.width``.
    """
    from .models import match_width

    out = []
    for cell in cells:
        for depth in depths:
            for length in lengths:
                for rank in ranks or [base.rank]:
                    for seed in seeds or [base.seed]:
                        config = replace(base, cell=cell, depth=depth, length=length, rank=rank, seed=seed).validate()
                        if budget is not None:
                            task = config.make_task()
                            width = match_width(cell, depth, budget, task.vocab, task.n_classes)
                            config = replace(config, width=width)
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
    axis = _axis(c["task"])
    flags = " (interrupted)" if record["interrupted"] else " (diverged)" if record["diverged"] else ""
    return (f"{c['task']} {c['cell']:>4} L={c['depth']} {axis}={c['length']:<4} width={c['width']:<4} "
            f"params={record['n_params']:<6} test acc={_fmt(record['test']['accuracy'], 3)} "
            f"loss={_fmt(record['test']['loss'])} (chance acc {record['chance']['accuracy']:.3f}, "
            f"loss {record['chance']['loss']:.4f}) left chance at {record.get('left_chance_step')} "
            f"seed {c['seed']} {record['seconds']:.0f}s{flags}")


def _fmt(value: float | None, digits: int = 4) -> str:
    return "nan" if value is None else f"{value:.{digits}f}"


def load_records(out_dir: str | Path) -> list[dict]:
    """All run records written under ``out_dir/runs``."""
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((Path(out_dir) / "runs").glob("*.json"))]
