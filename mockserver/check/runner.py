"""One check of a receiver: its options, checked; the scenarios run in turn, bounded in time
and in requests; the report."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import aiohttp

from mockserver.check.payloads import CheckShop
from mockserver.check.report import Report, Result
from mockserver.check.scenarios import BURST, Context, Probe, Scenario, plan
from mockserver.domain.config import Config
from mockserver.domain.errors import InvalidField
from mockserver.domain.models import iso
from mockserver.domain.seeds import check_seed
from mockserver.domain.vocabulary import EVENT_TYPES
from mockserver.domain.webhook_rules import check_event_type, check_url
from mockserver.engine.address_guard import AddressGuard
from mockserver.shop.locales import check_locale

MAX_TIMEOUT = 120.0
DEFAULT_BUDGET = 120.0  # seconds; past it, the scenarios left are not run


@dataclass(frozen=True)
class CheckOptions:
    url: str
    events: tuple[str, ...] = EVENT_TYPES
    seed: int | None = None  # None: a new random seed, shown in the report
    delivery_timeout: float = Config.delivery_timeout
    locale: str = "en_US"
    budget: float = DEFAULT_BUDGET

    def __post_init__(self) -> None:
        check_url(self.url)
        if not self.events:
            raise InvalidField("name at least one event type to check", field="events")
        for type_ in self.events:
            check_event_type(type_, field="events")
        # SalesPlay's order, whatever the order asked in: receipts go before the credit notes that refer to them.
        object.__setattr__(self, "events", tuple(t for t in EVENT_TYPES if t in self.events))
        if not 0 < self.delivery_timeout <= MAX_TIMEOUT:
            raise InvalidField(f"'delivery_timeout' must be more than 0 and at most {MAX_TIMEOUT:g} seconds",
                               field="delivery_timeout")
        if self.seed is None:
            object.__setattr__(self, "seed", secrets.randbelow(1_000_000))
        else:
            check_seed(self.seed)
        try:
            check_locale(self.locale)
        except ValueError as exc:
            raise InvalidField(str(exc), field="locale") from None

    @property
    def the_seed(self) -> int:
        assert self.seed is not None  # set in __post_init__
        return self.seed


async def run_check(options: CheckOptions, *, on_result: Callable[[Result], None] | None = None,
                    guard: AddressGuard | None = None) -> Report:
    """Run every scenario against ``options.url`` and report. It sends only to that URL
    (redirects are never followed), at most ``BURST`` requests at once, each bounded by the
    delivery timeout; once ``budget`` seconds have gone, the scenarios left are skipped.
    ``guard``: the server's rules on where it may send (the page's check), judged on the
    address of every connection."""
    started, clock = time.time(), time.perf_counter()
    results: list[Result] = []
    async with aiohttp.ClientSession(
        connector=guard.connector(limit=BURST) if guard is not None else aiohttp.TCPConnector(limit=BURST),
        cookie_jar=aiohttp.DummyCookieJar(),
        timeout=aiohttp.ClientTimeout(total=None),  # post() bounds each exchange with the delivery timeout
    ) as session:
        ctx = Context(Probe(session, options.url, options.delivery_timeout),
                      CheckShop(options.the_seed, locale=options.locale), options.events, results)
        stopped: str | None = None
        for scenario in plan(options.events):
            if stopped is None and time.perf_counter() - clock > options.budget:
                stopped = f"not run: the check's time budget of {options.budget:g} s ran out"
            result = _skipped(scenario, stopped) if stopped else await _timed(scenario, ctx)
            results.append(result)
            if on_result is not None:
                on_result(result)
            if scenario.id == "sample_post" and result.exchanges and not result.exchanges[0].answered:
                stopped = (f"not run: the sample POST got no HTTP answer ({result.exchanges[0].error_kind}), "
                           "so nothing else could pass")
    return Report(options.url, options.the_seed, options.events, options.delivery_timeout, iso(started) or "",
                  time.perf_counter() - clock, tuple(results))


async def _timed(scenario: Scenario, ctx: Context) -> Result:
    began = time.perf_counter()
    result = await scenario.run(ctx)
    return replace(result, seconds=time.perf_counter() - began)


def _skipped(scenario: Scenario, reason: str) -> Result:
    return Result(scenario.id, scenario.title, "skip", "nothing", "nothing", reason=reason)
