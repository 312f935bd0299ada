"""``--traffic RATE``: the shop keeps selling on its own, RATE events per simulated minute,
for every merchant that has a webhook.

At 720x, 30 events a simulated minute is 360 a real second per merchant, so the stream
is made in batches, a few times a real second, each as many events as simulated time
owes. When the machine cannot keep up, the stream falls behind rather than flooding: it
says so once a minute in the log and on the page, with the rate achieved.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

from mockserver.domain.clock import Clock
from mockserver.service import Service

log = logging.getLogger("salesplay_mock.traffic")

TICK = 0.05  # real seconds between two batches
REPORT_EVERY = 60.0  # real seconds between two looks at the rate achieved
BEHIND = 0.9  # below this share of the asked rate, the stream is behind
BACKLOG_TICKS = 4  # at most this many batches' worth in one batch: a stall is not made up as a flood
MAX_BATCH = 200  # events per merchant in one batch, whatever is asked: 4,000 a real second is past
                 # what one process delivers, and a bigger batch holds up every request


@dataclass
class TrafficStatus:
    asked: float  # events per simulated minute, per merchant
    achieved: float | None = None  # over the last minute of real time
    behind: bool = False


class Traffic:
    def __init__(self, rate: float, clock: Clock, service: Service) -> None:
        self.status = TrafficStatus(rate)
        self._clock, self._service = clock, service
        self._owed: dict[str, float] = {}  # events each merchant is owed, fractions included
        self._asked = 0.0  # events owed since the last report, all merchants
        self._made = 0  # events made since the last report
        self._last_report = time.monotonic()

    async def run(self) -> None:
        never = asyncio.Event()  # time alone moves the stream on
        last = self._clock.now()
        while True:
            await self._clock.wait_until(self._clock.now() + TICK * self._clock.scale, never)
            now = self._clock.now()
            await self.tick(now, now - last)
            last = now
            self.report(time.monotonic())

    async def tick(self, now: float, elapsed: float) -> None:
        """Make every merchant's shop act for the events ``elapsed`` simulated seconds owe."""
        rate = self.status.asked / 60.0  # events per simulated second
        cap = min(MAX_BATCH, max(10.0, rate * TICK * self._clock.scale * BACKLOG_TICKS))  # per merchant, one batch
        for owner in self._service.webhooks.owners():
            owed = self._owed.get(owner, 0.0) + elapsed * rate
            self._asked += elapsed * rate
            made = len(await self._service.events.everyday(owner, int(min(owed, cap)))) if owed >= 1 else 0
            # A fraction carries over to the next batch; more than that is dropped, not made up later.
            self._owed[owner] = min(owed - made, 1.0)
            self._made += made

    def report(self, real: float) -> None:
        """Once a minute of real time (``real``: now, by ``time.monotonic``): the rate
        achieved, and a warning if it is behind."""
        if real - self._last_report < REPORT_EVERY or self._asked <= 0:
            return
        share = self._made / self._asked
        self.status.achieved = round(self.status.asked * share, 1)
        self.status.behind = share < BEHIND
        if self.status.behind:
            log.warning("--traffic is behind: %.1f events per simulated minute per merchant, of %g asked; "
                        "this machine cannot keep up at this time scale", self.status.achieved, self.status.asked)
        self._asked, self._made, self._last_report = 0.0, 0, real
