"""The tnrnn command: outputs equal the public API's, errors are one line with status 2."""

import json
import subprocess
import sys

import pytest

import tnrnn
from tnrnn.cli import main


def run(capsys, *argv):
    """Exit status, stdout and stderr of ``tnrnn *argv`` (argparse errors exit via SystemExit)."""
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0 and tnrnn.__version__ in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["bound", "--help"])
    assert "example:" in capsys.readouterr().out


def test_bound_json_matches_the_api(capsys):
    code, out, _ = run(capsys, "bound", "--M", "3", "--R", "3", "--L", "2", "--T", "8", "--json")
    assert code == 0
    got = json.loads(out)
    spec, part = tnrnn.RACSpec(3, 3, 2, 8), tnrnn.Partition.start_end(8)
    assert got["mincut"] == tnrnn.mincut_bound(spec, part).bound == 3**5
    assert got["degree"] == tnrnn.degree_bound(3, 2, part)
    assert got["symmetric"] == tnrnn.symmetric_copies_bound(3, 2, 8)
    assert got["lower"] == tnrnn.depth2_lower_bound(3, 3, 8) and got["lower_status"] == "theorem"
    code, out, _ = run(capsys, "bound", "--M", "2", "--R", "2", "--L", "2", "--T", "5",
                       "--partition", "A:1,3", "--json")
    got = json.loads(out)
    assert got["symmetric"] is None and got["lower"] is None
    assert got["partition"]["A"] == [1, 3]
    assert got["mincut"] == tnrnn.mincut_bound(tnrnn.RACSpec(2, 2, 2, 5), "A:1,3").bound


def test_rank_and_check(capsys):
    code, out, _ = run(capsys, "rank", "--M", "2", "--R", "2", "--L", "2", "--T", "6", "--json")
    got = json.loads(out)
    want = tnrnn.separation_rank(tnrnn.RACSpec(2, 2, 2, 6), "start-end", rng=0)
    assert code == 0 and got["rank"] == want.rank and got["prime"] == tnrnn.DEFAULT_PRIME
    code, out, _ = run(capsys, "check", "--M", "2", "--R", "2", "--L", "3", "--T", "4")
    assert code == 0 and "ordering holds" in out


def test_check_exits_1_on_a_violation(capsys, monkeypatch):
    import tnrnn.bounds

    def violated(*args, **kwargs):
        raise tnrnn.BoundViolationError("exact 7 > mincut 6")

    monkeypatch.setattr(tnrnn.bounds, "check_bounds", violated)
    code, _, err = run(capsys, "check", "--M", "2", "--R", "2", "--L", "2", "--T", "4")
    assert code == 1 and "exact 7 > mincut 6" in err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["bound", "--M", "2", "--R", "0", "--T", "4"], "argument --R: expected an integer in 1..9,223,372,036,854,775,807, got '0'"),
        (["bound", "--M", "2", "--R", "2", "--T", "5"], "Start-End partition needs even T"),
        (["bound", "--M", "2", "--R", "2", "--T", "4", "--partition", "halves"], "cannot read partition"),
        (["bound", "--M", "2", "--R", "2", "--L", "3", "--T", "3000"], "has 18,036,022,002 nodes"),
        (["draw", "--M", "2", "--R", "2", "--L", "3", "--T", "3000", "-o", "x.png"], "above --max-nodes 20,000,000; lower T or L, use --merged"),
        (["draw", "--M", "2", "--R", "2", "--T", "4", "-o", "x.jpg"], "use a .pdf, .svg, .png or .tex"),
        (["rank", "--M", "4", "--R", "4", "--L", "3", "--T", "30"], "may be as large as 987,594,736"),
        (["check", "--M", "3", "--R", "3", "--L", "3", "--T", "12"], "raise --max-probes to 21010"),
    ],
)
def test_bad_arguments_one_line_status_2(capsys, argv, message):
    code, _, err = run(capsys, *argv)
    assert code == 2 and message in err and err.count("\n") == 1 and "Traceback" not in err


def test_argparse_errors_are_status_2(capsys):
    assert main(["bound", "--M", "x"]) == 2 and "argument --M: expected an integer in 1.." in capsys.readouterr().err


def test_draw_and_report(capsys, tmp_path):
    for suffix in (".svg", ".tex"):
        path = tmp_path / f"net{suffix}"
        code, out, _ = run(capsys, "draw", "--M", "2", "--R", "2", "--L", "2", "--T", "4", "--cut", "-o", str(path))
        assert code == 0 and path.stat().st_size > 0 and "min cut 8" in out
    code, out, _ = run(capsys, "report", "--quick", "--out", str(tmp_path / "fig"))
    assert code == 0
    names = {p.name for p in (tmp_path / "fig").iterdir()}
    for stem in ("shallow_mps_start_end", "deep_lattice_start_end", "growth", "growth_all_bounds"):
        assert {f"{stem}.pdf", f"{stem}.svg", f"{stem}.png"} <= names
    assert {"bounds_table.csv", "bounds_table.json", "bounds_table.md"} <= names
    rows = json.loads((tmp_path / "fig" / "bounds_table.json").read_text())["rows"]
    assert all(r["lower"] is None or r["lower"] <= r["exact"] <= r["mincut"] for r in rows)
    assert {r["L"] for r in rows} == {1, 2, 3}


def test_sweep_writes_tables(capsys, tmp_path):
    out = tmp_path / "t.csv"
    code, text, _ = run(capsys, "sweep", "--L", "1,2", "--M", "2", "--R", "2", "--T", "2,4", "-o", str(out))
    assert code == 0 and out.exists() and (tmp_path / "t.sqlite").exists()
    assert len(out.read_text().strip().splitlines()) == 1 + 4
    assert text.strip().endswith(f"-> {tmp_path / 't.sqlite'}, {out}")  # the paths really written


def test_python_dash_m():
    res = subprocess.run([sys.executable, "-m", "tnrnn", "--version"], capture_output=True, text=True)
    assert res.returncode == 0 and res.stdout.startswith("tnrnn ")


def test_experiment_without_torch_is_one_line(capsys, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "torch" else real(name, *a))
    code, _, err = run(capsys, "experiment", "ses", "--quick")
    assert code == 2 and "pip install torch==2.13.0" in err and err.count("\n") == 1


def test_json_carries_ideal_and_proven(capsys):
    args = ("--M", "2", "--R", "3", "--L", "2", "--T", "8", "--json")
    part = tnrnn.Partition.start_end(8)
    ideal = tnrnn.boundary_ideal_bound(2, 3, 2, part)
    _, out, _ = run(capsys, "bound", *args)
    assert json.loads(out)["ideal"] == ideal == 42
    _, out, _ = run(capsys, "check", *args)
    got = json.loads(out)
    assert got["ideal"] == got["exact"] == 42 and got["proven"] is True and got["proven_by"] == "ideal"
    _, out, _ = run(capsys, "rank", *args)
    got = json.loads(out)
    assert got["rank"] == 42 and got["proven"] is True and got["proven_by"] == "ideal"
    # L = 3: the generalised ideal bound proves the rank; L = 4, R = 2 is not proven
    _, out, _ = run(capsys, "check", "--M", "2", "--R", "2", "--L", "3", "--T", "8", "--json")
    got = json.loads(out)
    assert got["ideal"] == got["exact"] == 106 and got["proven"] is True and got["proven_by"] == "ideal"
    _, out, _ = run(capsys, "check", "--M", "2", "--R", "2", "--L", "4", "--T", "6", "--json")
    got = json.loads(out)
    assert got["ideal"] == 540 and got["exact"] == 106 and got["proven"] is False and got["proven_by"] is None
    _, out, _ = run(capsys, "bound", "--M", "2", "--R", "2", "--L", "1", "--T", "6", "--json")
    assert json.loads(out)["ideal"] is None
    _, out, _ = run(capsys, "bound", "--M", "2", "--R", "3", "--L", "2", "--T", "6", "--partition",
                    "interleaved", "--json")
    assert json.loads(out)["ideal"] is None
    # shallow, interleaved: the bottleneck degree bound min(M, R)^(T/2) proves it (the min-cut agrees)
    _, out, _ = run(capsys, "rank", "--M", "3", "--R", "2", "--T", "6", "--partition", "interleaved", "--json")
    got = json.loads(out)
    assert got["rank"] == 8 and got["proven"] is True and got["proven_by"] == "bottleneck"
    _, text, _ = run(capsys, "rank", "--M", "3", "--R", "2", "--T", "6", "--partition", "interleaved")
    assert "PROVEN" in text


# --- the error contract: one line on stderr, exit 2, no traceback, no partial file ---------


def one_line_2(code, err, *needles):
    assert code == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    for needle in needles:
        assert needle in err, err


def test_huge_integers_in_text_and_json(capsys):
    from tnrnn.numbers import decimal_digits, text_to_int

    argv = ["bound", "--M", "10", "--R", "2", "--L", "1", "--T", "9000"]
    degree = tnrnn.degree_bound(10, 1, tnrnn.Partition.start_end(9000))
    assert degree == 10**4500 and decimal_digits(degree) > 4300  # past Python's int-to-text limit
    code, out, err = run(capsys, *argv)
    assert code == 0 and "1.000e+4500 (4,501 digits" in out, err
    code, out, _ = run(capsys, *argv, "--json")
    got = json.loads(out)  # json.loads reads it back: the huge value is a string of digits
    assert code == 0 and text_to_int(got["degree"]) == degree and got["mincut"] == 2


@pytest.mark.parametrize("value", ["10^30", "1e30", "1000000000000000000000000000000", "-3", "0x10"])
def test_out_of_range_integers_are_refused_up_front(capsys, value):
    code, _, err = run(capsys, "bound", "--M", value, "--R", "2", "--T", "4")
    one_line_2(code, err, "argument --M: expected an integer in 1..9,223,372,036,854,775,807")


def test_rank_uses_the_mincut_to_decide(capsys):
    # the closed forms allow 4,069,800; the min-cut proves rank <= 1 (R = 1)
    code, out, err = run(capsys, "rank", "--M", "5", "--R", "1", "--L", "3", "--T", "6",
                         "--partition", "interleaved", "--json")
    assert code == 0, err
    assert json.loads(out)["rank"] == 1


def test_output_into_an_unwritable_folder(capsys, tmp_path, monkeypatch):
    import errno
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / ".x.png.123.tmp"))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    target = tmp_path / "x.png"
    code, _, err = run(capsys, "draw", "--M", "2", "--R", "2", "--T", "4", "-o", str(target))
    one_line_2(code, err, f"'{target}': Permission denied; choose a folder you can write to")
    assert list(tmp_path.iterdir()) == []


def test_full_disk_keeps_the_old_file(capsys, tmp_path, monkeypatch):
    import errno
    import os

    target = tmp_path / "x.tex"
    target.write_text("old")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    code, _, err = run(capsys, "draw", "--M", "2", "--R", "2", "--T", "4", "-o", str(target))
    one_line_2(code, err, f"'{target}': No space left on device; free some disk space")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["x.tex"]


def test_output_naming_a_folder_or_a_file_in_the_way(capsys, tmp_path):
    folder = tmp_path / "net.svg"
    folder.mkdir()
    code, _, err = run(capsys, "draw", "--M", "2", "--R", "2", "--T", "4", "-o", str(folder))
    one_line_2(code, err, f"'{folder}': Is a directory; give a file name, not a folder")
    afile = tmp_path / "afile"
    afile.write_text("x")
    code, _, err = run(capsys, "report", "--quick", "--out", str(afile))
    one_line_2(code, err, f"'{afile}'", "a file is in the way where a folder is needed")
    assert afile.read_text() == "x"


@pytest.mark.parametrize("content", [b"{bad", b"\xff\xfe\x00", b"SQLite format 3\x00" + b"\x00" * 50])
def test_corrupt_or_foreign_sweep_store(capsys, tmp_path, content):
    (tmp_path / "t.sqlite").write_bytes(content)
    code, _, err = run(capsys, "sweep", "--L", "1", "--M", "2", "--R", "2", "--T", "2",
                       "-o", str(tmp_path / "t.csv"))
    one_line_2(code, err, "t.sqlite")
    assert (tmp_path / "t.sqlite").read_bytes() == content


@pytest.mark.parametrize(
    "exc, needle, status",
    [
        (MemoryError(), "ran out of memory; lower T, M, R or L", 2),
        (KeyError("M"), "unexpected KeyError: 'M'; this is a bug in tnrnn", 2),
        (RecursionError("deep"), "unexpected RecursionError: deep", 2),
        (KeyboardInterrupt(), "interrupted", 130),
    ],
)
def test_every_exception_is_one_line(capsys, monkeypatch, exc, needle, status):
    import tnrnn.bounds

    def boom(*args, **kwargs):
        raise exc

    monkeypatch.setattr(tnrnn.bounds, "bounds_summary", boom, raising=False)
    monkeypatch.setattr("tnrnn.bounds.summary.bounds_summary", boom)
    monkeypatch.delenv("TNRNN_TRACEBACK", raising=False)
    code, _, err = run(capsys, "bound", "--M", "2", "--R", "2", "--T", "4")
    assert code == status and needle in err and err.count("\n") == 1 and "Traceback" not in err


def test_errors_name_flags_not_python_calls(capsys):
    code, _, err = run(capsys, "bound", "--M", "2", "--R", "2", "--T", "7")
    one_line_2(code, err, "pass --partition split:3")
    assert "Partition.split" not in err
    code, _, err = run(capsys, "bound", "--M", "2", "--R", "2", "--L", "3", "--T", "3000")
    one_line_2(code, err, "raise --max-nodes")
    assert "merged" not in err and "max_nodes=" not in err  # bound has no --merged
