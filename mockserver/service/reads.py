"""What there is to read: deliveries with their attempts, events, and what the page says
about each webhook (its last result, failure streak, and when SalesPlay's rule will
disable it if the receiver keeps failing)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mockserver.domain import paging
from mockserver.domain.config import Config
from mockserver.domain.errors import InvalidField
from mockserver.domain.models import Attempt, Delivery, DeliveryFilter, Event, Webhook
from mockserver.domain.paging import Page
from mockserver.domain.vocabulary import DELIVERY_KINDS, DELIVERY_STATUSES, EVENT_KINDS, EVENT_TYPES
from mockserver.domain.webhook_rules import check_event_type
from mockserver.store import Store
from mockserver.store.totals import Row


def tally(rows: list[Row], axes: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    """``{"total": n, "by_<axis>": {value: n}}`` for each axis, every known value named (0
    when none), so a script reads a count without a default."""
    out: dict[str, Any] = {"total": sum(n for _, n in rows)}
    for axis, values in axes.items():
        counts = out[f"by_{axis}"] = dict.fromkeys(values, 0)
        for labels, n in rows:
            counts[labels[axis]] = counts.get(labels[axis], 0) + n
    return out


def by_type(rows: list[Row], axes: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    """The tally of ``rows``, and each event type's own."""
    return {**tally(rows, axes),
            "by_type": {t: tally([r for r in rows if r[0]["type"] == t], axes) for t in EVENT_TYPES}}


@dataclass(frozen=True)
class DeliveryDetail:
    delivery: Delivery
    event: Event
    attempts: list[Attempt]


@dataclass(frozen=True)
class EventDetail:
    event: Event
    deliveries: list[Delivery]
    related: list[Event]  # of the same shop operation, oldest first


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

    def deliveries_page(self, owner: str, where: DeliveryFilter = DeliveryFilter(), *, cursor: str | None = None,
                        limit: int = 100) -> Page[Delivery]:
        """A page of ``limit`` of the merchant's deliveries, newest first, from ``cursor``
        (the ``next`` of the page before): new deliveries never shift it, and one forgotten
        meanwhile does not end it."""
        self._check(where)
        rows = self.store.deliveries.numbered(owner, where, before_row=paging.position("d", cursor), limit=limit + 1)
        return paging.page_of("d", rows, limit)

    @staticmethod
    def _check(where: DeliveryFilter) -> None:
        if where.event_type is not None:
            check_event_type(where.event_type, field="event_type")

    def events(self, owner: str, *, limit: int = 100) -> list[Event]:
        return self.store.events.recent(owner, limit=limit)

    def events_page(self, owner: str, *, type_: str | None = None, kind: str | None = None,
                    search: str | None = None, cursor: str | None = None, limit: int = 100) -> Page[Event]:
        """A page of ``limit`` of the merchant's events, newest first, from ``cursor``;
        ``search``: those whose id, or a text in whose payload, starts with it."""
        if type_ is not None:
            check_event_type(type_, field="type")
        if kind is not None and kind not in EVENT_KINDS:
            raise InvalidField("'kind' must be one of " + ", ".join(EVENT_KINDS), field="kind")
        rows = self.store.events.numbered(owner, type_=type_, kind=kind, search=search,
                                          before_row=paging.position("e", cursor), limit=limit + 1)
        return paging.page_of("e", rows, limit)
    def event(self, owner: str, event_id: str) -> EventDetail:
        """An event, its deliveries (to every webhook, in the order they were made) and the
        other events of the same shop operation (a sale's receipt and its stock change)."""
        event = self.store.events.get(owner, event_id)
        related = [] if event.group_id is None else [
            e for _, e in self.store.events.numbered(owner, group_id=event.group_id, limit=100) if e.id != event.id]
        return EventDetail(event, self.store.deliveries.for_events([event.id])[event.id], related[::-1])

    def totals(self, owner: str) -> dict[str, Any]:
        """How many of the merchant's events (by kind) and deliveries (by status and kind)
        the database keeps, in all and per event type: ``GET /_mock/stats``."""
        return {
            "events": by_type(self.store.totals.events(owner), {"kind": EVENT_KINDS}),
            "deliveries": by_type(self.store.totals.deliveries(owner),
                                  {"status": DELIVERY_STATUSES, "kind": DELIVERY_KINDS}),
        }

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
