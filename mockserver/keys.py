"""Every typed application key, in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from mockserver.config import Config

if TYPE_CHECKING:
    from mockserver.changes import Changes
    from mockserver.engine import Engine
    from mockserver.service import Service
    from mockserver.sinks import Sinks
    from mockserver.traffic import TrafficStatus

config = web.AppKey("config", Config)
service: web.AppKey[Service] = web.AppKey("service")
engine: web.AppKey[Engine] = web.AppKey("engine")
sinks: web.AppKey[Sinks] = web.AppKey("sinks")
changes: web.AppKey[Changes] = web.AppKey("changes")
traffic: web.AppKey[TrafficStatus] = web.AppKey("traffic")
secret = web.AppKey("secret", bytes)  # signs the page's sessions
