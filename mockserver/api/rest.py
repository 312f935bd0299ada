"""SalesPlay's REST API read side: GET /v1.0/{resource} and /v1.0/{resource}/{id} for the
thirteen resources, each read behind the token's API faults (off unless set)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import web

from mockserver.api.common import owner
from mockserver.server import keys

Handler = Callable[[web.Request], Awaitable[web.Response]]


async def _admitted(request: web.Request) -> str:
    """The caller's merchant, once the token's API faults let the request through: a 429
    past the rate limit, an answer held back, or an error on purpose."""
    who = owner(request)
    verdict = keys.service_of(request.app).api_faults.admit(who)
    if verdict.delay:
        await asyncio.sleep(verdict.delay)  # real time: a client's timeout is real time too
    if verdict.error is not None:
        raise verdict.error
    return who


def lister(name: str) -> Handler:
    """GET /v1.0/{name}: a page of records, ``{"data": [...], "next": ...}``."""

    async def list_records(request: web.Request) -> web.Response:
        who = await _admitted(request)
        page = keys.service_of(request.app).catalog.page(who, name, request.query)
        return web.json_response({"data": page.items, "next": page.next})

    return list_records


def getter(name: str) -> Handler:
    """GET /v1.0/{name}/{id}: one record."""

    async def get_record(request: web.Request) -> web.Response:
        who = await _admitted(request)
        return web.json_response(keys.service_of(request.app).catalog.one(who, name, request.match_info["id"]))

    return get_record
