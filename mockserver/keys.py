"""Every typed application key, in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import ClientSession, web

from mockserver.clock import Clock
from mockserver.config import Config
from mockserver.store import Store

if TYPE_CHECKING:
    from mockserver.delivery import Dispatcher
    from mockserver.shop.registry import Shops
    from mockserver.sink import Sinks
    from mockserver.traffic import TrafficStatus
    from mockserver.ui.changes import Changes

config = web.AppKey("config", Config)
clock = web.AppKey("clock", Clock)
store = web.AppKey("store", Store)
client = web.AppKey("client", ClientSession)
dispatcher: web.AppKey[Dispatcher] = web.AppKey("dispatcher")
shops: web.AppKey[Shops] = web.AppKey("shops")
sinks: web.AppKey[Sinks] = web.AppKey("sinks")
changes: web.AppKey[Changes] = web.AppKey("changes")
traffic: web.AppKey[TrafficStatus] = web.AppKey("traffic")
