"""Benchmark: seconds per training step of the experiment models (batch 128, RMSProp).

Run ``python benchmarks/bench_experiments.py`` (``--threads 1,2`` to compare torch thread
counts, ``--cells rac,lstm``). Prints, per cell, depth and length, the width matched to the
depth-1 parameter count at width 64, and the median time of a forward + backward + optimiser
step over ``--repeat`` steps after two warm-up steps. The quick configurations of
``tnrnn experiment ses|copy --quick`` cost roughly the sum over runs of 1000 such steps.
"""

from __future__ import annotations

import argparse
import statistics
import time


def bench(task_name: str, length: int, m: int, cell: str, depth: int, repeat: int) -> tuple[int, float]:
    import torch

    from tnrnn.experiments.models import build_model, match_width, param_count
    from tnrnn.experiments.tasks import make_task
    from tnrnn.experiments.train import _scores, _to_tensors

    task = make_task(task_name, length, m=m)
    budget = param_count(cell, 1, 64, task.vocab, task.n_classes)
    width = match_width(cell, depth, budget, task.vocab, task.n_classes)
    model = build_model(cell, depth, width, task.vocab, task.n_classes, per_step=task.per_step)
    opt = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    xt, yt = _to_tensors(task, *task.sample(128, 0))
    times = []
    for i in range(repeat + 2):
        start = time.perf_counter()
        loss, _, _ = _scores(task, model(xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if i >= 2:
            times.append(time.perf_counter() - start)
    return width, statistics.median(times)


def main() -> None:
    import torch

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", default="1", help="comma-separated torch thread counts")
    parser.add_argument("--cells", default="rac,tanh,gru,lstm")
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    cases = [("ses", 20, 5), ("ses", 80, 5), ("copy", 10, 5), ("copy", 40, 5)]
    for threads in [int(t) for t in args.threads.split(",")]:
        torch.set_num_threads(threads)
        print(f"torch {torch.__version__}, {threads} thread(s)")
        for cell in args.cells.split(","):
            for task, length, m in cases:
                for depth in (1, 2, 3):
                    width, sec = bench(task, length, m, cell, depth, args.repeat)
                    print(f"  {cell:>4} {task:>4} length={length:<3} L={depth} width={width:<3} "
                          f"{sec * 1e3:7.1f} ms/step")


if __name__ == "__main__":
    main()
