"""What the page says about each of a merchant's webhooks."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mockserver.store import Store


@dataclass(frozen=True)
class WebhookStats:
    webhook_id: str
    last_state: str | None
    last_status: int | None
    last_error: str | None
    streak: int  # failed attempts of events since the last success (sample POSTs left out)
    pending: int
    next_retry_at: float | None
    failing_id: str | None  # the oldest pending delivery with an attempt made, if any
    failing_attempts: int
    failing_deadline: float | None
    failing_anchor: float | None
    skipped: int  # events skipped while it was disabled, not sent since
    recent: tuple[tuple[str, int | None, str | None], ...] = ()  # the last attempts: (state, status, error kind)


STRIP = 24  # attempts in a webhook's strip


class Summaries:
    """Each webhook read with a few indexed queries: its newest attempts, its last success
    and the failures since (the attempts' webhook index), and what it has pending or
    skipped. The cost follows what is under way, not how long the webhook has lived."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def of_owner(self, owner: str) -> dict[str, WebhookStats]:
        """Each of the merchant's webhooks' stats, by webhook id."""
        conn = self._store.conn
        hooks = [r[0] for r in conn.execute("SELECT id FROM webhooks WHERE owner = ? ORDER BY created_at, rowid",
                                            (owner,))]
        return {hook: self._of(conn, hook) for hook in hooks}

    def _of(self, conn: sqlite3.Connection, hook: str) -> WebhookStats:
        newest = conn.execute(
            "SELECT id, state, response_status, error_kind, error_message FROM attempts WHERE webhook_id = ? "
            "ORDER BY id DESC LIMIT ?", (hook, STRIP)).fetchall()
        last = newest[0] if newest else None
        row = conn.execute("SELECT id FROM attempts WHERE webhook_id = ? AND state = 'succeeded' "
                           "ORDER BY id DESC LIMIT 1", (hook,)).fetchone()
        last_ok = row[0] if row else 0
        streak = conn.execute("SELECT COUNT(*) FROM attempts WHERE webhook_id = ? AND id > ? AND state = 'failed'",
                              (hook, last_ok)).fetchone()[0]
        if streak:  # sample POSTs' failures are not the webhook's streak (few: one per registration or test)
            streak -= conn.execute(
                "SELECT COUNT(*) FROM attempts WHERE id > ? AND state = 'failed' AND delivery_id IN "
                "(SELECT id FROM deliveries WHERE webhook_id = ? AND kind = 'sample')", (last_ok, hook)).fetchone()[0]
        pending, next_at = conn.execute(
            "SELECT COUNT(*), MIN(next_at) FROM deliveries WHERE webhook_id = ? AND status = 'pending'",
            (hook,)).fetchone()
        failing = conn.execute(
            "SELECT id, attempts, deadline, anchor_at FROM deliveries WHERE webhook_id = ? AND status = 'pending' "
            "AND attempts > 0 AND anchor_at IS NOT NULL ORDER BY created_at, rowid LIMIT 1", (hook,)).fetchone()
        skipped = conn.execute(
            "SELECT COUNT(*) FROM deliveries WHERE webhook_id = ? AND status = 'skipped' AND resent_as IS NULL",
            (hook,)).fetchone()[0]
        return WebhookStats(
            hook, last[1] if last else None, last[2] if last else None, last[4] if last else None, streak, pending,
            next_at, failing[0] if failing else None, failing[1] if failing else 0, failing[2] if failing else None,
            failing[3] if failing else None, skipped, tuple((r[1], r[2], r[3]) for r in newest))
