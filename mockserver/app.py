"""The app factory: the only module that knows how the parts meet."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable

import aiohttp
from aiohttp import web

from mockserver import keys
from mockserver.clock import Clock, make_clock
from mockserver.config import Config
from mockserver.delivery import Dispatcher
from mockserver.errors import error_middleware
from mockserver.routes import setup_routes
from mockserver.shop.registry import Shops
from mockserver.sink import Sinks
from mockserver.store import Store
from mockserver.tasks import cancel_and_wait
from mockserver.traffic import run_traffic
from mockserver.ui.changes import Changes
from mockserver.ui.render import setup_templates

log = logging.getLogger("salesplay_mock")


def create_app(config: Config | None = None, *, clock: Clock | None = None) -> web.Application:
    """Build the whole mock. ``clock`` overrides the one ``config`` describes (tests)."""
    config = config or Config()
    app = web.Application(middlewares=[error_middleware], client_max_size=config.max_body_bytes)
    app[keys.config] = config
    app[keys.sinks] = Sinks()
    app[keys.changes] = Changes()
    app.on_shutdown.append(_end_streams)
    setup_templates(app)
    app.cleanup_ctx.append(_store_and_clock(clock))
    app.cleanup_ctx.append(_client_session)
    app.cleanup_ctx.append(_dispatcher)
    if config.traffic > 0:
        app.cleanup_ctx.append(_traffic)
    setup_routes(app)
    return app


def _store_and_clock(clock: Clock | None) -> Callable[[web.Application], AsyncIterator[None]]:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        config = app[keys.config]
        store = Store(config.db)
        store.listeners.append(app[keys.changes].bump)
        app[keys.store] = store
        app[keys.clock] = clock or make_clock(config.clock, scale=config.time_scale, start=_resume_time(store, config))
        app[keys.shops] = Shops(store, seed=config.seed, locale=config.locale)
        yield
        store.close()

    return ctx


def _resume_time(store: Store, config: Config) -> float | None:
    """Simulated time goes on where the last run left it, never backwards."""
    saved = store.get_meta("sim_time")
    if saved is None:
        return config.clock_start
    return max(float(saved), config.clock_start or 0.0)


async def _end_streams(app: web.Application) -> None:
    app[keys.changes].close()


async def _client_session(app: web.Application) -> AsyncIterator[None]:
    config = app[keys.config]
    connector = aiohttp.TCPConnector(limit=config.max_in_flight, force_close=False)
    async with aiohttp.ClientSession(
        connector=connector,
        cookie_jar=aiohttp.DummyCookieJar(),
        timeout=aiohttp.ClientTimeout(total=None),
        auto_decompress=True,
    ) as session:
        app[keys.client] = session
        yield


async def _dispatcher(app: web.Application) -> AsyncIterator[None]:
    shops = app[keys.shops]
    clock = app[keys.clock]

    def sample(owner: str, type_: str) -> str:
        return json.dumps(shops.sample(owner, type_, clock.now()))

    dispatcher = Dispatcher(app[keys.config], clock, app[keys.store], app[keys.client], sample)
    app[keys.dispatcher] = dispatcher
    await dispatcher.start()
    yield
    await dispatcher.stop()


async def _traffic(app: web.Application) -> AsyncIterator[None]:
    task = asyncio.create_task(run_traffic(app))
    yield
    await cancel_and_wait(task)
