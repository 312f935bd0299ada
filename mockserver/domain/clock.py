"""The one clock of the engine: real, scaled (compressed) or manual time.

Simulated time is a float of seconds since the Unix epoch. The engine reads it only
through ``now()`` and waits only through ``wait_until()``; modelled on trio's MockClock:
a rate (``scale``), and a ``jump`` for the manual kind. The scaled and real clocks are
shared by every merchant. The manual clock keeps one time per merchant (token), so one
test's advance neither moves nor runs another's.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Protocol

from mockserver.domain.config import Config
from mockserver.domain.durations import LATEST, MAX_AHEAD
from mockserver.domain.errors import ClockNotManual, InvalidField
from mockserver.domain.models import iso, ms


class Clock(Protocol):
    mode: str
    scale: float  # simulated seconds per real second (0: time moves only by jumps)

    @property
    def runs_itself(self) -> bool:
        """Whether time moves on its own (scaled, real) or only by ``jump`` (manual)."""

    def now(self, owner: str | None = None) -> float:
        """Simulated seconds since the epoch, for ``owner`` (a merchant) where time is per merchant."""

    async def wait_until(self, when: float | None, wake: asyncio.Event) -> None:
        """Return once simulated time reaches ``when`` or ``wake`` is set."""

    def jump(self, owner: str, when: float) -> None:
        """Move ``owner``'s time forward to ``when``; only the manual clock can."""

    def restore(self, times: dict[str, float]) -> None:
        """Merchants' own times, as a past run left them (only the manual clock keeps any)."""

    def forget(self, owner: str) -> None:
        """``owner`` starts again from the clock's start (only the manual clock keeps times apart)."""

    def owe(self, due: float | None) -> None:
        """The engine has work due at ``due`` (None: none) that it has not started: a clock
        that runs by itself goes no further than a little past it until told again."""


@dataclass(frozen=True)
class Pace:
    """How a clock that runs by itself keeps up with the engine (``GET /_mock/clock``)."""

    effective_scale: float  # simulated seconds per real second, over the last second or so
    lag: float  # simulated seconds the clock is past the oldest work due and not started
    pacing: bool  # time runs slower than the scale asked for: the engine is behind


PACE_SLACK_REAL = 0.005  # real seconds time may run past owed work: ordinary scheduling noise
PACE_SLACK_MIN = 1.0  # ... and never less than a simulated second
PACING_BELOW = 0.9  # pacing is said to start below 90% of the scale asked for
PACING_ENDS_AT = 0.98  # ... and to end back above 98%


class ScaledClock:
    """Simulated time runs ``scale`` times faster than the wall clock, for everyone, but
    never gets ahead of the work the engine owes: when due attempts wait (a busy machine, a
    burst bigger than the engine can make at this scale), time goes at most ``slack`` past
    the oldest of them and waits there, so every attempt is still made on its moment and the
    rule's "within 48 hours" holds. Attempts under way never hold time (a receiver that
    hangs times out in real seconds)."""

    mode = "scaled"
    runs_itself = True

    def __init__(self, scale: float, *, start: float | None = None) -> None:
        self.scale = scale  # checked by Config
        self.slack = max(PACE_SLACK_MIN, scale * PACE_SLACK_REAL)
        self._sim0 = time.time() if start is None else start
        self._real0 = time.monotonic()
        self._owed: float | None = None  # the oldest work due and not started
        self._sample = (self._real0, self._sim0)  # the last (real, simulated) reading of measure()
        self._effective = scale
        self.pacing = False

    def now(self, owner: str | None = None) -> float:
        t = self._sim0 + (time.monotonic() - self._real0) * self.scale
        if self._owed is not None and t > self._owed + self.slack:
            # Held: time resumes from here once the engine catches up, not from where the
            # wall clock has got to meanwhile.
            t = self._owed + self.slack
            self._sim0, self._real0 = t, time.monotonic()
        # Time stops at the last date a clock can show (a high scale left running for weeks).
        return min(t, LATEST)

    def owe(self, due: float | None) -> None:
        self.now()  # a held clock settles where it is before the limit moves
        self._owed = due

    def measure(self) -> Pace:
        """The pace since the last call (the timekeeper calls it every second or so)."""
        real, sim = time.monotonic(), self.now()
        last_real, last_sim = self._sample
        if real - last_real > 0.2:
            self._effective = (sim - last_sim) / (real - last_real)
            self._sample = (real, sim)
        if not self.pacing and self._effective < PACING_BELOW * self.scale:
            self.pacing = True
        elif self.pacing and self._effective >= PACING_ENDS_AT * self.scale:
            self.pacing = False
        return self.pace()

    def pace(self) -> Pace:
        lag = 0.0 if self._owed is None else max(0.0, self.now() - self._owed)
        return Pace(round(self._effective, 3), round(lag, 3), self.pacing)

    def real_seconds(self, sim_seconds: float) -> float:
        return sim_seconds / self.scale

    def monotonic_at(self, when: float) -> float:
        """The ``time.monotonic()`` reading at which simulated time reaches ``when``."""
        return self._real0 + (when - self._sim0) / self.scale

    async def wait_until(self, when: float | None, wake: asyncio.Event) -> None:
        timeout = None if when is None else max(0.0, self.real_seconds(when - self.now()))
        # Not wait_for: on Python 3.11 it can swallow a cancellation that lands as its
        # timeout fires, and a loop waiting here would then never stop.
        waiter = asyncio.ensure_future(wake.wait())
        try:
            await asyncio.wait({waiter}, timeout=timeout)
        finally:
            waiter.cancel()

    def jump(self, owner: str, when: float) -> None:
        raise ClockNotManual(self.mode)

    def restore(self, times: dict[str, float]) -> None:
        pass  # one time for everyone

    def forget(self, owner: str) -> None:
        pass


class RealClock(ScaledClock):
    """SalesPlay's own pace: a scaled clock at 1x that starts at the wall time, and stays
    on it (it is never held for the engine: its times are the wall clock's)."""

    mode = "real"

    def __init__(self) -> None:
        super().__init__(1.0)

    def owe(self, due: float | None) -> None:
        pass


class ManualClock:
    """Time stands still until told to move, one time per merchant; the engine does the
    moving (``advance``), making everything that falls due on the way."""

    mode = "manual"
    scale = 0.0
    runs_itself = False

    def __init__(self, *, start: float | None = None) -> None:
        # Where a merchant's time begins; to the millisecond, as every time the API shows.
        self.start = ms(time.time() if start is None else start)
        self._times: dict[str, float] = {}

    def now(self, owner: str | None = None) -> float:
        return self.start if owner is None else self._times.get(owner, self.start)

    def jump(self, owner: str, when: float) -> None:
        when = ms(when)
        if when < self.now(owner):
            raise ValueError("the manual clock only moves forward")
        self._times[owner] = when

    def restore(self, times: dict[str, float]) -> None:
        self._times.update({owner: ms(t) for owner, t in times.items()})

    def forget(self, owner: str) -> None:
        self._times.pop(owner, None)

    def owe(self, due: float | None) -> None:
        pass  # time waits for the engine anyway: it moves only when told

    async def wait_until(self, when: float | None, wake: asyncio.Event) -> None:
        # Nothing falls due on its own: only a wake-up (new work, an advance) ends the wait.
        await wake.wait()


def make_clock(config: Config, *, start: float | None) -> Clock:
    """The clock ``config`` asks for (checked there), its simulated time starting at ``start``."""
    if config.clock == "manual":
        return ManualClock(start=start)
    if config.clock == "real":
        return RealClock()
    return ScaledClock(config.time_scale, start=start)


def advance_target(now: float, *, seconds: float | None, to: float | None) -> float:
    """Where a move of ``seconds`` from ``now`` (or to ``to``) lands, if it is allowed: at
    most ten years a move, and never past LATEST, so every time stays a date."""
    field = "seconds" if seconds is not None else "to"
    if seconds is not None:
        if not 0 <= seconds <= MAX_AHEAD:
            raise InvalidField("'seconds' must be from 0 to 316224000 (ten years)", field="seconds")
        target = now + seconds
    elif to is None:
        raise InvalidField("send 'seconds' (a number) or 'to' (an ISO 8601 time)", field="seconds")
    elif to < now:
        raise InvalidField("the manual clock only moves forward; 'to' is before this token's time", field="to")
    elif to - now > MAX_AHEAD:
        raise InvalidField("'to' is more than ten years ahead of this token's time", field="to")
    else:
        target = to
    if target > LATEST:
        raise InvalidField(f"the clock cannot go past {iso(LATEST)} (a later time could not be shown as a date); "
                           "reset this token (POST /_mock/reset) to start its clock again", field=field)
    return ms(target)
