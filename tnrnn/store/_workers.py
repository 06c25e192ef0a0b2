"""Start-up and interrupts of local worker processes (used by :mod:`.run`).

- :func:`start_server_ignoring_sigint`: the forkserver (and every worker forked from it)
  ignores SIGINT from its first instruction, so Ctrl-C, which the terminal sends to the whole
  process group, reaches only the sweep's own process;
- :func:`sigint_deferred`: a block (starting a worker) that Ctrl-C does not cut in half;
- :func:`start_worker`: the initializer of each worker (threads, signals); a running row is
  stopped with SIGTERM (:class:`RowStopped`) after the sweep is interrupted.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shlex
import signal
import stat
import tempfile
import threading
from pathlib import Path
from typing import Iterator

__all__ = ["limit_threads", "start_server_ignoring_sigint", "sigint_deferred", "start_worker", "stop_row", "RowStopped"]


def limit_threads(threads: int) -> None:
    """Give a worker process ``threads`` compute threads (numba, and BLAS through
    threadpoolctl), so that N workers on N cores do not each start a thread per core."""
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(threads)  # for anything this worker starts or loads later
    # Not NUMBA_NUM_THREADS: numba rereads it at every compilation, and once its thread pool
    # runs, a value that differs from the pool's size is an error ("Cannot set
    # NUMBA_NUM_THREADS ..."), raised in the first row that compiles a new signature.
    # set_num_threads limits the threads each parallel loop uses, whatever the pool's size.
    try:
        import numba

        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    except ImportError:
        pass
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(threads)
    except ImportError:
        pass


def start_server_ignoring_sigint() -> None:
    """Start the forkserver (and the resource tracker) through ``/bin/sh -c "trap '' INT; exec
    python ..."``: they then ignore SIGINT from their first Python instruction on, and every
    worker forked from the server inherits that.

    The terminal sends Ctrl-C to the whole process group: the workers never see it (so they
    print no traceback, not even while the server imports numpy or numba); this process gets
    it and stops them (:meth:`_Local.close`). Ignoring is set before ``exec`` because Python
    installs its own SIGINT handler at start-up unless SIGINT is ignored already; the parent
    keeps its handler throughout, so no Ctrl-C is lost.
    """
    from multiprocessing import forkserver, spawn

    python = spawn.get_executable()
    try:
        wrapper = _sigint_wrapper(os.fsdecode(python))
    except OSError:  # no private folder for it: start the server as usual
        forkserver.ensure_running()
        return
    spawn.set_executable(wrapper)
    try:
        forkserver.ensure_running()
    finally:
        spawn.set_executable(python)


def _sigint_wrapper(python: str) -> str:
    """The path of a script that runs ``python`` with SIGINT ignored: kept in a private folder
    of this user (made once, never removed: the shell reads it after this process moves on)."""
    folder = Path(tempfile.gettempdir()) / f"tnrnn-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    st = folder.lstat()
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        raise PermissionError(f"{folder} is not a private folder of this user")
    text = f"#!/bin/sh\ntrap '' INT\nexec {shlex.quote(python)} \"$@\"\n"
    wrapper = folder / f"python-{hashlib.sha256(text.encode()).hexdigest()[:16]}"
    if not wrapper.exists():
        fd, tmp = tempfile.mkstemp(dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o700)
        os.replace(tmp, wrapper)
    return str(wrapper)


@contextlib.contextmanager
def sigint_deferred() -> Iterator[None]:
    """Run the block uninterrupted by Ctrl-C; an interrupt that came meanwhile is raised after.

    Around starting a worker: an interrupt in the middle of handing a new process its start-up
    data would leave that process starting alone after this one quits (and printing a
    traceback when the shared semaphores it unpickles are gone).
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # pragma: no cover - signals are handled in the main thread only
        return
    got: list = []
    old = signal.signal(signal.SIGINT, lambda *a: got.append(a))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)
        if got and callable(old):
            old(*got[0])  # the usual handler: raises KeyboardInterrupt


def start_worker(threads: int) -> None:
    """Initializer of a local worker process: SIGINT stays ignored and SIGTERM is ignored
    between rows (the sweep's process stops a row with SIGTERM after a Ctrl-C, see
    :func:`tnrnn.store.run._row_in_worker`), then :func:`limit_threads`."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    limit_threads(threads)


class RowStopped(Exception):
    """A row stopped in its worker because the sweep was interrupted (never stored)."""


def stop_row(signum, frame) -> None:
    """SIGTERM handler while a worker computes a row: stop it."""
    raise RowStopped("the sweep was interrupted")
