"""Opening a store file safely, and SQLite failures as one line that names the file.

The rules :class:`tnrnn.store.ResultStore` keeps:

- an existing file is first opened **read-only** and checked (an SQLite file whose schema is
  a tnrnn store's); nothing is written into it before the check passes, so a foreign, empty
  (0 bytes) or damaged file is refused exactly as it was (same bytes, same mtime);
- a new store is built complete in a temporary file beside the target and then linked into
  place, so a failed start (a full disk, Ctrl-C, a read-only folder) leaves nothing behind
  and a half-made store is never seen by another process;
- every :class:`sqlite3.Error` becomes a :class:`StoreError` naming the path, what failed
  and what to do (:func:`store_error`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import quote

from ..errors import TnrnnError

__all__ = ["StoreError", "store_error", "guard", "open_read_only", "open_read_write", "create_store", "remove_store"]


class StoreError(TnrnnError):
    """A store that cannot be opened, read or written (not SQLite, another schema, damaged,
    a full disk, locked, read-only, a bad path)."""


#: (SQLite error names or message words, what it means, what to do)
_ADVICE = (
    (("SQLITE_FULL", "disk is full", "database or disk is full"), "the disk is full",
     "free some disk space or give a store on another disk"),
    (("SQLITE_CORRUPT", "SQLITE_NOTADB", "malformed", "not a database"), "the file is damaged or not SQLite",
     "give a new file, or save what can be read with: sqlite3 FILE .recover | sqlite3 NEW.sqlite"),
    (("SQLITE_BUSY", "SQLITE_LOCKED", "locked"), "another process holds the store locked",
     "wait for that process to finish (or stop it), then try again"),
    (("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "readonly", "unable to open"),
     "the file or its folder cannot be written",
     "give a store in a folder you can write to (reading and exporting need no write access)"),
    (("SQLITE_IOERR", "disk I/O error"), "the disk reported an input/output error",
     "check the disk (is it full or removed?) or give a store elsewhere"),
)


def store_error(path: Path | str, action: str, err: BaseException) -> StoreError:
    """One line for a failure of ``action`` on the store at ``path``: what, why, what to do."""
    text = str(err).strip() or type(err).__name__
    name = getattr(err, "sqlite_errorname", "") or ""
    if isinstance(err, OSError):
        name = {errno.ENOSPC: "SQLITE_FULL", errno.EDQUOT: "SQLITE_FULL", errno.EROFS: "SQLITE_READONLY",
                errno.EACCES: "SQLITE_PERM", errno.EPERM: "SQLITE_PERM"}.get(err.errno, "")
        text = err.strerror or text
    if ("SQLITE_IOERR" in name or "disk I/O" in text) and _nearly_full(Path(path)):
        name = "SQLITE_FULL"  # SQLite reports a failed mmap of the WAL index as an I/O error
    for words, meaning, advice in _ADVICE:
        if any(w in name or w in text for w in words):
            return StoreError(f"cannot {action} store {str(path)!r}: {meaning} ({text}); {advice}")
    return StoreError(f"cannot {action} store {str(path)!r} ({text}); give a new file or one written by tnrnn")


def _nearly_full(path: Path) -> bool:
    """Whether the disk of ``path`` has less than 1 MiB free (False if that cannot be told)."""
    try:
        st = os.statvfs(path.parent if not path.is_dir() else path)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < 2**20


@contextlib.contextmanager
def guard(path: Path | str | None, action: str) -> Iterator[None]:
    """Turn a :class:`sqlite3.Error` raised in the block into a :class:`StoreError`."""
    try:
        yield
    except sqlite3.Error as err:
        raise store_error(":memory:" if path is None else path, action, err) from None


def _uri(path: Path, **params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"file:{quote(str(path.absolute()))}?{query}"


def _retry_locked(connect: Callable[[], sqlite3.Connection], timeout: float) -> sqlite3.Connection:
    """``connect()``, tried again while SQLite answers "locked" at once (it skips the busy wait
    where waiting could deadlock, e.g. while another process recovers the WAL)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return connect()
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() >= deadline:
                raise
            time.sleep(0.05)


def _configure(db: sqlite3.Connection, timeout: float) -> sqlite3.Connection:
    db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    return db


def open_read_only(path: Path, timeout: float, check: Callable[[sqlite3.Connection], None]) -> sqlite3.Connection:
    """A connection for reading the store at ``path``, after ``check(connection)`` passed on a
    read-only connection.

    Writes nothing into the file (a checked store in a writable folder is then read through
    an ordinary connection, which removes its WAL files when it closes). A store on a
    read-only mount (where SQLite cannot make the WAL index file) is opened as immutable:
    nobody can write it there.
    """
    if path.stat().st_size == 0:
        raise StoreError(f"{str(path)!r} is an empty file (0 bytes), not a tnrnn store; remove it, or "
                         "give a new file or one written by tnrnn")

    def connect(uri: str) -> sqlite3.Connection:
        db = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None, check_same_thread=False)
        try:
            _configure(db, timeout)
            check(db)
        except BaseException:
            db.close()
            raise
        return db

    writable = os.access(path.parent, os.W_OK) and os.access(path, os.W_OK)
    try:
        db = _retry_locked(lambda: connect(_uri(path, mode="ro")), timeout)
    except sqlite3.OperationalError as err:
        if writable or not any(w in str(err) for w in ("unable to open", "readonly", "read-only")):
            raise
        return connect(_uri(path, mode="ro", immutable="1"))
    if not writable:
        return db
    # checked: a tnrnn store. Read it through an ordinary connection, which (unlike a read-only
    # one) removes the WAL files it made when it closes, as the last connection to the store
    db.close()
    return _retry_locked(lambda: connect(_uri(path, mode="rw")), timeout)


def open_read_write(path: Path, timeout: float, check: Callable[[sqlite3.Connection], None]) -> sqlite3.Connection:
    """A writing connection to an existing store (``check`` runs under the write lock first)."""

    def connect() -> sqlite3.Connection:
        db = sqlite3.connect(_uri(path, mode="rw"), uri=True, timeout=timeout, isolation_level=None,
                             check_same_thread=False)
        try:
            _configure(db, timeout)
            db.execute("BEGIN IMMEDIATE")
            try:
                check(db)
            finally:
                db.execute("ROLLBACK")
            # a store is made in WAL mode: this only confirms it (no change to the file)
            if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
        except BaseException:
            db.close()
            raise
        return db

    return _retry_locked(connect, timeout)


def create_store(path: Path, build: Callable[[sqlite3.Connection], None]) -> bool:
    """Make a new store at ``path``: ``build(connection)`` fills a temporary file beside it, which
    is then linked into place (if another process made ``path`` meanwhile, its store is kept).

    Returns whether this call made the file. Nothing is left behind if anything fails; raises
    :class:`StoreError` naming ``path``.
    """
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".new", dir=path.parent)
    except OSError as err:
        raise store_error(path, "create", err) from None
    os.close(fd)
    tmp = Path(name)
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the store the usual mode
        db = sqlite3.connect(str(tmp), isolation_level=None)
        try:
            db.execute("BEGIN IMMEDIATE")
            build(db)
            db.execute("COMMIT")
            if db.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() != "wal":
                raise sqlite3.OperationalError("could not switch the new store to WAL mode")
        finally:
            db.close()
        return _link(tmp, path)
    except sqlite3.Error as err:
        raise store_error(path, "create", err) from None
    except OSError as err:
        raise store_error(path, "create", err) from None
    finally:
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm"), Path(f"{tmp}-journal")):
            with contextlib.suppress(OSError):
                leftover.unlink()


def _link(tmp: Path, path: Path) -> bool:
    """Put ``tmp`` at ``path`` unless a file is there already (then keep that one); returns
    whether ``tmp`` was put there."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        return False
    except OSError as err:  # a file system without hard links
        if err.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK) or path.exists():
            raise
        os.replace(tmp, path)
    with contextlib.suppress(OSError):  # make the new directory entry durable
        dirfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dirfd)
        finally:
            os.close(dirfd)
    return True


def remove_store(path: Path) -> None:
    """Remove a store this process has just made and could not open (nothing left behind)."""
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(OSError):
            leftover.unlink()
