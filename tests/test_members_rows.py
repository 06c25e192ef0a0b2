"""Rows carry the whole spec, and a bound is one declaration: members never merge in rows,
stores, exports, plots or labels; a toy bound registered once shows up everywhere."""

from __future__ import annotations

import dataclasses
import json

import pytest

from tnrnn import Partition, RACSpec
from tnrnn.boundset import Bound, bound_names, register, unregister
from tnrnn.bounds import bound_row, bounds_table, check_bounds, read_bounds_table
from tnrnn.bounds.table import export_bounds_table
from tnrnn.cli import main
from tnrnn.drawing import plot_bounds
from tnrnn.rank import separation_rank
from tnrnn.store import ResultStore, read_table

from specs import TWINS


def _legend(fig) -> list[str]:
    return [t.get_text() for t in fig.figure.legends[0].get_texts()]


def _curve_keys(fig) -> set:
    """(colour, marker) of every exact-rank curve (one per member)."""
    ax = fig.figure.axes[0]
    return {(ln.get_color(), ln.get_marker()) for ln in ax.get_lines() if ln.get_linestyle() == "-"}


# --------------------------------------------------------------------------- members never merge
def test_rows_of_twins_never_print_alike_and_hold_their_own_ranks():
    rows = check_bounds([(s, "start-end") for s in TWINS], with_mincut=False)
    texts = [repr(r) for r in rows]
    assert len(set(texts)) == 4 and "cell=('mi', 'cp:2')" in texts[1] and "dilations=(1, 2)" in texts[2]
    assert "bias=True" in texts[3]
    lines = repr(rows).splitlines()[2:]
    assert len(set(lines)) == 4  # the text table: R 3,2 and the cell/bias/dilation columns tell them apart
    for spec, row in zip(TWINS, rows):
        assert row.spec == spec and (row.R, row.cell, row.dilations) == (spec.R, spec.cell, spec.dilations)
        d = row.to_dict()
        assert (d["R"], d["cell"], d["bias"], d["dilations"]) == ([3, 2], spec.cell if isinstance(spec.cell, str)
                                                                  else list(spec.cell), spec.bias,
                                                                  1 if spec.plain or spec.dilations == (1, 1)
                                                                  else list(spec.dilations))
        assert row.exact == separation_rank(spec, "start-end", rng=row.seed).rank  # its own rank
    assert [r.exact for r in rows][:3] == [18, 18, 10]


def test_widths_in_either_order_print_apart():
    rows = check_bounds([RACSpec(M=2, R=(3, 2), L=2, T=6), RACSpec(M=2, R=(2, 3), L=2, T=6)], with_mincut=False)
    assert [r.exact for r in rows] == [18, 12]
    assert " 3,2 " in repr(rows) and " 2,3 " in repr(rows)


def test_a_sweep_of_two_members_with_the_same_M_R_L_T_never_shares_a_row_curve_or_label(tmp_path, capsys):
    out = tmp_path / "t.sqlite"
    code = main(["sweep", "--M", "2", "--R", "3,2", "--L", "2", "--T", "2,4,6", "--cell", "mi",
                 "--cell", "mi,cp:2", "--dilations", "1", "--dilations", "1,2", "--workers", "1", "-o", str(out)])
    assert code == 0
    assert main(["export", str(out), "-o", str(tmp_path / "t.csv"), "-o", str(tmp_path / "t.json")]) == 0
    capsys.readouterr()
    header, *lines = (tmp_path / "t.csv").read_text().splitlines()
    cols = header.split(",")
    assert cols[:9] == ["L", "M", "R", "cell", "bias", "dilations", "T", "partition", "A"]
    assert len(lines) == 4 * 3  # 2 cells x 2 dilations x 3 lengths, none merged
    _, rows = read_table(tmp_path / "t.json")
    members = {(r["cell"] if isinstance(r["cell"], str) else tuple(r["cell"]),
                r["dilations"] if isinstance(r["dilations"], int) else tuple(r["dilations"])) for r in rows}
    assert members == {("mi", 1), ("mi", (1, 2)), (("mi", "cp:2"), 1), (("mi", "cp:2"), (1, 2))}
    assert len({(json.dumps(r["cell"]), json.dumps(r["dilations"]), r["T"]) for r in rows}) == 12
    for r in rows:  # each row is its own member's rank, at its own seed
        spec = RACSpec(M=2, R=(3, 2), L=2, T=r["T"], cell=r["cell"] if isinstance(r["cell"], str) else tuple(r["cell"]),
                       dilations=r["dilations"] if isinstance(r["dilations"], int) else tuple(r["dilations"]))
        assert r["exact"] == separation_rank(spec, "start-end", rng=r["seed"]).rank
    fig = plot_bounds(rows)
    labels = [t for t in _legend(fig) if t.startswith("$L=")]
    assert len(labels) == len(set(labels)) == 4  # four members, four labels
    assert len(_curve_keys(fig)) == 4  # four exact-rank curves, each its colour and marker


def test_mi_and_cp_rows_draw_two_curves_with_different_labels():
    rows = [r.to_dict() for r in check_bounds([(RACSpec(M=2, R=3, L=2, T=T), "start-end") for T in (2, 4)]
                                              + [(RACSpec(M=2, R=3, L=2, T=T, cell="cp:2"), "start-end")
                                                 for T in (2, 4)], with_mincut=False)]
    fig = plot_bounds(rows)
    labels = [t for t in _legend(fig) if t.startswith("$L=")]
    assert labels == ["$L=2$, cell cp:2", "$L=2$, cell mi"]
    assert len(_curve_keys(fig)) == 2


def test_rows_without_member_columns_read_as_plain_rracs(tmp_path):
    """Older stores and JSON files: no cell/bias/dilations keys -> cell mi, no bias, dilations 1."""
    old = [dict(L=2, M=2, R=2, T=T, partition="start-end", A=list(range(1, T // 2 + 1)), status="ok",
                exact=e, degree=d) for T, e, d in ((2, 2, 3), (4, 6, 9))]
    new = bounds_table(None, L_values=[2], M_values=[2], R_values=[2], T_values=[2, 4], progress=False)
    fig = plot_bounds(old + [dict(r) for r in new])
    assert len(_curve_keys(fig)) == 1  # the same plain member: one curve
    paths = export_bounds_table(old, [tmp_path / "old.md"])
    assert "cell" not in paths[0].read_text()  # plain rows: no member columns in the paper table
    from tnrnn.atlas import atlas_summary

    assert atlas_summary(old)["per_depth"]["2"]["rows"] == 2


def test_a_plain_sweep_resumes_a_store_written_before_the_member_columns(tmp_path):
    """Plain rows keep the keys of older stores: the same sweep computes nothing again."""
    from tnrnn.bounds import table as table_mod

    path = tmp_path / "t.sqlite"
    grid = dict(L_values=[1], M_values=[2], R_values=[2], T_values=[2, 4], progress=False)
    bounds_table(path, **grid)
    with ResultStore(path) as store:
        keys = [r["key"] for r in store.rows("bounds")]
    assert all("cell" not in json.dumps(k) for k in keys)  # the key of a plain row names no member field
    calls = []
    real = table_mod.compute_bounds_row
    table_mod.compute_bounds_row = lambda p: calls.append(p) or real(p)
    try:
        bounds_table(path, **grid)
    finally:
        table_mod.compute_bounds_row = real
    assert calls == []


# --------------------------------------------------------------------------- a bound is one declaration
def test_a_toy_bound_registered_once_shows_up_in_rows_tables_exports_and_plots(tmp_path):
    def toy(spec, partition):
        """Twice the degree bound (an upper bound because the degree bound is)."""
        from tnrnn.boundset.declarations import degree_value

        return 2 * degree_value(spec, partition)

    register(Bound("toy", "toy bound", "upper", lambda s, p: None, toy, marker="*"))
    try:
        spec = RACSpec(M=2, R=2, L=2, T=4)
        row = bound_row(spec, "start-end", rng=0, with_mincut=False)
        assert row.toy == 2 * row.degree == 12 and "toy=12" in repr(row)
        assert row.to_dict()["toy"] == 12 and "toy" in bound_names("upper")
        rows = bounds_table(None, L_values=[2], M_values=[2], R_values=[2], T_values=[2, 4], progress=False,
                            with_mincut=False)
        assert [r["toy"] for r in rows] == [2 * r["degree"] for r in rows]
        paths = export_bounds_table(rows, [tmp_path / "t.csv", tmp_path / "t.md"])
        assert "toy" in paths[0].read_text().splitlines()[0].split(",")
        assert "| toy |" in paths[1].read_text()
        assert "toy bound" in _legend(plot_bounds(rows))
        assert dataclasses.replace(row, toy=1).toy == 1
    finally:
        unregister("toy")
    assert "toy" not in bound_names()
    assert "toy" not in bound_row(RACSpec(M=2, R=2, L=2, T=4), "start-end", rng=0, with_mincut=False).to_dict()


def test_a_toy_bound_that_applies_nowhere_is_none_with_its_reason():
    from tnrnn.boundset import not_applied

    register(Bound("never", "never", "upper", lambda s, p: "never applies", lambda s, p: 1))
    try:
        spec, part = RACSpec(M=2, R=2, L=1, T=4), Partition.start_end(4)
        assert bound_row(spec, part, rng=0, with_mincut=False).never is None
        assert not_applied(spec, part)["never"] == "never applies"
    finally:
        unregister("never")


@pytest.mark.parametrize("argv, says", [
    (["--L", "1,2", "--R", "2,3"], "R=2,3 gives one value per layer for L=2, but the grid has L in [1, 2]"),
    (["--L", "2", "--cell", "cp:2", "--bias"], "bias is defined for 'mi' layers only"),
    (["--L", "2", "--cell", "mi,cp:0"], "cp:0"),
])
def test_sweep_refuses_a_bad_member_grid_in_one_line(tmp_path, capsys, argv, says):
    code = main(["sweep", "--M", "2", "--T", "2", *argv, "-o", str(tmp_path / "t.sqlite")])
    err = capsys.readouterr().err
    assert code == 2 and says in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "t.sqlite").exists()
