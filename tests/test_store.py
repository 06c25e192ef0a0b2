"""The SQLite result store and the table exports (CSV, JSON, Markdown, booktabs LaTeX)."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tnrnn.errors import TnrnnError
from tnrnn.numbers import format_int, format_int_latex, int_to_text
from tnrnn.store import ResultStore, StoreError, read_table, write_table, write_tables
from tnrnn.store import export as export_mod
from tnrnn.store.db import text_to_int
from tnrnn.store.export import to_csv, to_latex, to_markdown

BIG = 7**6000  # 5071 digits: past Python's 4300-digit text limit
REPO = Path(__file__).resolve().parents[1]


def _key(n):
    return (("kind", "demo"), ("n", n))


def test_text_to_int_of_any_length_matches_arithmetic():
    for value in (0, 1, -5, 2**64, 10**4000 - 1, 10**4001, BIG, -BIG):
        assert text_to_int(int_to_text(value)) == value
    with pytest.raises(StoreError, match="decimal integer"):
        text_to_int("12a")


def test_rows_round_trip_exactly_with_big_integers(tmp_path):
    path = tmp_path / "s.sqlite"
    with ResultStore(path) as store:
        assert store.put(_key(2), {"n": 2, "bound": BIG, "ratio": 0.5, "A": [1, 2], "ok": True, "none": None})
        assert store.put(_key(1), {"n": 1, "bound": 2**63, "edge": 2**63 - 1})
    with ResultStore(path) as store:  # reopened: what was committed is there
        rows = store.rows()
        assert [r["n"] for r in rows] == [1, 2]  # stable order by key values
        assert rows[1]["bound"] == BIG and rows[0]["bound"] == 2**63 and rows[0]["edge"] == 2**63 - 1
        assert rows[1]["A"] == [1, 2] and rows[1]["ok"] is True and rows[1]["none"] is None
        assert rows[0]["status"] == "ok" and rows[0]["kind"] == "demo"
        assert store.get(_key(2))["bound"] == BIG and store.get(_key(3)) is None
        assert store.integrity() == "ok" and len(store) == 2
    # the field columns hold the same values for SQL users: exact digits where 64 bits do not suffice
    db = sqlite3.connect(path)
    got = dict(db.execute("SELECT n, bound FROM rows").fetchall())
    assert got[1] == int_to_text(2**63) and text_to_int(got[2]) == BIG
    assert db.execute("SELECT edge FROM rows WHERE n = 1").fetchone()[0] == 2**63 - 1
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_put_keeps_a_stored_row_unless_its_status_may_be_replaced():
    store = ResultStore(None)
    assert store.put(_key(1), {"n": 1, "status": "too-large", "v": 0})
    assert not store.put(_key(1), {"n": 1, "v": 1})
    assert store.get(_key(1))["v"] == 0
    assert store.put(_key(1), {"n": 1, "v": 2}, replace=("too-large",))
    assert store.get(_key(1))["v"] == 2 and store.statuses() == {store_key(_key(1)): "ok"}


def store_key(key):
    from tnrnn.store.db import key_text

    return key_text(key)


def test_new_fields_become_columns_without_a_schema_change(tmp_path):
    path = tmp_path / "s.sqlite"
    with ResultStore(path) as store:
        store.put(_key(1), {"n": 1, "a": 1})
        store.put(_key(2), {"n": 2, "a": 2, "ideal": 5})
    cols = {r[1] for r in sqlite3.connect(path).execute("PRAGMA table_info(rows)")}
    assert {"n", "a", "ideal"} <= cols


def test_sweeps_are_recorded():
    store = ResultStore(None)
    sid = store.begin_sweep("demo", {"grid": [1, 2], "huge": BIG})
    store.end_sweep(sid, {"computed": 2})
    (sweep,) = store.sweeps()
    assert sweep["meta"] == {"grid": [1, 2], "huge": BIG} and sweep["summary"] == {"computed": 2}
    assert sweep["finished"] >= sweep["started"] and sweep["pid"] == os.getpid()


def test_foreign_files_are_refused_in_one_line(tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all, just some bytes" * 100)
    with pytest.raises(StoreError, match="junk.sqlite"):
        ResultStore(junk)
    other = tmp_path / "other.sqlite"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE people (name TEXT)")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="expected a tnrnn store"):
        ResultStore(other)
    with pytest.raises(StoreError, match="folder"):
        ResultStore(tmp_path)


_WRITER = """
import sys
from tnrnn.store import ResultStore
path, tag, lo, hi = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
with ResultStore(path) as store:
    for i in range(lo, hi):
        store.put((("kind", "demo"), ("i", i)), {"i": i, "by": tag, "tag_" + tag: i})
"""


def test_two_processes_write_into_one_store_at_once(tmp_path):
    path = tmp_path / "s.sqlite"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(path), tag, lo, hi], env=env,
                              stderr=subprocess.PIPE, text=True) for tag, lo, hi in (("a", "0", "150"),
                                                                                      ("b", "75", "225"))]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    with ResultStore(path) as store:
        rows = store.rows()
        assert store.integrity() == "ok"
    assert [r["i"] for r in rows] == list(range(225))  # one row per key, none lost
    assert {r["by"] for r in rows[:75]} == {"a"} and {r["by"] for r in rows[150:]} == {"b"}
    cols = {r[1] for r in sqlite3.connect(path).execute("PRAGMA table_info(rows)")}
    assert {"tag_a", "tag_b"} <= cols  # both writers added their column, no duplicate-column error


# --------------------------------------------------------------------------- exports
ROWS = [
    {"L": 1, "T": 4, "partition": "start-end", "A": [1, 2], "exact": 2, "mincut": None, "ok": True},
    {"L": 2, "T": 400, "partition": "split_3", "A": [1, 2, 3], "exact": 12345678, "mincut": BIG, "ok": False},
]


def test_csv_holds_every_digit():
    rows = list(csv.DictReader(io.StringIO(to_csv(ROWS))))
    assert rows[1]["mincut"] == int_to_text(BIG) and rows[0]["mincut"] == ""
    assert rows[1]["A"] == "1 2 3" and rows[1]["exact"] == "12345678"


def test_json_round_trips_exactly_past_the_text_limit(tmp_path):
    path = write_table(ROWS, tmp_path / "t.json", meta={"note": "x"})
    meta, rows = read_table(path)
    assert rows == ROWS and meta["note"] == "x" and meta["text_int_columns"] == ["mincut"]
    raw = json.loads(path.read_text())["rows"][1]["mincut"]
    assert isinstance(raw, str) and len(raw) == len(int_to_text(BIG))


def test_markdown_and_latex_group_digits_and_use_exponents():
    md = to_markdown(ROWS, ["L", "T", "partition", "exact", "mincut"]).splitlines()
    assert md[0] == "| L | T | partition | exact | mincut |"
    assert md[1] == "|---:|---:|---|---:|---:|"
    assert md[3] == f"| 2 | 400 | split_3 | 12,345,678 | {format_int(BIG)} |"
    assert md[2].endswith("| - |")
    tex = to_latex(ROWS, ["L", "partition", "exact", "mincut"]).splitlines()
    assert tex[1] == "\\begin{tabular}{rlrr}" and tex[2] == "\\toprule" and tex[4] == "\\midrule"
    assert tex[-2] == "\\bottomrule" and tex[-1] == "\\end{tabular}"
    assert tex[6] == f"$2$ & split\\_3 & $12{{,}}345{{,}}678$ & ${format_int_latex(BIG)}$ \\\\"
    assert "10^{5070}" in tex[6] and tex[5].endswith("& -- \\\\")


def test_pdflatex_compiles_the_booktabs_table(tmp_path):
    import shutil

    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed")
    body = to_latex(ROWS, ["L", "partition", "exact", "mincut"])
    doc = "\\documentclass{article}\\usepackage{booktabs}\\begin{document}\n" + body + "\\end{document}\n"
    (tmp_path / "t.tex").write_text(doc)
    res = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "t.tex"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout[-2000:]


def test_write_tables_is_all_or_nothing(tmp_path, monkeypatch):
    a, b = tmp_path / "t.csv", tmp_path / "t.json"
    write_tables(ROWS[:1], [a, b])
    real = os.replace

    def fail_second(src, dst):
        if str(dst).endswith(".json"):
            raise PermissionError(13, "Permission denied", str(dst))
        return real(src, dst)

    monkeypatch.setattr(export_mod.os, "replace", fail_second)
    with pytest.raises(TnrnnError, match="do not disagree"):
        write_tables(ROWS, [a, b])
    assert not a.exists() and b.exists()  # the new CSV is gone: no CSV newer than its JSON
    assert not list(tmp_path.glob(".*.tmp"))
    monkeypatch.setattr(export_mod.os, "replace", real)
    write_tables(ROWS, [a, b])
    assert len(read_table(b)[1]) == 2 and len(a.read_text().splitlines()) == 3


def test_table_errors_are_one_line(tmp_path):
    with pytest.raises(TnrnnError, match="table format"):
        write_table(ROWS, tmp_path / "t.txt")
    (tmp_path / "d.csv").mkdir()
    with pytest.raises(TnrnnError, match="folder"):
        write_table(ROWS, tmp_path / "d.csv")
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(TnrnnError, match="not a table"):
        read_table(tmp_path / "bad.json")
    with pytest.raises(TnrnnError, match="cannot read"):
        read_table(tmp_path / "missing.json")

