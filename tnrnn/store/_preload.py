"""Imported once in the forkserver of local sweep workers, before any worker forks from it.

Workers fork from that server, so what it has imported they inherit instead of each importing
it again: numpy, scipy's sparse graphs, python-flint and numba (where installed), and numba's
compiler context, which a process otherwise builds at its first compiled call (about 0.6 s).
No compiled function runs here, so no thread pool is started before the fork. Never imported
by ``import tnrnn``.
"""

from __future__ import annotations

import importlib

for _name in ("numpy", "scipy.sparse.csgraph", "flint", "numba"):
    try:
        importlib.import_module(_name)
    except ImportError:  # optional here: a worker imports what it needs itself
        pass

try:  # build numba's CPU target context now (no code is compiled or run)
    from numba.core.registry import cpu_target

    cpu_target.target_context.refresh()
except Exception:  # noqa: BLE001 - a warm-up only; workers build it themselves if this fails
    pass
