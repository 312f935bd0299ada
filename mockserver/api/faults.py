"""Per-webhook fault settings: /_mock/webhooks/{id}/faults."""

from __future__ import annotations

from aiohttp import web

from mockserver import keys
from mockserver.api.common import json_object, owner
from mockserver.faults import FaultSettings
from mockserver.models import Webhook


def _answer(request: web.Request, hook: Webhook) -> web.Response:
    source, settings = request.app[keys.dispatcher].faults.settings_for(hook)
    return web.json_response({
        "webhook_id": hook.id,
        "faults": hook.faults,
        "effective": settings.to_json(),
        "source": "server" if source == "server" else "webhook",
    })


async def get_faults(request: web.Request) -> web.Response:
    hook = request.app[keys.store].webhooks.get(owner(request), request.match_info["id"])
    return _answer(request, hook)


async def put_faults(request: web.Request) -> web.Response:
    """Set this webhook's faults (replacing the server's); ``{}`` goes back to the server's."""
    who = owner(request)
    store, clock = request.app[keys.store], request.app[keys.clock]
    store.webhooks.get(who, request.match_info["id"])  # 404 before 422
    body = await json_object(request, required=False)
    now = clock.now(who)
    settings = FaultSettings.from_json(body, now=now) if body else None
    hook = request.app[keys.dispatcher].faults.configure(who, request.match_info["id"], settings, now)
    return _answer(request, hook)
