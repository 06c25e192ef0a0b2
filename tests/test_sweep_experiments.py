"""Experiment grids as store rows: resume, interrupted runs, worker processes (needs torch)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")  # the experiments extra

from tnrnn.experiments import train as TR  # noqa: E402
from tnrnn.experiments.grid import grid_configs, run_grid  # noqa: E402
from tnrnn.store import ResultStore  # noqa: E402

BASE = TR.RunConfig(task="ses", length=4, m=2, width=8, steps=10, eval_every=5, val_size=32, test_size=32)


def _configs():
    return grid_configs(BASE, [4, 6], [1, 2], ["rac"])


def _same(a, b):
    return a["config"] == b["config"] and a["curves"] == b["curves"] and a["test"] == b["test"]


def test_grid_rows_equal_direct_training_and_resume_trains_nothing(tmp_path, monkeypatch):
    configs = _configs()
    records, interrupted = run_grid(configs, out_dir=tmp_path, progress=False, log=None)
    assert not interrupted and len(records) == 4
    for record, config in zip(records, configs):
        assert _same(record, TR.train_run(config, progress=False))  # the row is the run itself
        assert TR.record_path(tmp_path, config).exists()
    with ResultStore(tmp_path / "experiments.sqlite") as store:
        rows = store.rows("experiment")
    assert [(r["depth"], r["length"]) for r in rows] == [(1, 4), (1, 6), (2, 4), (2, 6)]
    assert all(r["torch_version"] == torch.__version__ and r["test_accuracy"] is not None for r in rows)
    trained = []
    monkeypatch.setattr(TR, "train_run", lambda *a, **k: trained.append(a) or pytest.fail("retrained"))
    again, _ = run_grid(configs, out_dir=tmp_path, progress=False, log=None)
    assert not trained and all(_same(a, b) for a, b in zip(again, records))


def test_an_interrupted_run_is_trained_again_on_resume(tmp_path, monkeypatch):
    original = TR._model_for

    def interrupting(config, task):
        model, n = original(config, task)
        if config.depth == 2:
            inner, calls = model.forward, []

            def forward(x):  # Ctrl-C during the first training step, once
                calls.append(1)
                if len(calls) == 1:
                    raise KeyboardInterrupt
                return inner(x)

            model.forward = forward
        return model, n

    monkeypatch.setattr(TR, "_model_for", interrupting)
    records, interrupted = run_grid(_configs(), out_dir=tmp_path, progress=False, log=None)
    assert interrupted and [r["interrupted"] for r in records] == [False, False, True]
    monkeypatch.setattr(TR, "_model_for", original)
    records, interrupted = run_grid(_configs(), out_dir=tmp_path, progress=False, log=None)
    assert not interrupted and len(records) == 4 and not any(r["interrupted"] for r in records)
    assert len(TR.load_records(tmp_path)) == 4


@pytest.mark.slow  # two fresh processes import torch: about 20 s on a loaded 2-core machine
def test_worker_processes_train_the_same_runs(tmp_path):
    configs = _configs()[:2]
    serial, _ = run_grid(configs, progress=False, log=None)
    parallel, _ = run_grid(configs, store=tmp_path / "p.sqlite", workers=2, progress=False, log=None)
    assert all(_same(a, b) for a, b in zip(parallel, serial))
