"""/healthz: the server answers, and its database does; cheap enough to answer while the
engine is still being wired (``ready`` says when it is)."""

from __future__ import annotations

from aiohttp import web

from mockserver import __version__
from mockserver.server import keys


async def healthz(request: web.Request) -> web.Response:
    state = request.app[keys.running]
    state.ping()
    return web.json_response({"status": "ok", "version": __version__, "clock": request.app[keys.config].clock,
                              "ready": state.ready})
