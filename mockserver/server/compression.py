"""Gzip for what the server answers in text, when the client takes it: the page and its
live parts, its CSS and JavaScript, and JSON. A page that is 90 KB plain is about 6 KB
gzipped. Streams (the page's server-sent events) and small answers are sent as they are.

Gzip's fastest level: on a laptop or in CI the wire is fast and the CPU is shared, so the
bytes saved by harder work would cost more than they save (aiohttp's own compression works
at level 6, and in a thread for every answer over 1 KB, which halved the REST API's reads)."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Awaitable, Callable

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
TEXT = {"text/html", "text/css", "text/javascript", "application/javascript", "application/json",
        "image/svg+xml", "text/plain"}
SMALLEST = 1024  # bytes: below this, gzip's own header costs about what it saves
IN_A_THREAD = 256 * 1024  # bytes: a body this large is compressed off the event loop


@web.middleware
async def compress(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Compress a whole text answer in gzip, which every HTTP client reads."""
    response = await handler(request)
    body = response.body if isinstance(response, web.Response) else None
    if (isinstance(body, bytes) and len(body) >= SMALLEST and response.content_type in TEXT
            and "Content-Encoding" not in response.headers
            and "gzip" in request.headers.get("Accept-Encoding", "").lower()):
        assert isinstance(response, web.Response)
        if len(body) < IN_A_THREAD:
            response.body = gzip.compress(body, compresslevel=1, mtime=0)
        else:
            response.body = await asyncio.to_thread(gzip.compress, body, 1, mtime=0)
        response.headers["Content-Encoding"] = "gzip"
        response.headers.add("Vary", "Accept-Encoding")  # a cache keeps the two versions apart
    return response
