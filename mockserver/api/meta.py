"""About the server itself: /healthz and the OpenAPI document."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from aiohttp import web

from mockserver import __version__, keys


@cache
def openapi_document() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(resources.files("mockserver").joinpath("openapi.json").read_text("utf-8"))
    return doc


async def healthz(request: web.Request) -> web.Response:
    service = request.app[keys.service]
    service.ping()
    return web.json_response({"status": "ok", "version": __version__, "clock": service.clock.view(None).mode})


async def openapi(request: web.Request) -> web.Response:
    return web.json_response(openapi_document())
