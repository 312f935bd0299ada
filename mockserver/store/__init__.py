"""SQLite persistence: one connection, shared by small repositories.

Calls are synchronous and short (indexed single-row reads and writes); they run on the
event loop's thread, which keeps ordering simple and is far cheaper than a thread hop.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from mockserver.store.db import connect
from mockserver.store.deliveries import Deliveries
from mockserver.store.webhooks import Webhooks


class Store:
    def __init__(self, path: str) -> None:
        self.path = path
        self.conn = connect(path)
        self.webhooks = Webhooks(self)
        self.deliveries = Deliveries(self)
        self.listeners: list[Callable[[], None]] = []  # told after every commit (live page)

    @contextmanager
    def tx(self, *, notify: bool = True) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it lands, or none of it. Listeners hear of it
        unless ``notify`` is false (bookkeeping nobody looks at)."""
        if self.conn.in_transaction:  # nested: the outer transaction commits
            yield self.conn
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")
        if notify:
            self.notify()

    def notify(self) -> None:
        for listener in self.listeners:
            listener()

    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self.tx(notify=False) as c:
            c.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def load_shop(self, owner: str) -> str | None:
        row = self.conn.execute("SELECT state FROM shops WHERE owner = ?", (owner,)).fetchone()
        return None if row is None else str(row[0])

    def save_shop(self, owner: str, state: str) -> None:
        with self.tx() as c:
            c.execute(
                "INSERT INTO shops (owner, state) VALUES (?, ?) "
                "ON CONFLICT (owner) DO UPDATE SET state = excluded.state",
                (owner, state),
            )

    def reset(self, owner: str) -> None:
        """Forget everything one merchant made: webhooks, events, deliveries, attempts, shop."""
        with self.tx() as c:
            c.execute(
                "DELETE FROM attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE owner = ?)",
                (owner,),
            )
            for table in ("deliveries", "events", "webhooks", "shops"):
                c.execute(f"DELETE FROM {table} WHERE owner = ?", (owner,))

    def close(self) -> None:
        self.conn.close()
