"""SalesPlay's rule for a webhook that stops receiving, in one place. The engine applies it
when a delivery fails for good; the service when a user disables or deletes a webhook."""

from __future__ import annotations

from mockserver.domain.models import Delivery
from mockserver.store import Store


def stop_deliveries(store: Store, webhook_id: str, reason: str, now: float) -> None:
    """The webhook receives nothing more: its pending deliveries are cancelled, and those
    held behind them let go. An attempt already under way keeps what it comes to: a last
    attempt that fails makes its delivery ``failed``, one that succeeds ``succeeded``
    (``Deliveries.finish``)."""
    store.deliveries.cancel_pending(webhook_id, reason, now)


def failed_for_good(store: Store, delivery: Delivery, attempts_made: int, now: float) -> None:
    """A delivery made its last attempt (or its window closed) without a 2xx: its webhook is
    disabled, naming it (unless it already was: the first reason stays), and receives
    nothing more."""
    with store.tx():
        store.webhooks.disable(
            delivery.webhook_id, f"delivery {delivery.id} failed {attempts_made} attempt(s) within the retry window",
            now)
        stop_deliveries(store, delivery.webhook_id, "the webhook was disabled", now)
