"""Every attempt made, written once when it ends, with what was sent and what came back."""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any

from mockserver.domain.models import Attempt, AttemptEnd
from mockserver.store.db import chunks

if TYPE_CHECKING:
    from mockserver.store import Store

_COLUMNS = (
    "delivery_id, webhook_id, number, state, scheduled_at, started_at, started_real, url, request_headers, fault, "
    "duration_ms, response_status, response_headers, response_body, response_truncated, error_kind, error_message"
)


def _row(end: AttemptEnd) -> tuple[object, ...]:
    s, o = end.started, end.outcome
    return (
        s.delivery.id, s.delivery.webhook_id, s.delivery.attempts + 1, o.state, s.scheduled_at, s.started_at,
        s.started_real, s.delivery.url, json.dumps(s.headers), s.delivery.fault, o.duration_ms, o.response_status,
        None if o.response_headers is None else json.dumps(o.response_headers), o.response_body,
        int(o.response_truncated), o.error_kind, o.error_message,
    )


def _attempt(row: sqlite3.Row) -> Attempt:
    data: dict[str, Any] = {k: row[k] for k in row.keys() if k != "webhook_id"}  # the page's index, not the record
    data["request_headers"] = json.loads(data["request_headers"])
    if data["response_headers"] is not None:
        data["response_headers"] = json.loads(data["response_headers"])
    data["response_truncated"] = bool(data["response_truncated"])
    return Attempt(**data)


class AttemptLog:
    def __init__(self, store: Store) -> None:
        self._store = store

    def add(self, ends: list[AttemptEnd], *, durable: bool = False) -> None:
        """Record attempts that ended, but for deliveries forgotten meanwhile (a reset while
        they were under way); the engine's own bookkeeping joins a group commit."""
        with self._store.tx(durable=durable) as c:
            c.executemany(
                f"INSERT INTO attempts ({_COLUMNS}) SELECT {', '.join('?' * 17)} "
                "WHERE EXISTS (SELECT 1 FROM deliveries WHERE id = ?)",
                [(*_row(e), e.delivery_id) for e in ends],
            )

    def of_delivery(self, delivery_id: str) -> list[Attempt]:
        rows = self._store.conn.execute(
            "SELECT * FROM attempts WHERE delivery_id = ? ORDER BY number, id", (delivery_id,)
        )
        return [_attempt(r) for r in rows]

    def delete_for(self, delivery_ids: list[str]) -> None:
        with self._store.tx() as c:
            for marks, chunk in chunks(delivery_ids):
                c.execute(f"DELETE FROM attempts WHERE delivery_id IN ({marks})", chunk)

    def forget_owner(self, owner: str) -> None:
        with self._store.tx() as c:
            c.execute("DELETE FROM attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE owner = ?)", (owner,))
