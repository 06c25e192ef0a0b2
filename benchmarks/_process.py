"""Time a whole command as a child process: wall time and its own peak resident memory."""

from __future__ import annotations

import os
import subprocess
import sys
import time


def run_process(args: list[str]) -> tuple[float, float, int, str]:
    """Run ``python -m tnrnn ARGS``; returns (seconds, peak RSS in GiB, exit status, output)."""
    env = dict(os.environ)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "tnrnn", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, env=env, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - t0, usage.ru_maxrss / 2**20, proc.returncode, out


def load() -> str:
    return "load average %.2f %.2f %.2f on %d cores" % (*os.getloadavg(), os.cpu_count() or 0)
