"""The one clock of the engine: real, scaled (compressed) or manual time.

Simulated time is a float of seconds since the Unix epoch. The engine reads it only
through ``now()`` and waits only through ``wait_until()``, so a test can hold time still
and move it with ``ManualClock.set()``; modelled on trio's MockClock (rate + jump).
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Clock(Protocol):
    mode: str
    scale: float

    def now(self) -> float:
        """Simulated seconds since the epoch."""

    async def wait_until(self, when: float | None, wake: asyncio.Event) -> None:
        """Return once simulated time reaches ``when`` or ``wake`` is set."""


class ScaledClock:
    """Simulated time runs ``scale`` times faster than the wall clock."""

    mode = "scaled"

    def __init__(self, scale: float, *, start: float | None = None) -> None:
        if scale <= 0:
            raise ValueError("time scale must be positive")
        self.scale = scale
        self._sim0 = time.time() if start is None else start
        self._real0 = time.monotonic()

    def now(self) -> float:
        return self._sim0 + (time.monotonic() - self._real0) * self.scale

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


class RealClock(ScaledClock):
    """SalesPlay's own pace: a scaled clock at 1x that starts at the wall time."""

    mode = "real"

    def __init__(self) -> None:
        super().__init__(1.0)

    def now(self) -> float:
        return time.time()


class ManualClock:
    """Time stands still until told to move; the dispatcher does the moving."""

    mode = "manual"
    scale = 0.0

    def __init__(self, *, start: float | None = None) -> None:
        self._now = time.time() if start is None else start

    def now(self) -> float:
        return self._now

    def set(self, when: float) -> None:
        if when < self._now:
            raise ValueError("the manual clock only moves forward")
        self._now = when

    async def wait_until(self, when: float | None, wake: asyncio.Event) -> None:
        # Nothing falls due on its own: only a wake-up (new work, an advance) ends the wait.
        await wake.wait()


def make_clock(mode: str, *, scale: float, start: float | None) -> Clock:
    if mode == "manual":
        return ManualClock(start=start)
    if mode == "real":
        return RealClock()
    if mode == "scaled":
        return ScaledClock(scale, start=start)
    raise ValueError(f"unknown clock mode {mode!r}: use scaled, real or manual")
