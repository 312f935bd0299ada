"""The SalesPlay registration API: /v1.0/webhook."""

from __future__ import annotations

from aiohttp import web

from mockserver.api.common import json_object, owner
from mockserver.domain import webhook_rules
from mockserver.server import keys


async def create_webhook(request: web.Request) -> web.Response:
    who = owner(request)
    spec = webhook_rules.parse_webhook(await json_object(request), partial=False)
    made = await keys.service_of(request.app).webhooks.register(who, spec)
    body = {**made.hook.to_json(), "warnings": made.warnings + _sink_claimed(request, who, made.hook.url),
            "verification": made.verification}
    return web.json_response(body, status=201)


async def list_webhooks(request: web.Request) -> web.Response:
    webhooks = keys.service_of(request.app).webhooks
    hooks = webhooks.of_owner(owner(request))
    return web.json_response({"data": [{**h.to_json(), "warnings": webhooks.warnings_of(h.owner, h, hooks)}
                                       for h in hooks]})


async def get_webhook(request: web.Request) -> web.Response:
    """One webhook, with the warnings a create or update of it would give now."""
    who, webhooks = owner(request), keys.service_of(request.app).webhooks
    hook = webhooks.get(who, request.match_info["id"])
    return web.json_response({**hook.to_json(), "warnings": webhooks.warnings_of(who, hook)})


async def update_webhook(request: web.Request) -> web.Response:
    who = owner(request)
    service = keys.service_of(request.app)
    service.webhooks.get(who, request.match_info["id"])  # a 404 before a 422 for someone else's webhook
    spec = webhook_rules.parse_webhook(await json_object(request), partial=True)
    hook, warnings = await service.webhooks.update(who, request.match_info["id"], spec)
    return web.json_response({**hook.to_json(), "warnings": warnings + _sink_claimed(request, who, hook.url)})


def _sink_claimed(request: web.Request, who: str, url: str) -> list[dict[str, str]]:
    """A webhook aimed at a sink of this server's makes the sink its token's."""
    warning = request.app[keys.sinks].claim_url(url, who)
    return [] if warning is None else [warning]


async def delete_webhook(request: web.Request) -> web.Response:
    keys.service_of(request.app).webhooks.delete(owner(request), request.match_info["id"])
    return web.Response(status=204)
