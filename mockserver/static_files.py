"""Where the page's CSS, JavaScript and icon are, inside the package, and how they are served."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

STATIC = Path(__file__).parent / "static"  # not importlib.resources: 3 ms of start-up for the same answer
FILES = {"app.css", "app.js", "favicon.svg"}  # all there is: nothing else of the disk can be named


async def static_file(request: web.Request) -> web.FileResponse:
    """One of the page's own files. Anything else is a 404 that the error middleware words
    as the asker reads (a page for a browser, JSON otherwise), not an empty download."""
    name = request.match_info["name"]  # decoded: %2Fetc%2Fpasswd is /etc/passwd here
    if name not in FILES:
        raise web.HTTPNotFound()
    return web.FileResponse(STATIC / name)
