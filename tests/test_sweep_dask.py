"""Sweeps on a real Dask distributed cluster (LocalCluster with worker processes)."""

from __future__ import annotations

import os
import signal
import sys
import time

import pytest

from tnrnn.bounds import bounds_table
from tnrnn.bounds.table import without_run_fields
from tnrnn.cli import main
from tnrnn.errors import TnrnnError
from tnrnn.store import Job, ResultStore, run_jobs

distributed = pytest.importorskip("distributed")

GRID = dict(L_values=(1, 2), M_values=(2,), R_values=(2, 3), T_values=(2, 4, 6), progress=False)


def values(rows):
    return without_run_fields(rows)


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(processes=True, n_workers=2, threads_per_worker=1, dashboard_address=None,
                                  silence_logs=50) as c:
        yield c


def test_cluster_sweep_equals_the_serial_sweep_row_for_row(cluster, tmp_path):
    serial = bounds_table(None, **GRID)
    path = tmp_path / "d.sqlite"
    remote = bounds_table(path, **GRID, scheduler=cluster.scheduler_address)
    assert values(remote) == values(serial)
    with distributed.Client(cluster) as client:
        worker_pids = set(client.run(os.getpid).values())
    assert {r["pid"] for r in remote} <= worker_pids and os.getpid() not in worker_pids
    with ResultStore(path) as store:  # the client wrote the store
        (sweep,) = store.sweeps()
        assert sweep["pid"] == os.getpid() and sweep["meta"]["scheduler"] == cluster.scheduler_address


def test_cli_sweep_with_scheduler(cluster, tmp_path, capsys):
    out = tmp_path / "t.csv"
    code = main(["sweep", "--L", "1,2", "--M", "2", "--R", "2", "--T", "2,4", "--scheduler",
                 cluster.scheduler_address, "-o", str(out)])
    assert code == 0 and capsys.readouterr().out.startswith("4 rows (4 ok) -> ")
    assert len(out.read_text().splitlines()) == 5


def held_square(payload):
    """A row that says it started (its worker's pid in a file) and then waits for the test to
    release it (pickled by value: the workers need not import this file)."""
    folder = payload["folder"]
    if payload["n"] > 0:
        with open(os.path.join(folder, f"started-{payload['n']}-{os.getpid()}"), "w"):
            pass
        deadline = time.monotonic() + 120  # only stops a hung test
        while not os.path.exists(os.path.join(folder, "release")) and time.monotonic() < deadline:
            time.sleep(0.01)
    return {"n": payload["n"], "square": payload["n"] ** 2}


def test_a_worker_killed_mid_row_costs_a_retry_not_the_sweep(cluster, tmp_path):
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    store = ResultStore(None)
    jobs = [Job((("kind", "demo"), ("n", n)), {"n": n, "folder": str(tmp_path)}) for n in range(6)]
    killed = {}

    def kill_a_worker_mid_row(job, row):
        if killed:
            return
        # row 0 is stored; the next rows are held in their workers until released: one of
        # them is certainly mid-row once it has said so (no timing involved)
        while not (started := sorted(tmp_path.glob("started-*"))):
            time.sleep(0.01)
        killed["pid"] = int(started[0].name.rsplit("-", 1)[1])
        os.kill(killed["pid"], signal.SIGKILL)
        (tmp_path / "release").touch()

    summary = run_jobs(store, held_square, jobs, workers=2, scheduler=cluster.scheduler_address,
                       progress=False, on_row=kill_a_worker_mid_row)
    rows = store.rows()
    assert "pid" in killed and summary.computed == 6
    assert [(r["n"], r["square"]) for r in rows] == [(n, n * n) for n in range(6)]


def test_an_unreachable_scheduler_is_one_clear_error(monkeypatch):
    from tnrnn.store import run

    monkeypatch.setattr(run, "CONNECT_TIMEOUT", "1s")
    with pytest.raises(TnrnnError, match="cannot reach the Dask scheduler"):
        bounds_table(None, **GRID, scheduler="tcp://127.0.0.1:9")
