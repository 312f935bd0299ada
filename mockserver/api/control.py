"""The /_mock control API: trigger events, read deliveries, move the clock, reset."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timezone
from typing import Any

from aiohttp import web

from mockserver import keys
from mockserver.api.common import int_param, json_object, json_stream, optional_owner, owner
from mockserver.errors import ApiError, InvalidField
from mockserver.models import DELIVERY_STATUSES, iso
from mockserver.rules import check_event_type
from mockserver.shop.generate import generate_payloads
from mockserver.shop.schemas import load_schema
from mockserver.triggering import CHUNK, check_count, publish_groups, shop_payloads


async def clock_state(request: web.Request) -> web.Response:
    """The clock; on the manual clock, the calling token's own time (without a token, the
    time a new token starts at)."""
    clock = request.app[keys.clock]
    now = clock.now(optional_owner(request))
    return web.json_response({"mode": clock.mode, "scale": clock.scale, "now": iso(now), "now_epoch": now,
                              "per_token": not clock.runs_itself})


async def clock_advance(request: web.Request) -> web.Response:
    who = owner(request)
    body = await json_object(request)
    if set(body) - {"seconds", "to"} or len(body) != 1:
        raise InvalidField("send exactly one of 'seconds' (a number) or 'to' (an ISO 8601 time)", field="seconds")
    seconds, to = None, None
    if "seconds" in body:
        seconds = body["seconds"]
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            raise InvalidField("'seconds' must be a number", field="seconds")
    else:
        to = _parse_time(body["to"])
    made = await request.app[keys.dispatcher].advance(who, seconds=seconds, to=to)
    return web.json_response({"now": iso(request.app[keys.clock].now(who)), "attempts_made": made})


def _parse_time(value: object) -> float:
    if not isinstance(value, str):
        raise InvalidField("'to' must be an ISO 8601 time such as 2025-07-01T12:00:00Z", field="to")
    try:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidField("'to' must be an ISO 8601 time such as 2025-07-01T12:00:00Z", field="to") from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    return stamp.timestamp()


async def retry_schedule(request: web.Request) -> web.Response:
    return web.json_response(request.app[keys.config].schedule.to_json())


async def trigger(request: web.Request) -> web.StreamResponse:
    """Make the shop act (by event type or named operation), or send a payload as given."""
    who = owner(request)
    body = await json_object(request)
    unknown = set(body) - {"type", "operation", "count", "payload"}
    if unknown:
        name = sorted(unknown)[0]
        raise InvalidField(f"unknown field {name!r}; use type, operation, count, payload", field=name)
    count = check_count(body.get("count", 1))
    if "payload" in body:
        type_ = check_event_type(body.get("type"), field="type")
        if not isinstance(body["payload"], dict):
            raise InvalidField("'payload' must be a JSON object", field="payload")
        groups = [[{**body["payload"], "type": type_}] for _ in range(count)]
    else:
        groups = await shop_payloads(
            request.app[keys.shops], who, request.app[keys.clock].now(who),
            type_=body.get("type"), operation=body.get("operation"), count=count,
        )
    events = await publish_groups(request.app[keys.dispatcher], who, groups)
    deliveries = request.app[keys.store].deliveries

    async def parts() -> AsyncIterator[list[dict[str, Any]]]:
        for start in range(0, len(events), CHUNK):
            chunk = events[start:start + CHUNK]
            sent = deliveries.for_events([e.id for e in chunk])
            yield [{**e.to_json(), "deliveries": [d.to_json() for d in sent[e.id]]} for e in chunk]

    return await json_stream(request, "events", parts(), status=201)


async def list_events(request: web.Request) -> web.Response:
    limit = int_param(request, "limit", 100, 1, 1000)
    events = request.app[keys.store].events.recent(owner(request), limit=limit)
    return web.json_response({"data": [e.to_json() for e in events]})


async def list_deliveries(request: web.Request) -> web.Response:
    who = owner(request)
    status = request.query.get("status")
    if status is not None and status not in DELIVERY_STATUSES:
        raise InvalidField("'status' must be one of " + ", ".join(DELIVERY_STATUSES), field="status")
    event_type = request.query.get("event_type")
    if event_type is not None:
        check_event_type(event_type, field="event_type")
    rows = request.app[keys.store].deliveries.query(
        who,
        webhook_id=request.query.get("webhook_id"),
        status=status,
        event_type=event_type,
        limit=int_param(request, "limit", 100, 1, 1000),
    )
    return web.json_response({"data": [d.to_json() for d in rows]})


async def get_delivery(request: web.Request) -> web.Response:
    who = owner(request)
    store = request.app[keys.store]
    delivery = store.deliveries.get(who, request.match_info["id"])
    event = store.events.get(who, delivery.event_id)
    return web.json_response({
        **delivery.to_json(),
        "event": event.to_json(),
        "attempts": [a.to_json() for a in store.attempt_log.of_delivery(delivery.id)],
    })


async def redeliver(request: web.Request) -> web.Response:
    delivery = await request.app[keys.dispatcher].redeliver(owner(request), request.match_info["id"])
    return web.json_response(delivery.to_json(), status=201)


async def reset(request: web.Request) -> web.Response:
    who = owner(request)
    request.app[keys.store].reset(who)
    request.app[keys.shops].forget(who)
    return web.json_response({"reset": True})


async def schema(request: web.Request) -> web.Response:
    type_ = request.match_info["type"]
    check_event_type(type_, field="type")
    return web.json_response(load_schema(type_))


async def payloads(request: web.Request) -> web.Response:
    """Generated payloads, delivered nowhere: the same as ``salesplay-mock generate``."""
    type_ = request.match_info["type"]
    check_event_type(type_, field="type")
    count = int_param(request, "count", 1, 1, 10_000)
    seed = int_param(request, "seed", request.app[keys.config].seed, -(2**63), 2**63 - 1)
    locale = request.query.get("locale", "en_US")
    try:
        data = generate_payloads(type_, count, seed=seed, locale=locale)
    except ValueError as exc:
        raise ApiError(str(exc), field="locale", code="invalid_locale") from None
    return web.json_response({"data": data})
