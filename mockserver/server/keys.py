"""Every typed application key, in one place, and the running parts they lead to."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from aiohttp import web

from mockserver.domain.config import Config
from mockserver.server.running import Running

if TYPE_CHECKING:
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


def service_of(app: web.Application) -> Service:
    """The service of a server that has finished wiring (requests wait for it at the door)."""
    service = app[running].service
    assert service is not None, "the server is still starting"
    return service


def engine_of(app: web.Application) -> Engine:
    engine = app[running].engine
    assert engine is not None, "the server is still starting"
    return engine


async def ready(app: web.Application) -> Running:
    """Wait until the server has wired its engine and service (tests, benchmarks)."""
    parts = app[running]
    await parts.booted.wait()
    if parts.failure is not None:
        raise RuntimeError("the server failed to start") from parts.failure
    return parts
