"""Results of sweeps: an SQLite store, the runners that fill it, and the table exports.

- :mod:`.db`: :class:`ResultStore`, one row per case, committed at once, safe against
  SIGKILL and concurrent writers; :mod:`._sqlite` opens files (checked read-only before
  any write) and turns SQLite failures into :class:`StoreError`;
- :mod:`.run`: :func:`run_jobs` computes rows here, in local worker processes or on a Dask
  cluster, and stores each as it finishes; :mod:`._workers` starts the local workers so that
  Ctrl-C reaches only the sweep's process;
- :mod:`.export`: the one writer of table files (CSV, JSON, Markdown, booktabs LaTeX).

This package sits below the computations (it imports no other tnrnn package than the
error, number-formatting and version modules), so bounds tables and experiment grids
both use it.
"""

from .db import STORE_SUFFIXES, ResultStore, StoreError
from .export import TABLE_SUFFIXES, read_table, table_columns, write_table, write_tables
from .run import Job, RunSummary, default_workers, run_jobs

__all__ = [
    "ResultStore", "StoreError", "STORE_SUFFIXES", "TABLE_SUFFIXES", "Job", "RunSummary", "run_jobs",
    "default_workers", "read_table", "write_table", "write_tables", "table_columns",
]
