"""The cost of an experiment grid, measured: a few timed training steps of each distinct model.

:func:`estimate_cost` times ``repeat`` steps (after one warm-up) of every distinct
(task, cell, depth, width, length) of a grid, on this machine and device, with the torch
thread count in force, and adds up ``steps x seconds per step`` over the runs, plus the
validation passes (``steps / eval_every`` of them, each costing about a third of a training
step per batch of ``val_size``). Learning-rate schedules that stop early make real runs
shorter; nothing else is left out, so the estimate is an upper bound up to timing noise.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import replace

__all__ = ["step_seconds", "estimate_cost"]


def step_seconds(config, *, repeat: int = 3, device: str | None = None) -> float:
    """Median seconds of one training step (forward, backward, RMSProp) of ``config``'s model."""
    from .train import _model_for, _optimizer, _scores, _to_tensors

    task = config.make_task()
    model, _ = _model_for(config, task)
    model = model.to(device) if device else model
    opt = _optimizer(model, config)
    xt, yt = _to_tensors(task, *task.sample(config.batch_size, 0), device)
    times = []
    for i in range(repeat + 1):
        start = time.perf_counter()
        loss, _, _ = _scores(task, model(xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if device and str(device).startswith("cuda"):
            import torch

            torch.cuda.synchronize()
        if i:
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def estimate_cost(configs: list, *, workers: int = 1, device: str | None = None, repeat: int = 3) -> str:
    """A report: seconds per step of each distinct model, CPU-seconds of the grid, wall time at ``workers``."""
    shapes: dict[tuple, list] = {}
    for c in configs:
        key = (c.task, c.cell, c.depth, c.width, c.length)
        shapes.setdefault(key, []).append(c)
    lines, total = [], 0.0
    for key, group in shapes.items():
        sec = step_seconds(replace(group[0], seed=0), repeat=repeat, device=device)
        c = group[0]
        evals = c.steps / c.eval_every * (c.val_size / c.batch_size) / 3
        run = sec * (c.steps + evals)
        total += run * len(group)
        lines.append(f"  {c.task} {c.cell:>6} L={c.depth} width={c.width:<4} length={c.length:<4} "
                     f"{sec * 1e3:8.2f} ms/step  x {c.steps} steps  x {len(group)} runs = "
                     f"{run * len(group) / 60:8.1f} min")
    wall = total / max(1, workers)
    lines.append(f"{len(configs)} runs: {total / 3600:.2f} hours of one worker; about {wall / 3600:.2f} hours "
                 f"(wall) on {workers} worker(s) at 1 thread each (device {device or 'cpu'})")
    return "\n".join(lines)
