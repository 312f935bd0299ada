"""The pages (GET): home, the set-up screen, a delivery, its HAR, the receiver check, and
their live parts."""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from mockserver import keys
from mockserver.durations import human
from mockserver.models import DELIVERY_STATUSES, EVENT_TYPES
from mockserver.ui.har import har
from mockserver.ui.render import page
from mockserver.ui.session import page_owner

KEEPALIVE = 15.0
MIN_GAP = 0.2  # seconds between two refresh signals: at most 5 redraws a second


def _filters(request: web.Request) -> dict[str, str]:
    """The delivery filters of the query string; unknown values are dropped, not obeyed."""
    q = request.query
    out = {}
    if q.get("webhook_id"):
        out["webhook_id"] = q["webhook_id"]
    if q.get("status") in DELIVERY_STATUSES:
        out["status"] = q["status"]
    if q.get("event_type") in EVENT_TYPES:
        out["event_type"] = q["event_type"]
    return out


def _hooks_part(request: web.Request, owner: str) -> dict[str, Any]:
    service = request.app[keys.service]
    return {"summaries": service.reads.summaries(owner), "max_attempts": service.config.max_attempts}


def _deliveries_part(request: web.Request, owner: str) -> dict[str, Any]:
    reads, filters = request.app[keys.service].reads, _filters(request)
    return {
        "deliveries": reads.deliveries(owner, limit=50, webhook_id=filters.get("webhook_id"),
                                       status=filters.get("status"), event_type=filters.get("event_type")),
        "events": reads.events(owner, limit=10),
        "filters": filters,
    }


View = Callable[[web.Request, str], Awaitable[web.StreamResponse]]


def merchant_page(view: View) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """A page of the signed-in merchant's; without a token it asks for one."""

    async def handler(request: web.Request) -> web.StreamResponse:
        owner = page_owner(request)
        return page(request, "login.html", {}) if owner is None else await view(request, owner)

    return handler


def merchant_data(view: View) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """A live part or a download: without a token, a 401 (the script signs in through the page)."""

    async def handler(request: web.Request) -> web.StreamResponse:
        owner = page_owner(request)
        if owner is None:
            raise web.HTTPUnauthorized(text="sign in first")
        return await view(request, owner)

    return handler


@merchant_page
async def home(request: web.Request, owner: str) -> web.Response:
    hooks = request.app[keys.service].webhooks.of_owner(owner)
    return page(request, "home.html", {**_hooks_part(request, owner), **_deliveries_part(request, owner),
                                       "hooks": hooks})


@merchant_data
async def home_live(request: web.Request, owner: str) -> web.Response:
    """One live part of the home page: ``?part=hooks`` or ``?part=deliveries``."""
    if request.query.get("part") == "hooks":
        return page(request, "_hooks_live.html", _hooks_part(request, owner))
    return page(request, "_deliveries_live.html", _deliveries_part(request, owner))


@merchant_page
async def setup_screen(request: web.Request, owner: str) -> web.Response:
    return page(request, "setup.html", {"hooks": request.app[keys.service].webhooks.of_owner(owner)})


def delivery_context(request: web.Request, owner: str) -> dict[str, Any]:
    detail = request.app[keys.service].reads.delivery(owner, request.match_info["id"])
    attempts = detail.attempts
    gaps: list[float | None] = [None] + [b.started_at - a.started_at for a, b in zip(attempts, attempts[1:])]
    # Gaps grow from seconds to minutes: a log scale keeps both visible.
    scale = math.log1p(max((g for g in gaps if g), default=1.0))
    widths = [0.0 if not g else round(100 * math.log1p(g) / scale, 1) for g in gaps]
    return {"delivery": detail.delivery, "event": detail.event, "attempts": list(zip(attempts, gaps, widths))}


@merchant_page
async def delivery_page(request: web.Request, owner: str) -> web.Response:
    return page(request, "delivery.html", delivery_context(request, owner))


@merchant_data
async def delivery_live(request: web.Request, owner: str) -> web.Response:
    return page(request, "_delivery_live.html", delivery_context(request, owner))


@merchant_data
async def delivery_har(request: web.Request, owner: str) -> web.Response:
    detail = request.app[keys.service].reads.delivery(owner, request.match_info["id"])
    return web.Response(
        text=har(detail.delivery, detail.event, detail.attempts),
        content_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{detail.delivery.id}.har"'},
    )


@merchant_page
async def faults_page(request: web.Request, owner: str) -> web.Response:
    service = request.app[keys.service]
    faults = service.webhooks.faults_of(owner, request.match_info["id"])
    outage = faults.effective.outage
    return page(request, "faults.html", {
        "hook": faults.hook, "s": faults.effective, "source": faults.source,
        "outage_in": "" if outage is None else human(max(0.0, outage.start - service.clock.view(owner).now)),
        "outage_duration": "" if outage is None else human(outage.duration),
        "outage_rate": "" if outage is None else f"{outage.rate:g}",
    })


@merchant_page
async def check_page(request: web.Request, owner: str) -> web.Response:
    """The "Check a receiver" form, and the merchant's last report under it."""
    report = request.app[keys.service].checks.last(owner)
    return page(request, "check.html", {"report": report, "counts": report.counts() if report else {}})


@merchant_data
async def stream(request: web.Request, owner: str) -> web.StreamResponse:
    """Server-sent events: 'change' whenever something of the signed-in merchant's changed
    (only theirs), with their clock; the page refetches its live parts. Browsers reconnect
    by themselves (after ``retry`` ms) and say the last change they saw: one missed while
    the stream was down is sent at once."""
    changes, clock = request.app[keys.changes], request.app[keys.service].clock
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store"})
    await response.prepare(request)
    version = _last_seen(request.headers.get("Last-Event-ID", ""), changes.boot, changes.version(owner))
    try:
        await response.write(b"retry: 1000\n\n")
        while not changes.closed:
            new = await changes.wait_past(owner, version, KEEPALIVE)
            if changes.closed:
                break
            if new == version:
                await response.write(b": keep-alive\n\n")
                continue
            version = new
            view = clock.view(owner)
            data = json.dumps({"version": version, "now_epoch": view.now, "scale": view.scale})
            await response.write(f"id: {changes.boot}:{version}\nevent: change\ndata: {data}\n\n".encode())
            await asyncio.sleep(MIN_GAP)  # throttle the page, not the engine
    except ConnectionResetError:  # the page was left or reloaded: nothing to say
        pass
    return response


def _last_seen(header: str, boot: str, current: int) -> int:
    """Where a reconnecting stream picks up: the version the browser saw last, or one
    before the first when it saw a version of an earlier server run; a new stream starts now."""
    if not header:
        return current
    seen_boot, _, seen = header.partition(":")
    if seen_boot != boot or not seen.isdigit():
        return -1
    return min(int(seen), current)
