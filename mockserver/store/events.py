"""Events: what the shop sent, each with its payload. Recent bodies stay in memory, as
most attempts follow their event within moments."""

from __future__ import annotations

import secrets
import sqlite3
from collections import OrderedDict
from typing import TYPE_CHECKING

from mockserver.domain.errors import NotFound
from mockserver.domain.models import Event
from mockserver.domain.search import Search
from mockserver.domain.vocabulary import EventKind
from mockserver.store.db import chunks, newest_first

if TYPE_CHECKING:
    from mockserver.store import Store

BODY_CACHE = 4096  # event bodies kept in memory
EVENT_COLUMNS = "id, owner, type, payload, created_at, group_id, kind"
EVENT_FIELDS = tuple(name.strip() for name in EVENT_COLUMNS.split(","))


def _event(row: sqlite3.Row) -> Event:
    """An event from a row that has (at least) EVENT_COLUMNS, read by name."""
    return Event(**{name: row[name] for name in EVENT_FIELDS})


class EventRows:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._bodies: OrderedDict[str, bytes] = OrderedDict()

    @property
    def _c(self) -> sqlite3.Connection:
        return self._store.conn

    def add(
        self, owner: str, type_: str, payload: str, now: float, group_id: str | None = None, *, kind: EventKind = "event"
    ) -> Event:
        event = Event("evt_" + secrets.token_hex(8), owner, type_, payload, now, group_id, kind)
        with self._store.tx() as c:
            c.execute(
                f"INSERT INTO events ({EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (event.id, owner, type_, payload, now, group_id, kind),
            )
        self._remember(event.id, payload)
        return event

    def get(self, owner: str, event_id: str) -> Event:
        row = self._c.execute(
            "SELECT * FROM events WHERE id = ? AND owner = ?", (event_id, owner)
        ).fetchone()
        if row is None:
            raise NotFound(f"no event {event_id!r} for this token", field="id")
        return _event(row)

    def of_ids(self, owner: str, event_ids: list[str]) -> list[Event]:
        found: list[Event] = []
        for marks, chunk in chunks(event_ids):
            found += [_event(r) for r in self._c.execute(
                f"SELECT * FROM events WHERE owner = ? AND id IN ({marks})", (owner, *chunk))]
        return found

    def recent(self, owner: str, *, limit: int = 100) -> list[Event]:
        return [event for _, event in self.numbered(owner, limit=limit)]

    def numbered(self, owner: str, *, type_: str | None = None, kind: str | None = None, group_id: str | None = None,
                 search: str | None = None, before_row: int | None = None,
                 limit: int = 100) -> list[tuple[int, Event]]:
        """The merchant's events, newest first, each with its row number: pass the last one
        as ``before_row`` for the next page (new events never shift it). ``search`` finds
        them by the start of their id or of a text in their payload (``mockserver.domain.search``)."""
        also: tuple[tuple[str, tuple[object, ...]], ...] = ()
        if search:
            found = Search.of(search)
            also = (("(id LIKE ? ESCAPE '\\' OR payload LIKE ? ESCAPE '\\')",
                     (found.event_id or "", found.payload or "")),)
        rows = newest_first(self._c, "events", EVENT_COLUMNS, {"owner": owner, "type": type_, "kind": kind,
                                                                 "group_id": group_id},
                            also=also, before_row=before_row, limit=limit)
        return [(r[0], _event(r)) for r in rows]

    def bodies(self, event_ids: set[str]) -> dict[str, bytes]:
        """The request bodies of these events, from memory where possible."""
        missing = [i for i in event_ids if i not in self._bodies]
        if missing:
            marks = ",".join("?" * len(missing))
            for event_id, payload in self._c.execute(f"SELECT id, payload FROM events WHERE id IN ({marks})", missing):
                self._remember(event_id, payload)
        return {i: self._bodies[i] for i in event_ids}

    def _remember(self, event_id: str, payload: str) -> None:
        """Recent events' bodies stay in memory: most attempts follow their event closely."""
        self._bodies[event_id] = payload.encode()
        if len(self._bodies) > BODY_CACHE:
            self._bodies.popitem(last=False)

    def delete_orphans(self, keep: int) -> None:
        """Forget events no delivery refers to any more, but for the newest ``keep``."""
        with self._store.tx() as c:
            c.execute("DELETE FROM events WHERE id NOT IN (SELECT event_id FROM deliveries) "
                      "AND rowid < (SELECT COALESCE(MAX(rowid), 0) FROM events) - ?", (keep,))

    def forget_owner(self, owner: str) -> None:
        with self._store.tx() as c:
            c.execute("DELETE FROM events WHERE owner = ?", (owner,))
        self._bodies.clear()
