"""The events' pages (GET): every event of the merchant's, a page at a time, found by type
or by the start of an id or a number in it; and one event with its payload and what became
of it at each webhook. Both stay live, as the deliveries do."""

from __future__ import annotations

from collections import Counter
from typing import Any

from aiohttp import web

from mockserver.domain.errors import InvalidField
from mockserver.domain.vocabulary import EVENT_TYPES
from mockserver.server import keys
from mockserver.ui.render import here, live_page

PAGE = 50  # events per page


def _list_part(request: web.Request, owner: str) -> dict[str, Any]:
    """A page of the merchant's events as the query asks; what of it was not understood is
    said, not obeyed (a stale cursor starts from the newest)."""
    service, q, ignored = keys.service_of(request.app), request.query, []
    type_ = q.get("type") or None
    if type_ is not None and type_ not in EVENT_TYPES:
        ignored.append(f"type={type_!r} is not one of {', '.join(EVENT_TYPES)}")
        type_ = None
    search, cursor = q.get("q", "").strip() or None, q.get("cursor") or None
    try:
        found = service.reads.events_page(owner, type_=type_, search=search, cursor=cursor, limit=PAGE)
    except InvalidField as err:
        ignored.append(err.message)
        cursor, found = None, service.reads.events_page(owner, type_=type_, search=search, limit=PAGE)
    deliveries = service.reads.deliveries_of(found.items)
    return {
        "events": found.items, "older": found.next, "cursor": cursor, "type": type_, "search": search or "",
        "ignored": ignored, "filtered": bool(type_ or search), "here": here(request, "/ui/events"),
        "outcomes": {e.id: sorted(Counter(d.status for d in deliveries[e.id]).items()) for e in found.items},
    }


events_page, events_live = live_page("events.html", "_events_live.html", _list_part)


def _event_part(request: web.Request, owner: str) -> dict[str, Any]:
    service = keys.service_of(request.app)
    detail = service.reads.event(owner, request.match_info["id"])
    hooks = {h.id: h for h in service.webhooks.of_owner(owner)}
    by_hook: dict[str, list[Any]] = {}
    for d in detail.deliveries:
        by_hook.setdefault(d.webhook_id, []).append(d)
    return {
        "event": detail.event, "related": detail.related, "by_hook": by_hook, "hooks": hooks,
        "urls": {h.id: h.url for h in hooks.values()} | {d.webhook_id: d.url for d in detail.deliveries
                                                          if d.webhook_id not in hooks},
        "blocked": {h.id: "its webhook is disabled: re-enable it first" for h in hooks.values() if not h.enabled}
        | {i: "its webhook was deleted" for i in by_hook if i not in hooks},
        "here": here(request, f"/ui/events/{detail.event.id}"),
    }


event_page, event_live = live_page("event.html", "_event_live.html", _event_part)
