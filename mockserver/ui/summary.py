"""What the page says about each webhook: last result, failure streak, next retry, and a
forecast of when SalesPlay's rule will disable it if the receiver keeps failing."""

from __future__ import annotations

from dataclasses import dataclass

from mockserver import schedule
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
        "SELECT attempts, next_at, deadline FROM deliveries WHERE webhook_id = ? AND status = 'pending' "
        "AND attempts > 0 AND next_at IS NOT NULL ORDER BY created_at LIMIT 1",
        (hook.id,),
    ).fetchone()
    left, disable_at = None, None
    if failing is not None:
        left, disable_at = forecast(config, failing["attempts"], failing["next_at"], failing["deadline"])
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


def forecast(config: Config, made: int, next_at: float, deadline: float) -> tuple[int, float]:
    """Attempts still to come for a failing delivery, and when the last of them falls:
    if it fails too, that is when the webhook is disabled."""
    delays = schedule.retry_delays(config.max_attempts, config.retry_window)
    when, left = next_at, 1
    for number in range(made + 1, config.max_attempts):
        nxt = when + delays[number - 1]
        if nxt > deadline:
            break
        when, left = nxt, left + 1
    return left, when
