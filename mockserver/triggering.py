"""Making the shop act for a merchant, and publishing what it sent: shared by the control
API, the web page and ``--traffic``."""

from __future__ import annotations

import json
import secrets
from typing import Any

from mockserver.delivery import Dispatcher
from mockserver.errors import InvalidField
from mockserver.models import EVENT_TYPES, Event
from mockserver.rules import check_event_type
from mockserver.shop.registry import Shops
from mockserver.shop.simulator import OPERATIONS

MAX_TRIGGER = 1000


def check_count(count: object) -> int:
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_TRIGGER:
        raise InvalidField(f"'count' must be an integer from 1 to {MAX_TRIGGER}", field="count")
    return count


def shop_payloads(
    shops: Shops, owner: str, now: float, *, type_: object = None, operation: object = None, count: int = 1
) -> list[list[dict[str, Any]]]:
    """Groups of payloads, one group per shop operation, in sending order."""
    sim = shops.get(owner)
    if operation is not None:
        if not isinstance(operation, str) or operation not in OPERATIONS:
            raise InvalidField(
                f"unknown operation {operation!r}; use one of " + ", ".join(OPERATIONS), field="operation"
            )
        groups = [sim.run(str(operation), now) for _ in range(count)]
    elif type_ is not None:
        checked = check_event_type(type_, field="type")
        groups = [sim.act(checked, now) for _ in range(count)]
    else:
        raise InvalidField("send 'type' (one of " + ", ".join(EVENT_TYPES) + ") or 'operation'", field="type")
    shops.save(owner)
    return groups


async def publish_groups(dispatcher: Dispatcher, owner: str, groups: list[list[dict[str, Any]]]) -> list[Event]:
    """Record every payload as an event with its deliveries, then start delivering.
    Events of one operation share a group id (a sale's receipt and its stock change)."""
    events = []
    now = dispatcher.clock.now()
    for group in groups:
        group_id = "grp_" + secrets.token_hex(6) if len(group) > 1 else None
        published = [dispatcher.publish(owner, p["type"], json.dumps(p), group_id) for p in group]
        dispatcher.faults.apply(now, published)
        events += [event for event, _ in published]
    await dispatcher.kick()
    return events
