"""The recorded arrivals as deliveries and their attempts, against the published retry
schedule: each wait between two attempts, how many attempts, within what window, and
whether a delivery answered 2xx came again.

An attempt is the same body to the same path again; a 2xx answer ends a delivery. The
recording's times are SalesPlay's own (or, for a recording of the mock on a compressed
clock, ``scale`` times faster).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from mockserver.domain.durations import human
from mockserver.domain.schedule import Schedule
from mockserver.fidelity import locate
from mockserver.fidelity.body import digest
from mockserver.fidelity.recording import RecordedRequest
from mockserver.fidelity.report import TIMELINE, Finding

TOLERANCE_SECONDS = 1.0  # the network and SalesPlay's own queue: a wait this close is the same wait
TOLERANCE_SHARE = 0.2  # and a fifth of the wait itself
SEPARATE_WAITS = 10  # waits before attempts 2 to 10 are reported one by one; later ones together


@dataclass(frozen=True)
class Arrival:
    at: float
    answered: int | None
    where: str

    @property
    def succeeded(self) -> bool:
        return self.answered is not None and 200 <= self.answered < 300


def tolerance(wait: float) -> float:
    return max(TOLERANCE_SECONDS, TOLERANCE_SHARE * wait)


class Timeline:
    """The arrivals of one recording."""

    def __init__(self, schedule: Schedule, *, scale: float = 1.0) -> None:
        self.schedule, self.scale = schedule, scale
        self._arrivals: dict[tuple[str, bytes], list[Arrival]] = defaultdict(list)
        self._last = float("-inf")  # the latest moment the recording saw
        self.deliveries = 0
        self.retried = 0

    def add(self, request: RecordedRequest) -> None:
        if request.origin == "payload":  # a payload file has no time
            return
        key = (request.path, digest(request.body))
        self._arrivals[key].append(Arrival(request.received_at, request.answered, request.where))
        self.ended(request.received_at)

    def ended(self, at: float) -> None:
        self._last = max(self._last, at)

    def findings(self) -> Iterator[tuple[Finding, str]]:
        """Each difference, with where it was seen."""
        for arrivals in self._arrivals.values():
            attempts: list[Arrival] = []
            last_success: float | None = None
            for arrival in sorted(arrivals, key=lambda a: a.at):
                if not attempts and last_success is not None:
                    yield self._resent(arrival.at - last_success), arrival.where
                attempts.append(arrival)
                if arrival.succeeded:
                    yield from self._delivery(attempts)
                    attempts, last_success = [], arrival.at
            if attempts:
                yield from self._delivery(attempts)

    def _resent(self, after: float) -> Finding:
        return Finding("resent", TIMELINE, "a delivery answered 2xx", f"sent again {human(self._sim(after))} after the "
                       "2xx", "never sent again (only the duplicate fault does it: --faults duplicate=...)",
                       f"{locate.in_source('mockserver.domain.fault_settings', 'duplicate')}: if SalesPlay does this "
                       "every time, the mock should too")

    def _sim(self, real: float) -> float:
        return real * self.scale

    def _delivery(self, attempts: list[Arrival]) -> Iterator[tuple[Finding, str]]:
        self.deliveries += 1
        self.retried += len(attempts) > 1
        plan = self.schedule
        waits = locate.in_source("mockserver.domain.schedule", "FIRST_DELAY =")
        limits = locate.in_source("mockserver.domain.config", "max_attempts: int =")
        for number in range(2, len(attempts) + 1):
            gap = self._sim(attempts[number - 1].at - attempts[number - 2].at)
            if number > plan.max_attempts:
                yield Finding("retry_count", TIMELINE, "attempts per delivery", f"{len(attempts)} or more",
                              f"at most {plan.max_attempts}", f"{limits}: max_attempts"), attempts[0].where
                break
            ours = plan.delays[number - 2]
            if abs(gap - ours) > tolerance(ours):
                subject = (f"wait before attempt {number}" if number <= SEPARATE_WAITS
                           else f"wait before attempts {SEPARATE_WAITS + 1} and later")
                yield Finding("retry_gap", TIMELINE, subject, human(gap), human(ours),
                              f"{waits}: FIRST_DELAY, FACTOR and the cap make our waits "
                              "(salesplay-mock schedule prints them)"), attempts[number - 1].where
        span = self._sim(attempts[-1].at - attempts[0].at)
        if span > plan.window + tolerance(plan.largest_gap):
            yield Finding("retry_count", TIMELINE, "retry window", f"an attempt {human(span)} after the first",
                          f"every attempt within {human(plan.window)}", f"{limits}: retry_window"), attempts[-1].where
        yield from self._stopped(attempts)

    def _stopped(self, attempts: list[Arrival]) -> Iterator[tuple[Finding, str]]:
        """A failing delivery with no further attempt although the recording went on past
        the moment ours would have made one."""
        made, plan = len(attempts), self.schedule
        if attempts[-1].succeeded or made >= plan.max_attempts:
            return
        ours = plan.offsets[made]
        if ours > plan.window or self._sim(self._last - attempts[0].at) <= ours + tolerance(plan.delays[made - 1]):
            return
        yield Finding("retry_count", TIMELINE, "attempts per delivery",
                      f"no attempt {made + 1} by the end of the recording, {human(self._sim(self._last - attempts[0].at))}"
                      f" after the first (the last was answered {attempts[-1].answered or 'nothing'})",
                      f"attempt {made + 1} at {human(ours)} after the first",
                      f"{locate.in_source('mockserver.domain.config', 'max_attempts: int =')}: max_attempts and "
                      "retry_window, or the waits in mockserver/domain/schedule.py"), attempts[-1].where
