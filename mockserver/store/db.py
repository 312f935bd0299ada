"""SQLite connection and the versioned schema (migrations keyed on PRAGMA user_version)."""

from __future__ import annotations

import errno
import functools
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

MIGRATIONS: tuple[str, ...] = (
    # 1: webhooks, events, deliveries, attempts, and small key/value metadata.
    """
    CREATE TABLE webhooks (
        id TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        url TEXT NOT NULL,
        events TEXT NOT NULL,
        status TEXT NOT NULL,
        disabled_reason TEXT,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE INDEX webhooks_owner ON webhooks (owner, created_at);
    CREATE TABLE events (
        id TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        type TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at REAL NOT NULL,
        group_id TEXT
    );
    CREATE INDEX events_owner ON events (owner, created_at);
    CREATE TABLE deliveries (
        id TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        event_id TEXT NOT NULL,
        webhook_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_at REAL,
        created_at REAL NOT NULL,
        deadline REAL NOT NULL,
        last_error TEXT,
        last_status INTEGER,
        event_type TEXT NOT NULL,
        url TEXT NOT NULL,
        fault TEXT
    );
    CREATE INDEX deliveries_due ON deliveries (next_at) WHERE status = 'pending';
    CREATE INDEX deliveries_owner ON deliveries (owner);
    CREATE INDEX deliveries_webhook ON deliveries (webhook_id, status);
    CREATE TABLE attempts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        delivery_id TEXT NOT NULL,
        number INTEGER NOT NULL,
        state TEXT NOT NULL,
        scheduled_at REAL NOT NULL,
        started_at REAL NOT NULL,
        started_real REAL NOT NULL,
        duration_ms REAL,
        url TEXT NOT NULL,
        request_headers TEXT NOT NULL,
        response_status INTEGER,
        response_headers TEXT,
        response_body TEXT,
        response_truncated INTEGER NOT NULL DEFAULT 0,
        error_kind TEXT,
        error_message TEXT
    );
    CREATE INDEX attempts_delivery ON attempts (delivery_id, number);
    CREATE INDEX attempts_in_flight ON attempts (state) WHERE state = 'in_flight';
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE shops (owner TEXT PRIMARY KEY, state TEXT NOT NULL);
    """,
    # 2: faults on purpose: per-webhook settings, deliveries held behind another one
    # (duplicates sent after the original, reordered groups), and the fault on each attempt.
    """
    ALTER TABLE webhooks ADD COLUMN faults TEXT;
    ALTER TABLE deliveries ADD COLUMN hold_for TEXT;
    ALTER TABLE deliveries ADD COLUMN hold_delay REAL NOT NULL DEFAULT 0;
    ALTER TABLE attempts ADD COLUMN fault TEXT;
    CREATE INDEX deliveries_held ON deliveries (hold_for) WHERE hold_for IS NOT NULL;
    """,
    # 3: an attempt under way is marked on its delivery (one small update) and its row is
    # written once, when it ends: half the writes per attempt of recording it twice. The
    # attempts table loses AUTOINCREMENT, which cost a write to sqlite_sequence per attempt.
    """
    ALTER TABLE deliveries ADD COLUMN inflight_at REAL;
    ALTER TABLE deliveries ADD COLUMN inflight_real REAL;
    CREATE TABLE attempts_v3 (
        id INTEGER PRIMARY KEY,
        delivery_id TEXT NOT NULL,
        number INTEGER NOT NULL,
        state TEXT NOT NULL,
        scheduled_at REAL NOT NULL,
        started_at REAL NOT NULL,
        started_real REAL NOT NULL,
        duration_ms REAL,
        url TEXT NOT NULL,
        request_headers TEXT NOT NULL,
        response_status INTEGER,
        response_headers TEXT,
        response_body TEXT,
        response_truncated INTEGER NOT NULL DEFAULT 0,
        error_kind TEXT,
        error_message TEXT,
        fault TEXT
    );
    INSERT INTO attempts_v3 SELECT id, delivery_id, number, CASE WHEN state = 'in_flight' THEN 'failed' ELSE state END,
        scheduled_at, started_at, started_real, duration_ms, url, request_headers, response_status,
        response_headers, response_body, response_truncated,
        CASE WHEN state = 'in_flight' THEN 'interrupted' ELSE error_kind END,
        CASE WHEN state = 'in_flight' THEN 'the server stopped during this attempt, so it is made again'
             ELSE error_message END, fault FROM attempts;
    UPDATE deliveries SET next_at = COALESCE(next_at, created_at)
        WHERE status = 'pending' AND next_at IS NULL AND hold_for IS NULL
        AND id IN (SELECT delivery_id FROM attempts WHERE state = 'in_flight');
    DROP TABLE attempts;
    ALTER TABLE attempts_v3 RENAME TO attempts;
    CREATE INDEX attempts_delivery ON attempts (delivery_id, number);
    """,
    # 4: retries anchored on the delivery's start (anchor_at: the moment of its first
    # attempt), a clock per merchant on the manual clock, and the lookups the engine makes
    # (a trigger's deliveries by event; a merchant's due work on the manual clock).
    """
    ALTER TABLE deliveries ADD COLUMN anchor_at REAL;
    UPDATE deliveries SET anchor_at = created_at WHERE attempts > 0;
    CREATE INDEX deliveries_event ON deliveries (event_id);
    CREATE INDEX deliveries_owner_due ON deliveries (owner, next_at) WHERE status = 'pending';
    CREATE TABLE clocks (owner TEXT PRIMARY KEY, now REAL NOT NULL);
    """,
    # 5: events skipped while a webhook was disabled can be sent once it is enabled again;
    # each remembers the delivery that sent it, so it is sent once.
    """
    ALTER TABLE deliveries ADD COLUMN resent_as TEXT;
    """,
    # 6: the REST API's ledger of what a shop's world forgets: every receipt as last sent
    # (with its credit notes) and every goods received note, in the order first seen.
    """
    CREATE TABLE shop_records (
        owner TEXT NOT NULL,
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (owner, kind, id)
    );
    CREATE INDEX shop_records_order ON shop_records (owner, kind);  -- each entry ends in its rowid: in order
    CREATE INDEX shop_records_created ON shop_records (owner, kind, created_at);
    """,
    # 7: the page's summaries cost what a webhook has under way, not its whole history:
    # each attempt names its webhook (its newest attempts, its last success and the
    # failures since, read from one index), a webhook's sample POSTs are found directly,
    # and a merchant's newest events are read in row order from an index.
    """
    ALTER TABLE attempts ADD COLUMN webhook_id TEXT;
    UPDATE attempts SET webhook_id = (SELECT d.webhook_id FROM deliveries d WHERE d.id = attempts.delivery_id);
    CREATE INDEX attempts_webhook ON attempts (webhook_id, id, state);
    CREATE INDEX deliveries_webhook_kind ON deliveries (webhook_id, kind);
    CREATE INDEX events_owner_rows ON events (owner);
    CREATE INDEX events_owner_type ON events (owner, type);
    """,
    # 8: simulated times to the millisecond, as the API shows them and the manual clock
    # moves (a delivery shown due at .123 is due when the clock reaches .123).
    """
    UPDATE deliveries SET next_at = ROUND(next_at, 3) WHERE next_at IS NOT NULL;
    UPDATE deliveries SET deadline = ROUND(deadline, 3);
    UPDATE clocks SET now = ROUND(now, 3);
    """,
    # 9: an event says whether the shop sent it or it is a sample POST's payload (from a shop
    # of its own), so a script counts the shop's events without joining the deliveries.
    # Events kept before this are told apart by their deliveries' kind.
    """
    ALTER TABLE events ADD COLUMN kind TEXT NOT NULL DEFAULT 'event';
    UPDATE events SET kind = 'sample' WHERE id IN (SELECT event_id FROM deliveries WHERE kind = 'sample');
    CREATE INDEX events_owner_kind ON events (owner, kind);
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)


CHUNK = 500  # ids per IN (...) list, well under SQLite's limit on parameters


def chunks(ids: list[str]) -> Iterator[tuple[str, list[str]]]:
    """``ids`` in chunks, each with its ``?,?,...`` placeholders for an ``IN (...)``."""
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        yield ",".join("?" * len(chunk)), chunk


def newest_first(conn: sqlite3.Connection, table: str, columns: str, equal: dict[str, object | None], *,
                 also: tuple[tuple[str, tuple[object, ...]], ...] = (), before_row: int | None = None,
                 limit: int) -> sqlite3.Cursor:
    """A page of ``table``'s rows, newest first, each led by its rowid: the columns in
    ``equal`` that are not None must match; ``also`` adds (clause, its arguments); the page
    starts below ``before_row`` (a reader's last row: new rows never shift it)."""
    clauses = [f"{column} = ?" for column, value in equal.items() if value is not None]
    args: list[object] = [value for value in equal.values() if value is not None]
    for clause, values in also:
        clauses.append(clause)
        args += values
    if before_row is not None:
        clauses.append("rowid < ?")
        args.append(before_row)
    return conn.execute(f"SELECT rowid, {columns} FROM {table} WHERE {' AND '.join(clauses)} "
                        "ORDER BY rowid DESC LIMIT ?", (*args, limit))


class DatabaseInUse(Exception):
    """Another server has the database: two would send the same attempts."""


class UnusableDatabase(Exception):
    """The database path cannot be a database: a folder, a missing folder, no permission,
    or a file that is not SQLite. The message says which, and what to give instead."""


def reason(exc: OSError) -> str:
    """The operating system's reason, in words: "file name too long", "permission denied"."""
    return (exc.strerror or str(exc)).lower()


def instead(exc: OSError, otherwise: str = "give a path in another folder") -> str:
    return "give a shorter path" if exc.errno == errno.ENAMETOOLONG else otherwise


def check_path(path: str) -> None:
    """Refuse a path that cannot hold the database, in words, before SQLite says only
    "unable to open database file"."""
    if path == ":memory:":
        return
    if not path:
        raise UnusableDatabase("the path is empty; give a file, such as ./salesplay-mock.sqlite3")
    try:
        _check_path(path)
    except OSError as exc:  # a name too long, a folder this user may not look in...
        raise UnusableDatabase(f"cannot use {path} ({reason(exc)}); {instead(exc, 'give another path')}") from None


def _check_path(path: str) -> None:
    file = Path(path)
    if file.is_symlink() and not file.exists():
        _check_link(path)
    if file.is_dir():
        raise UnusableDatabase(f"{path} is a folder; give a file in it, such as {file / 'salesplay-mock.sqlite3'}")
    folder = file.parent
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise UnusableDatabase(f"the folder {folder} {what}; create it first, or give another path")
    if file.exists() and not file.is_file():
        raise UnusableDatabase(f"{path} is not a regular file; give a path to a file, such as ./salesplay-mock.sqlite3")
    if file.exists() and not os.access(file, os.R_OK | os.W_OK):
        raise UnusableDatabase(f"{path} cannot be read and written by this user")
    if not os.access(folder, os.W_OK | os.X_OK):
        # SQLite writes the -wal and -shm files, and we the .lock file, beside the database.
        raise UnusableDatabase(f"the folder {folder} cannot be written by this user; give a path in another folder")


def _check_link(path: str) -> None:
    """A symbolic link to nothing: SQLite creates the file it names, if that file's folder
    exists; a link into a missing folder, or a loop of links, points nowhere."""
    target = os.readlink(path)
    try:
        os.stat(path)
    except FileNotFoundError:
        folder = Path(os.path.realpath(path)).parent
        if folder.is_dir():
            if not os.access(folder, os.W_OK | os.X_OK):
                raise UnusableDatabase(f"{path} is a symbolic link into the folder {folder}, which cannot be "
                                       "written by this user; give a path in another folder") from None
            return  # SQLite creates the database where the link points
        raise UnusableDatabase(f"{path} is a symbolic link to {target}, which points nowhere (the folder {folder} "
                               "does not exist); create it, or give another path") from None
    except OSError as exc:  # a loop of links
        raise UnusableDatabase(f"{path} is a symbolic link to {target}, which points nowhere ({reason(exc)}); "
                               "give another path") from None


def connect(path: str) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the database at ``path`` or ``:memory:``. A
    file is first read without writing, and opened for writing only once it is known to
    be ours (or empty): another program's database given by mistake stays as it was."""
    if path != ":memory:":
        _refuse_foreign(path)
    try:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise UnusableDatabase(f"SQLite cannot open {path} ({exc}); give another path") from None
    try:
        conn.row_factory = sqlite3.Row
        if path != ":memory:":
            # WAL keeps readers and the writer apart; NORMAL sync survives a killed process.
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=5000")
        migrate(conn)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise UnusableDatabase(f"{path} is not a salesplay-mock database ({exc}); give another path") from None
    except BaseException:
        conn.close()
        raise
    return conn


def _refuse_foreign(path: str) -> None:
    """Refuse, having written nothing, a file that is not an empty database nor one of ours
    at a version this salesplay-mock knows (its tables with their columns, as our
    migrations made them): adding our tables to another program's would harm it."""
    try:
        conn = sqlite3.connect(f"file:{quote(os.path.abspath(path))}?mode=ro", uri=True)
    except sqlite3.Error:
        return  # no file yet: SQLite creates it, empty
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        objects = conn.execute("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite%'").fetchall()
        tables = {name: _columns(conn, name) for kind, name in objects if kind == "table"}
    except sqlite3.DatabaseError as exc:
        raise UnusableDatabase(f"{path} is not a salesplay-mock database ({exc}); give another path") from None
    finally:
        conn.close()
    if version == 0 and not objects:
        return  # empty: a new database
    if version > SCHEMA_VERSION and "webhooks" in tables:
        raise UnusableDatabase(
            f"the database has schema version {version}, newer than this salesplay-mock "
            f"understands ({SCHEMA_VERSION}); upgrade salesplay-mock, or use another database file"
        )
    expected = _tables_at(version) if 0 < version <= SCHEMA_VERSION else None
    if expected is None or any(tables.get(name) != columns for name, columns in expected.items()):
        shown = sorted(tables) or sorted(name for _, name in objects)
        raise UnusableDatabase(f"{path} is another program's SQLite database (it has tables such as "
                               f"{shown[0] if shown else 'none'!r} and not salesplay-mock's); give another path")


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({_quoted(table)})")]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@functools.lru_cache(maxsize=None)
def _tables_at(version: int) -> dict[str, list[str]]:
    """Our tables and their columns at schema ``version``, as the migrations make them."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        for number in range(version):
            conn.executescript(MIGRATIONS[number])
        names = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                                "AND name NOT LIKE 'sqlite%'")]
        return {name: _columns(conn, name) for name in names}
    finally:
        conn.close()


def migrate(conn: sqlite3.Connection) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:  # checked before opening too; here for a database given as a connection
        raise UnusableDatabase(
            f"the database has schema version {version}, newer than this salesplay-mock "
            f"understands ({SCHEMA_VERSION}); upgrade salesplay-mock, or use another database file"
        )
    for number in range(version, SCHEMA_VERSION):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in MIGRATIONS[number].split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
