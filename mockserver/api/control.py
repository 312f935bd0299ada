"""The /_mock control API: read events and deliveries, move the clock, reset (triggers and
scenarios are in ``acts.py``)."""

from __future__ import annotations

import asyncio
import json

from aiohttp import web

from mockserver.api.common import int_param, json_object, optional_owner, owner
from mockserver.api.errors import ApiError
from mockserver.domain.durations import parse_instant
from mockserver.domain.errors import InvalidField
from mockserver.domain.models import DeliveryFilter, iso
from mockserver.domain.seeds import MAX_SEED
from mockserver.domain.vocabulary import DELIVERY_KINDS, DELIVERY_STATUSES, word_of
from mockserver.domain.webhook_rules import check_event_type
from mockserver.server import keys
from mockserver.shop.generate import generate_payloads
from mockserver.shop.schemas import VARIANTS, load_schema

MAX_PAYLOADS = 10_000  # payloads one request may ask for


async def clock_state(request: web.Request) -> web.Response:
    """The clock; on the manual clock, the calling token's own time (without a token, the
    time a new token starts at)."""
    view = keys.service_of(request.app).clock.view(optional_owner(request))
    return web.json_response({"mode": view.mode, "scale": view.scale, "now": iso(view.now), "now_epoch": view.now,
                              "per_token": view.per_token, "effective_scale": view.pace.effective_scale,
                              "lag_seconds": view.pace.lag, "pacing": view.pace.pacing})


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
        try:
            to = parse_instant(body["to"])
        except ValueError:
            raise InvalidField("'to' must be an ISO 8601 time such as 2025-07-01T12:00:00Z", field="to") from None
    clock = keys.service_of(request.app).clock
    made = await clock.advance(who, seconds=seconds, to=to)
    return web.json_response({"now": iso(clock.view(who).now), "attempts_made": made})


async def retry_schedule(request: web.Request) -> web.Response:
    return web.json_response(request.app[keys.config].schedule.to_json())


async def list_events(request: web.Request) -> web.Response:
    """Events, newest first, a page at a time: ``next`` is the cursor of the page after."""
    page = keys.service_of(request.app).reads.events_page(
        owner(request), type_=request.query.get("type"), kind=request.query.get("kind"),
        cursor=request.query.get("cursor"), limit=int_param(request, "limit", 100, 1, 1000))
    return web.json_response({"data": [e.to_json() for e in page.items], "next": page.next})


async def list_deliveries(request: web.Request) -> web.Response:
    """Deliveries, newest first, filtered, a page at a time: ``next`` is the cursor of the page after."""
    q = request.query
    where = DeliveryFilter(webhook_id=q.get("webhook_id"), status=word_of(q.get("status"), DELIVERY_STATUSES, "status"),
                           event_type=q.get("event_type"), kind=word_of(q.get("kind"), DELIVERY_KINDS, "kind"),
                           event_id=q.get("event_id"))
    page = keys.service_of(request.app).reads.deliveries_page(
        owner(request), where, cursor=q.get("cursor"), limit=int_param(request, "limit", 100, 1, 1000))
    return web.json_response({"data": [d.to_json() for d in page.items], "next": page.next})


async def stats(request: web.Request) -> web.Response:
    """How many events and deliveries this token has, in all and by type, kind and status."""
    who = owner(request)
    for name in request.query:
        raise InvalidField(f"unknown parameter {name!r}; /_mock/stats takes none: every count is in the answer",
                           field=name)
    return web.json_response(keys.service_of(request.app).reads.totals(who))


async def get_delivery(request: web.Request) -> web.Response:
    detail = keys.service_of(request.app).reads.delivery(owner(request), request.match_info["id"])
    return web.json_response({
        **detail.delivery.to_json(),
        "event": detail.event.to_json(),
        "attempts": [a.to_json() for a in detail.attempts],
    })


async def redeliver(request: web.Request) -> web.Response:
    delivery = await keys.service_of(request.app).events.redeliver(owner(request), request.match_info["id"])
    return web.json_response(delivery.to_json(), status=201)


async def redeliver_skipped(request: web.Request) -> web.Response:
    """Send the events a webhook skipped while it was disabled (once it is enabled again)."""
    made = await keys.service_of(request.app).events.redeliver_skipped(owner(request), request.match_info["id"])
    return web.json_response({"data": [d.to_json() for d in made]}, status=201)


async def reset(request: web.Request) -> web.Response:
    await keys.service_of(request.app).reset(owner(request))
    return web.json_response({"reset": True})


async def schema(request: web.Request) -> web.Response:
    """An event type's JSON Schema: ``strict`` (what the mock sends, no field more) or
    ``receiver`` (what a receiver may rely on; unknown fields allowed)."""
    type_ = request.match_info["type"]
    check_event_type(type_, field="type")
    for name in request.query:
        if name != "variant":
            raise InvalidField(f"unknown parameter {name!r}; the only one is variant (strict or receiver)", field=name)
    variant = request.query.get("variant", "strict")
    if variant not in VARIANTS:
        raise InvalidField("'variant' must be strict (what the mock sends, no field more) or receiver (what a "
                           "receiver may rely on, unknown fields allowed)", field="variant")
    return web.json_response(load_schema(type_, variant))


async def payloads(request: web.Request) -> web.Response:
    """Generated payloads, delivered nowhere: the same as ``salesplay-mock generate``. Ten
    thousand receipts take a couple of seconds of work: made and encoded on a thread, one
    request at a time (others wait their turn), so the server goes on answering meanwhile."""
    type_ = request.match_info["type"]
    check_event_type(type_, field="type")
    count = int_param(request, "count", 1, 1, MAX_PAYLOADS)
    seed = int_param(request, "seed", request.app[keys.config].seed, 0, MAX_SEED)
    locale = request.query.get("locale", "en_US")

    def made() -> bytes:
        return json.dumps({"data": generate_payloads(type_, count, seed=seed, locale=locale)}).encode()

    async with request.app[keys.generating]:
        try:
            body = await asyncio.to_thread(made)
        except ValueError as exc:
            raise ApiError(str(exc), field="locale", code="invalid_locale") from None
    return web.Response(body=body, content_type="application/json")
