"""The receivers' answers in the attempt log, bounded in bytes: past the limit, the oldest
attempts' answers (bodies and headers) are dropped, their status and timing kept.

Rows alone bound nothing: a receiver that answers 500 with 64 KiB, for 50 events over 48
hours, leaves 650 MB of answers. SQLite keeps the count itself, in triggers of this
connection only (TEMP: nothing is added to the database's schema; in a trigger a table
is named without its database, and the TEMP one of that name is found first): every insert, update
and delete of an attempt moves the total, so a trim or a reset needs no bookkeeping of
its own, and an insert past the limit drops the oldest answers in the same transaction.
A dropped answer reads as ``response_body`` and ``response_headers`` null, with
``response_truncated`` true.
"""

from __future__ import annotations

import sqlite3

SHED_AT_ONCE = 256  # attempts whose answers one insert past the limit drops, oldest first

_SIZE = ("(COALESCE(LENGTH(CAST({r}.response_body AS BLOB)), 0) "
         "+ COALESCE(LENGTH(CAST({r}.response_headers AS BLOB)), 0))")


def install(conn: sqlite3.Connection, limit: int) -> None:
    """Count what the attempt log holds now (one pass, at start), and keep it at most
    ``limit`` bytes from here on."""
    used, first = conn.execute(
        f"SELECT COALESCE(SUM(size), 0), MIN(CASE WHEN size > 0 THEN id END) "
        f"FROM (SELECT id, {_SIZE.format(r='attempts')} AS size FROM main.attempts)").fetchone()
    new, old = _SIZE.format(r="NEW"), _SIZE.format(r="OLD")
    conn.executescript(f"""
        CREATE TEMP TABLE answers_kept (used INTEGER NOT NULL, shed_from INTEGER NOT NULL, shed_to INTEGER);
        INSERT INTO temp.answers_kept VALUES ({int(used)}, {int(first or 0)}, NULL);
        CREATE TEMP TRIGGER answers_added AFTER INSERT ON main.attempts BEGIN
            UPDATE answers_kept SET used = used + {new};
        END;
        CREATE TEMP TRIGGER answers_removed AFTER DELETE ON main.attempts BEGIN
            UPDATE answers_kept SET used = used - {old};
        END;
        CREATE TEMP TRIGGER answers_changed AFTER UPDATE OF response_body, response_headers ON main.attempts BEGIN
            UPDATE answers_kept SET used = used - {old} + {new};
        END;
        CREATE TEMP TRIGGER answers_shed AFTER INSERT ON main.attempts
        WHEN (SELECT used FROM temp.answers_kept) > {int(limit)} BEGIN
            UPDATE answers_kept SET shed_to = (SELECT MAX(id) FROM (
                SELECT id FROM main.attempts WHERE id >= temp.answers_kept.shed_from AND id < NEW.id
                ORDER BY id LIMIT {SHED_AT_ONCE}));
            UPDATE attempts SET response_body = NULL, response_headers = NULL, response_truncated = 1
                WHERE id BETWEEN (SELECT shed_from FROM temp.answers_kept) AND (SELECT shed_to FROM temp.answers_kept)
                AND (response_body IS NOT NULL OR response_headers IS NOT NULL);
            UPDATE answers_kept SET shed_from = COALESCE(shed_to + 1, 0), shed_to = NULL;
        END;
    """)


def used(conn: sqlite3.Connection) -> int:
    """Bytes of answers the attempt log holds."""
    return int(conn.execute("SELECT used FROM temp.answers_kept").fetchone()[0])
