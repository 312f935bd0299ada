"""Webhook registrations, scoped to the merchant (token) that made them."""

from __future__ import annotations

import json
import secrets
import sqlite3
from typing import TYPE_CHECKING, Any

from mockserver.domain.errors import NotFound
from mockserver.domain.models import Webhook

if TYPE_CHECKING:
    from mockserver.store import Store


def _row(row: sqlite3.Row) -> Webhook:
    return Webhook(
        id=row["id"],
        owner=row["owner"],
        url=row["url"],
        events=tuple(json.loads(row["events"])),
        status=row["status"],
        disabled_reason=row["disabled_reason"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        faults=None if row["faults"] is None else json.loads(row["faults"]),
    )


class WebhookRows:
    def __init__(self, store: Store) -> None:
        self._store = store

    def create(self, owner: str, url: str, events: tuple[str, ...], now: float) -> Webhook:
        hook = Webhook(
            id="wh_" + secrets.token_hex(8),
            owner=owner,
            url=url,
            events=events,
            status="enabled",
            disabled_reason=None,
            created_at=now,
            updated_at=now,
        )
        with self._store.tx() as c:
            c.execute(
                "INSERT INTO webhooks (id, owner, url, events, status, disabled_reason, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (hook.id, owner, url, json.dumps(list(events)), hook.status, None, now, now),
            )
        return hook

    def of_owner(self, owner: str) -> list[Webhook]:
        rows = self._store.conn.execute(
            "SELECT * FROM webhooks WHERE owner = ? ORDER BY created_at, rowid", (owner,)
        )
        return [_row(r) for r in rows]

    def owners(self) -> list[str]:
        return [r[0] for r in self._store.conn.execute("SELECT DISTINCT owner FROM webhooks ORDER BY owner")]

    def get(self, owner: str, webhook_id: str) -> Webhook:
        row = self._store.conn.execute(
            "SELECT * FROM webhooks WHERE id = ? AND owner = ?", (webhook_id, owner)
        ).fetchone()
        if row is None:
            raise NotFound(f"no webhook {webhook_id!r} for this token", field="id", hint="list_webhooks")
        return _row(row)

    def get_any(self, webhook_id: str) -> Webhook | None:
        row = self._store.conn.execute("SELECT * FROM webhooks WHERE id = ?", (webhook_id,)).fetchone()
        return None if row is None else _row(row)

    def update(
        self,
        owner: str,
        webhook_id: str,
        now: float,
        *,
        url: str | None = None,
        events: tuple[str, ...] | None = None,
        status: str | None = None,
        reason: str | None = None,
    ) -> Webhook:
        """Change what is given; a status change takes ``reason`` (why it is disabled, or
        None when enabled)."""
        hook = self.get(owner, webhook_id)
        with self._store.tx() as c:
            c.execute(
                "UPDATE webhooks SET url = ?, events = ?, status = ?, disabled_reason = ?, updated_at = ? WHERE id = ?",
                (hook.url if url is None else url, json.dumps(list(hook.events if events is None else events)),
                 hook.status if status is None else status, hook.disabled_reason if status is None else reason,
                 now, webhook_id),
            )
        return self.get(owner, webhook_id)

    def set_faults(self, owner: str, webhook_id: str, faults: dict[str, Any] | None, now: float) -> Webhook:
        self.get(owner, webhook_id)
        with self._store.tx() as c:
            c.execute(
                "UPDATE webhooks SET faults = ?, updated_at = ? WHERE id = ?",
                (None if faults is None else json.dumps(faults), now, webhook_id),
            )
        return self.get(owner, webhook_id)

    def disable(self, webhook_id: str, reason: str, now: float) -> None:
        """SalesPlay's rule: a webhook whose delivery kept failing stops receiving events. One
        already disabled keeps the reason it was disabled for."""
        with self._store.tx() as c:
            c.execute(
                "UPDATE webhooks SET status = 'disabled', disabled_reason = ?, updated_at = ? "
                "WHERE id = ? AND status = 'enabled'",
                (reason, now, webhook_id),
            )

    def delete(self, owner: str, webhook_id: str) -> None:
        self.get(owner, webhook_id)
        with self._store.tx() as c:
            c.execute("DELETE FROM webhooks WHERE id = ?", (webhook_id,))

    def forget_owner(self, owner: str) -> None:
        with self._store.tx() as c:
            c.execute("DELETE FROM webhooks WHERE owner = ?", (owner,))
