"""Events: the shop acts (or a payload is sent as given: ``scenarios.py``), each event gets a
delivery per subscribed webhook, and the engine is told; a delivery is sent again on demand.

A trigger may ask for a thousand events: they are stored in chunks, each chunk one
transaction, and the loop serves other requests between chunks.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections import Counter
from typing import Any

from mockserver.domain.clock import Clock
from mockserver.domain.config import Config
from mockserver.domain.errors import Conflict, InvalidField
from mockserver.domain.models import Delivery, Event, Webhook, new_delivery
from mockserver.domain.notices import Notices
from mockserver.domain.scenario import Act, Step, parse_trigger
from mockserver.engine.fault_injector import FaultInjector
from mockserver.engine.scheduler import Scheduler
from mockserver.service.clock import ClockControl
from mockserver.service.scenarios import Scenarios, StepResult
from mockserver.service.shops import Shops
from mockserver.store import Store

CHUNK = 25  # events stored (and encoded) before the loop serves others

Payload = dict[str, Any]


class Events:
    def __init__(self, config: Config, clock: Clock, store: Store, shops: Shops, scheduler: Scheduler,
                 faults: FaultInjector, notices: Notices, control: ClockControl) -> None:
        self.config, self.clock, self.store = config, clock, store
        self.shops, self.scheduler, self.faults, self.notices = shops, scheduler, faults, notices
        self.scenarios = Scenarios(clock, shops, self.publish, control, self._within_bounds)

    async def trigger(self, owner: str, *, type_: str | None = None, operation: str | None = None,
                      count: object = 1) -> list[Event]:
        """Make the shop act ``count`` times (until it emits ``type_``, or the named
        ``operation``); the events made (the page's trigger)."""
        body = {key: value for key, value in (("type", type_), ("operation", operation)) if value is not None}
        return (await self.act(owner, parse_trigger({**body, "count": count}))).events

    async def act(self, owner: str, act: Act) -> StepResult:
        """One trigger, all or nothing (``POST /_mock/events``): the records made and the events."""
        return (await self.scenarios.run(owner, [act]))[0]

    async def scenario(self, owner: str, steps: list[Step]) -> list[StepResult]:
        """A scenario's steps in order, all or nothing (``POST /_mock/scenarios``)."""
        return await self.scenarios.run(owner, steps)

    def _within_bounds(self, owner: str, groups: list[list[Payload]]) -> None:
        """One request makes at most --max-deliveries-per-request deliveries: a hundred sales
        to a thousand webhooks would be 200,000, and minutes of the server's time."""
        hooks = self.store.webhooks.of_owner(owner)
        types = Counter(p["type"] for group in groups for p in group)
        made = sum(n * sum(1 for hook in hooks if type_ in hook.events) for type_, n in types.items())
        limit = self.config.max_deliveries_per_request
        if made > limit:
            raise InvalidField(f"this would make {made:,} deliveries ({types.total():,} events times the webhooks "
                               f"they go to), more than the {limit:,} one request may make "
                               "(--max-deliveries-per-request); lower 'count'", field="count",
                               code="too_many_deliveries")

    async def everyday(self, owner: str, events: int) -> list[Event]:
        """The shop's everyday traffic (mostly sales), until it has made ``events`` events."""
        shop, groups, made = self.shops.get(owner), [], 0
        now = self.clock.now(owner)
        while made < events:
            group = shop.traffic(now)
            groups.append(group)
            made += len(group)
        if groups:
            self.shops.save(owner)
        return await self.publish(owner, groups) if groups else []

    async def publish(self, owner: str, groups: list[list[Payload]]) -> list[Event]:
        """Record every payload as an event with its deliveries, then start delivering.
        Events of one operation share a group id (a sale's receipt and its stock change).
        One way through: each event is stored, its deliveries are made in memory, faults
        decide what happens to them, and they are stored in one insert per chunk."""
        events: list[Event] = []
        now = self.clock.now(owner)
        for start in range(0, len(groups), CHUNK):
            # Read again for each chunk: a webhook disabled or deleted between two gets no more.
            hooks = {hook.id: hook for hook in self.store.webhooks.of_owner(owner)}
            deliveries: list[Delivery] = []
            with self.store.tx():
                for group in groups[start:start + CHUNK]:
                    group_id = "grp_" + secrets.token_hex(6) if len(group) > 1 else None
                    made = [self._one(owner, p["type"], json.dumps(p), group_id, hooks, now) for p in group]
                    deliveries += [d for _, ds in made for d in ds] + self.faults.decide(now, made, hooks)
                    events += [event for event, _ in made]
                self.store.deliveries.add(deliveries)
            self.notices.changed(owner)
            if start + CHUNK < len(groups):
                await asyncio.sleep(0)
        await self.scheduler.kick(owner)
        return events

    def _one(self, owner: str, type_: str, payload: str, group_id: str | None, hooks: dict[str, Webhook],
             now: float) -> tuple[Event, list[Delivery]]:
        """An event, stored, and a delivery (not stored yet) for every one of ``hooks``
        subscribed to its type (a disabled webhook's is recorded as skipped)."""
        event = self.store.events.add(owner, type_, payload, now, group_id)
        made = []
        for hook in hooks.values():
            if type_ not in hook.events:
                continue
            if hook.enabled:
                made.append(new_delivery(event, hook, kind="event", status="pending", next_at=now,
                                         deadline=now + self.config.retry_window))
            else:
                made.append(new_delivery(event, hook, kind="event", status="skipped", next_at=None, deadline=now,
                                         note=f"not sent: the webhook is disabled ({hook.disabled_reason})"))
        return event, made

    async def redeliver_skipped(self, owner: str, webhook_id: str) -> list[Delivery]:
        """The events skipped while the webhook was disabled, sent now (each once, as a new
        delivery of kind ``redelivery``, in the order they happened)."""
        hook = self.store.webhooks.get(owner, webhook_id)
        if not hook.enabled:
            raise Conflict("the webhook is disabled; re-enable it first", field="webhook_id", hint="reenable_webhook")
        now = self.clock.now(owner)
        waiting = self.store.deliveries.skipped_unsent(webhook_id)
        events = {e.id: e for e in self.store.events.of_ids(owner, [d.event_id for d in waiting])}
        skipped = [d for d in waiting if d.event_id in events]  # an event trimmed from the log cannot be sent
        skipped = skipped[:self.config.max_deliveries_per_request]  # the rest at the next call
        made = [new_delivery(events[d.event_id], hook, kind="redelivery", status="pending", next_at=now,
                             deadline=now + self.config.retry_window) for d in skipped]
        with self.store.tx():
            self.store.deliveries.add(made)
            self.store.deliveries.mark_resent([(old.id, new.id) for old, new in zip(skipped, made)])
        self.notices.changed(owner)
        await self.scheduler.kick(owner)
        return [self.store.deliveries.get(owner, d.id) for d in made]

    async def redeliver(self, owner: str, delivery_id: str) -> Delivery:
        """The delivery's event, sent again as a new delivery (kind ``redelivery``)."""
        old = self.store.deliveries.get(owner, delivery_id)
        hook = self.store.webhooks.get_any(old.webhook_id)
        if hook is None:
            raise Conflict("the webhook of this delivery was deleted", field="webhook_id")
        if not hook.enabled:
            raise Conflict("the webhook is disabled; re-enable it first", field="webhook_id", hint="reenable_webhook")
        event = self.store.events.get(owner, old.event_id)
        now = self.clock.now(owner)
        new = self.store.deliveries.create(event, hook, kind="redelivery", status="pending", next_at=now,
                                           deadline=now + self.config.retry_window)
        self.notices.changed(owner)
        await self.scheduler.kick(owner)
        return self.store.deliveries.get(owner, new.id)
