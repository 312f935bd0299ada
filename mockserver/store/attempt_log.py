"""Every attempt made: marked on its delivery when it starts (so a crash mid-attempt is
known), written once, when it ends, together with the others that ended with it."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from mockserver.models import Attempt, Delivery
from mockserver.store.deliveries import DELIVERY_COLUMNS

if TYPE_CHECKING:
    from mockserver.store import Store


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
    anchor: float  # the delivery's start: every attempt is due at an offset from it

    @property
    def scheduled_at(self) -> float:
        return self.started_at if self.delivery.next_at is None else self.delivery.next_at


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



_ATTEMPT_COLUMNS = (
    "delivery_id, number, state, scheduled_at, started_at, started_real, url, request_headers, fault, "
    "duration_ms, response_status, response_headers, response_body, response_truncated, error_kind, error_message"
)


def _attempt_row(s: Started, o: Outcome) -> tuple[object, ...]:
    return (
        s.delivery.id, s.delivery.attempts + 1, o.state, s.scheduled_at, s.started_at,
        s.started_real, s.delivery.url, json.dumps(s.headers), s.delivery.fault, o.duration_ms, o.response_status,
        None if o.response_headers is None else json.dumps(o.response_headers), o.response_body,
        int(o.response_truncated), o.error_kind, o.error_message,
    )


def _attempt(row: sqlite3.Row) -> Attempt:
    data: dict[str, Any] = {k: row[k] for k in row.keys()}
    data["request_headers"] = json.loads(data["request_headers"])
    if data["response_headers"] is not None:
        data["response_headers"] = json.loads(data["response_headers"])
    data["response_truncated"] = bool(data["response_truncated"])
    return Attempt(**data)


class AttemptLog:
    def __init__(self, store: Store) -> None:
        self._store = store

    @property
    def _c(self) -> sqlite3.Connection:
        return self._store.conn

    def start(self, started: list[Started]) -> None:
        """Mark attempts about to be made on their deliveries, so a crash mid-attempt is
        known on restart; one statement for a batch. The attempt's row is written when it ends."""
        with self._store.tx(durable=False) as c:
            c.executemany(
                "UPDATE deliveries SET next_at = NULL, attempts = attempts + 1, inflight_at = ?, "
                "inflight_real = ?, anchor_at = ? WHERE id = ?",
                [(s.started_at, s.started_real, s.anchor, s.delivery.id) for s in started],
            )

    def finish(self, finished: list[Finished], now: dict[str, float]) -> None:
        """Record what attempts came to, and what it means for their deliveries; ``now``
        is each merchant's time."""
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
            done: dict[str, list[str]] = {}
            for f in finished:
                if f.status != "pending":
                    done.setdefault(f.started.delivery.owner, []).append(f.delivery_id)
            for owner, ids in done.items():
                self._store.deliveries.release_held(ids, now[owner])

    def recover_interrupted(self, headers: Callable[[Delivery], dict[str, str]]) -> int:
        """After a crash: attempts cut off mid-flight are recorded as failed, and made again
        at once. ``headers`` gives the request headers the attempt was sent with."""
        rows = self._c.execute(
            f"SELECT {DELIVERY_COLUMNS}, inflight_real FROM deliveries WHERE inflight_at IS NOT NULL"
        ).fetchall()
        cut_off = Outcome("failed", 0.0, error_kind="interrupted",
                          error_message="the server stopped during this attempt, so it is made again")
        with self._store.tx() as c:
            for row in rows:
                d = Delivery(*row[:-1])
                before = replace(d, attempts=d.attempts - 1, next_at=d.inflight_at)
                started = Started(before, d.inflight_at or 0.0, row[-1] or 0.0, headers(before), d.anchor_at or 0.0)
                c.execute(f"INSERT INTO attempts ({_ATTEMPT_COLUMNS}) VALUES ({', '.join('?' * 16)})",
                          _attempt_row(started, cut_off))
                # The sample POST is made once, never retried: cut off, it has failed.
                c.execute(
                    "UPDATE deliveries SET inflight_at = NULL, last_error = 'interrupted', "
                    "status = CASE WHEN status = 'pending' AND kind = 'sample' THEN 'failed' ELSE status END, "
                    "next_at = CASE WHEN status = 'pending' AND kind != 'sample' THEN ? ELSE next_at END "
                    "WHERE id = ?",
                    (d.inflight_at, d.id),
                )
            c.execute(
                "UPDATE deliveries SET status = 'failed', "
                "last_error = 'interrupted: the server stopped before the sample POST was made' "
                "WHERE kind = 'sample' AND status = 'pending' AND inflight_at IS NULL"
            )
        return len(rows)

    def of_delivery(self, delivery_id: str) -> list[Attempt]:
        rows = self._c.execute(
            "SELECT * FROM attempts WHERE delivery_id = ? ORDER BY number, id", (delivery_id,)
        )
        return [_attempt(r) for r in rows]
