"""A delivery's pages (GET): the delivery with its timeline picture and its attempts in
runs, its live part, one attempt in full, and the HAR download."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from yarl import URL

from mockserver.domain.errors import NotFound
from mockserver.server import keys
from mockserver.ui import present, timeline
from mockserver.ui.curl import curl
from mockserver.ui.har import har
from mockserver.ui.render import here, live_page, merchant_data, merchant_page, page


def delivery_context(request: web.Request, owner: str) -> dict[str, Any]:
    service = keys.service_of(request.app)
    detail = service.reads.delivery(owner, request.match_info["id"])
    delivery, attempts = detail.delivery, detail.attempts
    disable_at = None
    if delivery.status == "pending" and delivery.anchor_at is not None and attempts:
        _, disable_at = service.config.schedule.remaining(start=delivery.anchor_at, made=delivery.attempts,
                                                          deadline=delivery.deadline, key=delivery.id)
    now = service.clock.view(owner).now
    hook = next((h for h in service.webhooks.of_owner(owner) if h.id == delivery.webhook_id), None)
    return {
        "delivery": delivery, "event": detail.event, "latest": attempts[-1] if attempts else None,
        "here": here(request, f"/ui/deliveries/{delivery.id}"),
        "why": ("its webhook was deleted" if hook is None
                else None if hook.enabled else "its webhook is disabled: re-enable it first"),
        "runs": present.runs(attempts), "count": len(attempts), "disable_at": disable_at,
        "picture": timeline.picture(delivery, attempts, now, disable_at),
    }


delivery_page, delivery_live = live_page("delivery.html", "_delivery_live.html", delivery_context)


@merchant_page
async def attempt_page(request: web.Request, owner: str) -> web.StreamResponse:
    """One attempt in full: what was sent (every header, the body, as curl), what came back."""
    detail = keys.service_of(request.app).reads.delivery(owner, request.match_info["id"])
    number, attempts = request.match_info["number"], detail.attempts
    found = [i for i, a in enumerate(attempts) if str(a.number) == number]
    if not found:
        raise NotFound(f"delivery {detail.delivery.id} has no attempt {number}", field="number")
    i, body = found[-1], detail.event.payload
    a = attempts[i]
    return page(request, "attempt.html", {
        "delivery": detail.delivery, "event": detail.event, "a": a, "count": len(attempts), "body": body,
        "size": len(body.encode()), "command": curl(a, body), "path": URL(a.url).raw_path_qs,
        "previous": attempts[i - 1].number if i > 0 else None,
        "following": attempts[i + 1].number if i + 1 < len(attempts) else None,
    })


@merchant_data
async def delivery_har(request: web.Request, owner: str) -> web.StreamResponse:
    detail = keys.service_of(request.app).reads.delivery(owner, request.match_info["id"])
    return web.Response(
        text=har(detail.delivery, detail.event, detail.attempts),
        content_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{detail.delivery.id}.har"'},
    )
