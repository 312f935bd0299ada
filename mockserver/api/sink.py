"""The sink's HTTP side: a receiver inside the mock that answers as its query says, for
demos, smoke tests and the README; what it got is read back or forgotten."""

from __future__ import annotations

import asyncio
import time

from aiohttp import web

from mockserver.api.bodies import Unpacker
from mockserver.api.common import int_param, optional_owner, owner
from mockserver.api.errors import Forbidden, PayloadTooLarge, Unauthorized
from mockserver.domain.errors import InvalidField
from mockserver.domain.models import iso
from mockserver.domain.sinks import BODY_KEPT, BODY_READ, MAX_NAME
from mockserver.server import keys


def _name(request: web.Request) -> str:
    name = request.match_info["name"]
    if len(name) > MAX_NAME:
        raise InvalidField(f"sink names are at most {MAX_NAME} characters", field="name")
    return name


def _too_large() -> PayloadTooLarge:
    return PayloadTooLarge(f"the request body is over the {BODY_READ // (1024 * 1024)} MiB a sink accepts; "
                           "send a smaller one", field="body")


async def _body(request: web.Request) -> tuple[bytes, bool]:
    """The first BODY_KEPT bytes of the body (unpacked, if it came gzipped or deflated), and
    whether it went on past them. A sink is a receiver: it takes bodies far over the API's
    own limit (the app's client_max_size, which only ``request.read()`` applies), reading
    the rest as it comes, up to BODY_READ as sent, without keeping or unpacking it."""
    if (request.content_length or 0) > BODY_READ:
        raise _too_large()  # said at once, before any of it is read
    unpacker = Unpacker(request.headers.get("Content-Encoding"), BODY_KEPT)
    size = 0
    async for chunk in request.content.iter_any():
        size += len(chunk)
        if size > BODY_READ:  # no Content-Length (chunked), or not the length it said
            raise _too_large()
        unpacker.feed(chunk)
    return unpacker.finish()[:BODY_KEPT], unpacker.over


async def receive(request: web.Request) -> web.Response:
    """Answer as the query says: ``status``, ``fail_first`` (500s first), ``delay_ms``.
    Receiving needs no token: SalesPlay sends no credentials."""
    name = _name(request)
    status = int_param(request, "status", 200, 200, 599)  # a 1xx is not a final answer
    fail_first = int_param(request, "fail_first", 0, 0, 1_000_000)
    delay_ms = int_param(request, "delay_ms", 0, 0, 60_000)
    body, truncated = await _body(request)
    sink = request.app[keys.sinks].record(name, method=request.method, headers=dict(request.headers), body=body,
                                          at=iso(time.time()) or "", truncated=truncated)
    if delay_ms:
        await asyncio.sleep(delay_ms / 1000)  # a slow receiver, on purpose
    answer = 500 if sink.requests <= fail_first else status
    return web.json_response({"sink": name, "n": sink.requests}, status=answer)


def _readable(request: web.Request) -> str:
    """The sink's name, once the caller may read or clear it: a sink is its maker's alone
    (a token reading a sink nobody has claimed makes it its own); with --token, reading
    any needs one of them."""
    name = _name(request)
    who = owner(request) if request.app[keys.config].tokens else optional_owner(request)
    sinks = request.app[keys.sinks]
    sink = sinks.find(name)
    if sink is not None and sink.owner is not None and sink.owner != who:
        if who is None:
            raise Unauthorized(f"the sink {name!r} belongs to a token; send it as 'Authorization: Bearer <token>'",
                               field="Authorization")
        raise Forbidden(f"the sink {name!r} belongs to another token; read your own, or choose another name",
                        field="name", code="sink_of_another_token")
    if sink is not None and who is not None:
        sinks.claim(name, who)
    return name


async def show(request: web.Request) -> web.Response:
    name = _readable(request)
    sink = request.app[keys.sinks].find(name)
    received = [] if sink is None else [r.to_json() for r in sink.received]
    return web.json_response({"name": name, "requests": 0 if sink is None else sink.requests, "received": received})


async def clear(request: web.Request) -> web.Response:
    request.app[keys.sinks].clear(_readable(request))
    return web.Response(status=204)
