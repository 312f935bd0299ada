"""The app factory: the only module that knows how the parts meet."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator, Callable

import aiohttp
from aiohttp import web
from aiohttp.resolver import DefaultResolver

from mockserver import keys
from mockserver.api.errors import error_middleware
from mockserver.changes import Changes
from mockserver.clock import Clock
from mockserver.config import Config
from mockserver.engine import Engine
from mockserver.engine.address_guard import AddressGuard, GuardedResolver
from mockserver.engine.attempt import Attempts
from mockserver.engine.fault_injector import FaultInjector
from mockserver.engine.scheduler import Scheduler
from mockserver.engine.tasks import cancel_and_wait
from mockserver.engine.timekeeper import TimeKeeper
from mockserver.routes import setup_routes
from mockserver.service import Service
from mockserver.service.shops import Shops
from mockserver.sinks import Sinks
from mockserver.store import Store
from mockserver.traffic import Traffic
from mockserver.ui.render import setup_templates

log = logging.getLogger("salesplay_mock")

KEEPALIVE = 4.0  # real seconds an idle connection to a receiver is kept


def create_app(config: Config | None = None, *, clock: Clock | None = None,
               hold_deliveries: bool = False) -> web.Application:
    """Build the whole mock. ``clock`` overrides the one ``config`` describes (tests);
    ``hold_deliveries``: the scheduler waits to be released (by a server once it listens)."""
    config = config or Config()
    app = web.Application(middlewares=[error_middleware], client_max_size=config.max_body_bytes)
    app[keys.config] = config
    app[keys.sinks] = Sinks(config.sink_memory)
    app[keys.changes] = Changes()
    app.on_shutdown.append(_end_streams)
    app.on_shutdown.append(_stop_launching)
    setup_templates(app)
    app.cleanup_ctx.append(_engine_and_service(clock, hold_deliveries))
    setup_routes(app)
    return app


def _engine_and_service(clock: Clock | None, hold: bool) -> Callable[[web.Application], AsyncIterator[None]]:
    """The store, the clock, one HTTP client for every delivery, the engine, and the
    service over them; opened in this order and closed in the reverse."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        config = app[keys.config]
        store = Store(config.db)
        app[keys.secret] = _page_secret(store)
        notify = app[keys.changes].bump
        timekeeper = TimeKeeper(config, store)
        the_clock = clock or timekeeper.resume()
        try:
            guard = AddressGuard(public_only=config.public_urls_only, only_to=config.deliver_only_to,
                                 resolver=DefaultResolver())
            async with aiohttp.ClientSession(
                # Idle connections are let go before a receiver would close them (servers
                # commonly wait 5 s): a request sent down a connection the receiver is just
                # closing would be a failed attempt the receiver never saw.
                connector=aiohttp.TCPConnector(limit=config.max_in_flight, keepalive_timeout=KEEPALIVE,
                                               resolver=GuardedResolver(guard) if guard.active else guard.resolver),
                cookie_jar=aiohttp.DummyCookieJar(),
                timeout=aiohttp.ClientTimeout(total=None),
            ) as session:
                faults = FaultInjector(store, config.faults)
                attempts = Attempts(config, the_clock, store, session, faults, notify, guard)
                scheduler = Scheduler(the_clock, store, attempts, max_in_flight=config.max_in_flight)
                shops = Shops(store, seed=config.seed, locale=config.locale)
                service = Service(config, the_clock, store, shops, scheduler, attempts, faults, timekeeper, notify)
                app[keys.service] = service
                app[keys.engine] = Engine(the_clock, store, scheduler)
                scheduler.start(hold=hold)
                background = [asyncio.create_task(timekeeper.keep(the_clock))] if the_clock.runs_itself else []
                if config.traffic > 0:
                    background += _traffic(app, the_clock, service)
                try:
                    yield
                finally:
                    for task in background:
                        await cancel_and_wait(task)
                    await scheduler.stop(config.stop_grace)
                    if the_clock.runs_itself:
                        timekeeper.save(the_clock)
        finally:
            store.close()

    return ctx


def _page_secret(store: Store) -> bytes:
    """The key that signs the page's sessions, kept with the database so a restart does
    not sign everyone out."""
    secret = store.meta.get("page_secret")
    if secret is None:
        secret = secrets.token_hex(32)
        store.meta.set("page_secret", secret)
    return bytes.fromhex(secret)


async def _end_streams(app: web.Application) -> None:
    app[keys.changes].close()


async def _stop_launching(app: web.Application) -> None:
    """A stop was asked for: no new attempts while the server winds down."""
    if keys.engine in app:
        app[keys.engine].scheduler.quiesce()


def _traffic(app: web.Application, clock: Clock, service: Service) -> list[asyncio.Task[None]]:
    """--traffic: the shops sell on their own, on a clock that runs by itself."""
    traffic = Traffic(app[keys.config].traffic, clock, service)
    app[keys.traffic] = traffic.status
    if not clock.runs_itself:
        log.warning("--traffic does nothing on the manual clock: time moves only when told; trigger events instead")
        return []
    return [asyncio.create_task(traffic.run())]
