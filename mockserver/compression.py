"""Gzip for what the server answers in text, when the client takes it: the page and its
live parts, its CSS and JavaScript, and JSON. A page that is 90 KB plain is a few KB
gzipped. Streams (the page's server-sent events) and small answers are sent as they are."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

TEXT = {"text/html", "text/css", "text/javascript", "application/javascript", "application/json",
        "image/svg+xml", "text/plain"}
SMALLEST = 1024  # bytes: below this, gzip's own header costs about what it saves


@web.middleware
async def compress(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Compress a whole text answer in gzip, which every HTTP client reads."""
    response = await handler(request)
    body = response.body if isinstance(response, web.Response) else None
    if (isinstance(body, bytes) and len(body) >= SMALLEST and response.content_type in TEXT
            and "gzip" in request.headers.get("Accept-Encoding", "").lower()):
        response.enable_compression(web.ContentCoding.gzip)
        response.headers.add("Vary", "Accept-Encoding")  # a cache keeps the two versions apart
    return response
