"""Benchmark: seconds per training step of the experiment models (batch 128, RMSProp).

Run ``python benchmarks/bench_experiments.py`` (``--threads 1,2`` to compare torch thread
counts, ``--cells rac,lstm``, ``--device cuda``). Prints, per cell, depth and length, the width
matched to the depth-1 parameter count at width 64 (the rank task: of the depth-1 RAC with 4
channels) and the median time of a forward + backward + optimiser step over ``--repeat``
steps after one warm-up (:func:`tnrnn.experiments.cost.step_seconds`, which also prices whole
grids: ``tnrnn experiment ses --quick --estimate``). A preset costs about the sum over its
runs of steps x seconds per step, divided by the workers.
"""

from __future__ import annotations

import argparse
from dataclasses import replace


def bench(task_name: str, length: int, cell: str, depth: int, repeat: int, device: str | None) -> tuple[int, float]:
    from tnrnn.experiments.cost import step_seconds
    from tnrnn.experiments.models import match_width, param_count
    from tnrnn.experiments.train import RunConfig

    extra = dict(alphabet=16, hash="first", rank=4, rac_norm="none") if task_name == "rank" else dict(m=5)
    config = RunConfig(task=task_name, length=length, cell=cell, depth=depth, **extra)
    task = config.make_task()
    budget_cell, base = ("rac", 4) if task_name == "rank" else (cell, 64)
    budget = param_count(budget_cell, 1, base, task.vocab, task.n_classes)
    width = match_width(cell, depth, budget, task.vocab, task.n_classes)
    return width, step_seconds(replace(config, width=width), repeat=repeat, device=device)


def main() -> None:
    import torch

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", default="1", help="comma-separated torch thread counts")
    parser.add_argument("--cells", default="rac,scornn,tanh,gru,lstm")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--device", default=None)
    args = parser.parse_args()
    cases = [("ses", 20), ("ses", 80), ("copy", 10), ("copy", 40), ("rank", 4)]
    for threads in [int(t) for t in args.threads.split(",")]:
        torch.set_num_threads(threads)
        print(f"torch {torch.__version__}, {threads} thread(s), device {args.device or 'cpu'}")
        for cell in args.cells.split(","):
            for task, length in cases:
                for depth in (1, 2, 3):
                    width, sec = bench(task, length, cell, depth, args.repeat, args.device)
                    print(f"  {cell:>6} {task:>4} length={length:<3} L={depth} width={width:<3} "
                          f"{sec * 1e3:7.1f} ms/step", flush=True)


if __name__ == "__main__":
    main()
