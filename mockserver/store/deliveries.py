"""Deliveries: an event on its way to one webhook, when it goes out next, and whether an
attempt of it is under way (marked before the POST, so a crash mid-attempt is known)."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from mockserver.domain.errors import NotFound
from mockserver.domain.models import (
    AttemptEnd,
    AttemptStart,
    Delivery,
    DeliveryFilter,
    Event,
    Webhook,
    ms,
    new_delivery,
)
from mockserver.domain.search import Search
from mockserver.domain.vocabulary import DeliveryKind, DeliveryStatus
from mockserver.store.db import chunks, newest_first

if TYPE_CHECKING:
    from mockserver.store import Store

DELIVERY_COLUMNS = (
    "id, owner, event_id, webhook_id, kind, status, attempts, next_at, created_at, "
    "deadline, last_error, last_status, event_type, url, fault, hold_for, inflight_at, anchor_at"
)


DELIVERY_FIELDS = tuple(name.strip() for name in DELIVERY_COLUMNS.split(","))

# A delivery's webhook as the statement that settles the delivery reads it: 'enabled',
# 'disabled', or 'deleted' when it is gone (see Deliveries._cancel_stopped).
_HOOK_STATUS = "COALESCE((SELECT status FROM webhooks WHERE webhooks.id = deliveries.webhook_id), 'deleted')"


def _delivery(row: sqlite3.Row) -> Delivery:
    """A delivery from a row that has (at least) DELIVERY_COLUMNS, read by name."""
    return Delivery(**{name: row[name] for name in DELIVERY_FIELDS})


def _searched(owner: str, text: str) -> tuple[str, tuple[object, ...]]:
    """The deliveries a search finds: by the start of their id or their event's, or of a
    text in their event's payload (see ``mockserver.domain.search``)."""
    found = Search.of(text)
    clauses: list[str] = []
    args: list[object] = []
    if found.delivery_id is not None:
        clauses.append("id LIKE ? ESCAPE '\\'")
        args.append(found.delivery_id)
    if found.event_id is not None:
        clauses.append("event_id LIKE ? ESCAPE '\\'")
        args.append(found.event_id)
    if found.payload is not None:
        clauses.append("event_id IN (SELECT id FROM events WHERE owner = ? AND payload LIKE ? ESCAPE '\\')")
        args += [owner, found.payload]
    return "(" + " OR ".join(clauses) + ")", tuple(args)


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

    # -- making and changing ----------------------------------------------------------

    def create(self, event: Event, hook: Webhook, *, kind: DeliveryKind, status: DeliveryStatus, next_at: float | None,
               deadline: float, note: str | None = None) -> Delivery:
        delivery = new_delivery(event, hook, kind=kind, status=status, next_at=next_at, deadline=deadline, note=note)
        self.add([delivery])
        return delivery

    def add(self, deliveries: list[Delivery]) -> None:
        """Insert new deliveries, in one statement."""
        self.holds_exist = self.holds_exist or any(d.hold_for is not None for d in deliveries)
        with self._store.tx() as c:
            c.executemany(
                f"INSERT INTO deliveries ({DELIVERY_COLUMNS}, hold_delay) VALUES ({', '.join('?' * 19)})",
                [(d.id, d.owner, d.event_id, d.webhook_id, d.kind, d.status, 0, d.next_at, d.created_at,
                  d.deadline, d.last_error, None, d.event_type, d.url, d.fault, d.hold_for, None, None, d.hold_delay)
                 for d in deliveries],
            )

    def reschedule(self, delivery_id: str, *, next_at: float, fault: str) -> None:
        """A pending delivery goes out later (a new outage holds it)."""
        with self._store.tx() as c:
            c.execute("UPDATE deliveries SET next_at = ?, fault = ? WHERE id = ?", (ms(next_at), fault, delivery_id))

    def release_held(self, holders: list[str], now: float) -> None:
        """Deliveries waiting for these to be done go out now (plus their own delay)."""
        if not self.holds_exist:
            return
        with self._store.tx(durable=False) as c:
            for marks, chunk in chunks(holders):
                c.execute(
                    f"UPDATE deliveries SET next_at = ROUND(? + hold_delay, 3), hold_for = NULL "
                    f"WHERE hold_for IN ({marks}) AND status = 'pending'",
                    (now, *chunk),
                )

    def retarget(self, webhook_id: str, url: str) -> None:
        """A webhook's new URL: its pending deliveries go there."""
        with self._store.tx() as c:
            c.execute("UPDATE deliveries SET url = ? WHERE webhook_id = ? AND status = 'pending'", (url, webhook_id))

    def skipped_unsent(self, webhook_id: str) -> list[Delivery]:
        """Deliveries skipped while the webhook was disabled, not sent since, oldest first."""
        rows = self._c.execute(
            f"SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE webhook_id = ? AND status = 'skipped' "
            "AND resent_as IS NULL ORDER BY rowid", (webhook_id,))
        return [_delivery(r) for r in rows]

    def mark_resent(self, pairs: list[tuple[str, str]]) -> None:
        """Skipped deliveries sent since, each as a new one: (skipped id, new id)."""
        with self._store.tx() as c:
            c.executemany("UPDATE deliveries SET resent_as = ?, last_error = 'sent later as ' || ? WHERE id = ?",
                          [(new, new, old) for old, new in pairs])

    def fail(self, delivery_id: str, reason: str) -> bool:
        """A pending delivery has failed for good without another attempt; whether it was
        still pending (one cancelled meanwhile stays cancelled)."""
        with self._store.tx(durable=False) as c:
            changed = c.execute("UPDATE deliveries SET status = 'failed', next_at = NULL, last_error = ? "
                                "WHERE id = ? AND status = 'pending'", (reason, delivery_id)).rowcount
        return changed > 0

    def cancel_pending(self, webhook_id: str, now: float) -> None:
        """The webhook (disabled or deleted) receives nothing more: its pending deliveries
        are cancelled, but for those whose attempt is under way (``finish`` settles them),
        and those held behind them are let go."""
        with self._store.tx() as c:
            self.release_held(self._cancel_stopped(c, "webhook_id = ?", (webhook_id,)), now)

    def _cancel_stopped(self, c: sqlite3.Connection, where: str, args: tuple[object, ...]) -> list[str]:
        """Cancel the pending deliveries ``where`` picks whose webhook is disabled or deleted,
        but for those with an attempt under way; their ids. The one statement that cancels,
        read off the database, so every path to it agrees on when and on the reason."""
        stopped = f"{where} AND status = 'pending' AND inflight_at IS NULL AND {_HOOK_STATUS} != 'enabled'"
        ids = [r[0] for r in c.execute(f"SELECT id FROM deliveries WHERE {stopped}", args)]
        if ids:
            c.execute(f"UPDATE deliveries SET status = 'cancelled', next_at = NULL, hold_for = NULL, "
                      f"last_error = 'the webhook was ' || {_HOOK_STATUS} WHERE {stopped}", args)
        return ids

    def _status(self, c: sqlite3.Connection, delivery_id: str) -> DeliveryStatus | None:
        row = c.execute("SELECT status FROM deliveries WHERE id = ?", (delivery_id,)).fetchone()
        if row is None:
            return None
        status: DeliveryStatus = row["status"]
        return status

    # -- attempts under way -----------------------------------------------------------

    def mark_in_flight(self, starts: list[AttemptStart]) -> None:
        """Attempts about to be made, marked so a crash mid-attempt is known on restart."""
        with self._store.tx(durable=False) as c:
            c.executemany(
                "UPDATE deliveries SET next_at = NULL, attempts = attempts + 1, inflight_at = ?, "
                "inflight_real = ?, anchor_at = ? WHERE id = ?",
                [(s.started_at, s.started_real, s.anchor, s.delivery.id) for s in starts],
            )

    def finish(self, end: AttemptEnd) -> DeliveryStatus | None:
        """What an attempt came to, for its delivery; the delivery's status now (None: a reset
        forgot it meanwhile). Its webhook disabled or deleted while the attempt was under way
        (``cancel_pending`` left it pending), a delivery due again is cancelled instead: so
        it ends succeeded on a 2xx, failed after its last attempt, else cancelled. A status
        only moves on from pending."""
        with self._store.tx(durable=False) as c:
            # Every expression reads the row as it was. The attempt count and the start are
            # set here too: a quick attempt was never marked in flight (see Attempts.begin).
            c.execute(
                "UPDATE deliveries SET status = CASE WHEN status = 'pending' THEN ?1 ELSE status END, "
                "next_at = CASE WHEN status = 'pending' THEN ?2 ELSE NULL END, last_status = ?3, "
                "last_error = CASE WHEN status = 'pending' THEN ?4 ELSE last_error END, "
                "attempts = ?5, anchor_at = ?6, inflight_at = NULL WHERE id = ?7",
                (end.status, end.next_at, end.outcome.response_status, end.outcome.summary(), end.number,
                 end.started.anchor, end.delivery_id),
            )
            if end.status == "pending":
                self._cancel_stopped(c, "id = ?", (end.delivery_id,))
            return self._status(c, end.delivery_id)

    def soonest(self, limit: int) -> list[tuple[str, float]]:
        """The ``limit`` soonest pending attempts not marked under way: (delivery id, due at)."""
        return [(r[0], float(r[1])) for r in self._c.execute(
            "SELECT id, next_at FROM deliveries WHERE status = 'pending' AND next_at IS NOT NULL "
            "ORDER BY next_at, rowid LIMIT ?", (limit,))]

    def in_flight(self) -> list[tuple[Delivery, float]]:
        """Deliveries marked as under way (after a crash: cut off), with the real time each began."""
        rows = self._c.execute(
            f"SELECT {DELIVERY_COLUMNS}, inflight_real FROM deliveries WHERE inflight_at IS NOT NULL").fetchall()
        return [(_delivery(row), row["inflight_real"] or 0.0) for row in rows]

    def recover_interrupted(self, delivery: Delivery) -> DeliveryStatus | None:
        """An attempt cut off by a stop: made again at once (the sample POST, never retried,
        has failed); on a webhook disabled or deleted meanwhile, cancelled as ``finish``
        would have. The delivery's status now."""
        with self._store.tx() as c:
            c.execute(
                "UPDATE deliveries SET inflight_at = NULL, last_error = 'interrupted', "
                "status = CASE WHEN status = 'pending' AND kind = 'sample' THEN 'failed' ELSE status END, "
                "next_at = CASE WHEN status = 'pending' AND kind != 'sample' THEN ? ELSE next_at END "
                "WHERE id = ?",
                (None if delivery.inflight_at is None else ms(delivery.inflight_at), delivery.id),
            )
            self._cancel_stopped(c, "id = ?", (delivery.id,))
            return self._status(c, delivery.id)

    def fail_unsent_samples(self) -> None:
        """Sample POSTs a stop came between the registration and the POST: they have failed."""
        with self._store.tx() as c:
            c.execute(
                "UPDATE deliveries SET status = 'failed', "
                "last_error = 'interrupted: the server stopped before the sample POST was made' "
                "WHERE kind = 'sample' AND status = 'pending' AND inflight_at IS NULL"
            )

    # -- reading ----------------------------------------------------------------------

    def due(self, now: float, limit: int, owner: str | None = None, skip_webhooks: set[str] | None = None,
            ) -> list[Delivery]:
        """Deliveries due by ``now`` (of one merchant, or of all; but for ``skip_webhooks``'),
        soonest first."""
        mine = "" if owner is None else "AND owner = ? "
        skip = list(skip_webhooks or ())
        if skip:
            mine += f"AND webhook_id NOT IN ({', '.join('?' * len(skip))}) "
        rows = self._c.execute(
            f"SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE status = 'pending' {mine}AND next_at IS NOT NULL "
            "AND next_at <= ? ORDER BY next_at, rowid LIMIT ?",
            (*([] if owner is None else [owner]), *skip, now, limit),
        )
        return [_delivery(row) for row in rows]

    def next_due_at(self, owner: str) -> float | None:
        """When the soonest pending attempt of one merchant is due (the manual clock's moves;
        the loop of a clock that runs by itself asks ``soonest``)."""
        row = self._c.execute("SELECT MIN(next_at) FROM deliveries WHERE status = 'pending' AND owner = ? "
                              "AND next_at IS NOT NULL", (owner,)).fetchone()
        return None if row[0] is None else float(row[0])

    def get(self, owner: str, delivery_id: str) -> Delivery:
        row = self._c.execute(
            f"SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE id = ? AND owner = ?", (delivery_id, owner)
        ).fetchone()
        if row is None:
            raise NotFound(f"no delivery {delivery_id!r} for this token", field="id")
        return _delivery(row)

    def numbered(self, owner: str, where: DeliveryFilter = DeliveryFilter(), *, limit: int = 100,
                 before_row: int | None = None) -> list[tuple[int, Delivery]]:
        """The merchant's deliveries that match, newest first, each with its row number:
        ``before_row`` the last one a reader got gives the next page, and holds even when
        that delivery has since been forgotten."""
        also: list[tuple[str, tuple[object, ...]]] = []
        if where.search:
            also.append(_searched(owner, where.search))
        rows = newest_first(self._c, "deliveries", DELIVERY_COLUMNS, {
            "owner": owner, "webhook_id": where.webhook_id, "status": where.status, "event_type": where.event_type,
            "kind": where.kind, "last_status": where.last_status, "event_id": where.event_id,
        }, also=tuple(also), before_row=before_row, limit=limit)
        return [(row[0], _delivery(row)) for row in rows]

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
        for marks, chunk in chunks(event_ids):
            for row in self._c.execute(
                    f"SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE event_id IN ({marks}) ORDER BY rowid", chunk):
                out[row["event_id"]].append(_delivery(row))
        return out

    def count_finished(self) -> int:
        return int(self._c.execute("SELECT COUNT(*) FROM deliveries WHERE status != 'pending'").fetchone()[0])

    def count_pending(self) -> int:
        return int(self._c.execute("SELECT COUNT(*) FROM deliveries WHERE status = 'pending'").fetchone()[0])

    # -- forgetting -------------------------------------------------------------------

    def oldest_finished(self, keep: int) -> list[str]:
        """The finished deliveries beyond the newest ``keep``."""
        return [r[0] for r in self._c.execute(
            "SELECT id FROM deliveries WHERE status != 'pending' ORDER BY rowid DESC LIMIT -1 OFFSET ?", (keep,))]

    def delete(self, ids: list[str]) -> None:
        with self._store.tx() as c:
            for marks, chunk in chunks(ids):
                c.execute(f"DELETE FROM deliveries WHERE id IN ({marks})", chunk)

    def forget_owner(self, owner: str) -> None:
        with self._store.tx() as c:
            c.execute("DELETE FROM deliveries WHERE owner = ?", (owner,))
