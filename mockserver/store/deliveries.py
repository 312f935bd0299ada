"""Events, their deliveries to webhooks, and every attempt made."""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from mockserver.errors import RecordNotFound
from mockserver.models import Attempt, Delivery, Event, Webhook

if TYPE_CHECKING:
    from mockserver.store import Store

_DELIVERY_COLUMNS = (
    "id, owner, event_id, webhook_id, kind, status, attempts, next_at, created_at, "
    "deadline, last_error, last_status, event_type, url, fault, hold_for, inflight_at"
)


@dataclass(slots=True)  # not frozen: made per attempt, and frozen __init__ is slow
class Outcome:
    """What one attempt came to."""

    state: str  # succeeded | failed
    duration_ms: float
    response_status: int | None = None
    response_headers: dict[str, str] | None = None
    response_body: str | None = None
    response_truncated: bool = False
    error_kind: str | None = None
    error_message: str | None = None

    def summary(self) -> str | None:
        """The delivery's last error, as the lists show it."""
        if self.error_kind is not None:
            return f"{self.error_kind}: {self.error_message}"
        if self.state == "failed":
            return f"http_status: the receiver answered {self.response_status}"
        return None


@dataclass(slots=True)
class Started:
    delivery: Delivery
    started_at: float
    started_real: float
    headers: dict[str, str]


@dataclass(slots=True)
class Finished:
    started: Started
    outcome: Outcome
    status: str  # what the delivery is now: pending (a retry is due), succeeded or failed
    next_at: float | None

    @property
    def delivery_id(self) -> str:
        return self.started.delivery.id

    @property
    def number(self) -> int:
        return self.started.delivery.attempts + 1


BODY_CACHE = 4096  # event bodies kept in memory

_ATTEMPT_COLUMNS = (
    "delivery_id, number, state, scheduled_at, started_at, started_real, url, request_headers, fault, "
    "duration_ms, response_status, response_headers, response_body, response_truncated, error_kind, error_message"
)


def _attempt_row(s: Started, o: Outcome) -> tuple[object, ...]:
    return (
        s.delivery.id, s.delivery.attempts + 1, o.state, s.delivery.next_at or s.started_at, s.started_at,
        s.started_real, s.delivery.url, json.dumps(s.headers), s.delivery.fault, o.duration_ms, o.response_status,
        None if o.response_headers is None else json.dumps(o.response_headers), o.response_body,
        int(o.response_truncated), o.error_kind, o.error_message,
    )


def _delivery(row: sqlite3.Row) -> Delivery:
    return Delivery(**{k: row[k] for k in row.keys()})


def _event(row: sqlite3.Row) -> Event:
    return Event(**{k: row[k] for k in row.keys()})


def _attempt(row: sqlite3.Row) -> Attempt:
    data: dict[str, Any] = {k: row[k] for k in row.keys()}
    data["request_headers"] = json.loads(data["request_headers"])
    if data["response_headers"] is not None:
        data["response_headers"] = json.loads(data["response_headers"])
    data["response_truncated"] = bool(data["response_truncated"])
    return Attempt(**data)


class Deliveries:
    def __init__(self, store: Store) -> None:
        self._store = store
        # Whether any delivery waits behind another (faults on purpose): when none does,
        # finishing an attempt need not look for some.
        self.holds_exist = self._c.execute(
            "SELECT 1 FROM deliveries WHERE hold_for IS NOT NULL LIMIT 1").fetchone() is not None
        self._bodies: OrderedDict[str, bytes] = OrderedDict()

    @property
    def _c(self) -> sqlite3.Connection:
        return self._store.conn

    def add_event(
        self, owner: str, type_: str, payload: str, now: float, group_id: str | None = None
    ) -> Event:
        event = Event("evt_" + secrets.token_hex(8), owner, type_, payload, now, group_id)
        with self._store.tx() as c:
            c.execute(
                "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)",
                (event.id, owner, type_, payload, now, group_id),
            )
        self._remember(event.id, payload)
        return event

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
        delivery = Delivery(
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
        self.holds_exist = self.holds_exist or hold_for is not None
        with self._store.tx() as c:
            c.execute(
                f"INSERT INTO deliveries ({_DELIVERY_COLUMNS}, hold_delay) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    delivery.id, delivery.owner, event.id, hook.id, kind, status, 0, next_at,
                    delivery.created_at, deadline, note, None, event.type, hook.url, fault, hold_for,
                    None, hold_delay,
                ),
            )
        return delivery

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

    def due(self, now: float, limit: int) -> list[tuple[Delivery, bytes]]:
        """Deliveries due by ``now``, soonest first, each with the body it sends."""
        rows = self._c.execute(
            f"SELECT {_DELIVERY_COLUMNS} FROM deliveries WHERE status = 'pending' AND next_at IS NOT NULL "
            "AND next_at <= ? ORDER BY next_at, rowid LIMIT ?",
            (now, limit),
        )
        due = [Delivery(*row) for row in rows]
        missing = list({d.event_id for d in due if d.event_id not in self._bodies})
        if missing:
            marks = ",".join("?" * len(missing))
            for event_id, payload in self._c.execute(f"SELECT id, payload FROM events WHERE id IN ({marks})", missing):
                self._remember(event_id, payload)
        return [(d, self._bodies[d.event_id]) for d in due]

    def _remember(self, event_id: str, payload: str) -> None:
        """Recent events' bodies stay in memory: most attempts follow their event closely."""
        self._bodies[event_id] = payload.encode()
        if len(self._bodies) > BODY_CACHE:
            self._bodies.popitem(last=False)

    def next_due_at(self) -> float | None:
        row = self._c.execute(
            "SELECT MIN(next_at) FROM deliveries WHERE status = 'pending' AND next_at IS NOT NULL"
        ).fetchone()
        return None if row[0] is None else float(row[0])

    def start_attempts(self, started: list[Started]) -> None:
        """Mark attempts about to be made on their deliveries, so a crash mid-attempt is
        known on restart; one statement for a batch. The attempt's row is written when it ends."""
        with self._store.tx(durable=False) as c:
            c.executemany(
                "UPDATE deliveries SET next_at = NULL, attempts = attempts + 1, inflight_at = ?, "
                "inflight_real = ? WHERE id = ?",
                [(s.started_at, s.started_real, s.delivery.id) for s in started],
            )

    def finish_attempts(self, finished: list[Finished], now: float) -> None:
        """Record what attempts came to, and what it means for their deliveries."""
        with self._store.tx(durable=False) as c:
            c.executemany(
                f"INSERT INTO attempts ({_ATTEMPT_COLUMNS}) VALUES ({', '.join('?' * 16)})",
                [_attempt_row(f.started, f.outcome) for f in finished],
            )
            # A delivery cancelled while its attempt was under way stays cancelled.
            c.executemany(
                "UPDATE deliveries SET status = CASE WHEN status = 'pending' THEN ? ELSE status END, "
                "next_at = CASE WHEN status = 'pending' THEN ? ELSE NULL END, "
                "last_status = ?, last_error = ?, inflight_at = NULL WHERE id = ?",
                [(f.status, f.next_at, f.outcome.response_status, f.outcome.summary(), f.delivery_id)
                 for f in finished],
            )
            self.release_held([f.delivery_id for f in finished if f.status != "pending"], now)

    def recover_interrupted(self, headers: Callable[[Delivery], dict[str, str]]) -> int:
        """After a crash: attempts cut off mid-flight are recorded as failed, and made again
        at once. ``headers`` gives the request headers the attempt was sent with."""
        rows = self._c.execute(
            f"SELECT {_DELIVERY_COLUMNS}, inflight_real FROM deliveries WHERE inflight_at IS NOT NULL"
        ).fetchall()
        cut_off = Outcome("failed", 0.0, error_kind="interrupted",
                          error_message="the server stopped during this attempt, so it is made again")
        with self._store.tx() as c:
            for row in rows:
                d = Delivery(*row[:-1])
                before = replace(d, attempts=d.attempts - 1, next_at=d.inflight_at)
                started = Started(before, d.inflight_at or 0.0, row[-1] or 0.0, headers(before))
                c.execute(f"INSERT INTO attempts ({_ATTEMPT_COLUMNS}) VALUES ({', '.join('?' * 16)})",
                          _attempt_row(started, cut_off))
                c.execute(
                    "UPDATE deliveries SET inflight_at = NULL, last_error = 'interrupted', "
                    "next_at = CASE WHEN status = 'pending' THEN ? ELSE next_at END WHERE id = ?",
                    (d.inflight_at, d.id),
                )
        return len(rows)

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

    def redeliver(self, delivery: Delivery, now: float, deadline: float) -> None:
        with self._store.tx() as c:
            c.execute(
                "UPDATE deliveries SET status = 'pending', next_at = ?, deadline = ?, "
                "last_error = NULL WHERE id = ?",
                (now, deadline, delivery.id),
            )

    def get(self, owner: str, delivery_id: str) -> Delivery:
        row = self._c.execute(
            f"SELECT {_DELIVERY_COLUMNS} FROM deliveries WHERE id = ? AND owner = ?",
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
            f"SELECT {_DELIVERY_COLUMNS} FROM deliveries WHERE {' AND '.join(where)} "
            "ORDER BY rowid DESC LIMIT ?",
            (*args, limit),
        )
        return [_delivery(r) for r in rows]

    def pending_for(self, webhook_id: str) -> list[Delivery]:
        rows = self._c.execute(
            f"SELECT {_DELIVERY_COLUMNS} FROM deliveries WHERE webhook_id = ? AND status = 'pending' "
            "AND next_at IS NOT NULL ORDER BY next_at, rowid",
            (webhook_id,),
        )
        return [_delivery(r) for r in rows]

    def for_event(self, event_id: str) -> list[Delivery]:
        rows = self._c.execute(
            f"SELECT {_DELIVERY_COLUMNS} FROM deliveries WHERE event_id = ? ORDER BY rowid", (event_id,)
        )
        return [_delivery(r) for r in rows]

    def attempts(self, delivery_id: str) -> list[Attempt]:
        rows = self._c.execute(
            "SELECT * FROM attempts WHERE delivery_id = ? ORDER BY number, id", (delivery_id,)
        )
        return [_attempt(r) for r in rows]

    def event(self, owner: str, event_id: str) -> Event:
        row = self._c.execute(
            "SELECT * FROM events WHERE id = ? AND owner = ?", (event_id, owner)
        ).fetchone()
        if row is None:
            raise RecordNotFound(f"no event {event_id!r} for this token", field="id")
        return _event(row)

    def events(self, owner: str, *, limit: int = 100) -> list[Event]:
        rows = self._c.execute(
            "SELECT * FROM events WHERE owner = ? ORDER BY rowid DESC LIMIT ?", (owner, limit)
        )
        return [_event(r) for r in rows]

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
