"""The pages (GET): home and its live parts, the set-up screen, a webhook's faults, the
receiver check, and the live stream that tells open pages to refresh."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from aiohttp import web

from mockserver.domain.durations import human
from mockserver.domain.errors import InvalidField
from mockserver.domain.models import DeliveryFilter
from mockserver.domain.vocabulary import DELIVERY_KINDS, DELIVERY_STATUSES, EVENT_TYPES, Word, word_of
from mockserver.server import keys
from mockserver.ui import flash
from mockserver.ui.render import here, merchant_data, merchant_page, page
from mockserver.ui.static_files import STATIC

KEEPALIVE = 15.0
MIN_GAP = 0.2  # seconds between two refresh signals: at most 5 redraws a second


PAGE = 50  # deliveries per page


def _filters(request: web.Request) -> tuple[DeliveryFilter, list[str]]:
    """The delivery filters of the query string, and what of it was not understood (not
    obeyed, and said on the page, so a mistyped link does not look like every delivery)."""
    q, ignored = request.query, []

    def one_of(name: str, allowed: tuple[Word, ...]) -> Word | None:
        try:
            return word_of(q.get(name) or None, allowed, name)
        except InvalidField:
            ignored.append(f"{name}={q[name]!r} is not one of {', '.join(allowed)}")
            return None

    status_code = q.get("last_status", "")
    code = int(status_code) if re.fullmatch(r"[0-9]{3}", status_code) and 100 <= int(status_code) <= 599 else None
    if status_code and code is None:
        ignored.append(f"last_status={status_code!r} is not an HTTP status code (100 to 599)")
    where = DeliveryFilter(
        webhook_id=q.get("webhook_id") or None,
        status=one_of("status", DELIVERY_STATUSES),
        event_type=one_of("event_type", EVENT_TYPES),
        kind=one_of("kind", DELIVERY_KINDS),
        last_status=code,
        search=q.get("q", "").strip() or None,
    )
    return where, ignored


def _hooks_part(request: web.Request, owner: str) -> dict[str, Any]:
    service = keys.service_of(request.app)
    return {"summaries": service.reads.summaries(owner), "max_attempts": service.config.max_attempts,
            "here": here(request)}


def _deliveries_part(request: web.Request, owner: str) -> dict[str, Any]:
    """A page of the merchant's deliveries as the query asks; what of it was not understood
    is said, not obeyed (a stale cursor starts from the newest)."""
    service, (where, ignored) = keys.service_of(request.app), _filters(request)
    cursor = request.query.get("cursor") or None
    try:
        found = service.reads.deliveries_page(owner, where, cursor=cursor, limit=PAGE)
    except InvalidField as err:
        ignored.append(err.message)
        cursor, found = None, service.reads.deliveries_page(owner, where, limit=PAGE)
    hooks = service.webhooks.of_owner(owner)
    return {
        "deliveries": found.items,
        "older": found.next,
        "cursor": cursor,
        "urls": {h.id: h.url for h in hooks},
        # Why a delivery cannot be sent again, by webhook: said on its disabled button.
        "blocked": {h.id: "its webhook is disabled: re-enable it first" for h in hooks if not h.enabled},
        "filters": where,
        "filtered": where != DeliveryFilter(),
        "ignored": ignored,
        "here": here(request),
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
        return page(request, "_hooks_live.html", _hooks_part(request, owner), whole=False)
    return page(request, "_deliveries_live.html", _deliveries_part(request, owner), whole=False)


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
        "back": flash.local_path(request.query.get("next")),
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
    the stream was down is sent at once. A first connection says, as ``?seen=``, the version
    its page was drawn from, so a change made while the page loaded is sent too."""
    changes, clock = request.app[keys.changes], keys.service_of(request.app).clock
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store"})
    seen = request.headers.get("Last-Event-ID") or request.query.get("seen", "")
    version = _last_seen(seen, changes.boot, changes.version(owner))
    try:
        await response.prepare(request)
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
    before the first when it saw a version of an earlier server run (or one that cannot be
    read: it saw nothing of this run); a new stream starts now."""
    if not header:
        return current
    seen_boot, _, seen = header.partition(":")
    if seen_boot != boot or not re.fullmatch(r"[0-9]{1,18}", seen):  # ASCII: "²".isdigit() is True
        return -1
    return min(int(seen), current)


async def favicon(request: web.Request) -> web.FileResponse:
    """Browsers ask for /favicon.ico whatever the page says."""
    return web.FileResponse(STATIC / "favicon.svg", headers={"Content-Type": "image/svg+xml"})
