"""The clock as a merchant sees it, and moving a merchant's manual clock."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from mockserver.domain.clock import Clock, Pace, ScaledClock, advance_target
from mockserver.domain.errors import ClockNotManual
from mockserver.domain.notices import Notices
from mockserver.engine.scheduler import Scheduler
from mockserver.engine.timekeeper import TimeKeeper


@dataclass(frozen=True)
class ClockView:
    mode: str
    scale: float
    now: float
    per_token: bool  # the manual clock: each token has its own time
    since: float | None = None  # simulated time when this run began: a moment before it has no known real time
    pace: Pace = Pace(0.0, 0.0, False)  # how a clock that runs by itself keeps up with the engine


class ClockControl:
    def __init__(self, clock: Clock, scheduler: Scheduler, timekeeper: TimeKeeper, notices: Notices) -> None:
        self.clock, self.scheduler, self.timekeeper, self.notices = clock, scheduler, timekeeper, notices
        self._moving: dict[str, asyncio.Lock] = {}
        self._since = clock.now() if clock.runs_itself else None  # this run's start, in simulated time

    def view(self, owner: str | None) -> ClockView:
        """The clock; on the manual clock, ``owner``'s time (or, for none, where a new one starts)."""
        pace = self.clock.pace() if isinstance(self.clock, ScaledClock) else Pace(0.0, 0.0, False)
        return ClockView(self.clock.mode, self.clock.scale, self.clock.now(owner), not self.clock.runs_itself,
                         self._since, pace)

    def forget(self, owner: str) -> None:
        """``owner``'s manual clock starts again (a reset); the other clocks keep one time for all."""
        self.clock.forget(owner)

    def moving(self, owner: str) -> asyncio.Lock:
        """Held while ``owner``'s time moves: advances queue on it, and a reset waits for them."""
        return self._moving.setdefault(owner, asyncio.Lock())

    async def advance(self, owner: str, *, seconds: float | None = None, to: float | None = None) -> int:
        """Move ``owner``'s manual clock by ``seconds`` or to ``to`` (at most ten years
        ahead), making every attempt of theirs that falls due on the way. Calls queue: each
        moves on from where the one before left the clock. How many attempts were made."""
        if self.clock.runs_itself:
            raise ClockNotManual(self.clock.mode)
        async with self.moving(owner):
            target = advance_target(self.clock.now(owner), seconds=seconds, to=to)
            made = await self.scheduler.advance_to(owner, target)
            self.timekeeper.save(self.clock, owner)
        self.notices.changed(owner)  # the page shows the new time
        return made
