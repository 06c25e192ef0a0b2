"""Tests of tnrnn.atlas: a small atlas, its counts recomputed from the rows, resuming, figures."""

import json

import pytest

from tnrnn.atlas import T_MAX, atlas_passes, atlas_summary, make_atlas
from tnrnn.bounds import read_bounds_table
from tnrnn.cli import main
from tnrnn import Partition
from tnrnn.formulas import bottleneck_degree_bound, boundary_syzygy_bound, multiset


SMALL = dict(L_values=[1, 2, 3], M_values=[2, 3], R_values=[2, 3], T_max={1: 6, 2: 10, 3: 8}, max_rank=60,
             progress=False)


@pytest.fixture(scope="module")
def atlas(tmp_path_factory):
    out = tmp_path_factory.mktemp("atlas")
    paths = make_atlas(out, **SMALL)
    return out, paths, read_bounds_table(out / "atlas.sqlite")


def test_passes_cover_every_partition_and_depth():
    passes = atlas_passes()
    assert [p["L_values"] for p in passes] == [[2], [3], [1], [4], [2], [3], [1], [4]]
    for p in passes:
        L = p["L_values"][0]
        assert p["T_values"] == list(range(2, T_MAX[L] + 1)) and p["M_values"] == [1, 2, 3, 4, 5, 6]
    splits = passes[4]["partitions"]
    assert splits == [f"split:{k}" for k in range(1, T_MAX[2])]


def test_atlas_files_and_counts(atlas):
    out, paths, rows = atlas
    names = {p.name for p in paths}
    assert {"atlas.sqlite", "atlas.csv.gz", "atlas_summary.json", "atlas_L1.png", "atlas_L2.png",
            "atlas_L3.png"} <= names
    assert not {"atlas.csv", "atlas.json"} & names  # written on demand only
    assert all(p.exists() for p in paths)
    summary = json.loads((out / "atlas_summary.json").read_text())
    ok = [r for r in rows if r["status"] == "ok"]
    # independent recount from the rows, by distinct case: the spec and the unordered pair of sides
    def case(r):
        B = tuple(sorted(set(range(1, r["T"] + 1)) - set(r["A"])))
        return (r["L"], r["M"], r["R"], r["T"], min(tuple(r["A"]), B))

    cases = {case(r): r for r in ok}
    assert summary["rows"] == len(rows) and summary["rows_ok"] == len(ok) and summary["violations"] == 0
    assert summary["cases"] == len(cases) < len(ok)  # split:T/2 repeats start-end
    assert summary["cases_disagreeing"] == 0
    new = {k: [f(r["M"], r["R"], r["L"], Partition.from_sets(r["A"], r["T"]))
               for f in (bottleneck_degree_bound, boundary_syzygy_bound)] for k, r in cases.items()}
    assert summary["proven"] == sum(r["exact"] == min([b for b in new[k] if b is not None]
                                                      + [r[b] for b in ("mincut", "degree", "symmetric", "ideal",
                                                                        "all_chains") if r[b] is not None])
                                    for k, r in cases.items())
    # the sweep's own rows already use every registered bound, so the re-derived flags agree with them,
    # and the bottleneck bound proves cases the older bounds leave open
    assert summary["proven"] == sum(r["proven"] for r in cases.values())
    assert any("bottleneck" in (r["proven_by"] or "") and r["exact"] < min(
        r[b] for b in ("mincut", "degree", "symmetric", "ideal") if r[b] is not None) for r in cases.values())
    se3 = [r for r in cases.values() if r["L"] == 3 and r["lower"] is not None]
    assert summary["conjecture_checks"] == len(se3) > 0
    assert summary["conjecture_holds"] == summary["conjecture_checks"]
    shallow = [r for r in cases.values() if r["L"] == 1 and r["lower"] is not None]
    assert summary["theorem1_shallow_equal"] == len(shallow) > 0
    assert all(r["exact"] == min(r["R"], r["M"] ** (r["T"] // 2)) for r in shallow)
    held, total = summary["depth2_formula"]["start_end"]
    assert held == total > 10
    # every partition kind is there, and T grew until the rank cap refused a row
    assert {"start-end", "interleaved", "split:1", "split:3"} <= {r["partition"] for r in rows}
    too_large = [r for r in rows if r["status"] == "too-large"]
    assert too_large and all("max_probes" in r["error"] or "as large as" in r["error"] for r in too_large)
    # depth 2, M = 2 < R = 3: the boundary-ideal bound is the one that proves the rank
    r = next(r for r in ok if (r["L"], r["M"], r["R"], r["T"], r["partition"]) == (2, 2, 3, 8, "start-end"))
    assert r["exact"] == r["ideal"] == 3 * (multiset(3, 4) - 1) and r["proven_by"] == "ideal"


def test_atlas_resumes_without_recomputing(atlas, monkeypatch):
    out, _, rows = atlas
    import tnrnn.bounds.table as table_mod

    def refuse(payload):
        raise AssertionError(f"row recomputed: {payload}")

    monkeypatch.setattr(table_mod, "compute_bounds_row", refuse)
    make_atlas(out, **SMALL)
    assert len(read_bounds_table(out / "atlas.sqlite")) == len(rows)


def test_summary_reports_a_depth2_formula_failure_away_from_start_end():
    row = dict(L=2, M=3, R=2, T=6, partition="split:1", A=[1], status="ok", exact=7, lower=None, lower_status=None,
               proven=False, proven_by=None, mincut=64, degree=28, symmetric=12, ideal=12, all_chains=None)
    s = atlas_summary([row])
    assert s["depth2_formula"]["other_prefix"] == [0, 1]
    assert s["depth2_formula"]["failures_other_prefix"] == [[3, 2, 6, "split:1", 7, 12]]
    # with the bottleneck column (multiset(2, 6) = 7) the formula holds
    assert atlas_summary([{**row, "bottleneck": 7}])["depth2_formula"]["other_prefix"] == [1, 1]


def test_summary_counts_repeated_partitions_once():
    """split:T/2 and interleaved at T = 2 are Start-End: one case each, however many names."""
    base = dict(L=2, M=2, R=2, status="ok", lower=3, lower_status="theorem", proven=True, mincut=4, degree=4,
                ideal=3, symmetric=3, exact=3)
    rows = [dict(base, T=4, partition="start-end", A=[1, 2]), dict(base, T=4, partition="split:2", A=[1, 2]),
            dict(base, T=2, partition="start-end", A=[1], exact=2, ideal=2), dict(base, T=2, partition="interleaved",
                                                                                  A=[1], exact=2, ideal=2),
            dict(base, T=2, partition="split:1", A=[1], exact=2, ideal=2)]
    s = atlas_summary(rows)
    assert (s["rows_ok"], s["cases"], s["theorem_checks"], s["theorem_checks_rows"], s["proven"]) == (5, 2, 2, 5, 2)
    assert s["per_depth"]["2"]["cases"] == 2 and s["per_depth"]["2"]["rows"] == 5
    assert s["depth2_formula"]["start_end"] == [2, 2]
    rows[1]["exact"] = 2  # two rows of one case disagree: counted, never hidden
    assert atlas_summary(rows)["cases_disagreeing"] == 1


def test_cli_atlas(capsys, tmp_path):
    code = main(["atlas", "--out", str(tmp_path), "--L", "2", "--M", "2", "--R", "2", "--max-rank", "10"])
    assert code == 0 and "atlas_L2.png" in capsys.readouterr().out
    assert (tmp_path / "atlas.csv.gz").exists() and not (tmp_path / "atlas.csv").exists()


def test_cli_atlas_of_members_has_their_columns_and_heatmap_rows(capsys, tmp_path, monkeypatch):
    """--R 3,2 --cell mi --cell mi,cp:2: two members of depth 2, with the same M, R, L;
    their rows, summary counts and heatmap rows stay apart."""
    import tnrnn.atlas as atlas_mod

    code = main(["atlas", "--out", str(tmp_path), "--L", "2", "--M", "2", "--R", "3,2", "--cell", "mi",
                 "--cell", "mi,cp:2", "--T-max", "2:4", "--max-rank", "60"])
    assert code == 0 and "atlas_L2.png" in capsys.readouterr().out
    rows = read_bounds_table(tmp_path / "atlas.sqlite")
    cells = {json.dumps(r["cell"]) for r in rows}
    assert cells == {'"mi"', '["mi", "cp:2"]'} and all(r["R"] == [3, 2] for r in rows)
    assert len(rows) == len({(json.dumps(r["cell"]), r["T"], r["partition"]) for r in rows})
    import gzip

    header = gzip.decompress((tmp_path / "atlas.csv.gz").read_bytes()).decode().splitlines()[0].split(",")
    assert "cell" in header and "dilations" in header
    labels = []
    import matplotlib.axes

    real = matplotlib.axes.Axes.set_yticks
    def spy(self, ticks, names=None, **kw):
        labels.append(list(names or []))
        return real(self, ticks, names, **kw)

    monkeypatch.setattr(matplotlib.axes.Axes, "set_yticks", spy)
    atlas_mod.plot_atlas(rows, tmp_path)
    assert len(labels) == 1 and sorted(labels[0]) == ["M=2 R=3,2 cell=mi", "M=2 R=3,2 cell=mi,cp:2"]


def test_cli_atlas_T_max_and_a_depth_beyond_the_table(capsys, tmp_path):
    """--T-max sets the largest T per depth; a depth the table does not list (5) takes the
    deepest listed depth's value instead of failing (it raised KeyError: 5)."""
    code = main(["atlas", "--out", str(tmp_path), "--L", "2,5", "--M", "1", "--R", "1", "--T-max", "2:5",
                 "--max-rank", "10"])
    assert code == 0 and "atlas_L5.png" in capsys.readouterr().out
    rows = read_bounds_table(tmp_path / "atlas.sqlite")
    assert max(r["T"] for r in rows if r["L"] == 2) == 5
    assert max(r["T"] for r in rows if r["L"] == 5) == T_MAX[4] == 12
    assert [p["T_values"][-1] for p in atlas_passes([2, 7], T_max={2: 48})] == [48, 12, 48, 12]


@pytest.mark.parametrize("argv, says", [
    (["--T-max", "2:1"], "expected L:T pairs"), (["--T-max", "2=48"], "expected L:T pairs"),
    (["--T-max", "0:8"], "expected L:T pairs"), (["--max-rank", "-5"], "--max-rank: expected an integer"),
    (["--workers", "0"], "--workers: expected an integer"), (["--budget", "nan"], "positive number of seconds"),
    (["--max-seconds", "-1"], "positive number of seconds"), (["--seed", "-1"], "--seed: expected an integer"),
])
def test_cli_atlas_refuses_bad_options_in_one_line(capsys, tmp_path, argv, says):
    code = main(["atlas", "--out", str(tmp_path), *argv])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and says in err[-1] and "Traceback" not in "\n".join(err)


def test_heatmap_labels_at_most_12_lengths_and_marks_missing_cells(monkeypatch, tmp_path):
    """Up to T = 48 (24 Start-End lengths) the T labels overlapped; at most 12 now, every
    other length, and cells not computed are darker than a tight (white) one."""
    import matplotlib.colors as mcolors

    import tnrnn.drawing as drawing
    from tnrnn.atlas import plot_atlas

    seen = []
    monkeypatch.setattr(drawing, "write_figure", lambda fig, path: seen.append(fig) or path)
    rows = [dict(L=2, M=2, R=2, T=T, partition="start-end", status="ok", exact=T, mincut=2 * T, degree=T)
            for T in range(2, 49, 2)]
    plot_atlas(rows, tmp_path)
    ax = seen[0].axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == [str(T) for T in range(2, 49, 4)]
    assert sum(mcolors.to_rgb(ax.get_facecolor())) < 3 * 0.8
