"""What there is to read: deliveries with their attempts, events, and what the page says
about each webhook (its last result, failure streak, and when SalesPlay's rule will
disable it if the receiver keeps failing)."""

from __future__ import annotations

from dataclasses import dataclass

from mockserver.config import Config
from mockserver.errors import InvalidField
from mockserver.models import DELIVERY_KINDS, DELIVERY_STATUSES, Attempt, Delivery, DeliveryFilter, Event, Webhook
from mockserver.store import Store
from mockserver.webhook_rules import check_event_type


@dataclass(frozen=True)
class DeliveryDetail:
    delivery: Delivery
    event: Event
    attempts: list[Attempt]


@dataclass(frozen=True)
class WebhookSummary:
    hook: Webhook
    last_state: str | None
    last_status: int | None
    last_error: str | None
    streak: int  # failed attempts of events since the last success
    pending: int
    next_retry_at: float | None
    attempts_left: int | None  # before the oldest failing delivery gives up
    disable_at: float | None  # when that happens, if every attempt fails
    skipped: int  # events skipped while it was disabled, not sent since
    recent: tuple[tuple[str, int | None, str | None], ...]  # its last attempts, newest first


class Reads:
    def __init__(self, config: Config, store: Store) -> None:
        self.config, self.store = config, store

    def delivery(self, owner: str, delivery_id: str) -> DeliveryDetail:
        delivery = self.store.deliveries.get(owner, delivery_id)
        return DeliveryDetail(delivery, self.store.events.get(owner, delivery.event_id),
                              self.store.attempt_log.of_delivery(delivery.id))

    def deliveries(self, owner: str, where: DeliveryFilter = DeliveryFilter(), *, limit: int = 100,
                   before: str | None = None) -> list[Delivery]:
        """The merchant's deliveries, newest first, narrowed by the filter; ``before`` a
        delivery id: the page after it."""
        if where.status is not None and where.status not in DELIVERY_STATUSES:
            raise InvalidField("'status' must be one of " + ", ".join(DELIVERY_STATUSES), field="status")
        if where.kind is not None and where.kind not in DELIVERY_KINDS:
            raise InvalidField("'kind' must be one of " + ", ".join(DELIVERY_KINDS), field="kind")
        if where.event_type is not None:
            check_event_type(where.event_type, field="event_type")
        return self.store.deliveries.query(owner, where, limit=limit, before=before)

    def events(self, owner: str, *, limit: int = 100) -> list[Event]:
        return self.store.events.recent(owner, limit=limit)

    def deliveries_of(self, events: list[Event]) -> dict[str, list[Delivery]]:
        """Each event's deliveries (as a trigger answers them)."""
        return self.store.deliveries.for_events([e.id for e in events])

    def summaries(self, owner: str) -> list[WebhookSummary]:
        """Each of the merchant's webhooks, with what the page says about it."""
        stats = self.store.summaries.of_owner(owner)
        out = []
        for hook in self.store.webhooks.of_owner(owner):
            s = stats[hook.id]
            left, disable_at = None, None
            if s.failing_id is not None and s.failing_anchor is not None and s.failing_deadline is not None:
                left, disable_at = self.config.schedule.remaining(
                    start=s.failing_anchor, made=s.failing_attempts, deadline=s.failing_deadline, key=s.failing_id)
            out.append(WebhookSummary(hook, s.last_state, s.last_status, s.last_error, s.streak, s.pending,
                                      s.next_retry_at, left, disable_at, s.skipped, s.recent))
        return out
