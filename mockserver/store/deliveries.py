"""Deliveries: an event on its way to one webhook, and when it goes out next."""

from __future__ import annotations

import secrets
import sqlite3
from typing import TYPE_CHECKING

from mockserver.errors import RecordNotFound
from mockserver.models import Delivery, Event, Webhook

if TYPE_CHECKING:
    from mockserver.store import Store

DELIVERY_COLUMNS = (
    "id, owner, event_id, webhook_id, kind, status, attempts, next_at, created_at, "
    "deadline, last_error, last_status, event_type, url, fault, hold_for, inflight_at, anchor_at"
)


def _delivery(row: sqlite3.Row) -> Delivery:
    return Delivery(**{k: row[k] for k in row.keys()})


def new_delivery(
    event: Event,
    hook: Webhook,
    *,
    kind: str,
    status: str,
    next_at: float | None,
    deadline: float,
    note: str | None = None,
    fault: str | None = None,
    hold_for: str | None = None,
) -> Delivery:
    """A delivery of ``event`` to ``hook``, not yet stored."""
    return Delivery(
        id="dlv_" + secrets.token_hex(8),
        owner=event.owner,
        event_id=event.id,
        webhook_id=hook.id,
        kind=kind,
        status=status,
        attempts=0,
        next_at=next_at,
        created_at=event.created_at,
        deadline=deadline,
        last_error=note,
        last_status=None,
        event_type=event.type,
        url=hook.url,
        fault=fault,
        hold_for=hold_for,
    )


class Deliveries:
    def __init__(self, store: Store) -> None:
        self._store = store
        # Whether any delivery waits behind another (faults on purpose): when none does,
        # finishing an attempt need not look for some.
        self.holds_exist = self._c.execute(
            "SELECT 1 FROM deliveries WHERE hold_for IS NOT NULL LIMIT 1").fetchone() is not None

    @property
    def _c(self) -> sqlite3.Connection:
        return self._store.conn

    def create(
        self,
        event: Event,
        hook: Webhook,
        *,
        kind: str,
        status: str,
        next_at: float | None,
        deadline: float,
        note: str | None = None,
        fault: str | None = None,
        hold_for: str | None = None,
        hold_delay: float = 0.0,
    ) -> Delivery:
        delivery = new_delivery(event, hook, kind=kind, status=status, next_at=next_at, deadline=deadline,
                                note=note, fault=fault, hold_for=hold_for)
        self.add([delivery], hold_delay=hold_delay)
        return delivery

    def add(self, deliveries: list[Delivery], *, hold_delay: float = 0.0) -> None:
        """Insert new deliveries, in one statement."""
        self.holds_exist = self.holds_exist or any(d.hold_for is not None for d in deliveries)
        with self._store.tx() as c:
            c.executemany(
                f"INSERT INTO deliveries ({DELIVERY_COLUMNS}, hold_delay) VALUES ({', '.join('?' * 19)})",
                [(d.id, d.owner, d.event_id, d.webhook_id, d.kind, d.status, 0, d.next_at, d.created_at,
                  d.deadline, d.last_error, None, d.event_type, d.url, d.fault, d.hold_for, None, None, hold_delay)
                 for d in deliveries],
            )

    def reschedule(self, delivery_id: str, *, next_at: float | None, fault: str | None,
                   hold_for: str | None = None, hold_delay: float = 0.0) -> None:
        """Change when a delivery goes out: later, or after another one is done."""
        self.holds_exist = self.holds_exist or hold_for is not None
        with self._store.tx() as c:
            c.execute(
                "UPDATE deliveries SET next_at = ?, fault = COALESCE(?, fault), hold_for = ?, hold_delay = ? "
                "WHERE id = ?",
                (next_at, fault, hold_for, hold_delay, delivery_id),
            )

    def release_held(self, holders: list[str], now: float) -> None:
        """Deliveries waiting for these to be done go out now (plus their own delay)."""
        if not self.holds_exist:
            return
        for start in range(0, len(holders), 500):
            chunk = holders[start:start + 500]
            marks = ",".join("?" * len(chunk))
            with self._store.tx(durable=False) as c:
                c.execute(
                    f"UPDATE deliveries SET next_at = ? + hold_delay, hold_for = NULL "
                    f"WHERE hold_for IN ({marks}) AND status = 'pending'",
                    (now, *chunk),
                )

    def due(self, now: float, limit: int, owner: str | None = None) -> list[tuple[Delivery, bytes]]:
        """Deliveries due by ``now`` (of one merchant, or of all), soonest first, each with
        the body it sends."""
        mine = "" if owner is None else "AND owner = ? "
        rows = self._c.execute(
            f"SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE status = 'pending' {mine}AND next_at IS NOT NULL "
            "AND next_at <= ? ORDER BY next_at, rowid LIMIT ?",
            (now, limit) if owner is None else (owner, now, limit),
        )
        due = [Delivery(*row) for row in rows]
        bodies = self._store.events.bodies({d.event_id for d in due})
        return [(d, bodies[d.event_id]) for d in due]

    def next_due_at(self, owner: str | None = None) -> float | None:
        """When the soonest pending attempt (of one merchant, or of all) is due."""
        if owner is None:
            row = self._c.execute(
                "SELECT MIN(next_at) FROM deliveries WHERE status = 'pending' AND next_at IS NOT NULL").fetchone()
        else:
            row = self._c.execute(
                "SELECT MIN(next_at) FROM deliveries WHERE status = 'pending' AND owner = ? AND next_at IS NOT NULL",
                (owner,)).fetchone()
        return None if row[0] is None else float(row[0])

    def fail(self, delivery_id: str, reason: str) -> None:
        """A pending delivery has failed for good without another attempt."""
        with self._store.tx(durable=False) as c:
            c.execute("UPDATE deliveries SET status = 'failed', next_at = NULL, last_error = ? "
                      "WHERE id = ? AND status = 'pending'", (reason, delivery_id))

    def cancel_pending(self, webhook_id: str, reason: str, now: float) -> None:
        with self._store.tx() as c:
            cancelled = [r[0] for r in c.execute(
                "SELECT id FROM deliveries WHERE webhook_id = ? AND status = 'pending'", (webhook_id,)
            )]
            c.execute(
                "UPDATE deliveries SET status = 'cancelled', next_at = NULL, hold_for = NULL, last_error = ? "
                "WHERE webhook_id = ? AND status = 'pending'",
                (reason, webhook_id),
            )
            self.release_held(cancelled, now)

    def get(self, owner: str, delivery_id: str) -> Delivery:
        row = self._c.execute(
            f"SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE id = ? AND owner = ?",
            (delivery_id, owner),
        ).fetchone()
        if row is None:
            raise RecordNotFound(f"no delivery {delivery_id!r} for this token", field="id")
        return _delivery(row)

    def query(
        self,
        owner: str,
        *,
        webhook_id: str | None = None,
        status: str | None = None,
        event_type: str | None = None,
        limit: int = 100,
        before: int | None = None,
    ) -> list[Delivery]:
        where, args = ["owner = ?"], [owner]
        for column, value in (("webhook_id", webhook_id), ("status", status), ("event_type", event_type)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        rows = self._c.execute(
            f"SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE {' AND '.join(where)} "
            "ORDER BY rowid DESC LIMIT ?",
            (*args, limit),
        )
        return [_delivery(r) for r in rows]

    def pending_for(self, webhook_id: str) -> list[Delivery]:
        rows = self._c.execute(
            f"SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE webhook_id = ? AND status = 'pending' "
            "AND next_at IS NOT NULL ORDER BY next_at, rowid",
            (webhook_id,),
        )
        return [_delivery(r) for r in rows]

    def for_events(self, event_ids: list[str]) -> dict[str, list[Delivery]]:
        """Each event's deliveries, in the order they were made."""
        out: dict[str, list[Delivery]] = {i: [] for i in event_ids}
        for start in range(0, len(event_ids), 500):
            chunk = event_ids[start:start + 500]
            rows = self._c.execute(
                f"SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE event_id IN ({','.join('?' * len(chunk))}) "
                "ORDER BY rowid", chunk)
            for row in rows:
                out[row["event_id"]].append(_delivery(row))
        return out

    def prune(self, keep: int) -> int:
        """Forget the oldest finished deliveries beyond ``keep``, with their attempts and
        the events no delivery refers to any more: the log stays bounded."""
        with self._store.tx() as c:
            old = [r[0] for r in c.execute(
                "SELECT id FROM deliveries WHERE status != 'pending' ORDER BY rowid DESC LIMIT -1 OFFSET ?",
                (keep,),
            )]
            for start in range(0, len(old), 500):
                chunk = old[start:start + 500]
                marks = ",".join("?" * len(chunk))
                c.execute(f"DELETE FROM attempts WHERE delivery_id IN ({marks})", chunk)
                c.execute(f"DELETE FROM deliveries WHERE id IN ({marks})", chunk)
            if old:
                c.execute("DELETE FROM events WHERE id NOT IN (SELECT event_id FROM deliveries) "
                          "AND rowid < (SELECT COALESCE(MAX(rowid), 0) FROM events) - ?", (keep,))
        return len(old)

    def count_finished(self) -> int:
        return int(self._c.execute("SELECT COUNT(*) FROM deliveries WHERE status != 'pending'").fetchone()[0])

    def count_pending(self) -> int:
        return int(self._c.execute("SELECT COUNT(*) FROM deliveries WHERE status = 'pending'").fetchone()[0])
