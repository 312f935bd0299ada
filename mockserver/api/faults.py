"""Per-webhook fault settings: /_mock/webhooks/{id}/faults."""

from __future__ import annotations

from aiohttp import web

from mockserver.api.common import json_object, owner
from mockserver.server import keys
from mockserver.service.webhooks import Faults


def _answer(faults: Faults) -> web.Response:
    return web.json_response({
        "webhook_id": faults.hook.id,
        "faults": faults.hook.faults,
        "effective": faults.effective.to_json(),
        "source": faults.source,
    })


async def get_faults(request: web.Request) -> web.Response:
    return _answer(keys.service_of(request.app).webhooks.faults_of(owner(request), request.match_info["id"]))


async def put_faults(request: web.Request) -> web.Response:
    """Set this webhook's faults (replacing the server's); ``{}`` goes back to the server's."""
    who = owner(request)
    service = keys.service_of(request.app)
    service.webhooks.get(who, request.match_info["id"])  # a 404 before a 422
    body = await json_object(request, required=False)
    return _answer(service.webhooks.configure_faults(who, request.match_info["id"], body or None))
