"""The app factory: the only module that knows how the parts meet."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable

import aiohttp
from aiohttp import web

from mockserver import keys
from mockserver.clock import Clock, ManualClock, make_clock
from mockserver.config import Config
from mockserver.delivery import MAX_AHEAD, Dispatcher
from mockserver.errors import error_middleware
from mockserver.routes import setup_routes
from mockserver.shop.registry import Shops
from mockserver.sink import Sinks
from mockserver.store import Store
from mockserver.tasks import cancel_and_wait
from mockserver.traffic import Traffic
from mockserver.ui.changes import Changes
from mockserver.ui.render import setup_templates

log = logging.getLogger("salesplay_mock")

LATEST_TIME = 253402300799.0 - MAX_AHEAD  # 9999-12-31 23:59:59 UTC, less the longest advance


def create_app(config: Config | None = None, *, clock: Clock | None = None) -> web.Application:
    """Build the whole mock. ``clock`` overrides the one ``config`` describes (tests)."""
    config = config or Config()
    app = web.Application(middlewares=[error_middleware], client_max_size=config.max_body_bytes)
    app[keys.config] = config
    app[keys.sinks] = Sinks()
    app[keys.changes] = Changes()
    app.on_shutdown.append(_end_streams)
    app.on_shutdown.append(_stop_launching)
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
        app[keys.clock] = clock or _resume_clock(store, config)
        app[keys.shops] = Shops(store, seed=config.seed, locale=config.locale)
        yield
        store.close()

    return ctx


def _resume_clock(store: Store, config: Config) -> Clock:
    """Simulated time goes on where the last run left it (each merchant's, on the manual
    clock); an explicit --clock-start wins, so a clock set wrong can always be reset."""
    if config.clock_start is not None:
        store.clocks.clear()
        start: float | None = config.clock_start
    else:
        start = _sane(store.get_meta("sim_time"))
    clock = make_clock(config.clock, scale=config.time_scale, start=start)
    if isinstance(clock, ManualClock):
        clock.restore({owner: t for owner, t in store.clocks.load().items() if _sane(t) is not None})
        store.set_meta("sim_time", repr(clock.start))  # where a new merchant's time starts, next run too
    return clock


def _sane(saved: str | float | None) -> float | None:
    """A saved time, unless it is not one a clock can show (a database written by an older
    version that let a clock run to year 10000)."""
    if saved is None:
        return None
    try:
        value = float(saved)
    except ValueError:
        value = -1.0
    if not 0 <= value <= LATEST_TIME:
        log.warning("ignoring a saved simulated time out of range (%r); the clock starts from now", saved)
        return None
    return value


async def _end_streams(app: web.Application) -> None:
    app[keys.changes].close()


async def _stop_launching(app: web.Application) -> None:
    """A stop was asked for: no new attempts while the server winds down."""
    if keys.dispatcher in app:
        app[keys.dispatcher].quiesce()


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
        return json.dumps(shops.sample(owner, type_, clock.now(owner)))

    dispatcher = Dispatcher(app[keys.config], clock, app[keys.store], app[keys.client], sample)
    app[keys.dispatcher] = dispatcher
    await dispatcher.start()
    yield
    await dispatcher.stop(app[keys.config].stop_grace)


async def _traffic(app: web.Application) -> AsyncIterator[None]:
    clock = app[keys.clock]
    traffic = Traffic(app[keys.config].traffic, clock, app[keys.store], app[keys.shops], app[keys.dispatcher])
    app[keys.traffic] = traffic.status
    if not clock.runs_itself:
        log.warning("--traffic does nothing on the manual clock: time moves only when told; trigger events instead")
        yield
        return
    task = asyncio.create_task(traffic.run())
    yield
    await cancel_and_wait(task)
