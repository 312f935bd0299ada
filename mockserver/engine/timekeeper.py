"""Simulated time kept between runs: where a clock resumes, and saving it as it goes."""

from __future__ import annotations

import asyncio
import logging

from mockserver.domain.clock import Clock, ScaledClock, make_clock
from mockserver.domain.config import Config
from mockserver.domain.durations import LATEST
from mockserver.store import Store

log = logging.getLogger("salesplay_mock")

SAVE_EVERY = 1.0  # real seconds between two saves of a clock that runs by itself


class TimeKeeper:
    def __init__(self, config: Config, store: Store) -> None:
        self.config = config
        self.store = store

    def resume(self) -> Clock:
        """The clock, where the last run left it (each merchant's, on the manual clock); an
        explicit start (--clock-start) wins, so a clock set wrong can always be reset."""
        if self.config.clock_start is not None:
            self.store.clocks.clear()
            start: float | None = self.config.clock_start
        else:
            start = _sane(self.store.meta.get("sim_time"))
        clock = make_clock(self.config, start=start)
        clock.restore({owner: t for owner, t in self.store.clocks.load().items() if _sane(t) is not None})
        self.save(clock)  # where time starts again next run (a new merchant's, on the manual clock)
        return clock

    def save(self, clock: Clock, owner: str | None = None) -> None:
        """Keep ``owner``'s time (the manual clock's per merchant), or the shared time."""
        if owner is None:
            self.store.meta.set("sim_time", repr(clock.now()))
        else:
            self.store.clocks.save(owner, clock.now(owner))

    async def keep(self, clock: Clock) -> None:
        """A clock that runs by itself is saved every second, so a restart resumes it; the
        log says when it starts and stops pacing itself to the engine."""
        never = asyncio.Event()  # time alone moves this on
        while True:
            self.save(clock)
            if isinstance(clock, ScaledClock):
                self._watch_pace(clock)
            await clock.wait_until(clock.now() + SAVE_EVERY * clock.scale, never)

    @staticmethod
    def _watch_pace(clock: ScaledClock) -> None:
        was = clock.pacing
        pace = clock.measure()
        if pace.pacing and not was:
            log.warning("the engine is behind: simulated time slows to %.0fx (asked for %gx) so that no attempt "
                        "is late or lost; GET /_mock/clock shows the pace", pace.effective_scale, clock.scale)
        elif was and not pace.pacing:
            log.info("the engine caught up: simulated time runs at %gx again", clock.scale)


def _sane(saved: str | float | None) -> float | None:
    """A saved time, unless it is not one a clock can show (a database written by an older
    version that let a clock run to year 10000)."""
    if saved is None:
        return None
    try:
        value = float(saved)
    except ValueError:
        value = -1.0
    if not 0 <= value <= LATEST:
        log.warning("ignoring a saved simulated time out of range (%r); the clock starts from now", saved)
        return None
    return value
