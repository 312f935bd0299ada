"""Receiver checks asked for on the page: the server's rules for where deliveries may go
apply, one check runs at a time, each is bounded, and each merchant's last report is kept
to be shown."""

from __future__ import annotations

from aiohttp.resolver import DefaultResolver

from mockserver.check import CheckOptions, Report, run_check
from mockserver.domain import webhook_rules
from mockserver.domain.config import Config
from mockserver.domain.errors import Conflict, InvalidField
from mockserver.engine.address_guard import AddressGuard, check_public

# A page waits for its check: shorter bounds than the command line's.
PAGE_TIMEOUT = 10.0
PAGE_BUDGET = 60.0
KEEP_REPORTS = 100  # merchants whose last report is kept (in memory only)


class Checks:
    def __init__(self, config: Config) -> None:
        self.config = config
        self._running = False
        self._last: dict[str, Report] = {}

    async def run(self, owner: str, url: str, *, events: tuple[str, ...], seed: int | None) -> Report:
        """Check the receiver at ``url``, and only there (redirects are not followed), by
        the rules the server delivers by: --public-urls-only and --deliver-only-to."""
        url = webhook_rules.check_url(url)
        if self.config.public_urls_only:
            await check_public(url)
        guard = AddressGuard(public_only=self.config.public_urls_only, only_to=self.config.deliver_only_to,
                             resolver=DefaultResolver())
        # Said beside the form before anything is sent (a host that does not resolve is left
        # to the check to report); the guard goes on judging every connection the check makes.
        reason = await guard.refused_url(url) if guard.active else None
        if reason is not None:
            raise InvalidField(f"'url': {reason}", field="url", code="host_not_allowed")
        options = CheckOptions(url, events, seed, min(self.config.delivery_timeout, PAGE_TIMEOUT),
                               locale=self.config.locale, budget=PAGE_BUDGET)
        if self._running:  # a check sends bursts: one at a time keeps the server and the receivers calm
            raise Conflict("a check is already running on this server; try again when it has ended "
                           f"(at most about {PAGE_BUDGET:g} s)", field="url")
        self._running = True
        try:
            report = await run_check(options, guard=guard)
        finally:
            self._running = False
        self._last.pop(owner, None)
        self._last[owner] = report  # the most recent last
        while len(self._last) > KEEP_REPORTS:
            self._last.pop(next(iter(self._last)))
        return report

    def last(self, owner: str) -> Report | None:
        return self._last.get(owner)

