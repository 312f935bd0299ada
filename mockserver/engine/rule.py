"""SalesPlay's rule for a webhook that stops receiving, in one place. The engine applies it
when a delivery fails for good; the service when a user disables or deletes a webhook."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mockserver.domain.models import Delivery

if TYPE_CHECKING:  # for the type only: attempt.py applies this rule
    from mockserver.engine.attempt import Attempts


def stop_deliveries(attempts: Attempts, webhook_id: str, now: float) -> None:
    """The webhook receives nothing more: its pending deliveries are cancelled, and those
    held behind them let go. One whose attempt is under way stays pending until that attempt
    ends, and is then settled once (``Deliveries.finish``): succeeded on a 2xx, failed if it
    was the last attempt, else cancelled. A status never goes back."""
    attempts.mark()  # every attempt under way is marked on its delivery now: the cancel leaves those
    attempts.store.deliveries.cancel_pending(webhook_id, now)


def failed_for_good(attempts: Attempts, delivery: Delivery, made: int, now: float) -> None:
    """A delivery made its last attempt (or its window closed) without a 2xx: its webhook is
    disabled, naming it (unless it already was: the first reason stays), and receives
    nothing more."""
    store = attempts.store
    with store.tx():
        store.webhooks.disable(
            delivery.webhook_id, f"delivery {delivery.id} failed {made} attempt(s) within the retry window", now)
        stop_deliveries(attempts, delivery.webhook_id, now)
