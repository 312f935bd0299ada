"""The pages (GET): home and its live parts, the set-up screen, a webhook's faults, the
receiver check, and the live stream that tells open pages to refresh."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web

from mockserver import keys
from mockserver.durations import human
from mockserver.models import DeliveryFilter
from mockserver.static_files import STATIC
from mockserver.ui.render import merchant_data, merchant_page, page
from mockserver.vocabulary import DELIVERY_KINDS, DELIVERY_STATUSES, EVENT_TYPES

KEEPALIVE = 15.0
MIN_GAP = 0.2  # seconds between two refresh signals: at most 5 redraws a second


PAGE = 50  # deliveries per page


def _filters(request: web.Request) -> DeliveryFilter:
    """The delivery filters of the query string; unknown values are dropped, not obeyed."""
    q = request.query
    status_code = q.get("last_status", "")
    return DeliveryFilter(
        webhook_id=q.get("webhook_id") or None,
        status=q.get("status") if q.get("status") in DELIVERY_STATUSES else None,
        event_type=q.get("event_type") if q.get("event_type") in EVENT_TYPES else None,
        kind=q.get("kind") if q.get("kind") in DELIVERY_KINDS else None,
        last_status=int(status_code) if status_code.isdigit() and len(status_code) == 3 else None,
        search=q.get("q", "").strip() or None,
    )


def _hooks_part(request: web.Request, owner: str) -> dict[str, Any]:
    service = keys.service_of(request.app)
    return {"summaries": service.reads.summaries(owner), "max_attempts": service.config.max_attempts}


def _deliveries_part(request: web.Request, owner: str) -> dict[str, Any]:
    service, where = keys.service_of(request.app), _filters(request)
    before = request.query.get("before") or None
    found = service.reads.deliveries(owner, where, limit=PAGE + 1, before=before)
    return {
        "deliveries": found[:PAGE],
        "older": found[PAGE - 1].id if len(found) > PAGE else None,
        "before": before,
        "urls": {h.id: h.url for h in service.webhooks.of_owner(owner)},
        "events": service.reads.events(owner, limit=10),
        "filters": where,
        "filtered": where != DeliveryFilter(),
    }


@merchant_page
async def home(request: web.Request, owner: str) -> web.Response:
    hooks = keys.service_of(request.app).webhooks.of_owner(owner)
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
    return page(request, "setup.html", {"hooks": keys.service_of(request.app).webhooks.of_owner(owner)})


@merchant_page
async def faults_page(request: web.Request, owner: str) -> web.Response:
    service = keys.service_of(request.app)
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
    report = keys.service_of(request.app).checks.last(owner)
    return page(request, "check.html", {"report": report, "counts": report.counts() if report else {}})


@merchant_page
async def api_faults_page(request: web.Request, owner: str) -> web.Response:
    return page(request, "api_faults.html", {"s": keys.service_of(request.app).api_faults.settings(owner)})


@merchant_data
async def stream(request: web.Request, owner: str) -> web.StreamResponse:
    """Server-sent events: 'change' whenever something of the signed-in merchant's changed
    (only theirs), with their clock; the page refetches its live parts. Browsers reconnect
    by themselves (after ``retry`` ms) and say the last change they saw: one missed while
    the stream was down is sent at once."""
    changes, clock = request.app[keys.changes], keys.service_of(request.app).clock
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


async def favicon(request: web.Request) -> web.FileResponse:
    """Browsers ask for /favicon.ico whatever the page says."""
    return web.FileResponse(STATIC / "favicon.svg", headers={"Content-Type": "image/svg+xml"})
