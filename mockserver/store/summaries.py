"""What the page says about each of a merchant's webhooks, read in one grouped query."""

from __future__ import annotations

from dataclasses import dataclass, replace
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


QUERY = """
WITH att AS (
    SELECT d.webhook_id AS hook, a.id, a.state, d.kind
    FROM deliveries d JOIN attempts a ON a.delivery_id = d.id WHERE d.owner = :owner),
last_ok AS (SELECT hook, MAX(id) AS id FROM att WHERE state = 'succeeded' GROUP BY hook),
last_any AS (SELECT hook, MAX(id) AS id FROM att GROUP BY hook),
streak AS (
    SELECT att.hook, COUNT(*) AS n FROM att LEFT JOIN last_ok ON last_ok.hook = att.hook
    WHERE att.state = 'failed' AND att.kind != 'sample' AND att.id > COALESCE(last_ok.id, 0) GROUP BY att.hook),
pend AS (
    SELECT webhook_id AS hook, COUNT(*) AS n, MIN(next_at) AS next_at FROM deliveries
    WHERE owner = :owner AND status = 'pending' GROUP BY webhook_id),
skipped AS (
    SELECT webhook_id AS hook, COUNT(*) AS n FROM deliveries
    WHERE owner = :owner AND status = 'skipped' AND resent_as IS NULL GROUP BY webhook_id),
failing AS (
    SELECT webhook_id AS hook, id, attempts, deadline, anchor_at,
           ROW_NUMBER() OVER (PARTITION BY webhook_id ORDER BY created_at, rowid) AS n
    FROM deliveries WHERE owner = :owner AND status = 'pending' AND attempts > 0 AND anchor_at IS NOT NULL)
SELECT w.id, la.state, la.response_status, la.error_message, COALESCE(streak.n, 0), COALESCE(pend.n, 0),
       pend.next_at, failing.id, COALESCE(failing.attempts, 0), failing.deadline, failing.anchor_at,
       COALESCE(skipped.n, 0)
FROM webhooks w
LEFT JOIN last_any ON last_any.hook = w.id
LEFT JOIN attempts la ON la.id = last_any.id
LEFT JOIN streak ON streak.hook = w.id
LEFT JOIN pend ON pend.hook = w.id
LEFT JOIN failing ON failing.hook = w.id AND failing.n = 1
LEFT JOIN skipped ON skipped.hook = w.id
WHERE w.owner = :owner
ORDER BY w.created_at, w.rowid
"""

# The last attempts of each webhook, newest first, for the page's strip of outcomes.
RECENT = """
SELECT hook, state, response_status, error_kind FROM (
    SELECT d.webhook_id AS hook, a.state, a.response_status, a.error_kind,
           ROW_NUMBER() OVER (PARTITION BY d.webhook_id ORDER BY a.id DESC) AS n
    FROM deliveries d JOIN attempts a ON a.delivery_id = d.id WHERE d.owner = :owner)
WHERE n <= :keep ORDER BY hook, n
"""
STRIP = 24  # attempts in a webhook's strip


class Summaries:
    def __init__(self, store: Store) -> None:
        self._store = store

    def of_owner(self, owner: str) -> dict[str, WebhookStats]:
        """Each of the merchant's webhooks' stats, by webhook id."""
        conn = self._store.conn
        recent: dict[str, list[tuple[str, int | None, str | None]]] = {}
        for hook, state, status, kind in conn.execute(RECENT, {"owner": owner, "keep": STRIP}):
            recent.setdefault(hook, []).append((state, status, kind))
        return {row[0]: replace(WebhookStats(*row), recent=tuple(recent.get(row[0], ()))) for row in
                conn.execute(QUERY, {"owner": owner})}
