"""What the page says about each webhook: last result, failure streak, next retry, and a
forecast of when SalesPlay's rule will disable it if the receiver keeps failing."""

from __future__ import annotations

from dataclasses import dataclass

from mockserver.config import Config
from mockserver.models import Webhook
from mockserver.store import Store


@dataclass(frozen=True)
class WebhookSummary:
    hook: Webhook
    last_state: str | None
    last_status: int | None
    last_error: str | None
    streak: int  # failed attempts since the last success
    pending: int
    next_retry_at: float | None
    attempts_left: int | None  # before the oldest failing delivery gives up
    disable_at: float | None  # when that happens, if every attempt fails


def summarise(store: Store, config: Config, hook: Webhook) -> WebhookSummary:
    c = store.conn
    recent = c.execute(
        "SELECT a.state, a.response_status, a.error_message FROM attempts a "
        "JOIN deliveries d ON d.id = a.delivery_id WHERE d.webhook_id = ? "
        "ORDER BY a.id DESC LIMIT ?",
        (hook.id, config.max_attempts + 1),
    ).fetchall()
    streak = 0
    for row in recent:
        if row["state"] == "succeeded":
            break
        streak += 1
    pending = c.execute(
        "SELECT COUNT(*), MIN(next_at) FROM deliveries WHERE webhook_id = ? AND status = 'pending'", (hook.id,)
    ).fetchone()
    failing = c.execute(
        "SELECT id, attempts, deadline, anchor_at FROM deliveries WHERE webhook_id = ? AND status = 'pending' "
        "AND attempts > 0 AND anchor_at IS NOT NULL ORDER BY created_at LIMIT 1",
        (hook.id,),
    ).fetchone()
    left, disable_at = None, None
    if failing is not None:
        left, disable_at = config.schedule.remaining(
            start=failing["anchor_at"], made=failing["attempts"], deadline=failing["deadline"], key=failing["id"])
    last = recent[0] if recent else None
    return WebhookSummary(
        hook=hook,
        last_state=last["state"] if last else None,
        last_status=last["response_status"] if last else None,
        last_error=last["error_message"] if last else None,
        streak=streak,
        pending=int(pending[0]),
        next_retry_at=pending[1],
        attempts_left=left,
        disable_at=disable_at,
    )
