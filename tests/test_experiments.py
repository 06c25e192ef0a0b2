"""Tests of tnrnn.experiments: task generators against brute force, models, the RAC
cross-check against tnrnn.forward, training, records, plot and CLI."""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest

from tnrnn.errors import InputError
from tnrnn.experiments.tasks import CopyingMemory, StartEndSimilarity, batches, make_task

torch = pytest.importorskip("torch")  # the experiments extra; CI installs it

from tnrnn import RACSpec, forward, hidden_states, random_weights  # noqa: E402
from tnrnn.experiments import models as M  # noqa: E402
from tnrnn.experiments import train as TR  # noqa: E402


# ---------------------------------------------------------------- tasks: brute force oracles

def _round_half_even(q: Fraction) -> int:
    lo = math.floor(q)
    frac = q - lo
    if frac > Fraction(1, 2) or (frac == Fraction(1, 2) and lo % 2 == 1):
        return lo + 1
    return lo


def _ses_brute(row, T: int, m: int, pad: int) -> tuple[int, int]:
    """(matches, label) from one sequence by looping over positions."""
    for t in range(m, T - m):
        assert row[t] == pad
    k = sum(1 for i in range(m) if row[i] == row[T - m + i])
    return k, _round_half_even(Fraction(2 * k, m))


@pytest.mark.parametrize("T,m", [(4, 2), (8, 3), (20, 10), (25, 4), (60, 30), (64, 7)])
@pytest.mark.parametrize("seed", [0, 1])
def test_ses_labels_match_brute_force(T, m, seed):
    task = StartEndSimilarity(T=T, m=m)
    for mode in ("paper", "uniform"):
        x, y = task.sample(300, seed, matches=mode)
        assert x.shape == (300, T) and y.shape == (300,)
        assert x.min() >= 0 and x.max() <= task.pad
        assert np.all(x[:, :m] < task.alphabet) and np.all(x[:, T - m :] < task.alphabet)
        counts = []
        for row, label in zip(x, y):
            k, brute = _ses_brute(list(row), T, m, task.pad)
            assert label == brute
            counts.append(k)
        if mode == "paper":  # matches only from {0, m//2, m}: non-matching positions differ
            assert set(counts) <= {0, m // 2, m}
            assert len(set(counts)) == len({0, m // 2, m})
        else:
            assert set(counts) <= set(range(m + 1))


def test_ses_label_rule_examples_and_balance():
    # 2k/m = 0.5 rounds to 0, 1.5 rounds to 2 (half to even), as the brute force says
    task = StartEndSimilarity(T=8, m=4)
    assert [_round_half_even(Fraction(2 * k, 4)) for k in range(5)] == [0, 0, 1, 2, 2]
    from tnrnn.experiments.tasks import ses_label

    assert ses_label(np.arange(5), 4).tolist() == [0, 0, 1, 2, 2]
    _, y = task.sample(6000, 3)
    freq = np.bincount(y, minlength=3) / 6000
    assert np.all(np.abs(freq - 1 / 3) < 0.03)  # uniform over 0, m/2, m matches


def test_ses_uniform_mode_covers_all_counts():
    task = StartEndSimilarity(T=12, m=6)
    x, _ = task.sample(2000, 5, matches="uniform")
    k = (x[:, :6] == x[:, 6:]).sum(axis=1)
    assert set(k.tolist()) == set(range(7))


@pytest.mark.parametrize("B,n", [(1, 1), (5, 3), (17, 10), (40, 30)])
def test_copy_targets_match_brute_force(B, n):
    task = CopyingMemory(B=B, n=n)
    x, y = task.sample(50, B)
    T = B + 2 * n
    assert task.T == T and x.shape == (50, T) and y.shape == (50, T)
    for row, target in zip(x, y):
        marker_at = [t for t in range(T) if row[t] == task.marker]
        assert marker_at == [B + n - 1]
        for t in range(T):
            if t < n:
                assert row[t] < task.alphabet
            elif t != B + n - 1:
                assert row[t] == task.blank
            if t < B + n:
                assert target[t] == task.blank
            else:
                assert target[t] == row[t - B - n]


@pytest.mark.parametrize("B,n", [(1, 2), (10, 10), (100, 30)])
def test_copy_chance_loss_is_memoryless_strategy(B, n):
    task = CopyingMemory(B=B, n=n)
    assert task.chance_loss == pytest.approx(n * math.log(32) / (B + 2 * n), rel=1e-12)
    _, y = task.sample(8, 0)
    # blank with certainty before the recall, uniform over the 32 symbols during it
    logits = torch.full((8, task.T, task.n_classes), -1e9, dtype=torch.float64)
    logits[:, : B + n, task.blank] = 0.0
    logits[:, B + n :, : task.alphabet] = 0.0
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, task.n_classes), torch.as_tensor(y).reshape(-1))
    assert float(loss) == pytest.approx(task.chance_loss, rel=1e-9)


def test_generators_seeded_and_on_the_fly():
    for task in (StartEndSimilarity(T=20, m=5), CopyingMemory(B=7, n=4)):
        a, b = task.sample(16, 11), task.sample(16, 11)
        assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
        s1, s2 = batches(task, 16, 3), batches(task, 16, 3)
        first, second = next(s1), next(s1)
        assert not np.array_equal(first[0], second[0])
        assert np.array_equal(next(s2)[0], first[0])


def test_task_errors():
    with pytest.raises(InputError, match="T >= 2 m"):
        StartEndSimilarity(T=9, m=5)
    with pytest.raises(InputError, match="m must be"):
        StartEndSimilarity(T=9, m=1)
    with pytest.raises(InputError, match="'ses', 'copy' or 'rank'"):
        make_task("mnist", 10)
    with pytest.raises(InputError, match="matches"):
        StartEndSimilarity(T=4, m=2).sample(3, 0, matches="all")


# ---------------------------------------------------------------- models

@pytest.mark.parametrize("cell", M.CELLS)
@pytest.mark.parametrize("depth", [1, 2, 3])
@pytest.mark.parametrize("per_step", [False, True])
def test_model_shapes_and_param_count(cell, depth, per_step):
    model = M.build_model(cell, depth, 7, 11, 5, per_step=per_step, seed=depth)
    x = torch.nn.functional.one_hot(torch.randint(0, 11, (4, 9)), 11).float()
    out = model(x)
    assert out.shape == ((4, 9, 5) if per_step else (4, 5))
    assert torch.isfinite(out).all()
    assert sum(p.numel() for p in model.parameters()) == M.param_count(cell, depth, 7, 11, 5)


@pytest.mark.parametrize("cell", M.CELLS)
@pytest.mark.parametrize("depth", [1, 2, 3])
@pytest.mark.parametrize("budget", [500, 6464, 20000])
def test_match_width_is_closest(cell, depth, budget):
    w = M.match_width(cell, depth, budget, 33, 3)
    gaps = [abs(M.param_count(cell, depth, r, 33, 3) - budget) for r in range(1, 400)]
    assert abs(M.param_count(cell, depth, w, 33, 3) - budget) == min(gaps)
    assert gaps.index(min(gaps)) + 1 == w


@pytest.mark.parametrize("M_,R,L,T,K", [(3, 4, 1, 9, 2), (5, 3, 2, 12, 3), (4, 5, 3, 10, 1), (33, 6, 3, 16, 3)])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_torch_rac_equals_tnrnn_forward(M_, R, L, T, K, seed):
    spec = RACSpec(M=M_, R=R, L=L, T=T, K=K)
    w = random_weights(spec, rng=seed)
    gen = np.random.default_rng(seed)
    x_real = gen.normal(size=(6, T, M_))
    x_hot = np.eye(M_)[gen.integers(0, M_, size=(6, T))]
    model = M.rac_from_weights(w)
    assert model.norm == "none"
    for x in (x_real, x_hot):
        ref = forward(w, x)
        got = model(torch.as_tensor(x)).detach().numpy()
        assert np.max(np.abs(got - ref)) <= 1e-10 * np.max(np.abs(ref))
    # per-step outputs against the recorded hidden states of tnrnn
    per_step = M.rac_from_weights(w, per_step=True)
    ref = hidden_states(w, x_real)[:, 1:, -1] @ w.W_O.T
    got = per_step(torch.as_tensor(x_real)).detach().numpy()
    assert np.max(np.abs(got - ref)) <= 1e-10 * np.max(np.abs(ref))


@pytest.mark.parametrize("L", [1, 2, 3])
def test_rms_normalised_rac_is_positive_rescaling_of_pure_rac(L):
    spec = RACSpec(M=6, R=5, L=L, T=14, K=4)
    w = random_weights(spec, rng=L)
    x = torch.as_tensor(np.random.default_rng(L).normal(size=(9, 14, 6)))
    pure = M.rac_from_weights(w)(x).detach().numpy()
    normed_model = M.rac_from_weights(w)
    normed_model.norm = "rms"
    normed = normed_model(x).detach().numpy()
    ratio = pure / normed  # one positive factor per sequence
    assert np.all(ratio > 0)
    assert np.allclose(ratio, ratio[:, :1], rtol=1e-9)
    assert np.array_equal(pure.argmax(1), normed.argmax(1))


def test_model_errors():
    with pytest.raises(InputError, match="cell"):
        M.build_model("transformer", 1, 4, 5, 2, per_step=False)
    with pytest.raises(InputError, match="rac_norm"):
        M.build_model("rac", 1, 4, 5, 2, per_step=False, rac_norm="layer")
    spec = RACSpec(M=2, R=2, L=1, T=3)
    from tnrnn import random_modular_weights

    with pytest.raises(InputError, match="float"):
        M.rac_from_weights(random_modular_weights(spec, rng=0))


# ---------------------------------------------------------------- training

@pytest.fixture(autouse=True)
def _one_thread():
    torch.set_num_threads(1)


def test_tiny_training_learns_easy_copy(tmp_path):
    # Copying Memory with 2 symbols and delay 2: easy; loss must fall and accuracy beat chance
    config = TR.RunConfig(task="copy", length=2, m=2, cell="rac", depth=1, width=32, steps=300,
                          eval_every=50, val_size=256, test_size=512, seed=0)
    rec = TR.train_run(config, out_dir=tmp_path, progress=False)
    losses = rec["curves"]["train_loss"]
    assert losses[-1] < 0.7 * losses[0]
    assert rec["test"]["loss"] < 0.5 * rec["chance"]["loss"]
    assert rec["test"]["accuracy"] > 5 * rec["chance"]["accuracy"]  # chance 1/32 on recall steps
    on_disk = json.loads(TR.record_path(tmp_path, config).read_text())
    assert on_disk["test"] == rec["test"] and on_disk["seed"] == 0
    assert on_disk["config"]["batch_size"] == 128 and on_disk["config"]["lr"] == 1e-3
    assert len(on_disk["curves"]["val_accuracy"]) == 6
    assert rec["best"]["val_loss"] == min(rec["curves"]["val_loss"])
    i = rec["curves"]["val_loss"].index(rec["best"]["val_loss"])
    assert rec["best"]["step"] == rec["curves"]["step"][i]


@pytest.mark.parametrize("cell", ["tanh", "gru", "lstm"])
def test_standard_cells_train(cell):
    # the PyTorch cells learn Copying Memory more slowly; here only the loss must fall
    config = TR.RunConfig(task="copy", length=2, m=2, cell=cell, depth=2, width=16, steps=100,
                          eval_every=10, val_size=64, test_size=64, seed=1)
    rec = TR.train_run(config, progress=False)
    losses = rec["curves"]["train_loss"]
    assert losses[0] > 2.5  # about ln(33) at the start
    assert losses[-1] < 0.6 * losses[0] and rec["test"]["loss"] < 0.6 * math.log(33)
    assert not rec["diverged"]


def test_tiny_training_learns_easy_ses():
    # five compared symbols at T = 10: the loss leaves ln 3 and accuracy beats chance (1/3)
    config = TR.RunConfig(task="ses", length=10, m=5, cell="rac", depth=2, width=32, steps=600,
                          eval_every=50, val_size=256, test_size=512, seed=0)
    rec = TR.train_run(config, progress=False)
    losses = rec["curves"]["train_loss"]
    assert losses[-1] < 0.93 * losses[0] and rec["test"]["loss"] < 0.95 * math.log(3)
    assert rec["test"]["accuracy"] > 0.42


def test_training_is_seeded():
    config = TR.RunConfig(task="ses", length=6, m=3, depth=2, width=8, steps=20, eval_every=10,
                          val_size=64, test_size=64, seed=4)
    a = TR.train_run(config, progress=False)
    b = TR.train_run(config, progress=False)
    assert a["curves"] == b["curves"] and a["test"] == b["test"]


def test_interruption_keeps_best_checkpoint_and_stops_sweep(tmp_path, monkeypatch):
    original = TR._model_for

    def interrupting(config, task):
        model, n = original(config, task)
        calls = {"n": 0}
        inner = model.forward

        def forward(x):
            calls["n"] += 1
            if calls["n"] == 25:
                raise KeyboardInterrupt
            return inner(x)

        model.forward = forward
        return model, n

    monkeypatch.setattr(TR, "_model_for", interrupting)
    base = TR.RunConfig(task="ses", length=4, m=2, width=8, steps=100, eval_every=10,
                        val_size=32, test_size=32)
    records, interrupted = TR.run_sweep(base, [4, 6], [1, 2], ["rac"], out_dir=tmp_path,
                                        progress=False, log=None)
    assert interrupted and len(records) == 1 and records[0]["interrupted"]
    assert records[0]["curves"]["step"] == [10, 20] and records[0]["steps_done"] == 22
    assert records[0]["best"]["step"] in records[0]["curves"]["step"]
    assert len(TR.load_records(tmp_path)) == 1


def test_plateau_schedule_cuts_by_ten_down_to_the_floor():
    # lr 0.5 makes RMSProp useless, so the validation loss stalls and the lr is cut by 10
    # after every `patience` evaluations without progress, never below lr * min_lr_factor
    config = TR.RunConfig(task="ses", length=4, m=2, width=4, steps=60, eval_every=2, patience=1,
                          lr=0.5, min_lr_factor=0.001, val_size=16, test_size=16)
    lrs = TR.train_run(config, progress=False)["curves"]["lr"]
    distinct = sorted(set(lrs), reverse=True)
    assert distinct == pytest.approx([0.5, 0.05, 0.005, 0.0005])
    assert lrs == sorted(lrs, reverse=True)


def test_pure_rac_divergence_is_recorded(tmp_path):
    # without normalisation a depth-3 RAC overflows float32 at T = 80 on the first step
    config = TR.RunConfig(task="ses", length=80, m=5, depth=3, width=16, steps=5, eval_every=5,
                          val_size=32, test_size=32, rac_norm="none")
    rec = TR.train_run(config, out_dir=tmp_path, progress=False)
    assert rec["diverged"] and rec["steps_done"] == 0
    on_disk = json.loads(TR.record_path(tmp_path, config).read_text())  # strict JSON
    assert on_disk["diverged"] and on_disk["test"] == {"accuracy": None, "loss": None, "exact": False}


def test_config_errors():
    with pytest.raises(InputError, match="steps"):
        TR.RunConfig(steps=0).validate()
    with pytest.raises(InputError, match="T >= 2 m"):
        TR.RunConfig(task="ses", length=10, m=30).validate()


# ---------------------------------------------------------------- plot and CLI

def test_cli_end_to_end(tmp_path):
    from tnrnn.experiments.cli import add_experiment_parser, run_experiment

    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    add_experiment_parser(sub)
    args = parser.parse_args([
        "experiment", "copy", "--quick", "--lengths", "2,4", "--m", "2", "--depths", "1,2",
        "--steps", "10", "--eval-every", "5", "--val-size", "32", "--test-size", "32",
        "--width", "8", "--no-progress", "--out", str(tmp_path), "--seeds", "0",
    ])
    assert run_experiment(args) == 0
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert len(summary["runs"]) == 4 and not summary["interrupted"]
    budget = M.param_count("rac", 1, 8, 34, 33)
    for run in summary["runs"]:
        assert run["width"] == M.match_width("rac", run["depth"], budget, 34, 33)
    png = tmp_path / "copy_accuracy.png"
    assert png.stat().st_size > 1000
    assert len(list((tmp_path / "runs").glob("*.json"))) == 4
    png.unlink()
    args = parser.parse_args(["experiment", "copy", "--plot-only", "--out", str(tmp_path)])
    assert run_experiment(args) == 0 and png.stat().st_size > 1000


def test_plot_has_one_curve_per_depth_with_seed_error_bars():
    from tnrnn.experiments.plots import accuracy_table, plot_accuracy

    def acc(d, t, seed):
        return 0.3 + 0.1 * d - 0.001 * t + 0.01 * seed

    recs = [{"config": {"task": "ses", "cell": "rac", "depth": d, "length": t, "m": 5, "seed": seed, "width": 8},
             "test": {"accuracy": acc(d, t, seed)}, "chance": {"accuracy": 1 / 3}}
            for d in (1, 2, 3) for t in (40, 10, 20) for seed in (0, 1, 2)]
    table = accuracy_table(recs)
    assert [(r["cell"], r["depth"]) for r in table[::3]] == [("rac", 1), ("rac", 2), ("rac", 3)]
    assert [r["x"] for r in table[3:6]] == [10, 20, 40]
    assert all(r["n"] == 3 for r in table)
    assert table[4]["mean"] == pytest.approx(np.mean([acc(2, 20, s) for s in (0, 1, 2)]), abs=1e-12)
    fig = plot_accuracy(recs)
    ax = fig.axes[0]
    curves = [c for c in ax.containers]  # one errorbar container per depth
    assert len(curves) == 3
    xs, ys = curves[1].lines[0].get_data()
    assert list(xs) == [10, 20, 40]
    assert np.allclose(ys, [np.mean([acc(2, t, s) for s in (0, 1, 2)]) for t in (10, 20, 40)])
    chance = [ln for ln in ax.get_lines() if ln.get_label().startswith("chance")]
    assert len(chance) == 1 and np.allclose(chance[0].get_ydata(), 1 / 3)
    assert any("n=3" in t.get_text() for t in ax.get_legend().get_texts())
    with pytest.raises(InputError):
        plot_accuracy([])
    copy_recs = [{"config": {"task": "copy", "cell": "rac", "depth": d, "length": b, "m": 5, "seed": 0, "width": 8},
                  "test": {"accuracy": 0.1, "loss": 0.5},
                  "chance": {"accuracy": 1 / 32, "loss": CopyingMemory(B=b, n=5).chance_loss}}
                 for d in (1, 2) for b in (5, 10)]
    fig = plot_accuracy(copy_recs)
    assert len(fig.axes) == 2
    chance_line = fig.axes[1].get_lines()[-1]
    assert np.allclose(chance_line.get_ydata(), [5 * math.log(32) / (b + 10) for b in (5, 10)])
    with pytest.raises(InputError, match="mix"):
        plot_accuracy(recs + copy_recs)


def test_import_tnrnn_does_not_import_torch():
    code = ("import sys, tnrnn, tnrnn.experiments, tnrnn.experiments.cli, tnrnn.experiments.train, "
            "tnrnn.experiments.plots, tnrnn.experiments.cost, tnrnn.experiments.stats, tnrnn.experiments.ranktask; "
            "assert 'torch' not in sys.modules and 'matplotlib' not in sys.modules, 'heavy import'")
    subprocess.run([sys.executable, "-c", code], check=True)
