"""Every typed application key, in one place, and the running parts they lead to."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from aiohttp import web

from mockserver.domain.config import Config
from mockserver.server.running import Parts, Running

if TYPE_CHECKING:
    import jinja2

    from mockserver.domain.sinks import Sinks
    from mockserver.engine import Engine
    from mockserver.service import Service
    from mockserver.ui.changes import Changes

config = web.AppKey("config", Config)
running = web.AppKey("running", Running)
sinks: web.AppKey[Sinks] = web.AppKey("sinks")
changes: web.AppKey[Changes] = web.AppKey("changes")
secret = web.AppKey("secret", bytes)  # signs the page's sessions
generating = web.AppKey("generating", asyncio.Semaphore)  # payloads generated one request at a time
templates: web.AppKey[jinja2.Environment] = web.AppKey("templates")  # the page's


def service_of(app: web.Application) -> Service:
    """The service of a server that has finished wiring (requests wait for it at the door)."""
    return app[running].parts.service


def engine_of(app: web.Application) -> Engine:
    return app[running].parts.engine


async def ready(app: web.Application) -> Parts:
    """Wait until the server has wired its engine and service (tests, benchmarks)."""
    state = app[running]
    await state.booted.wait()
    if state.failure is not None:
        raise RuntimeError("the server failed to start") from state.failure
    return state.parts
