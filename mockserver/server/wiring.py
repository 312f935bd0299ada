"""How the parts meet: the clock, one HTTP client for every delivery, the engine, the
service over them and --traffic, built in the background once the server answers.
``app.py`` opens the store and calls ``start``; the ``Parts.stop`` it returns undoes it."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
from aiohttp import web
from aiohttp.resolver import DefaultResolver

from mockserver.domain.clock import Clock
from mockserver.domain.config import Config
from mockserver.domain.notices import Notices
from mockserver.engine import Engine
from mockserver.engine.address_guard import AddressGuard
from mockserver.engine.attempt import Attempts
from mockserver.engine.fault_injector import FaultInjector
from mockserver.engine.scheduler import Scheduler
from mockserver.engine.tasks import cancel_and_wait
from mockserver.engine.timekeeper import TimeKeeper
from mockserver.server import keys
from mockserver.server.running import Parts
from mockserver.server.traffic import Traffic
from mockserver.service import Service
from mockserver.service.shops import Shops
from mockserver.shop.locales import make_faker
from mockserver.store import Store

log = logging.getLogger("salesplay_mock")

KEEPALIVE = 4.0  # real seconds an idle connection to a receiver is kept


async def start(app: web.Application, store: Store, clock: Clock | None) -> Parts:
    """Wire the engine and the service over ``store``; the scheduler starts held, and
    ``Running`` lets it go once the server listens."""
    config = app[keys.config]
    notices = Notices()
    notices.subscribe(app[keys.changes].bump)  # the live page
    timekeeper = TimeKeeper(config, store)
    the_clock = clock or timekeeper.resume()
    guard = AddressGuard(public_only=config.public_urls_only, only_to=config.deliver_only_to,
                         resolver=DefaultResolver())
    session = aiohttp.ClientSession(
        # Idle connections are let go before a receiver would close them (servers commonly
        # wait 5 s): a request sent down a connection the receiver is just closing would be
        # a failed attempt the receiver never saw.
        # The guard's connector judges the address of every connection, whatever the URL.
        connector=guard.connector(limit=config.max_in_flight, keepalive_timeout=KEEPALIVE),
        cookie_jar=aiohttp.DummyCookieJar(),
        timeout=aiohttp.ClientTimeout(total=None),
    )
    faults = FaultInjector(store, config.faults)
    attempts = Attempts(config, the_clock, store, session, faults, notices)
    scheduler = Scheduler(the_clock, store, attempts, max_in_flight=config.max_in_flight,
                          one_at_a_time=config.one_at_a_time)
    shops = Shops(store, seed=config.seed, locale=config.locale, keep=config.keep_shops,
                  sample_from=config.sample_from)
    service = Service(config, the_clock, store, shops, scheduler, attempts, faults, timekeeper, notices)
    scheduler.start(hold=True)
    background = [asyncio.create_task(timekeeper.keep(the_clock))] if the_clock.runs_itself else []
    status = None
    if config.traffic > 0:
        traffic = Traffic(config.traffic, the_clock, service)
        status = traffic.status
        if the_clock.runs_itself:
            background.append(asyncio.create_task(traffic.run()))
        else:
            log.warning("--traffic does nothing on the manual clock: time moves only when told; trigger events instead")

    async def stop() -> None:
        for task in background:
            await cancel_and_wait(task)
        await scheduler.stop(config.stop_grace)
        if the_clock.runs_itself:
            timekeeper.save(the_clock)
        await session.close()

    return Parts(service, Engine(the_clock, store, scheduler), status, stop)


def warm_up(config: Config) -> None:
    """Load Faker and the locale's providers (about 100 ms), which a merchant's first shop
    needs: in a thread, once the server is wired, so no request waits for them."""
    try:
        make_faker(config.locale, 0)
    except Exception:  # the first shop would meet it again, and say so there
        log.exception("could not load Faker for the locale %s", config.locale)
