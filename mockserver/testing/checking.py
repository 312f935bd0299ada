"""The handle's receiver check: ``salesplay-mock check`` from a test, and an assertion
whose message is the whole report."""

from __future__ import annotations

from typing import Any

from mockserver.check import CheckOptions, Report, render, run_check
from mockserver.domain.config import Config
from mockserver.domain.vocabulary import EVENT_TYPES
from mockserver.testing.assertions import Assertions


class CheckingClient(Assertions):
    async def check(self, url: str, *, events: str | list[str] | None = None, seed: int | None = None,
                    delivery_timeout: float = Config.delivery_timeout) -> Report:
        """``salesplay-mock check``: SalesPlay's kinds of delivery (the sample, duplicates,
        events out of order, a burst, the largest payloads...) sent from this process to a
        receiver already running at ``url``; no webhook is registered. Returns the report.

        Example::

            report = salesplay.check(salesplay.serve(app) + "/webhooks/salesplay", events="receipts.update")
            assert report.result("duplicate_concurrent").status == "pass"
        """
        types = EVENT_TYPES if events is None else (events,) if isinstance(events, str) else tuple(events)
        return await run_check(CheckOptions(url, types, seed, delivery_timeout))

    async def assert_check_passes(self, url_or_report: str | Report, *, allow_warnings: bool = True,
                                  **options: Any) -> Report:
        """No scenario of the check failed (nor warned, with ``allow_warnings=False``); the
        assertion's message is the whole report. Takes a URL (and ``check``'s options) or a
        report.

        Example::

            salesplay.assert_check_passes(salesplay.serve(app) + "/webhooks/salesplay", allow_warnings=False)
        """
        report = (url_or_report if isinstance(url_or_report, Report)
                  else await self.check(url_or_report, **options))
        bad = report.failures + ([] if allow_warnings else report.warnings)
        if bad:  # raised, not asserted: see Assertions
            raise AssertionError(f"salesplay-mock check: {', '.join(r.id for r in bad)} did not pass\n\n"
                                 + render.text(report))
        return report
