"""The published retry schedule and the disable rule, as pure functions.

SalesPlay says only "up to 200 attempts within 48 hours". Ours: wait 5 s after the first
failure, double each time, and cap the wait so that every attempt fits in 95% of the
window (the rest is slack for slow receivers and jitter). With the defaults the cap is
14 minutes and the 200th attempt comes 44.9 hours after the event.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

FIRST_DELAY = 5.0
FACTOR = 2.0
BUDGET = 0.95
JITTER = 0.10


def _total(n: int, cap: float) -> float:
    return sum(min(FIRST_DELAY * FACTOR**k, cap) for k in range(n))


@lru_cache(maxsize=16)
def retry_delays(max_attempts: int, window: float) -> tuple[float, ...]:
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
    delay: float
    offset: float


def table(max_attempts: int, window: float) -> list[Step]:
    steps, offset = [Step(1, 0.0, 0.0)], 0.0
    for number, delay in enumerate(retry_delays(max_attempts, window), start=2):
        offset += delay
        steps.append(Step(number, delay, offset))
    return steps


def next_attempt_at(
    *,
    attempts_made: int,
    finished_at: float,
    deadline: float,
    max_attempts: int,
    window: float,
    jitter_key: str | None = None,
) -> float | None:
    """When to try again after a failed attempt, or None: the delivery has failed for good."""
    if attempts_made >= max_attempts:
        return None
    delay = retry_delays(max_attempts, window)[attempts_made - 1]
    if jitter_key is not None:
        digest = hashlib.sha256(f"{jitter_key}:{attempts_made}".encode()).digest()
        unit = int.from_bytes(digest[:8], "big") / 2**64  # deterministic per delivery
        delay *= 1 + JITTER * (2 * unit - 1)
    when = finished_at + delay
    return None if when > deadline else when


def human(seconds: float) -> str:
    seconds = round(seconds)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    if h:
        return f"{h}h{m:02d}m{s:02d}s"
    if m:
        return f"{m}m{s:02d}s"
    return f"{s}s"
