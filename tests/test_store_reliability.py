"""The store never touches what it refuses; SQLite failures are one line; Ctrl-C is always clean.

Full disks are real small file systems (a tmpfs of a few dozen kB, where this process may
mount one) or SQLite's own page limit (``max_page_count``: the same SQLITE_FULL path); damaged
pages are bytes overwritten in the middle of a store; the second writer is held off by a
write transaction this test keeps open; interrupts are SIGINT sent to the whole process group
at moments chosen by what the process has done (not by the clock).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tnrnn.cli import main
from tnrnn.store import ResultStore, StoreError

REPO = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
ENV.pop("TNRNN_TRACEBACK", None)


def _key(n):
    return (("kind", "demo"), ("n", n))


def _fingerprint(path: Path) -> tuple:
    st = path.stat()
    return hashlib.sha256(path.read_bytes()).hexdigest(), st.st_size, st.st_mtime_ns


def _store(path: Path, n: int = 40) -> Path:
    with ResultStore(path) as store:
        for i in range(n):
            store.put(_key(i), {"n": i, "pad": "x" * 200})
    return path


def _foreign(path: Path) -> Path:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE people (name TEXT)")
    db.execute("INSERT INTO people VALUES ('ada')")
    db.commit()
    db.close()
    return path


def _damage(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 3000] = b"\xff" * 3000
    path.write_bytes(bytes(data))


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


# --------------------------------------------------------------------------- refusals touch nothing
@pytest.mark.parametrize("make", ["foreign", "empty", "junk", "damaged"])
def test_a_refused_file_keeps_its_bytes_and_mtime(tmp_path, make, capsys):
    path = tmp_path / "t.sqlite"
    if make == "foreign":
        _foreign(path)
    elif make == "empty":
        path.write_bytes(b"")
    elif make == "junk":
        path.write_bytes(b"not a database at all, just some bytes" * 200)
    else:
        _damage(_store(path, 300))
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))  # an old mtime: any write would move it
    before = _fingerprint(path)
    if make != "damaged":  # a damaged store still opens for reading: its bad pages fail later
        with pytest.raises(StoreError, match="empty file" if make == "empty" else "t.sqlite"):
            ResultStore(path)
    with pytest.raises(StoreError, match="t.sqlite"):
        with ResultStore(path) as store:
            store.begin_sweep("bounds", {})  # the write that a sweep makes first
    assert main(["sweep", "--L", "1", "--T", "2", "--workers", "1", "-o", str(path)]) == 2
    assert main(["export", str(path), "-o", str(tmp_path / "t.csv")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all("t.sqlite" in line and "bug in tnrnn" not in line for line in err), err
    assert _fingerprint(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.sqlite"]  # no -wal, -shm, csv


def test_damaged_pages_are_one_line_naming_the_file_and_what_to_do(tmp_path, capsys):
    path = _store(tmp_path / "d.sqlite", 300)
    _damage(path)
    with pytest.raises(StoreError, match=r"d\.sqlite.*damaged.*\.recover"):
        with ResultStore(path) as store:
            store.rows()
    assert main(["export", str(path), "-o", str(tmp_path / "d.csv")]) == 2
    line = capsys.readouterr().err.strip()
    assert "damaged" in line and "d.sqlite" in line and "\n" not in line and "unexpected" not in line


def test_readonly_store_reads_but_never_writes(tmp_path):
    path = _store(tmp_path / "r.sqlite", 3)
    before = _fingerprint(path)
    with ResultStore(path, readonly=True) as store:
        assert [r["n"] for r in store.rows()] == [0, 1, 2]
        with pytest.raises(StoreError, match="read-only"):
            store.put(_key(9), {"n": 9})
    assert _fingerprint(path) == before
    with pytest.raises(StoreError, match="no store at"):
        ResultStore(tmp_path / "missing.sqlite", readonly=True)
    assert not (tmp_path / "missing.sqlite").exists()


def test_reading_a_store_changes_nothing_and_leaves_no_wal_files(tmp_path):
    path = _store(tmp_path / "s.sqlite", 5)
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    before = _fingerprint(path)
    with ResultStore(path) as store:
        assert len(store) == 5 and store.integrity() == "ok"
    assert main(["export", str(path), "-o", str(tmp_path / "s.csv")]) == 0
    assert _fingerprint(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.csv", "s.sqlite"]


# --------------------------------------------------------------------------- full disk
def test_a_full_database_is_a_store_error_and_the_store_stays_sound(tmp_path):
    path = _store(tmp_path / "f.sqlite", 2)
    store = ResultStore(path)
    store.put(_key(2), {"n": 2})  # opens the writing connection
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]
    store._db.execute(f"PRAGMA max_page_count = {pages + 2}")  # SQLite's SQLITE_FULL, as on a full disk
    with pytest.raises(StoreError, match=r"f\.sqlite.*disk is full.*free some disk space"):
        for i in range(3, 200):
            store.put(_key(i), {"n": i, "pad": "y" * 3000})
    store.close()
    with ResultStore(path) as again:
        assert again.integrity() == "ok"
        assert [r["n"] for r in again.rows()] == list(range(len(again)))  # whole rows only


@contextlib.contextmanager
def _tmpfs(where: Path, size: str, readonly: bool = False):
    where.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                                           capture_output=True).returncode != 0:
        pytest.skip("needs to mount a small tmpfs (root); the max_page_count test covers SQLITE_FULL")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def _fill(folder: Path, leave: int) -> None:
    st = os.statvfs(folder)
    free = st.f_bavail * st.f_frsize
    (folder / "filler").write_bytes(b"\0" * max(0, free - leave))


@pytest.mark.parametrize("leave", [0, 4096, 40_000])
def test_a_sweep_on_a_full_disk_is_one_line_and_leaves_nothing(tmp_path, leave):
    with _tmpfs(tmp_path / "disk", "128k") as disk:
        _fill(disk, leave)
        proc = subprocess.run([sys.executable, "-m", "tnrnn", "sweep", "--L", "1", "--T", "2", "--workers", "1",
                               "-o", str(disk / "t.sqlite")], env=ENV, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 2
        line = _one_line(proc.stderr)
        assert "t.sqlite" in line and "disk is full" in line and "free some disk space" in line
        assert sorted(p.name for p in disk.iterdir()) == ["filler"]


def test_a_store_filling_the_disk_mid_sweep_keeps_whole_rows(tmp_path):
    with _tmpfs(tmp_path / "disk", "256k") as disk:
        path = _store(disk / "m.sqlite", 2)
        _fill(disk, 24_000)
        with pytest.raises(StoreError, match="disk is full"):
            with ResultStore(path) as store:
                for i in range(2, 2000):
                    store.put(_key(i), {"n": i, "pad": "z" * 2000})
        (disk / "filler").unlink()
        with ResultStore(path) as store:
            assert store.integrity() == "ok"
            assert [r["n"] for r in store.rows()] == list(range(len(store)))


def test_a_read_only_mount_exports_and_refuses_writes_in_one_line(tmp_path):
    with _tmpfs(tmp_path / "ro", "1m") as ro:
        _store(ro / "s.sqlite", 4)
        (ro / "out").mkdir()
        subprocess.run(["mount", "-o", "remount,ro", str(ro)], check=True)
        proc = subprocess.run([sys.executable, "-m", "tnrnn", "export", str(ro / "s.sqlite"), "-o",
                               str(tmp_path / "s.csv")], env=ENV, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        assert len((tmp_path / "s.csv").read_text().splitlines()) == 5
        for argv, name in ((["sweep", "--L", "1", "--T", "2", "--workers", "1", "-o", str(ro / "s.sqlite")], "s.sqlite"),
                           (["sweep", "--L", "1", "--T", "2", "--workers", "1", "-o", str(ro / "n.sqlite")], "n.sqlite"),
                           (["atlas", "--out", str(ro / "out"), "--L", "1", "--M", "1", "--R", "1"], "atlas.sqlite")):
            proc = subprocess.run([sys.executable, "-m", "tnrnn", *argv], env=ENV, capture_output=True, text=True,
                                  timeout=300)
            line = _one_line(proc.stderr)
            assert proc.returncode == 2 and name in line and "cannot be written" in line, line
            assert "give a new file or one written by tnrnn" not in line


# --------------------------------------------------------------------------- transactions and writers
def test_an_interrupted_write_rolls_back_every_statement(tmp_path, monkeypatch):
    from tnrnn.store import db as db_mod

    path = _store(tmp_path / "t.sqlite", 1)
    store = ResultStore(path)

    def interrupted():
        raise KeyboardInterrupt

    monkeypatch.setattr(db_mod.time, "time", interrupted)  # after ALTER TABLE, inside the INSERT's values
    with pytest.raises(KeyboardInterrupt):
        store.put(_key(5), {"n": 5, "brand_new_field": 1})
    monkeypatch.undo()
    store.close()
    cols = {r[1] for r in sqlite3.connect(path).execute("PRAGMA table_info(rows)")}
    assert "brand_new_field" not in cols  # the ALTER TABLE was rolled back with the rest
    with ResultStore(path) as again:
        assert [r["n"] for r in again.rows()] == [0]
        assert again.put(_key(5), {"n": 5, "brand_new_field": 1})


def test_a_second_writer_waits_for_the_first(tmp_path):
    path = _store(tmp_path / "w.sqlite", 1)
    released = threading.Event()
    with ResultStore(path) as store:
        assert store.put(_key(1), {"n": 1})  # its writing connection is open before the lock is taken
        holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        holder.execute("BEGIN IMMEDIATE")  # the first writer holds the write lock ...
        holder.execute("INSERT INTO sweeps (kind) VALUES ('held')")

        def release():
            holder.execute("COMMIT")  # ... and lets go a little later
            released.set()

        timer = threading.Timer(0.5, release)
        timer.start()
        assert store.put(_key(7), {"n": 7})  # waits (busy timeout) instead of failing
        assert released.is_set()  # it could only have written after the first writer committed
        assert [r["n"] for r in store.rows()] == [0, 1, 7]
    timer.join()
    holder.close()


def test_a_writer_past_its_timeout_gets_one_line(tmp_path):
    path = _store(tmp_path / "w.sqlite", 1)
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        with ResultStore(path, timeout=0.2) as store:
            store.put(_key(1), {"n": 1})
            holder.execute("BEGIN IMMEDIATE")
            with pytest.raises(StoreError, match=r"w\.sqlite.*locked.*try again"):
                store.put(_key(7), {"n": 7})
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_columns_added_by_another_writer_are_seen_under_the_lock(tmp_path):
    path = _store(tmp_path / "c.sqlite", 1)
    first, second = ResultStore(path), ResultStore(path)
    first.put(_key(1), {"n": 1})  # both know the columns as they are now
    second.put(_key(2), {"n": 2})
    first.put(_key(3), {"n": 3, "added": 3})  # adds the column "added"
    assert second.put(_key(4), {"n": 4, "added": 4})  # must not add it a second time
    first.close()
    second.close()
    with ResultStore(path) as store:
        assert [(r["n"], r.get("added")) for r in store.rows()] == [(0, None), (1, None), (2, None), (3, 3), (4, 4)]
        assert store.integrity() == "ok"


def test_an_interrupted_creation_leaves_no_file(tmp_path, monkeypatch):
    from tnrnn.store import db as db_mod

    def interrupted(db):
        db.execute("CREATE TABLE rows (key TEXT)")
        raise KeyboardInterrupt

    monkeypatch.setattr(db_mod, "_build_schema", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ResultStore(tmp_path / "n.sqlite")
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []
    with ResultStore(tmp_path / "n.sqlite") as store:  # a later open makes a sound store
        assert store.put(_key(1), {"n": 1}) and store.integrity() == "ok"


# --------------------------------------------------------------------------- smaller refusals
def test_a_bad_scheduler_is_refused_before_the_store_exists(tmp_path, capsys):
    pytest.importorskip("distributed")
    out = tmp_path / "t.sqlite"
    assert main(["sweep", "--L", "1", "--T", "2", "-o", str(out), "--scheduler", "garbage"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("tnrnn sweep: error: cannot reach the Dask scheduler at 'garbage'")
    assert list(tmp_path.iterdir()) == []


def test_experiment_on_a_missing_cuda_device_is_one_line_and_writes_nothing(tmp_path):
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA: the refusal is for machines without it")
    proc = subprocess.run([sys.executable, "-m", "tnrnn", "experiment", "ses", "--quick", "--device", "cuda",
                           "--out", str(tmp_path / "ex")], env=ENV, capture_output=True, text=True, timeout=300)
    line = _one_line(proc.stderr)
    assert proc.returncode == 2 and "--device 'cuda' needs a CUDA GPU" in line and "bug" not in line
    assert not (tmp_path / "ex").exists()


def test_no_arguments_is_an_argparse_style_error_on_stderr_with_status_2(capsys):
    assert main([]) == 2
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert out == "" and len(lines) == 2 and lines[0].startswith("usage: tnrnn")
    assert lines[1] == "tnrnn: error: a command is required; tnrnn --help lists them with examples"


def test_rows_refused_up_front_record_the_library_versions():
    script = ("import sys\nfrom tnrnn.bounds import bounds_table\n"
              "rows = bounds_table(None, L_values=[2], M_values=[2], R_values=[2], T_values=[8], max_probes=1, "
              "progress=False)\n"
              "print('flint' in sys.modules, rows[0]['status'], rows[0]['flint_version'], rows[0]['numpy_version'])")
    proc = subprocess.run([sys.executable, "-c", script], env=ENV, capture_output=True, text=True, timeout=300)
    from importlib.metadata import version

    assert proc.stdout.split() == ["False", "too-large", version("python-flint"), version("numpy")], proc.stderr


# --------------------------------------------------------------------------- Ctrl-C
def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            return [int(c) for c in fh.read().split()]
    except OSError:
        return []


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        kids = _children(todo.pop())
        out += kids
        todo += kids
    return out


def _forkserver(pid: int) -> int | None:
    """The pid of the forkserver started by process ``pid`` (None before it runs Python)."""
    for child in _children(pid):
        try:
            if b"multiprocessing.forkserver" in Path(f"/proc/{child}/cmdline").read_bytes():
                return child
        except OSError:
            pass
    return None


def _has_loaded(pid: int | None, library: bytes) -> bool:
    """Whether process ``pid`` has mapped a shared library whose path holds ``library``."""
    try:
        return pid is not None and library in Path(f"/proc/{pid}/maps").read_bytes()
    except OSError:
        return False


def _wait_for(event, proc, limit=240.0):
    """Poll (every 5 ms) until ``event()`` holds or the process ends; the moment is set by what
    the process has done, the limit only stops a hung test."""
    deadline = time.monotonic() + limit
    while not event() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)


_SWEEP = ["sweep", "--L", "1,2", "--M", "2,3", "--R", "2", "--R", "3", "--T", "2,4,6,8", "--workers", "2"]
_ATLAS = ["atlas", "--L", "1,2", "--M", "2", "--R", "2", "--T-max", "1:8,2:8", "--workers", "2"]


def _moment(name: str, proc: subprocess.Popen, store: Path):
    if name == "store-created":  # main() runs, the sweep has begun, no worker yet
        return lambda: store.exists()
    if name == "worker-server-starting":  # the forkserver has loaded numpy; scipy, numba follow
        return lambda: _has_loaded(_forkserver(proc.pid), b"_multiarray_umath")
    if name == "workers-starting":  # the server has forked the first worker
        return lambda: bool(_children(_forkserver(proc.pid) or -1))
    if name == "rows-stored":
        def stored() -> bool:
            if not store.exists():
                return False
            try:
                with ResultStore(store, readonly=True) as s:
                    return len(s) >= 3
            except StoreError:
                return False
        return stored
    raise AssertionError(name)


@pytest.mark.parametrize("command", ["sweep", "atlas"])
@pytest.mark.parametrize("moment", ["store-created", "worker-server-starting", "workers-starting", "rows-stored"])
def test_ctrl_c_at_any_moment_prints_only_the_one_line(tmp_path, command, moment):
    if command == "sweep":
        store = tmp_path / "t.sqlite"
        argv = [*_SWEEP, "-o", str(store)]
    else:
        store = tmp_path / "atlas" / "atlas.sqlite"
        argv = [*_ATLAS, "--out", str(tmp_path / "atlas")]
    proc = subprocess.Popen([sys.executable, "-m", "tnrnn", *argv], env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    _wait_for(_moment(moment, proc, store), proc)
    group = _descendants(proc.pid)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGINT)  # as the terminal does: every process of the group
    _, err = proc.communicate(timeout=240)
    if proc.returncode == 0:
        pytest.fail(f"the run ended before the interrupt at {moment}; make the grid larger")
    lines = [ln for ln in err.replace("\r", "\n").splitlines() if ln.strip() and "row/s]" not in ln
             and not ln.startswith(("bounds table:", "atlas"))]
    assert proc.returncode == 130 and lines == [
        f"tnrnn {command}: interrupted; files already written are complete, none is partial"], err[-3000:]
    time.sleep(0.2)
    alive = [p for p in group if Path(f"/proc/{p}").exists() and "zombie" not in
             Path(f"/proc/{p}/status").read_text().lower()]
    assert alive == []  # no worker or server left running
    if store.exists():
        with ResultStore(store) as s:
            assert s.integrity() == "ok"
