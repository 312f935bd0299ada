"""Events: the shop acts (or a payload is sent as given), each event gets a delivery per
subscribed webhook, and the engine is told; a delivery is sent again on demand.

A trigger may ask for a thousand events: the shop acts and the events are stored in
chunks, each chunk one transaction, and the loop serves other requests between chunks.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections import Counter
from typing import Any

from mockserver.clock import Clock
from mockserver.config import Config
from mockserver.engine.fault_injector import FaultInjector
from mockserver.engine.scheduler import Scheduler
from mockserver.errors import Conflict, InvalidField
from mockserver.models import Delivery, Event, Webhook, new_delivery
from mockserver.notices import Notices
from mockserver.service.shops import Shops
from mockserver.shop.ops import NothingToRefund
from mockserver.store import Store
from mockserver.vocabulary import EVENT_TYPES, OPERATION_EVENTS, operations_sending
from mockserver.webhook_rules import check_event_type

MAX_TRIGGER = 1000
CHUNK = 25  # shop operations (or events) handled before the loop serves others

Payload = dict[str, Any]
NO_PAYLOAD: Any = object()  # a trigger without a payload of its own (``null`` is a bad one)


def check_count(count: object) -> int:
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_TRIGGER:
        raise InvalidField(f"'count' must be an integer from 1 to {MAX_TRIGGER}", field="count")
    return count


def check_operation(operation: object, type_: object) -> str:
    """A named operation, and the ``type`` beside it (if any): one the operation sends."""
    if not isinstance(operation, str) or operation not in OPERATION_EVENTS:
        raise InvalidField(f"unknown operation {operation!r}; use one of " + ", ".join(OPERATION_EVENTS),
                           field="operation")
    sends = OPERATION_EVENTS[operation]
    if type_ is not None and (checked := check_event_type(type_, field="type")) not in sends:
        raise InvalidField(f"operation {operation!r} sends {' and '.join(sends)}, not {checked}; leave 'type' out, "
                           f"or use an operation that sends it ({', '.join(operations_sending(checked))})",
                           field="type", code="type_not_sent_by_operation")
    return operation


class Events:
    def __init__(self, config: Config, clock: Clock, store: Store, shops: Shops, scheduler: Scheduler,
                 faults: FaultInjector, notices: Notices) -> None:
        self.config, self.clock, self.store = config, clock, store
        self.shops, self.scheduler, self.faults, self.notices = shops, scheduler, faults, notices

    async def trigger(self, owner: str, *, type_: object = None, operation: object = None, count: object = 1,
                      payload: object = NO_PAYLOAD) -> list[Event]:
        """Make the shop act ``count`` times (until it emits ``type_``, or the named
        ``operation``), or send ``payload`` as an event of ``type_``; the events made."""
        count = check_count(count)
        if payload is not NO_PAYLOAD:
            if operation is not None:
                raise InvalidField("send 'operation' (the shop acts) or 'payload' (sent as given), not both",
                                   field="operation")
            checked = check_event_type(type_, field="type")
            if not isinstance(payload, dict):
                raise InvalidField("'payload' must be a JSON object", field="payload")
            groups = [[{**payload, "type": checked}] for _ in range(count)]
            self._within_bounds(owner, groups)
        else:
            groups = await self._shop_acts(owner, type_=type_, operation=operation, count=count)
        return await self.publish(owner, groups)

    async def _shop_acts(self, owner: str, *, type_: object, operation: object, count: int) -> list[list[Payload]]:
        """Groups of payloads, one group per shop operation, in sending order."""
        sim = self.shops.get(owner)
        now = self.clock.now(owner)
        if operation is not None:
            name = check_operation(operation, type_)

            def act() -> list[Payload]:
                return sim.run(name, now)
        elif type_ is not None:
            checked = check_event_type(type_, field="type")

            def act() -> list[Payload]:
                return sim.act(checked, now)
        else:
            raise InvalidField("send 'type' (one of " + ", ".join(EVENT_TYPES) + ") or 'operation'", field="type")
        saved = sim.world.to_json() if operation == "refund" else None  # a refund may find nothing to refund
        groups = []
        try:
            for n in range(count):
                groups.append(act())
                if n % CHUNK == CHUNK - 1:
                    await asyncio.sleep(0)
        except NothingToRefund as exc:
            assert saved is not None
            self.shops.restore(owner, saved)  # all or nothing: the refunds made before this one are undone too
            raise Conflict(str(exc), field="operation", code="nothing_to_refund") from None
        try:
            self._within_bounds(owner, groups)
        except InvalidField:
            self.shops.forget(owner)  # as saved before this trigger: it never happened
            raise
        self.shops.save(owner)
        return groups

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
        hooks = {hook.id: hook for hook in self.store.webhooks.of_owner(owner)}
        for start in range(0, len(groups), CHUNK):
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
        waiting = self.store.deliveries.skipped(webhook_id)
        events = {e.id: e for e in self.store.events.of_ids(owner, [d.event_id for d in waiting])}
        skipped = [d for d in waiting if d.event_id in events]  # an event trimmed from the log cannot be sent
        skipped = skipped[:self.config.max_deliveries_per_request]  # the rest at the next call
        made = [new_delivery(events[d.event_id], hook, kind="redelivery", status="pending", next_at=now,
                             deadline=now + self.config.retry_window) for d in skipped]
        with self.store.tx():
            self.store.deliveries.add(made)
            self.store.deliveries.resent([(old.id, new.id) for old, new in zip(skipped, made)])
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
