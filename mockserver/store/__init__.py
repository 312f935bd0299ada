"""SQLite persistence: one connection, shared by plain repositories, one per table, that
never call each other (the workflows that touch several live in the service and engine).

Calls are synchronous and short (indexed single-row reads and writes); they run on the
event loop's thread, which keeps ordering simple and is far cheaper than a thread hop.

Durability: what the APIs write (registrations, events, deliveries) is committed before
the answer goes out. The engine's own bookkeeping (attempt records) is group-committed a
couple of milliseconds later, many attempts to a commit: a crash in between loses only
the record of attempts that are then made again (at least once, never lost).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property

# The repositories import this module's Store for their types only.
from mockserver.store import answers
from mockserver.store.attempt_log import AttemptLog
from mockserver.store.checkpoints import Checkpoints
from mockserver.store.clocks import Clocks
from mockserver.store.db import check_path, connect
from mockserver.store.deliveries import Deliveries
from mockserver.store.events import EventRows
from mockserver.store.locks import lock
from mockserver.store.meta import Meta
from mockserver.store.shop_records import ShopRecords
from mockserver.store.shop_states import ShopStates
from mockserver.store.summaries import Summaries
from mockserver.store.totals import Totals
from mockserver.store.webhooks import WebhookRows

GROUP_COMMIT_DELAY = 0.01  # seconds the engine's bookkeeping may wait for a commit


class Store:
    def __init__(self, path: str, *, attempt_log_size: int | None = None) -> None:
        """``attempt_log_size``: bytes of receivers' answers the attempt log keeps (None: all)."""
        self.path = path
        check_path(path)
        self._lock = lock(path)
        try:
            self.conn = connect(path)
            if attempt_log_size is not None:
                answers.install(self.conn, attempt_log_size)
        except BaseException:
            self._release(remove=True)  # the .lock file too, if this start made it
            raise
        self._checkpoints: Checkpoints | None = None
        if path != ":memory:":  # checkpoints off the event loop's thread
            self.conn.execute("PRAGMA wal_autocheckpoint=0")
            self._checkpoints = Checkpoints(path)
        self.meta = Meta(self)
        self._depth = 0
        self._pending_commit: asyncio.TimerHandle | None = None

    @cached_property
    def webhooks(self) -> WebhookRows:
        return WebhookRows(self)

    @cached_property
    def events(self) -> EventRows:
        return EventRows(self)

    @cached_property
    def deliveries(self) -> Deliveries:
        return Deliveries(self)

    @cached_property
    def attempt_log(self) -> AttemptLog:
        return AttemptLog(self)

    @cached_property
    def clocks(self) -> Clocks:
        return Clocks(self)

    @cached_property
    def shop_states(self) -> ShopStates:
        return ShopStates(self)

    @cached_property
    def shop_records(self) -> ShopRecords:
        return ShopRecords(self)

    @cached_property
    def summaries(self) -> Summaries:
        return Summaries(self)

    @cached_property
    def totals(self) -> Totals:
        return Totals(self)

    @contextmanager
    def tx(self, *, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """A write: all of it lands, or none of it. ``durable`` writes are committed when the
        outermost one ends; others join a group commit a moment later."""
        conn = self.conn
        began = not conn.in_transaction
        savepoint = not began and durable  # inside another write, or a group awaiting its commit
        if began:
            conn.execute("BEGIN IMMEDIATE")
        elif savepoint:
            conn.execute("SAVEPOINT tx")
        self._depth += 1
        try:
            yield conn
        except BaseException:
            self._depth -= 1
            if began:
                conn.execute("ROLLBACK")
            elif savepoint:
                conn.execute("ROLLBACK TO tx")
                conn.execute("RELEASE tx")
            raise
        self._depth -= 1
        if savepoint:
            conn.execute("RELEASE tx")
        if self._depth == 0:
            if durable:
                self.commit()
            else:
                self._commit_soon()

    def commit(self) -> None:
        """Commit whatever is waiting, now."""
        if self._pending_commit is not None:
            self._pending_commit.cancel()
            self._pending_commit = None
        if self._depth == 0 and self.conn.in_transaction:
            self.conn.execute("COMMIT")

    def _commit_soon(self) -> None:
        if self._pending_commit is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (a script, a test): commit at once
            self.commit()
            return
        self._pending_commit = loop.call_later(GROUP_COMMIT_DELAY, self.commit)

    def ping(self) -> None:
        """The database answers (for /healthz)."""
        self.conn.execute("SELECT 1").fetchone()

    def close(self) -> None:
        self.commit()
        if self._checkpoints is not None:
            self._checkpoints.close()
        self.conn.close()
        self._release()

    def _release(self, *, remove: bool = False) -> None:
        if self._lock is not None:
            self._lock.release(remove=remove)
            self._lock = None
