"""A compute function for worker-process tests: what a worker runs with (importable by the
worker processes when ``tests/`` is on ``PYTHONPATH``)."""

import os


def thread_report(payload):
    import numba

    return {"omp": os.environ.get("OMP_NUM_THREADS"), "numba": numba.get_num_threads(), "worker": os.getpid(),
            "n": payload}
