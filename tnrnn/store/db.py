"""A result store on SQLite: one row per case, committed as soon as the case finishes.

A store is one SQLite file in WAL mode (:class:`ResultStore`). Each row is identified by
its *key*, the full description of the case (kind of computation, spec, partition, seed,
options), written as canonical JSON; resuming a sweep skips the keys already stored. Every
write is one ``BEGIN IMMEDIATE`` transaction, so:

- a process killed at any moment (SIGKILL included) loses no committed row and leaves no
  corruption: SQLite's write-ahead log makes a commit all-or-nothing, and the next opening
  rolls back whatever was half written (``synchronous=NORMAL``: durable across a crash of
  the process; a power cut may drop the last commits, never corrupt the file);
- several processes may write into one store at once: writers wait for each other
  (``busy_timeout``, 60 s by default) instead of failing;
- a file is checked read-only before anything is written into it, and a new store appears
  complete or not at all (:mod:`._sqlite`): a foreign, empty or damaged file is refused
  unchanged, and every SQLite failure (damaged, full disk, locked, read-only) is a
  :class:`StoreError` naming the path and what to do.

Schema (``PRAGMA user_version`` = 1): table ``rows`` with ``key`` (primary key), ``kind``,
``status``, ``sweep`` (the id of the sweep that wrote it), ``written`` (Unix time) and
``data`` (the whole row as JSON, exact: integers beyond 64 bits are written as
``{"$int": "<all digits>"}``), plus one column per field of the rows, added the first time
a field is seen (so new fields flow through without a schema change), holding the same
values for SQL queries (integers beyond 64 bits as their decimal text). Table ``sweeps``
holds one line per sweep: its grid and options, host, start and end.

Examples
--------
>>> store = ResultStore(None)  # in memory
>>> store.put((("kind", "demo"), ("n", 3)), {"n": 3, "square": 9, "huge": 10**40})
True
>>> [(r["n"], r["square"], r["huge"] == 10**40, r["status"]) for r in store.rows()]
[(3, 9, True, 'ok')]
>>> store.close()
"""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import time
from pathlib import Path
from typing import Any, Iterable

from ..numbers import int_to_text, text_to_int as _text_to_int
from ._sqlite import StoreError, create_store, guard, open_read_only, open_read_write, remove_store, store_error

__all__ = ["ResultStore", "StoreError", "key_text", "STORE_SUFFIXES", "text_to_int"]

#: Suffixes that name a store file.
STORE_SUFFIXES = (".sqlite", ".sqlite3", ".db")
_SCHEMA_VERSION = 1
_FIXED = ("key", "kind", "status", "sweep", "written", "data")
_INT64 = 2**63 - 1
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def text_to_int(text: str) -> int:
    """The integer of a decimal text of any length (:func:`tnrnn.numbers.text_to_int`),
    a :class:`StoreError` for anything else.

    >>> text_to_int("-" + "9" * 5000) == -(10**5000 - 1)
    True
    """
    try:
        return _text_to_int(text)
    except ValueError:
        raise StoreError(f"expected a decimal integer, got {text.strip()[:40]!r}") from None


def _encode(value: Any) -> Any:
    """JSON-ready copy of ``value`` with integers beyond 64 bits tagged as exact text."""
    if isinstance(value, bool) or value is None or isinstance(value, (str, float)):
        return value
    if isinstance(value, int):
        return value if -_INT64 <= value <= _INT64 else {"$int": int_to_text(value)}
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if hasattr(value, "item"):  # numpy scalars
        return _encode(value.item())
    return str(value)


def _decode_hook(obj: dict) -> Any:
    if len(obj) == 1 and "$int" in obj:
        return text_to_int(obj["$int"])
    return obj


def dumps(value: Any) -> str:
    """Exact JSON text of a row (see :func:`loads`)."""
    return json.dumps(_encode(value), separators=(",", ":"), allow_nan=True)


def loads(text: str) -> Any:
    """The value written by :func:`dumps` (big integers restored exactly)."""
    return json.loads(text, object_hook=_decode_hook)


def key_text(key: Iterable[tuple[str, Any]]) -> str:
    """Canonical text of a key given as ``(name, value)`` pairs (their order is part of it)."""
    return dumps([[str(name), value] for name, value in key])


def _sql_value(value: Any) -> Any:
    """The value of a field column: numbers as numbers, huge integers and lists as text."""
    if value is None or isinstance(value, (str, float)):
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value if -_INT64 <= value <= _INT64 else int_to_text(value)
    return dumps(value)


class ResultStore:
    """Rows of finished cases in one SQLite file (``None`` or ``":memory:"``: in memory).

    An existing file is opened read-only and checked first; the store switches to a writing
    connection only at its first write (:meth:`put`, :meth:`begin_sweep`), after checking the
    file again under the write lock. So reading or exporting never changes the file, and a
    file that is not a tnrnn store is refused exactly as it was.

    Parameters
    ----------
    path : str, Path or None
        The store file (created with its folder if missing, unless ``readonly``).
    timeout : float
        Seconds a writer waits for another writer before giving up.
    readonly : bool
        Only read: the file must exist, and any write raises :class:`StoreError`.

    Raises
    ------
    StoreError
        If the file is missing (``readonly``), empty, not an SQLite database, damaged, holds
        tables that are not a tnrnn store, or cannot be created; later, if a read or write
        fails (a full disk, a lock held past ``timeout``, a read-only folder). The message
        names the path and what to do.
    """

    def __init__(self, path: str | Path | None, *, timeout: float = 60.0, readonly: bool = False) -> None:
        self.path = None if path in (None, ":memory:") else Path(path)
        self.readonly = readonly
        self._timeout = timeout
        self._columns: set[str] = set()
        self._db: sqlite3.Connection | None = None
        self._writing = False
        if self.path is None:
            self._db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            with guard(None, "create"):
                _build_schema(self._db)
                self._refresh_columns()
            self._writing = True
            return
        if self.path.is_dir():
            raise StoreError(f"store path {str(self.path)!r} is a folder; give a file such as results.sqlite")
        if not self.path.exists():
            if readonly:
                raise StoreError(f"no store at {str(self.path)!r}; give a .sqlite file written by tnrnn")
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                raise StoreError(f"cannot create the folder of store {str(self.path)!r}: {err.strerror}; "
                                 "choose a folder you can write to") from None
            created = create_store(self.path, _build_schema)
        else:
            created = False
        try:
            with guard(self.path, "open"):
                self._db = open_read_only(self.path, timeout, _check_schema)
                self._refresh_columns()
        except BaseException:
            self.close()
            if created:
                remove_store(self.path)
            raise

    def _for_writing(self) -> sqlite3.Connection:
        """The writing connection, opened (and the file checked again) at the first write."""
        if self._db is None:
            raise StoreError(f"store {self._name()!r} is closed")
        if not self._writing:
            if self.readonly:
                raise StoreError(f"store {self._name()!r} was opened read-only; open it without "
                                 "readonly=True to write")
            with guard(self.path, "write to"):
                db = open_read_write(self.path, self._timeout, _check_schema_and_pages)
            self._db.close()
            self._db, self._writing = db, True
        return self._db

    def _name(self) -> str:
        return ":memory:" if self.path is None else str(self.path)

    def _read(self) -> sqlite3.Connection:
        if self._db is None:
            raise StoreError(f"store {self._name()!r} is closed")
        return self._db

    # ------------------------------------------------------------------ schema
    def _refresh_columns(self) -> None:
        self._columns = {r[1] for r in self._read().execute("PRAGMA table_info(rows)")}

    def _write(self):
        return _Writing(self)

    # ------------------------------------------------------------------ writing
    def put(self, key: Iterable[tuple[str, Any]], row: dict[str, Any], *, sweep: int | None = None,
            replace: Iterable[str] = ()) -> bool:
        """Store one finished row under ``key`` in its own transaction.

        ``row["status"]`` defaults to ``"ok"``; ``row["kind"]`` defaults to the key's
        ``kind``. A row already stored under the key is kept (returns False), unless its
        status is in ``replace`` (e.g. a ``too-large`` row computed now with a larger limit).
        """
        key = list(key)
        text = key_text(key)
        row = {**row}
        row.setdefault("kind", dict(key).get("kind", ""))
        row.setdefault("status", "ok")
        row["key"] = [list(p) for p in key]
        fields = {k: _sql_value(v) for k, v in row.items() if _NAME.match(k) and k not in _FIXED}
        replace = tuple(replace)
        with self._write() as db:
            old = db.execute("SELECT status FROM rows WHERE key = ?", (text,)).fetchone()
            if old is not None and old[0] not in replace:
                return False
            missing = [k for k in fields if k not in self._columns]
            if missing:
                self._refresh_columns()  # another writer may have added them (we hold the lock)
                for name in (k for k in fields if k not in self._columns):
                    db.execute(f'ALTER TABLE rows ADD COLUMN "{name}"')
                self._refresh_columns()
            names = ["key", "kind", "status", "sweep", "written", "data", *fields]
            values = [text, str(row["kind"]), str(row["status"]), sweep, time.time(), dumps(row),
                      *fields.values()]
            cols = ", ".join(f'"{n}"' for n in names)
            marks = ", ".join("?" for _ in names)
            db.execute(f"INSERT OR REPLACE INTO rows ({cols}) VALUES ({marks})", values)
        return True

    def begin_sweep(self, kind: str, meta: dict[str, Any]) -> int:
        """Record the start of a sweep (its grid and options); returns its id."""
        with self._write() as db:
            cur = db.execute(
                "INSERT INTO sweeps (kind, started, host, pid, meta) VALUES (?, ?, ?, ?, ?)",
                (kind, time.time(), socket.gethostname(), os.getpid(), dumps(meta)))
            return int(cur.lastrowid)

    def end_sweep(self, sweep: int, summary: dict[str, Any]) -> None:
        """Record how a sweep ended (rows computed, skipped, refused; interrupted or not)."""
        with self._write() as db:
            db.execute("UPDATE sweeps SET finished = ?, summary = ? WHERE id = ?",
                       (time.time(), dumps(summary), sweep))

    # ------------------------------------------------------------------ reading
    def _query(self, sql: str, args: tuple = ()) -> list[tuple]:
        """All rows of one read query; an SQLite failure becomes a :class:`StoreError`."""
        with guard(self.path, "read"):
            return self._read().execute(sql, args).fetchall()

    def statuses(self, kind: str | None = None) -> dict[str, str]:
        """``{key text: status}`` of every stored row (of one kind)."""
        sql, args = "SELECT key, status FROM rows", ()
        if kind is not None:
            sql, args = sql + " WHERE kind = ?", (kind,)
        return dict(self._query(sql, args))

    def kinds(self) -> list[str]:
        """The kinds of rows in the store (e.g. ``["bounds"]``)."""
        return sorted(r[0] for r in self._query("SELECT DISTINCT kind FROM rows"))

    def rows(self, kind: str | None = None) -> list[dict[str, Any]]:
        """Every stored row (of one kind), sorted by key values: a stable order."""
        sql, args = "SELECT data FROM rows", ()
        if kind is not None:
            sql, args = sql + " WHERE kind = ?", (kind,)
        out = [self._loads(r[0]) for r in self._query(sql, args)]
        return sorted(out, key=lambda r: [_sortable(v) for _, v in r.get("key", [])])

    def _loads(self, text: str) -> Any:
        try:
            return loads(text)
        except (ValueError, TypeError) as err:  # JSONDecodeError is a ValueError
            raise StoreError(f"cannot read store {self._name()!r}: a row holds damaged JSON ({err}); "
                             "give a new file, or remove that row") from None

    def get(self, key: Iterable[tuple[str, Any]]) -> dict[str, Any] | None:
        """The row stored under ``key``, or None."""
        got = self._query("SELECT data FROM rows WHERE key = ?", (key_text(key),))
        return None if not got else self._loads(got[0][0])

    def sweeps(self) -> list[dict[str, Any]]:
        """Every sweep recorded in the store, oldest first."""
        cur = self._query("SELECT id, kind, started, finished, host, pid, meta, summary FROM sweeps ORDER BY id")
        return [{"id": i, "kind": k, "started": s, "finished": f, "host": h, "pid": p,
                 "meta": self._loads(m) if m else None, "summary": self._loads(x) if x else None}
                for i, k, s, f, h, p, m, x in cur]

    def __len__(self) -> int:
        return int(self._query("SELECT count(*) FROM rows")[0][0])

    def integrity(self) -> str:
        """The result of ``PRAGMA integrity_check`` (``"ok"`` for a sound file)."""
        return str(self._query("PRAGMA integrity_check")[0][0])

    # ------------------------------------------------------------------ life
    def close(self) -> None:
        """Close the connection (the file stays consistent whether or not this is called)."""
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> "ResultStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ResultStore({self._name()!r})"


def _build_schema(db: sqlite3.Connection) -> None:
    """The tables of a new store (inside the caller's transaction)."""
    db.execute("CREATE TABLE rows (key TEXT PRIMARY KEY, kind TEXT NOT NULL, status TEXT NOT NULL, "
               "sweep INTEGER, written REAL NOT NULL, data TEXT NOT NULL)")
    db.execute("CREATE INDEX rows_kind ON rows(kind)")
    db.execute("CREATE TABLE sweeps (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT, started REAL, "
               "finished REAL, host TEXT, pid INTEGER, meta TEXT, summary TEXT)")
    db.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")


def _check_schema(db: sqlite3.Connection) -> None:
    """Raise unless ``db`` holds a tnrnn store (reads only)."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if version != _SCHEMA_VERSION or not {"rows", "sweeps"} <= tables:
        raise sqlite3.DatabaseError(
            f"schema version {version} with tables {sorted(tables)}, expected a tnrnn store "
            f"(version {_SCHEMA_VERSION})")


def _check_schema_and_pages(db: sqlite3.Connection) -> None:
    """:func:`_check_schema`, and every page readable (before anything is written into it)."""
    _check_schema(db)
    problems = [r[0] for r in db.execute("PRAGMA quick_check(3)")]
    if problems != ["ok"]:
        raise sqlite3.DatabaseError(f"database disk image is malformed: {'; '.join(problems)[:200]}")


def _sortable(value: Any) -> tuple:
    """A total order over mixed key values: None, numbers, text, then lists."""
    if value is None:
        return (0,)
    if isinstance(value, (bool, int, float)):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    if isinstance(value, (list, tuple)):
        return (3, [_sortable(v) for v in value])
    return (4, str(value))


class _Writing:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on any exception, Ctrl-C included),
    on the store's writing connection; an SQLite failure becomes a :class:`StoreError`."""

    def __init__(self, store: ResultStore) -> None:
        self.store = store

    def __enter__(self) -> sqlite3.Connection:
        self.db = self.store._for_writing()
        with guard(self.store.path, "write to"):
            self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, exc, tb) -> bool:
        with guard(self.store.path, "write to"):
            if exc_type is None:
                self.db.execute("COMMIT")
                return False
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
        if exc_type is not None and issubclass(exc_type, sqlite3.Error):
            raise store_error(self.store._name(), "write to", exc) from None
        return False
