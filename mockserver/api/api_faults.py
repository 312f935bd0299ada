"""The REST API's faults on purpose, per token: GET and PUT /_mock/api-faults."""

from __future__ import annotations

from aiohttp import web

from mockserver.api.common import json_object, owner
from mockserver.rest.rest_faults import ApiFaultSettings
from mockserver.server import keys


def _answer(settings: ApiFaultSettings) -> web.Response:
    return web.json_response({**settings.to_json(), "active": settings.active})


async def get_api_faults(request: web.Request) -> web.Response:
    return _answer(keys.service_of(request.app).api_faults.settings(owner(request)))


async def put_api_faults(request: web.Request) -> web.Response:
    """Replace this token's API faults; ``{}`` (or no body) turns them all off."""
    who = owner(request)
    body = await json_object(request, required=False)
    return _answer(keys.service_of(request.app).api_faults.configure(who, body))
