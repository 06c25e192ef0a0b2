"""Atomic file writing: a temporary file in the same folder, then a rename.

A write that fails for any reason (an exception, Ctrl-C, a full disk, a read-only folder)
leaves the target as it was: no partial file, no temporary file. The file's data is synced
before the rename and the folder after it, so a crash leaves the old file or the whole new one. Errors of the file system
are raised as the usual ``OSError`` subclass, naming the target path (not the temporary
file), so that the command line can say which file could not be written.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path
from typing import IO, Iterator

__all__ = ["atomic_write", "write_text_atomic", "write_bytes_atomic"]


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "w", **kwargs) -> Iterator[IO]:
    """Open a temporary file beside ``path``; rename it over ``path`` only on success.

    If the block raises (or the process is interrupted), ``path`` keeps its old content
    and the temporary file is removed. A folder at ``path`` is refused before anything is
    written (``IsADirectoryError``).
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "Is a directory", str(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as err:
        raise _naming(err, path) from None
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the file the usual mode
        with os.fdopen(fd, mode, **kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())  # the data is on disk before the name points to it
        os.replace(tmp, path)
        _sync_folder(path.parent)  # and the new name itself survives a crash
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(err, OSError) and (err.filename is None or err.filename == tmp):
            raise _naming(err, path) from None
        raise


def _sync_folder(folder: Path) -> None:
    """fsync a folder, making a rename in it durable (where the system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems refuse fsync on a folder: the rename is done anyway
        pass
    finally:
        os.close(fd)


def _naming(err: OSError, path: Path) -> OSError:
    """The same kind of OSError, naming the target ``path`` (mkdir errors keep theirs)."""
    if err.filename is not None and not str(err.filename).endswith(".tmp"):
        return err
    return type(err)(err.errno, err.strerror or str(err), str(path))


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` to ``path`` atomically (UTF-8) and return the path."""
    with atomic_write(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    return Path(path)


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return the path."""
    with atomic_write(path, "wb") as handle:
        handle.write(data)
    return Path(path)
