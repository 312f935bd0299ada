"""The sink's HTTP side: a receiver inside the mock that answers as its query says, for
demos, smoke tests and the README; what it got is read back or forgotten."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from aiohttp import web

from mockserver import keys
from mockserver.api.common import int_param
from mockserver.errors import InvalidField


async def receive(request: web.Request) -> web.Response:
    """Answer as the query says: ``status``, ``fail_first`` (500s first), ``delay_ms``."""
    status = int_param(request, "status", 200, 200, 599)  # a 1xx is not a final answer
    fail_first = int_param(request, "fail_first", 0, 0, 1_000_000)
    delay_ms = int_param(request, "delay_ms", 0, 0, 60_000)
    sink = request.app[keys.sinks].get(request.match_info["name"])
    sink.requests += 1
    raw = await request.read()
    try:
        body: Any = json.loads(raw)
    except ValueError:
        body = raw.decode("utf-8", errors="replace")
    sink.received.append({
        "n": sink.requests,
        "received_at": time.time(),
        "method": request.method,
        "headers": dict(request.headers),
        "body": body,
    })
    if delay_ms:
        await asyncio.sleep(delay_ms / 1000)  # a slow receiver, on purpose
    answer = 500 if sink.requests <= fail_first else status
    return web.json_response({"sink": request.match_info["name"], "n": sink.requests}, status=answer)


async def show(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if len(name) > 100:
        raise InvalidField("sink names are at most 100 characters", field="name")
    sink = request.app[keys.sinks].get(name)
    return web.json_response({"name": name, "requests": sink.requests, "received": list(sink.received)})


async def clear(request: web.Request) -> web.Response:
    request.app[keys.sinks].clear(request.match_info["name"])
    return web.Response(status=204)
