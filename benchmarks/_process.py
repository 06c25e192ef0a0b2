"""Time a whole command as a child process: wall time, CPU time and its own peak resident memory."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
import time

_PR_SET_CHILD_SUBREAPER = 36


def _adopt_orphans() -> None:
    """Make this process the reaper of its orphaned descendants (Linux), so that the CPU time
    of processes a child leaves behind (a forkserver and its workers) is counted too."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


def run_timed(args: list[str]) -> dict:
    """Run ``python -m tnrnn ARGS``; returns seconds (wall), cpu (user + sys of the command and
    every process it started), gib (the command's own peak RSS), rc and out."""
    env = dict(os.environ)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    _adopt_orphans()
    before = os.times()
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "tnrnn", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, env=env, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage
    seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # reap what it left running (e.g. a forkserver)
        try:
            if os.waitpid(-1, os.WNOHANG) == (0, 0):
                time.sleep(0.05)
        except ChildProcessError:
            break
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return {"seconds": seconds, "cpu": cpu, "gib": usage.ru_maxrss / 2**20, "rc": proc.returncode, "out": out}


def run_process(args: list[str]) -> tuple[float, float, int, str]:
    """Run ``python -m tnrnn ARGS``; returns (seconds, peak RSS in GiB, exit status, output)."""
    r = run_timed(args)
    return r["seconds"], r["gib"], r["rc"], r["out"]


def load() -> str:
    return "load average %.2f %.2f %.2f on %d cores" % (*os.getloadavg(), os.cpu_count() or 0)
