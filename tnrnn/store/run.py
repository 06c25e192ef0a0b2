"""Run the rows of a sweep here, in worker processes, or on a Dask cluster; store each at once.

:func:`run_jobs` takes :class:`Job` s (a key, a picklable payload, a group) and a compute
function ``compute(payload) -> dict`` defined at module level (so that it pickles by name).
It computes the rows

- here, one after another (``workers=1``),
- in ``workers`` local processes (``concurrent.futures.ProcessPoolExecutor``, forkserver or
  spawn start: no inherited state, so a row gives the same result wherever it runs), or
- on an existing Dask distributed scheduler (``scheduler="tcp://host:8786"``, or a
  ``distributed.Client``): workers only compute; this process writes the store. A worker
  that dies mid-row costs a retry (``retries``), not the sweep.

and writes each finished row into the store as soon as it arrives, with what made it
(``host``, ``pid``, versions of tnrnn, numpy, flint and torch where loaded, start time and
seconds). Jobs are sent in their given order, at most ``workers`` (plus as many queued) at a
time; the rows of one group run in order, and a row for which ``stop_group(row)`` holds
stops the later rows of its group (rows of that group already running still finish and are
stored). ``precheck(job)`` runs just before a job is sent: a row it returns (e.g. a size
refused up front) is stored instead of computing.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import functools
import multiprocessing
import os
import signal
import socket
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from .._version import __version__
from ..errors import TnrnnError
from ._workers import limit_threads  # noqa: F401 - public here since before _workers existed
from ._workers import sigint_deferred, start_server_ignoring_sigint, start_worker, stop_row
from .db import ResultStore

__all__ = ["Job", "run_jobs", "provenance", "default_workers", "RunSummary", "CONNECT_TIMEOUT", "connect_scheduler"]

#: How long to try reaching a Dask scheduler before giving up.
CONNECT_TIMEOUT = "20s"


@dataclass(frozen=True)
class Job:
    """One row to compute: its identity in the store, the argument of the compute function,
    and its group (rows of a group run in order and stop together)."""

    key: tuple[tuple[str, Any], ...]
    payload: Any
    group: Any = None


@dataclass
class RunSummary:
    """What a run did: rows computed, already stored, refused up front, skipped, and why it ended."""

    computed: int = 0
    stored_before: int = 0
    refused: int = 0
    skipped: int = 0
    halted: bool = False
    out_of_time: bool = False
    interrupted: bool = False
    keys: list = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "keys"}


def default_workers() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def provenance() -> dict[str, Any]:
    """Where and with what a row is computed: host, pid and package versions."""
    out = {"host": socket.gethostname(), "pid": os.getpid(), "python_version": sys.version.split()[0],
           "tnrnn_version": __version__}
    for name in ("numpy", "flint", "torch"):
        module = sys.modules.get(name)
        if module is not None:
            out[f"{name}_version"] = getattr(module, "__version__", "?")
        elif name in _ALWAYS:  # a row refused up front still names the versions a sweep uses
            version = _installed_version(_ALWAYS[name])
            if version is not None:
                out[f"{name}_version"] = version
    return out


#: Modules whose version every row records, loaded or not (module: distribution).
_ALWAYS = {"numpy": "numpy", "flint": "python-flint"}


@functools.lru_cache(maxsize=None)
def _installed_version(distribution: str) -> str | None:
    """The installed version of ``distribution`` (None if it is not installed)."""
    from importlib import metadata

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def compute_row(compute: Callable[[Any], dict], payload: Any) -> dict[str, Any]:
    """Run ``compute(payload)`` and add its provenance and timing (runs in the worker)."""
    started = time.time()
    t0 = time.perf_counter()
    row = dict(compute(payload))
    row.setdefault("seconds", time.perf_counter() - t0)
    row["started"] = started
    row.update(provenance())
    return row


class _Inline:
    """The executor of ``workers=1``: compute at once, in this process."""

    def submit(self, compute, payload):
        fut: cf.Future = cf.Future()
        try:
            fut.set_result(compute_row(compute, payload))
        except Exception as err:  # noqa: BLE001 - re-raised by result()
            fut.set_exception(err)
        return fut

    def wait(self, futures):
        return set(futures)

    def close(self, cancel: bool) -> None:
        pass


class _Local:
    """``workers`` local processes, forked from a server that has imported the compute module
    and the heavy libraries once (:mod:`._preload`), each with its share of the threads.

    The server (and so every worker forked from it) starts with SIGINT ignored: Ctrl-C
    reaches only this process, which then stops the workers (:meth:`close`).
    """

    def __init__(self, workers: int, preload: str) -> None:
        method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
        context = multiprocessing.get_context(method)
        threads = max(1, default_workers() // workers)
        if method == "forkserver":
            context.set_forkserver_preload([f"{__package__}._preload", preload])
            with sigint_deferred():  # not cut between starting the server and recording it
                start_server_ignoring_sigint()
        self.pool = cf.ProcessPoolExecutor(workers, mp_context=context, initializer=start_worker,
                                           initargs=(threads,))

    def submit(self, compute, payload):
        try:
            with sigint_deferred():  # a submit may start a worker process
                return self.pool.submit(_row_in_worker, compute, payload)
        except cf.process.BrokenProcessPool:
            raise TnrnnError(_broken_pool_message()) from None

    def wait(self, futures):
        done = cf.wait(futures, return_when=cf.FIRST_COMPLETED).done
        for fut in done:
            if isinstance(fut.exception(), cf.process.BrokenProcessPool):
                raise TnrnnError(_broken_pool_message()) from None
        return done

    def close(self, cancel: bool) -> None:
        """Wait for the workers to finish (``cancel``: stop them now; their rows are not stored)."""
        if cancel:
            # after an error or Ctrl-C, rows still running are not waited for (the workers
            # ignore SIGINT): SIGTERM stops a worker's row (an idle worker ignores it), and the
            # worker then exits as usual, so the pool's queues and locks stay sound (killing it
            # outright could leave a lock held and semaphores to be reported leaked). A
            # resumed sweep computes those rows again.
            for pid in list(getattr(self.pool, "_processes", None) or {}):
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGTERM)
        self.pool.shutdown(wait=True, cancel_futures=cancel)


def _row_in_worker(compute: Callable[[Any], dict], payload: Any) -> dict[str, Any]:
    """:func:`compute_row` in a local worker, stoppable by SIGTERM while it runs."""
    signal.signal(signal.SIGTERM, stop_row)
    try:
        return compute_row(compute, payload)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)


def connect_scheduler(address: str) -> Any:
    """A ``distributed.Client`` of the Dask scheduler at ``address``; :class:`TnrnnError` in one
    line if distributed is missing, or the address is malformed or cannot be reached (after
    :data:`CONNECT_TIMEOUT`). Connect before creating a store, so a bad address leaves no file.
    """
    try:
        import distributed
    except ImportError:
        raise TnrnnError("--scheduler needs Dask distributed, which is not installed; install the "
                         "extra: pip install -e '.[distributed]'") from None
    try:
        return distributed.Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError, TypeError) as err:
        raise TnrnnError(f"cannot reach the Dask scheduler at {address!r} ({_one_line(err)}); start one "
                         "with 'dask scheduler' and give its address, e.g. tcp://host:8786") from None


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split())[:200] or type(err).__name__


class _Dask:
    """An existing Dask distributed scheduler (or a given ``distributed.Client``)."""

    def __init__(self, scheduler: Any, retries: int) -> None:
        try:
            import distributed
        except ImportError:
            raise TnrnnError("--scheduler needs Dask distributed, which is not installed; install the "
                             "extra: pip install -e '.[distributed]'") from None
        self.distributed = distributed
        self.retries = retries
        if isinstance(scheduler, distributed.Client):
            self.client, self.own = scheduler, False
        else:
            self.client, self.own = connect_scheduler(scheduler), True

    def submit(self, compute, payload):
        return self.client.submit(compute_row, compute, payload, pure=False, retries=self.retries)

    def wait(self, futures):
        return self.distributed.wait(list(futures), return_when="FIRST_COMPLETED").done

    def close(self, cancel: bool) -> None:
        if self.own:
            self.client.close()


def _main_script() -> str | None:
    """The path of the main script when Python runs one by path (``python script.py``), else None."""
    main = sys.modules.get("__main__")
    if main is None or getattr(main, "__spec__", None) is not None:  # -m module, or none
        return None
    return getattr(main, "__file__", None)  # None for -c, the REPL and Jupyter


_GUARD = ('put the code that starts the sweep under  if __name__ == "__main__":  (worker processes '
          'import the main script again when they start), or use workers=1')


def _broken_pool_message() -> str:
    script = _main_script()
    if script is not None:
        return f"the worker processes could not start or died: if {script} has no guard, {_GUARD}"
    return ("a worker process died (killed, or out of memory?); every finished row is stored: run the "
            "sweep again to resume")


def _refuse_while_starting(workers: int) -> None:
    """Inside a worker that is still starting up, a sweep with workers means the main script
    has no ``__main__`` guard: stop this worker quietly with the hint, before any work (the
    sweep's own process then raises the same hint)."""
    if workers > 1 and getattr(multiprocessing.current_process(), "_inheriting", False):
        raise SystemExit(f"tnrnn: {_GUARD}")


def _executor(workers: int, scheduler: Any, retries: int, preload: str):
    if scheduler is not None:
        return _Dask(scheduler, retries)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise TnrnnError(f"workers must be a positive integer, got {workers!r}")
    return _Inline() if workers == 1 else _Local(workers, preload)


def run_jobs(
    store: ResultStore,
    compute: Callable[[Any], dict],
    jobs: Iterable[Job],
    *,
    workers: int = 1,
    scheduler: Any = None,
    retries: int = 3,
    sweep: int | None = None,
    precheck: Callable[[Job], dict | None] | None = None,
    stop_group: Callable[[dict], bool] | None = None,
    halt: Callable[[dict], bool] | None = None,
    skip: Callable[[Job, str], bool] | None = None,
    budget_seconds: float | None = None,
    progress: bool = True,
    desc: str = "rows",
    on_row: Callable[[Job, dict], None] | None = None,
) -> RunSummary:
    """Compute every job not already stored and store each row as it finishes.

    Parameters
    ----------
    store : ResultStore
    compute : callable
        ``compute(payload) -> dict``, at module level (it is pickled by name).
    jobs : iterable of Job
        In the order they should be sent.
    workers : int
        1: here; more: that many local processes.
    scheduler : str or distributed.Client, optional
        Send the rows to this Dask scheduler instead (``workers`` then only sets how many
        rows are queued at a time).
    retries : int
        Dask retries of a row whose worker died or failed.
    precheck, stop_group, halt
        ``precheck(job)`` -> a row to store instead of computing (or None);
        ``stop_group(row)`` -> skip the later rows of the row's group;
        ``halt(row)`` -> send nothing more (rows running still finish and are stored).
    skip : callable, optional
        ``skip(job, stored_status)`` -> True to keep a stored row (default: always keep).
        A stored row that is not kept is computed again and replaced.
    budget_seconds : float, optional
        Send no new row after this many seconds.
    progress : bool
        A tqdm bar over the rows.
    on_row : callable, optional
        Called with (job, row) after each row is stored.
    """
    from .db import key_text

    if scheduler is None:
        _refuse_while_starting(workers)
    jobs = list(jobs)
    summary = RunSummary()
    stored = store.statuses()
    stopped: set = set()
    t0 = time.perf_counter()
    # before the progress bar: a scheduler that cannot be reached is then one line of its own
    executor = _executor(workers, scheduler, retries, compute.__module__)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        try:
            bar = tqdm(total=len(jobs), desc=desc, unit="row")
        except BaseException:
            executor.close(True)
            raise
    # a queue of one more row per worker: a worker finds its next row ready while this process stores
    window = (workers if scheduler is None else max(workers, _dask_threads(executor))) * (1 + (workers > 1))
    pending = deque(jobs)
    in_flight: dict[Any, Job] = {}
    cancel = True

    def save(job: Job, row: dict, replace: tuple = ()) -> None:
        store.put(job.key, row, sweep=sweep, replace=replace)
        summary.keys.append(job.key)
        if stop_group is not None and stop_group(row):
            stopped.add(job.group)
        if halt is not None and halt(row):
            summary.halted = True
        if on_row is not None:
            on_row(job, row)

    try:
        while pending or in_flight:
            while pending and len(in_flight) < window and not summary.halted:
                if budget_seconds is not None and time.perf_counter() - t0 > budget_seconds:
                    summary.out_of_time = True
                    break
                job = pending.popleft()
                status = stored.get(key_text(job.key))
                if status is not None and (skip is None or skip(job, status)):
                    summary.stored_before += 1
                    summary.keys.append(job.key)
                    if stop_group is not None and stop_group(store.get(job.key)):
                        stopped.add(job.group)
                    _tick(bar)
                    continue
                if job.group is not None and job.group in stopped:
                    summary.skipped += 1
                    _tick(bar)
                    continue
                refused = precheck(job) if precheck is not None else None
                if refused is not None:
                    save(job, {**refused, **provenance()}, replace=(status,) if status else ())
                    summary.refused += 1
                    _tick(bar)
                    continue
                in_flight[executor.submit(compute, job.payload)] = job
            if not in_flight:
                if summary.halted or summary.out_of_time:
                    break
                continue
            for fut in executor.wait(in_flight):
                job = in_flight.pop(fut)
                row = fut.result()
                old = stored.get(key_text(job.key))
                save(job, row, replace=(old,) if old else ())
                summary.computed += 1
                _tick(bar)
        cancel = False
    except KeyboardInterrupt:
        summary.interrupted = True
        raise
    finally:
        for fut in in_flight:
            fut.cancel()
        executor.close(cancel)
        if bar is not None:
            bar.close()
    summary.skipped += len(pending)
    return summary


def _tick(bar) -> None:
    if bar is not None:
        bar.update(1)


def _dask_threads(executor: _Dask) -> int:
    try:
        return max(1, sum(executor.client.nthreads().values()))
    except Exception:  # noqa: BLE001 - any failure: a modest window
        return 2
