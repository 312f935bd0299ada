"""Making the shop act for a merchant, and publishing what it sent: shared by the control
API, the web page and ``--traffic``.

A trigger may ask for a thousand events: the shop acts and the events are stored in
chunks, each chunk one transaction, and the loop serves other requests between chunks.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from typing import Any

from mockserver.delivery import Dispatcher
from mockserver.errors import Conflict, InvalidField
from mockserver.models import EVENT_TYPES, Event
from mockserver.rules import check_event_type
from mockserver.shop.ops import NothingToRefund
from mockserver.shop.registry import Shops
from mockserver.shop.simulator import OPERATIONS

MAX_TRIGGER = 1000
CHUNK = 25  # shop operations (or events) handled before the loop serves others


def check_count(count: object) -> int:
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_TRIGGER:
        raise InvalidField(f"'count' must be an integer from 1 to {MAX_TRIGGER}", field="count")
    return count


async def shop_payloads(
    shops: Shops, owner: str, now: float, *, type_: object = None, operation: object = None, count: int = 1
) -> list[list[dict[str, Any]]]:
    """Groups of payloads, one group per shop operation, in sending order."""
    sim = shops.get(owner)
    if operation is not None:
        if not isinstance(operation, str) or operation not in OPERATIONS:
            raise InvalidField(
                f"unknown operation {operation!r}; use one of " + ", ".join(OPERATIONS), field="operation"
            )
        name = operation

        def act() -> list[dict[str, Any]]:
            return sim.run(name, now)
    elif type_ is not None:
        checked = check_event_type(type_, field="type")

        def act() -> list[dict[str, Any]]:
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
        shops.restore(owner, saved)  # all or nothing: the refunds made before this one are undone too
        raise Conflict(str(exc), field="operation", code="nothing_to_refund") from None
    shops.save(owner)
    return groups


async def publish_groups(dispatcher: Dispatcher, owner: str, groups: list[list[dict[str, Any]]]) -> list[Event]:
    """Record every payload as an event with its deliveries, then start delivering.
    Events of one operation share a group id (a sale's receipt and its stock change)."""
    events: list[Event] = []
    now = dispatcher.clock.now(owner)
    hooks = dispatcher.store.webhooks.of_owner(owner)
    for start in range(0, len(groups), CHUNK):
        with dispatcher.store.tx():
            for group in groups[start:start + CHUNK]:
                group_id = "grp_" + secrets.token_hex(6) if len(group) > 1 else None
                published = [dispatcher.publish(owner, p["type"], json.dumps(p), group_id, hooks=hooks)
                             for p in group]
                dispatcher.faults.apply(now, published)
                events += [event for event, _ in published]
        if start + CHUNK < len(groups):
            await asyncio.sleep(0)
    await dispatcher.kick(owner)
    return events
