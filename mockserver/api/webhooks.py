"""The SalesPlay registration API: /v1.0/webhook."""

from __future__ import annotations

from aiohttp import web

from mockserver import keys, rules
from mockserver.api.common import json_object, owner


async def create_webhook(request: web.Request) -> web.Response:
    who = owner(request)
    spec = rules.parse_webhook(await json_object(request), partial=False)
    assert spec.url is not None and spec.events is not None
    if request.app[keys.config].public_urls_only:
        await rules.check_public(spec.url)
    store = request.app[keys.store]
    warnings = rules.warnings_for(spec.url, spec.events, store.webhooks.of_owner(who))
    hook, verification = await request.app[keys.dispatcher].register(who, spec.url, spec.events)
    body = {**hook.to_json(), "warnings": warnings, "verification": verification}
    return web.json_response(body, status=201)


async def list_webhooks(request: web.Request) -> web.Response:
    hooks = request.app[keys.store].webhooks.of_owner(owner(request))
    return web.json_response({"data": [h.to_json() for h in hooks]})


async def get_webhook(request: web.Request) -> web.Response:
    hook = request.app[keys.store].webhooks.get(owner(request), request.match_info["id"])
    return web.json_response(hook.to_json())


async def update_webhook(request: web.Request) -> web.Response:
    who = owner(request)
    store = request.app[keys.store]
    hook_id = request.match_info["id"]
    store.webhooks.get(who, hook_id)  # a 404 before a 422 for someone else's webhook
    spec = rules.parse_webhook(await json_object(request), partial=True)
    if spec.url is not None and request.app[keys.config].public_urls_only:
        await rules.check_public(spec.url)
    hook = store.webhooks.update(
        who, hook_id, request.app[keys.clock].now(who), url=spec.url, events=spec.events, status=spec.status
    )
    others = [h for h in store.webhooks.of_owner(who) if h.id != hook.id]
    warnings = rules.warnings_for(hook.url, hook.events, others)
    return web.json_response({**hook.to_json(), "warnings": warnings})


async def delete_webhook(request: web.Request) -> web.Response:
    who = owner(request)
    request.app[keys.store].webhooks.delete(who, request.match_info["id"], request.app[keys.clock].now(who))
    return web.Response(status=204)
