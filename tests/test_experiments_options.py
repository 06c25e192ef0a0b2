"""Tests of the experiments' faithful options (the authors' conventions, optimiser, schedule,
scoRNN, LSTM forget bias), seed statistics and record names, and the rank-r regression task
with its exact Eckart-Young floor (checked with tnrnn's F_p rank and an independent SVD)."""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import fields, replace
from fractions import Fraction

import numpy as np
import pytest

from tnrnn.errors import InputError
from tnrnn.experiments.ranktask import RankTask, eckart_young_floor, target_matrix
from tnrnn.experiments.stats import aggregate_records, format_table, parse_seeds, summarize
from tnrnn.experiments.tasks import CopyingMemory, StartEndSimilarity, make_task

torch = pytest.importorskip("torch")  # the experiments extra; CI installs it

from tnrnn.experiments import models as M  # noqa: E402
from tnrnn.experiments import train as TR  # noqa: E402


@pytest.fixture(autouse=True)
def _one_thread():
    torch.set_num_threads(1)


# ---------------------------------------------------------------- the authors' conventions

def _offset_brute(row, T: int, m: int, alphabet: int) -> tuple[int, int]:
    """(start position, matches) read from one offset-layout sequence by looping."""
    half = T // 2
    pos = next(t for t in range(T) if row[t] < alphabet)
    for t in range(T):
        inside = pos <= t < pos + m or pos + half <= t < pos + half + m
        assert (row[t] < alphabet) == inside
    return pos, sum(1 for i in range(m) if row[pos + i] == row[pos + half + i])


@pytest.mark.parametrize("T,m", [(10, 2), (20, 5), (16, 7), (12, 6)])
def test_ses_offset_layout_against_brute_force(T, m):
    task = StartEndSimilarity(T=T, m=m, layout="offset", convention="authors")
    x, y = task.sample(400, 3)
    positions, counts = set(), []
    for row, label in zip(x, y):
        pos, k = _offset_brute(list(row), T, m, task.alphabet)
        positions.add(pos)
        counts.append(k)
        assert label == int(np.rint(2 * k / m))
    # the authors draw the offset from 0..T/2-m-1 (0 when there is no padding)
    assert positions == (set(range(T // 2 - m)) if T // 2 > m else {0})
    middle = int(np.rint(m / 2))
    assert set(counts) == {0, middle, m}
    assert task.vocab == (task.alphabet if T == 2 * m else task.alphabet + 1)


def test_authors_middle_class_and_vocabulary_differ_only_where_they_should():
    for m in range(2, 40):
        ours, theirs = StartEndSimilarity(T=2 * m, m=m), StartEndSimilarity(T=2 * m, m=m, convention="authors")
        assert ours.middle == m // 2 and theirs.middle == round(Fraction(m, 2) + Fraction(0))  # half to even
        assert (ours.middle != theirs.middle) == (m % 4 == 3)
        assert ours.vocab == 33 and theirs.vocab == 32  # no padding at T = 2m
    assert StartEndSimilarity(T=21, m=5, convention="authors").vocab == 33
    with pytest.raises(InputError, match="even T"):
        StartEndSimilarity(T=21, m=5, layout="offset")
    with pytest.raises(InputError, match="layout"):
        StartEndSimilarity(T=20, m=5, layout="random")


@pytest.mark.parametrize("B,n", [(1, 2), (10, 5)])
def test_copy_authors_marker_and_classes(B, n):
    ours, theirs = CopyingMemory(B=B, n=n), CopyingMemory(B=B, n=n, convention="authors")
    assert (ours.n_classes, theirs.n_classes) == (33, 34)
    x, y = theirs.sample(20, 1)
    assert np.all(np.flatnonzero(x[0] == theirs.marker) == [B + n])  # the first recall step
    assert np.array_equal(y[:, B + n:], x[:, :n])
    x0, y0 = ours.sample(20, 1)
    assert np.all(np.flatnonzero(x0[0] == ours.marker) == [B + n - 1])
    assert np.array_equal(y0, y) and theirs.chance_loss == ours.chance_loss


def test_alphabet_reaches_the_task_through_the_config():
    config = TR.RunConfig(task="ses", length=10, m=3, alphabet=5, layout="offset", convention="authors")
    task = config.make_task()
    assert (task.alphabet, task.vocab, task.layout) == (5, 6, "offset")
    x, _ = task.sample(50, 0)
    assert x.max() == 5
    assert make_task("copy", 4, m=2, alphabet=3).vocab == 5


# ---------------------------------------------------------------- optimiser, clipping, schedule

def test_rmsprop_settings_and_scornn_hidden_learning_rate():
    config = TR.RunConfig(task="ses", length=6, m=3, cell="scornn", depth=2, width=6, rms_alpha=0.9,
                          rms_eps=1e-10, hidden_lr=1e-4)
    model, _ = TR._model_for(config, config.make_task())
    opt = TR._optimizer(model, config)
    assert [g["lr"] for g in opt.param_groups] == [1e-3, 1e-4]
    assert all(g["alpha"] == 0.9 and g["eps"] == 1e-10 for g in opt.param_groups)
    assert {id(p) for p in opt.param_groups[1]["params"]} == {id(a) for a in model.A}
    assert sum(len(g["params"]) for g in opt.param_groups) == len(list(model.parameters()))


@pytest.mark.parametrize("clip,called", [(0.0, False), (1.0, True)])
def test_clip_zero_turns_clipping_off(monkeypatch, clip, called):
    calls = []
    monkeypatch.setattr(torch.nn.utils, "clip_grad_norm_", lambda *a, **k: calls.append(a))
    config = TR.RunConfig(task="ses", length=4, m=2, width=4, steps=3, eval_every=3, val_size=8, test_size=8,
                          clip=clip)
    TR.train_run(config, progress=False)
    assert bool(calls) == called and len(calls) == (3 if called else 0)


def test_authors_schedule_cuts_once_then_stops():
    # min_delta 10: only the first evaluation is progress; patience 1: the second evaluation
    # without progress cuts the lr (eval 3, step 6), the second one after that stops (eval 5)
    config = TR.RunConfig(task="ses", length=4, m=2, width=4, steps=100, eval_every=2, patience=1, lr=0.5,
                          schedule="authors", min_delta=10.0, val_size=16, test_size=16)
    rec = TR.train_run(config, progress=False)
    assert rec["curves"]["lr"] == pytest.approx([0.5, 0.5, 0.5, 0.05, 0.05])
    assert rec["stopped_early"] and rec["steps_done"] == 10 and rec["curves"]["step"] == [2, 4, 6, 8, 10]
    assert rec["best"]["step"] == 2  # later losses never beat the first by min_delta


# ---------------------------------------------------------------- cells

def test_scornn_recurrent_matrix_is_orthogonal_cayley():
    gen = torch.Generator().manual_seed(0)
    model = M.ScoRNNStack(5, 9, 2, 3, generator=gen, dtype=torch.float64)
    with torch.no_grad():
        for a in model.A:
            a.copy_(torch.randn(a.shape, generator=gen, dtype=torch.float64))
    eye = torch.eye(9, dtype=torch.float64)
    for l in range(2):
        A, W = model.skew(l), model.recurrent(l)
        assert torch.equal(A, -A.t())
        assert float((W.t() @ W - eye).abs().max().detach()) < 1e-10
        # the Cayley form by an independent route: (I + A) W D = I - A
        assert float(((eye + A) @ W @ torch.diag(model.D) - (eye - A)).abs().max().detach()) < 1e-10
    assert model.D.tolist() == [1.0] * 4 + [-1.0] * 5
    assert sum(p.numel() for p in model.parameters()) == M.param_count("scornn", 2, 9, 5, 3)
    x = torch.nn.functional.one_hot(torch.randint(0, 5, (4, 7), generator=gen), 5).double()
    assert model(x).shape == (4, 3)


def test_scornn_trains_and_its_recurrent_matrix_stays_orthogonal():
    config = TR.RunConfig(task="copy", length=2, m=2, cell="scornn", depth=1, width=12, steps=30, eval_every=10,
                          val_size=32, test_size=32)
    task = config.make_task()
    model, _ = TR._model_for(config, task)
    TR._fit(model, task, config, np.random.default_rng(0), task.sample(32, 1), False)
    W = model.recurrent(0).double()
    assert float((W.t() @ W - torch.eye(12, dtype=torch.float64)).abs().max().detach()) < 1e-5  # float32 solve


@pytest.mark.parametrize("bias", [1.0, 0.0, 2.5])
def test_lstm_forget_bias(bias):
    R = 6
    model = M.build_model("lstm", 3, R, 7, 2, per_step=False, forget_bias=bias, seed=1)
    plain = torch.nn.LSTM(7, R, num_layers=3, batch_first=True)
    for l in range(3):
        b_ih, b_hh = getattr(model.rnn, f"bias_ih_l{l}"), getattr(model.rnn, f"bias_hh_l{l}")
        assert torch.all(b_ih[R:2 * R] + b_hh[R:2 * R] == bias)  # gate order i, f, g, o
        assert b_ih[:R].abs().max() <= 1 / R**0.5 and b_ih[:R].abs().max() > 0  # the rest: torch default
        assert getattr(plain, f"bias_ih_l{l}").shape == b_ih.shape
    assert TR.RunConfig().forget_bias == 1.0


# ---------------------------------------------------------------- statistics, names

def test_summarize_against_numpy_and_student_t():
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(0)
    for n in (2, 3, 5, 12, 31, 40):
        v = rng.normal(size=n)
        s = summarize(list(v) + [None, float("nan")])
        half = (stats.t.ppf(0.975, n - 1) if n <= 31 else 1.96) * v.std(ddof=1) / math.sqrt(n)
        assert s["n"] == n and s["mean"] == pytest.approx(v.mean(), abs=1e-12)
        assert (s["hi"] - s["lo"]) / 2 == pytest.approx(half, rel=2e-4)  # t table to 4 digits
        assert (s["hi"] + s["lo"]) / 2 == pytest.approx(v.mean(), abs=1e-12)
        assert (s["min"], s["max"]) == (v.min(), v.max())
    one = summarize([0.4])
    assert one["n"] == 1 and one["lo"] is None and one["mean"] == 0.4
    assert summarize([])["n"] == 0


def test_parse_seeds():
    assert parse_seeds("0-4") == [0, 1, 2, 3, 4]
    assert parse_seeds("3, 1,1-2") == [1, 2, 3]
    for bad in ("", "4-1", "a", "-1", "1,,x"):
        with pytest.raises(InputError, match="seeds"):
            parse_seeds(bad)


def _fake(cell, depth, length, seed, acc, steps=100, left=None):
    config = {**TR.asdict(TR.RunConfig(cell=cell, depth=depth, length=length, seed=seed, steps=steps,
                                       m=5, val_size=512))}
    return {"config": config, "test": {"accuracy": acc, "loss": 1 - acc}, "chance": {"accuracy": 1 / 3, "loss": 1.0},
            "left_chance_step": left}


def test_aggregate_records_groups_seeds_and_keeps_series_apart():
    recs = [_fake("rac", d, t, s, 0.3 + 0.1 * d + 0.01 * s + 0.001 * t, left=None if d == 1 else 100 * (s + 1))
            for d in (1, 2) for t in (20, 10) for s in (2, 0, 1)]
    recs += [_fake("rac", 2, 20, s, 0.9, steps=500) for s in (0, 1)]  # another series: more steps
    rows = aggregate_records(recs)
    assert [(r["depth"], r["x"], r["n"]) for r in rows] == [(1, 10, 3), (1, 20, 3), (2, 10, 3), (2, 20, 3),
                                                            (2, 20, 2)]
    r = rows[3]
    vals = [0.3 + 0.2 + 0.01 * s + 0.02 for s in (0, 1, 2)]
    assert r["seeds"] == [0, 1, 2] and r["values"] == pytest.approx(vals)
    assert r["mean"] == pytest.approx(np.mean(vals)) and r["left_chance"] == [100, 200, 300] and r["n_left"] == 3
    assert rows[0]["n_left"] == 0
    assert "steps=500" in rows[4]["label"] and "steps=100" in rows[3]["label"]
    table = format_table(rows)
    assert "| rac, depth 2 (steps=100) | 20 |" in table and "0:0.520 1:0.530 2:0.540" in table
    assert "never never never" in table


def test_record_names_carry_every_parameter():
    base = TR.RunConfig(task="ses", length=20, m=5)
    names = {TR.record_path("out", base).name}
    for f in fields(TR.RunConfig):
        value = getattr(base, f.name)
        strings = {"task": "copy", "cell": "lstm", "rac_norm": "none", "layout": "offset",
                   "convention": "authors", "hash": "random", "schedule": "authors"}
        new = strings[f.name] if isinstance(value, str) else value + 1 if isinstance(value, int) else \
            value * 0.5 + 0.125
        name = TR.record_path("out", replace(base, **{f.name: new})).name
        assert name not in names, f.name
        names.add(name)
    assert TR.record_path("out", replace(base)).name == TR.record_path("out", base).name  # stable
    assert TR.record_path("out", base).name.startswith("ses_rac_L1_T20_m5_w64_s2000_seed0_")


def test_left_chance_step_uses_three_standard_errors():
    rec = _fake("rac", 1, 10, 0, 0.5)
    threshold = 1 / 3 + 3 * math.sqrt((1 / 3) * (2 / 3) / 512)  # 0.3958
    rec["curves"] = {"step": [100, 200, 300], "val_accuracy": [0.39, threshold + 1e-9, 0.8]}
    assert TR.left_chance_step(rec) == 200
    rec["curves"]["val_accuracy"] = [0.34, 0.35, 0.39]
    assert TR.left_chance_step(rec) is None


# ---------------------------------------------------------------- the rank-r regression task

def _svd_floor(Y: np.ndarray, R: int) -> float:
    s = np.linalg.svd(Y.astype(np.float64), compute_uv=False)
    return float(np.sum(s[R:] ** 2) / Y.size)


@pytest.mark.parametrize("a,T,r,hash_", [(2, 4, 3, "sum"), (4, 8, 6, "sum"), (4, 8, 13, "sum"), (3, 6, 1, "sum"),
                                         (2, 8, 7, "random"), (3, 4, 9, "random"), (16, 4, 6, "first"),
                                         (5, 4, 5, "first")])
def test_rank_task_target_rank_and_floor_with_tnrnn_engines(a, T, r, hash_):
    from tnrnn.rank.fieldrank import flint_rank_mod_p, numpy_rank_mod_p

    task = RankTask(T=T, r=r, alphabet=a, hash=hash_)
    Y = target_matrix(task)
    assert Y.shape == (a ** (T // 2),) * 2
    # the target is the matricization: read every sequence of the full grid back
    x, y = task.full_grid()
    assert np.array_equal(y.reshape(task.N, task.N), Y)
    codes = x @ (a ** np.arange(T))
    assert np.unique(codes).size == task.N ** 2
    p = 2**31 - 1
    assert numpy_rank_mod_p(Y, p) == r and flint_rank_mod_p(Y, p) == r
    assert np.linalg.matrix_rank(Y.astype(float)) == r
    s = np.linalg.svd(Y.astype(np.float64), compute_uv=False)
    assert np.allclose(s[:r], sorted(task.class_sizes(), reverse=True))  # singular values = class sizes
    for R in range(0, r + 2):
        floor = eckart_young_floor(task, R)
        assert float(floor) == pytest.approx(_svd_floor(Y, R), abs=1e-12)
        assert (floor == 0) == (R >= r)
    assert float(eckart_young_floor(task, 0)) == pytest.approx(float(task.positive_rate))


def test_rank_floor_by_hand():
    # alphabet 2, T = 4, r = 3, sum hash: blocks 00, 01, 10, 11 have sums 0, 1, 1, 2, so the
    # classes have sizes 1, 2, 1 and Y (4 x 4) has singular values 2, 1, 1:
    # floor(1) = (1 + 1) / 16 = 1/8, floor(2) = 1/16, floor(3) = 0
    task = RankTask(T=4, r=3, alphabet=2)
    assert target_matrix(task).tolist() == [[1, 0, 0, 0], [0, 1, 1, 0], [0, 1, 1, 0], [0, 0, 0, 1]]
    assert [eckart_young_floor(task, R) for R in (1, 2, 3)] == [Fraction(1, 8), Fraction(1, 16), 0]
    # T = 2, r = 2: Y = I_2; the best rank-1 approximation leaves one unit singular value: 1/4
    assert eckart_young_floor(RankTask(T=2, r=2, alphabet=2), 1) == Fraction(1, 4)
    assert RankTask(T=4, r=3, alphabet=2).positive_rate == Fraction(6, 16)
    assert RankTask(T=4, r=3, alphabet=2).chance_loss == pytest.approx(6 / 16 * 10 / 16)


@pytest.mark.parametrize("R,seed", [(2, 0), (3, 1), (5, 2)])
def test_depth1_rac_function_obeys_the_floor(R, seed):
    # a depth-1 pure RAC with R channels: its function on the full grid has Start-End rank <= R,
    # so its mean squared error is at least the floor; a depth-2 RAC's rank can exceed R
    from tnrnn import RACSpec, random_weights

    task = RankTask(T=8, r=6, alphabet=3)
    x, y = task.full_grid()
    xt = torch.nn.functional.one_hot(torch.from_numpy(x), 3).double()
    model = M.rac_from_weights(random_weights(RACSpec(M=3, R=R, L=1, T=8, K=1), rng=seed))
    g = model(xt)[:, 0].detach().numpy()
    G = g.reshape(task.N, task.N)
    s = np.linalg.svd(G, compute_uv=False)
    assert np.sum(s > 1e-9 * s[0]) <= R
    for c in np.linspace(-2, 2, 9):  # any rescaling is still rank <= R
        assert np.mean((c * g - y) ** 2) >= float(eckart_young_floor(task, R)) - 1e-12
    deep = M.rac_from_weights(random_weights(RACSpec(M=3, R=R, L=2, T=8, K=1), rng=seed))
    s2 = np.linalg.svd(deep(xt)[:, 0].detach().numpy().reshape(task.N, task.N), compute_uv=False)
    assert np.sum(s2 > 1e-9 * s2[0]) > R


def test_rank_task_errors():
    with pytest.raises(InputError, match="even T"):
        RankTask(T=5, r=2)
    with pytest.raises(InputError, match="exceeds"):
        RankTask(T=4, r=4, alphabet=2)  # sums 0..2: at most 3 classes
    with pytest.raises(InputError, match="hash"):
        RankTask(T=4, r=2, hash="md5")
    with pytest.raises(InputError, match="exceeds"):
        RankTask(T=4, r=5, alphabet=4, hash="first")
    with pytest.raises(InputError, match="R must"):
        eckart_young_floor(RankTask(T=4, r=2), -1)


def test_rank_training_scores_the_exact_population_error(tmp_path):
    config = TR.RunConfig(task="rank", length=4, rank=3, alphabet=2, width=2, steps=40, eval_every=20,
                          val_size=64, rac_norm="none")
    rec = TR.train_run(config, out_dir=tmp_path, progress=False)
    assert rec["test"]["exact"] and rec["task"]["rank"] == 3
    assert rec["task"]["floor"] == pytest.approx(1 / 16)
    assert rec["test"]["loss"] >= rec["task"]["floor"] - 1e-7
    assert rec["chance"]["loss"] == pytest.approx(6 / 16 * 10 / 16)
    assert json.loads(TR.record_path(tmp_path, config).read_text())["task"]["class_sizes"] == [1, 2, 1]


def test_rank_cli_end_to_end(tmp_path):
    from tnrnn.experiments.cli import add_experiment_parser, run_experiment

    parser = argparse.ArgumentParser()
    add_experiment_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["experiment", "rank", "--quick", "--lengths", "4", "--alphabet", "2", "--ranks", "1,3",
                              "--hash", "sum", "--steps", "10", "--eval-every", "5", "--val-size", "16",
                              "--seeds", "0-1",
                              "--workers", "1", "--no-progress", "--out", str(tmp_path)])
    assert run_experiment(args) == 0
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert len(summary["runs"]) == 8 and summary["preset"] == "quick"
    assert {(a["depth"], a["x"], a["n"]) for a in summary["aggregate"]} == {(d, r, 2) for d in (1, 2) for r in (1, 3)}
    budget = M.param_count("rac", 1, 4, 2, 1)
    assert {r["width"] for r in summary["runs"] if r["depth"] == 2} == {M.match_width("rac", 2, budget, 2, 1)}
    table = (tmp_path / "rank_table.md").read_text()
    assert "Eckart-Young floor of a depth-1 RAC with R=4: r=1: 0.0000, r=3: 0.0000" in table
    assert (tmp_path / "rank_accuracy.png").stat().st_size > 1000
    assert len(list((tmp_path / "runs").glob("*.json"))) == 8


def test_authors_flag_sets_every_authors_setting():
    from tnrnn.experiments.cli import AUTHORS, _base_config, _settings, add_experiment_parser

    parser = argparse.ArgumentParser()
    add_experiment_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["experiment", "ses", "--quick", "--authors", "--clip", "0.5"])
    config = _base_config(args, _settings(args))
    assert (config.layout, config.convention, config.rms_alpha, config.rms_eps, config.schedule) == \
        ("offset", "authors", 0.9, 1e-10, "authors")
    assert config.clip == 0.5 and config.eval_every == AUTHORS["eval_every"] and config.min_delta == 1e-3
    assert config.m == 5 and config.steps == 3000  # the preset's other settings stay
    plain = parser.parse_args(["experiment", "ses", "--quick"])
    config = _base_config(plain, _settings(plain))
    assert (config.layout, config.clip, config.schedule, config.patience) == ("fixed", 1.0, "plateau", 100)


def test_explicit_device_trains_the_same_run():
    # the --device path (tensors and model moved) gives the very same run on the CPU
    config = TR.RunConfig(task="rank", length=4, rank=2, alphabet=2, hash="sum", width=3, steps=12, eval_every=4,
                          val_size=32, rac_norm="none", seed=3)
    a, b = TR.train_run(config, progress=False), TR.train_run(config, progress=False, device="cpu")
    assert a["curves"] == b["curves"] and a["test"] == b["test"] and b["torch"]["device"] == "cpu"
    from tnrnn.experiments.cost import estimate_cost

    report = estimate_cost([config, replace(config, seed=4)], workers=2, repeat=1)
    assert "2 runs" in report and "ms/step" in report and report.count("\n") == 1
