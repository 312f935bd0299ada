"""The app factory: the one place that builds and joins the parts.

Every module of the project is imported here, with the route table and its handlers, so a
running server never imports its own code again (its files may be replaced under it, as
``pip install`` does). The store is opened at start (a database in use refuses the start
at once); the engine and the service are wired right after (``wiring.py``), and until
they are, every request but /healthz waits at the door.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from mockserver.api.bodies import HANDLER_ARGS, body_deadline
from mockserver.api.errors import error_middleware, quiet_bad_requests
from mockserver.domain.config import Config
from mockserver.domain.sinks import Sinks
from mockserver.server import keys, wiring
from mockserver.server.compression import compress
from mockserver.server.routes import setup_routes
from mockserver.server.running import Running
from mockserver.store import Store
from mockserver.ui import render
from mockserver.ui.changes import Changes

if TYPE_CHECKING:  # the clock is built by the wiring, in the background
    from mockserver.domain.clock import Clock

log = logging.getLogger("salesplay_mock")

EARLY = ("/healthz", "/openapi.json", "/favicon.ico", "/static/")  # served before the wiring is done


def create_app(config: Config | None = None, *, clock: Clock | None = None,
               hold_deliveries: bool = False) -> web.Application:
    """Build the whole mock. ``clock`` overrides the one ``config`` describes (tests);
    ``hold_deliveries``: no delivery starts until ``Running.release`` (a server that listens)."""
    config = config or Config()
    quiet_bad_requests()
    app = web.Application(middlewares=[compress, error_middleware, body_deadline, _at_the_door],
                          client_max_size=config.max_body_bytes, handler_args=HANDLER_ARGS)
    app[keys.config] = config
    app[keys.sinks] = Sinks(config.sink_memory)
    app[keys.changes] = Changes()
    app[keys.templates] = render.environment(app[keys.changes].boot)
    app[keys.generating] = asyncio.Semaphore(1)
    app.on_shutdown.append(_end_streams)
    app.on_shutdown.append(_stop_launching)
    app.cleanup_ctx.append(_runtime(clock, hold_deliveries))
    setup_routes(app)
    return app


def _runtime(clock: Clock | None, hold: bool) -> Callable[[web.Application], AsyncIterator[None]]:
    """The store for the server's life; the wiring started over it, and undone at the end."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        store = Store(app[keys.config].db, attempt_log_size=app[keys.config].attempt_log_size)
        state = app[keys.running] = Running(store, hold=hold)
        app[keys.secret] = _page_secret(store)
        wiring = asyncio.create_task(_wire(app, store, clock), name="salesplay-mock wiring")
        try:
            yield
        finally:
            # The wiring is let finish (it is quick, and an import in a thread cannot be
            # cut short): a start then a stop at once still records what the last run cut off.
            await wiring
            await state.stop()
            store.close()

    return ctx


async def _wire(app: web.Application, store: Store, clock: Clock | None) -> None:
    state = app[keys.running]
    try:
        state.wired(await wiring.start(app, store, clock))
    except Exception as exc:  # a bug: said in the log, and by every request but /healthz
        log.exception("the server could not start its engine")
        state.failed(exc)
        return
    # Faker, which the first shop needs: loaded now, not by that request
    await asyncio.to_thread(wiring.warm_up, app[keys.config])


@web.middleware
async def _at_the_door(request: web.Request, handler: Any) -> web.StreamResponse:
    """Requests wait here until the engine and the service are wired (a moment after start)."""
    state = request.app[keys.running]
    if not state.booted.is_set() and not request.path.startswith(EARLY):
        await state.booted.wait()
    if state.failure is not None and not request.path.startswith(EARLY):
        return web.json_response({"error": {"code": "not_started", "field": None,
                                            "message": "the server could not start its engine; see its log"}},
                                 status=503)
    response: web.StreamResponse = await handler(request)
    return response


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
    state = app.get(keys.running)
    if state is not None and state.ready:
        state.parts.engine.scheduler.quiesce()
