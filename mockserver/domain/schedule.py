"""The published retry schedule, as pure functions of the attempt number.

SalesPlay says only "up to 200 attempts within 48 hours". Ours: wait 5 s after the first
failure, double each time, and cap the wait so that every attempt fits in 95% of the
window (the rest is slack for slow receivers). With the defaults the cap is 14 minutes
and the 200th attempt comes 44.9 hours after the event.

Attempts are anchored on the delivery's start: attempt n is due at the start plus the
published offset of n, whenever attempt n-1 happened to end. Lateness never
accumulates; an attempt whose moment passed while the one before was still under way
is due at once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property

from mockserver.domain.durations import human

FIRST_DELAY = 5.0
FACTOR = 2.0
BUDGET = 0.95
JITTER = 0.10


def _total(n: int, cap: float) -> float:
    return sum(min(FIRST_DELAY * FACTOR**k, cap) for k in range(n))


def _delays(max_attempts: int, window: float) -> tuple[float, ...]:
    """The wait before attempt 2, 3, ... max_attempts, in simulated seconds."""
    n = max_attempts - 1
    budget = window * BUDGET
    if n <= 0:
        return ()
    lo, hi = 0.0, budget
    for _ in range(100):  # bisect the largest cap that fits the budget
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _total(n, mid) <= budget else (lo, mid)
    cap = lo if lo < 300 else lo - lo % 60  # whole minutes read better in a table
    return tuple(min(FIRST_DELAY * FACTOR**k, cap) for k in range(n))


@dataclass(frozen=True)
class Step:
    attempt: int
    delay: float  # the published wait after the attempt before
    offset: float  # the attempt's moment, counted from the delivery's start


@dataclass(frozen=True)
class Schedule:
    max_attempts: int = 200
    window: float = 48 * 3600.0
    jitter: bool = False  # +/-10% of each attempt's own wait, deterministic per delivery

    @cached_property
    def delays(self) -> tuple[float, ...]:
        return _delays(self.max_attempts, self.window)

    @cached_property
    def offsets(self) -> tuple[float, ...]:
        """The published moment of attempt 1, 2, ... counted from the delivery's start."""
        out, total = [0.0], 0.0
        for delay in self.delays:
            total += delay
            out.append(total)
        return tuple(out)

    @property
    def largest_gap(self) -> float:
        return max(self.delays, default=0.0)

    def table(self) -> list[Step]:
        return [Step(n, 0.0 if n == 1 else self.delays[n - 2], off) for n, off in enumerate(self.offsets, start=1)]

    def to_json(self) -> dict[str, object]:
        """The shape both ``GET /_mock/schedule`` and ``salesplay-mock schedule --json`` print."""
        return {
            "max_attempts": self.max_attempts,
            "retry_window_seconds": self.window,
            "jitter": JITTER if self.jitter else 0,
            "anchored": True,
            "attempts": [{"attempt": s.attempt, "delay_seconds": s.delay, "offset_seconds": s.offset,
                          "offset": human(s.offset)} for s in self.table()],
        }

    def offset(self, number: int, key: str | None = None) -> float:
        """The moment of attempt ``number`` after the start; with jitter, moved by up to
        10% of its own wait (never of the sum, so the last still fits the window)."""
        offset = self.offsets[number - 1]
        if self.jitter and key is not None and number > 1:
            digest = hashlib.sha256(f"{key}:{number}".encode()).digest()
            unit = int.from_bytes(digest[:8], "big") / 2**64
            offset += JITTER * self.delays[number - 2] * (2 * unit - 1)
        return offset

    def due_at(self, *, start: float, number: int, deadline: float, key: str | None = None) -> float | None:
        """When attempt ``number`` is due for a delivery that started at ``start``, or None:
        there is no such attempt (past the last, or past the deadline)."""
        if number > self.max_attempts:
            return None
        when = start + self.offset(number, key)
        return None if when > deadline else when

    def remaining(self, *, start: float, made: int, deadline: float, key: str | None = None) -> tuple[int, float | None]:
        """Attempts still to come after ``made``, and the moment of the last of them: if
        every one fails, that is when the webhook is disabled."""
        left, last = 0, None
        for number in range(made + 1, self.max_attempts + 1):
            when = self.due_at(start=start, number=number, deadline=deadline, key=key)
            if when is None:
                break
            left, last = left + 1, when
        return left, last
