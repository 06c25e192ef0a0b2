"""Rank of an integer matrix over the prime field F_p.

Three backends:

- ``"blas"`` (:mod:`tnrnn.rank.blasrank`): recursive LU whose updates are exact float64
  BLAS products (all cores), reduced mod p between blocks; needs numba. The fastest from
  a few hundred rows on (about 2x flint at 2,000 for ``p = 2^31 - 1``, more for primes
  below ``2^21``, and the gap grows with the size).
- ``"flint"``: python-flint's ``nmod_mat`` (FLINT's elimination in C); the fastest on
  small matrices, and an independent implementation to hold the others against.
- ``"numpy"``: a vectorised Gaussian elimination (reference and fallback).

``"auto"`` takes blas from :data:`BLAS_MIN_SIZE` rows and columns on, else flint, falling
back to whatever is installed.
"""

from __future__ import annotations

import numpy as np

from ..errors import TnrnnError
from ..modular import check_prime, to_field

__all__ = ["rank_mod_p", "numpy_rank_mod_p", "flint_rank_mod_p", "BACKENDS", "BLAS_MIN_SIZE",
           "rank_bytes", "available_bytes", "check_rank_memory"]

#: Accepted ``backend`` names.
BACKENDS = ("auto", "blas", "flint", "numpy")
#: ``backend="auto"`` uses blas when both sides have at least this many entries.
BLAS_MIN_SIZE = 256


def _field_matrix(matrix: np.ndarray, p: int) -> np.ndarray:
    arr = np.asarray(matrix)
    if arr.ndim != 2:
        raise TnrnnError(f"rank needs a 2-D matrix, got shape {arr.shape}")
    return to_field(arr, p)


def flint_rank_mod_p(matrix: np.ndarray, p: int) -> int:
    """Rank over F_p with ``flint.nmod_mat`` (imported lazily)."""
    import flint  # lazy: keeps ``import tnrnn`` light

    p = check_prime(p)
    arr = _field_matrix(matrix, p)
    n, m = arr.shape
    if n == 0 or m == 0:
        return 0
    return int(flint.nmod_mat(n, m, arr.ravel().tolist(), p).rank())


def numpy_rank_mod_p(matrix: np.ndarray, p: int) -> int:
    """Rank over F_p by Gaussian elimination, vectorised over rows with numpy.

    Entries stay in ``[0, p)`` with ``p < 2**31``, so every product fits in int64.
    """
    p = check_prime(p)
    A = _field_matrix(matrix, p).copy()
    n, m = A.shape
    if m > n:  # eliminate along the shorter side
        A = np.ascontiguousarray(A.T)
        n, m = m, n
    r = 0
    for c in range(m):
        if r == n:
            break
        nz = np.flatnonzero(A[r:, c])
        if nz.size == 0:
            continue
        k = r + int(nz[0])
        if k != r:
            A[[r, k]] = A[[k, r]]
        inv = pow(int(A[r, c]), p - 2, p)
        A[r, c:] = A[r, c:] * inv % p
        f = A[r + 1 :, c].copy()
        if f.any():
            A[r + 1 :, c:] = (A[r + 1 :, c:] - (f[:, None] * A[r, c:][None, :]) % p) % p
        r += 1
    return r


def _installed(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def resolve_backend(backend: str, shape: tuple[int, int]) -> str:
    """The backend ``rank_mod_p`` uses for a matrix of this shape.

    >>> resolve_backend("flint", (10, 10)), resolve_backend("numpy", (10**4, 10**4))
    ('flint', 'numpy')
    """
    if backend not in BACKENDS:
        raise TnrnnError(f"backend must be one of {', '.join(map(repr, BACKENDS))}, got {backend!r}")
    need = {"blas": "numba", "flint": "flint"}
    if backend in need:
        if not _installed(need[backend]):
            hint = "pip install numba" if backend == "blas" else "pip install python-flint"
            raise TnrnnError(f"backend={backend!r} needs {need[backend]}: {hint}")
        return backend
    if backend == "numpy":
        return backend
    order = ("blas", "flint") if min(shape) >= BLAS_MIN_SIZE else ("flint", "blas")
    for name in order:
        if _installed(need[name]):
            return name
    return "numpy"


def rank_bytes(n: int, m: int, p: int, backend: str) -> int:
    """Working memory of the rank of an n x m matrix (bytes, an upper estimate), beyond the
    int64 matrix itself: blas see :func:`~tnrnn.rank.blasrank.blas_rank_bytes`; flint holds
    one word per entry plus Python's list of the entries (about 40 bytes each) while
    converting; numpy one int64 copy.

    >>> rank_bytes(1000, 1000, 65_521, "numpy")
    8000000
    """
    if backend == "blas":
        from .blasrank import blas_rank_bytes

        return blas_rank_bytes(n, m, p)
    return n * m * (48 if backend == "flint" else 8)


def available_bytes() -> int:
    """Memory the OS can give this process now (``MemAvailable``; total memory elsewhere)."""
    import os

    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:  # pragma: no cover (not Linux)
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")  # pragma: no cover


def check_rank_memory(n: int, m: int, p: int, backend: str = "auto", *, held: int = 0,
                      max_bytes: int | None = None) -> int:
    """Refuse, before allocating, a rank whose matrix and working memory would not fit.

    ``held``: bytes the caller will hold besides (the int64 matrix is counted here).
    Returns the estimate; raises :class:`~tnrnn.errors.MemoryLimitError` with the figures.
    """
    from ..errors import MemoryLimitError

    name = resolve_backend(backend, (n, m))
    need = 8 * n * m + rank_bytes(n, m, p, name) + held
    limit = available_bytes() if max_bytes is None else int(max_bytes)
    if need > limit:
        raise MemoryLimitError(
            f"the rank of a {n:,} x {m:,} matrix over F_p ({name} backend) needs about "
            f"{need / 2**30:,.2f} GiB, but only {limit / 2**30:,.2f} GiB are available; use "
            "fewer probes (--max-probes) or free memory"
        )
    return need


def rank_mod_p(matrix: np.ndarray, p: int, *, backend: str = "auto", progress=None) -> int:
    """Rank of ``matrix`` (integer entries, reduced mod p) over F_p.

    Parameters
    ----------
    matrix : array (n, m) of integers
    p : int
        A prime below ``2**31``.
    backend : {"auto", "blas", "flint", "numpy"}
        See the module docstring; ``"auto"`` picks by size and what is installed.
    progress : callable, optional
        blas backend only: called with the number of columns eliminated, as they finish.

    Examples
    --------
    >>> import numpy as np
    >>> rank_mod_p(np.array([[1, 2], [2, 4]]), 7), rank_mod_p(np.array([[1, 2], [3, 1]]), 5)
    (1, 1)
    >>> rank_mod_p(np.array([[1, 2], [3, 1]]), 5, backend="blas")
    1
    """
    arr = np.asarray(matrix)
    if arr.ndim != 2:
        raise TnrnnError(f"rank needs a 2-D matrix, got shape {arr.shape}")
    name = resolve_backend(backend, arr.shape)
    if name == "blas":
        from .blasrank import blas_rank_mod_p

        return blas_rank_mod_p(arr, p, progress=progress)
    if name == "flint":
        return flint_rank_mod_p(arr, p)
    return numpy_rank_mod_p(arr, p)
