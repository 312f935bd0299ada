"""Every workflow of the mock, once. The API, the page, ``--traffic``, the CLI and the test
handle are thin adapters over this facade: they parse, call one of these, and render."""

from __future__ import annotations

from mockserver.domain.clock import Clock
from mockserver.domain.config import Config
from mockserver.domain.notices import Notices
from mockserver.engine.attempt import Attempts
from mockserver.engine.fault_injector import FaultInjector
from mockserver.engine.scheduler import Scheduler
from mockserver.engine.timekeeper import TimeKeeper
from mockserver.service.api_faults import ApiFaults
from mockserver.service.catalog import Catalog
from mockserver.service.checks import Checks
from mockserver.service.clock import ClockControl
from mockserver.service.events import Events
from mockserver.service.reads import Reads
from mockserver.service.shops import Shops
from mockserver.service.webhooks import Webhooks
from mockserver.store import Store


class Service:
    def __init__(self, config: Config, clock: Clock, store: Store, shops: Shops, scheduler: Scheduler,
                 attempts: Attempts, faults: FaultInjector, timekeeper: TimeKeeper, notices: Notices) -> None:
        self.config = config
        self.store = store
        self.shops = shops
        self.notices = notices
        self.webhooks = Webhooks(config, clock, store, shops, scheduler, attempts, faults, notices)
        self.clock = ClockControl(clock, scheduler, timekeeper, notices)
        self.events = Events(config, clock, store, shops, scheduler, faults, notices, self.clock)
        self.reads = Reads(config, store)
        self.checks = Checks(config)
        self.catalog = Catalog(store, shops)
        self.api_faults = ApiFaults(clock, store, notices)

    async def reset(self, owner: str) -> None:
        """Forget everything one merchant made: webhooks, events, deliveries, attempts, shop
        (and its ledger), API faults; on the manual clock, its time starts again (after an
        advance under way, which would otherwise put its time back)."""
        async with self.clock.moving(owner):
            self._forget(owner)
        self.notices.changed(owner)

    def _forget(self, owner: str) -> None:
        with self.store.tx():
            self.store.clocks.forget_owner(owner)
            self.store.attempt_log.forget_owner(owner)
            self.store.deliveries.forget_owner(owner)
            self.store.events.forget_owner(owner)
            self.store.webhooks.forget_owner(owner)
            self.store.shop_states.forget_owner(owner)
            self.store.shop_records.forget_owner(owner)
            self.api_faults.configure(owner, None)
        self.shops.forget(owner)
        self.clock.forget(owner)
