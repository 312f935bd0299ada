"""One attempt: POST, decide what follows from the schedule, and record what it came to.

``Attempts`` is the one owner of the engine's bookkeeping. An attempt is recorded the moment
it ends, before ``make`` returns, so whoever awaits it (the scheduler freeing the slot, a
registration waiting for its sample POST) finds the database as it now is. The one write
held back is the in-flight mark: an attempt is marked on its delivery (so a crash during it
is known on restart) only once it has been under way for MARK_AFTER; most end sooner, and
their record is then the only write they cost. SalesPlay's rule marks every attempt under
way at once before it cancels (``rule.stop_deliveries``), so it can leave them to end."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace

import aiohttp

from mockserver.domain.clock import Clock
from mockserver.domain.config import Config
from mockserver.domain.models import AttemptEnd, AttemptStart, Delivery, Outcome, ms
from mockserver.domain.notices import Notices
from mockserver.engine import http_post, rule
from mockserver.engine.fault_injector import FaultInjector
from mockserver.store import Store

log = logging.getLogger("salesplay_mock.delivery")

PRUNE_SLACK = 0.1  # the log may grow this fraction past --keep-deliveries before a trim
MARK_AFTER = 0.01  # real seconds an attempt is under way before it is marked on its delivery

# Every delivery's own headers (salesplay-mock compare reads them to tell SalesPlay's apart).
DELIVERY_HEADERS = {"Content-Type": "application/json", "User-Agent": "SalesPlay-Webhooks (salesplay-mock)"}


class Attempts:
    def __init__(
        self, config: Config, clock: Clock, store: Store, session: aiohttp.ClientSession, faults: FaultInjector,
        notices: Notices,
    ) -> None:
        self.config = config
        self.notices = notices
        self.clock = clock
        self.store = store
        self.session = session
        self.faults = faults
        self._kept = store.deliveries.count_finished()  # finished deliveries in the log
        self._unmarked: list[AttemptStart] = []  # attempts begun, not marked on their deliveries yet
        self._mark_timer: asyncio.TimerHandle | None = None
        self._waiters: dict[str, asyncio.Future[Outcome]] = {}  # delivery id -> its next attempt's outcome

    def headers(self, delivery: Delivery) -> dict[str, str]:
        headers = dict(DELIVERY_HEADERS)
        if self.config.mock_headers:
            headers.update({
                "X-Mock-Event-Id": delivery.event_id,
                "X-Mock-Delivery-Id": delivery.id,
                "X-Mock-Attempt": str(delivery.attempts + 1),
            })
            if delivery.kind != "event":
                headers["X-Mock-Kind"] = delivery.kind  # sample, redelivery, duplicate
        return headers

    def outcome_of(self, delivery_id: str) -> asyncio.Future[Outcome]:
        """What the next attempt of a delivery comes to, once it is recorded (the sample POST
        a registration reports)."""
        return self._waiters.setdefault(delivery_id, asyncio.get_running_loop().create_future())

    # -- an attempt, from its start to its record ---------------------------------------

    def begin(self, deliveries: list[Delivery]) -> list[AttemptStart]:
        """The attempts about to be made. Those still under way MARK_AFTER from now are
        marked on their deliveries then."""
        real = time.time()
        starts = []
        for d in deliveries:
            now = self.clock.now(d.owner)
            anchor = d.anchor_at if d.anchor_at is not None else (now if d.next_at is None else d.next_at)
            starts.append(AttemptStart(d, now, real, self.headers(d), anchor))
        self._unmarked += starts
        if self._mark_timer is None:
            self._mark_timer = asyncio.get_running_loop().call_later(MARK_AFTER, self.mark)
        for owner in {d.owner for d in deliveries}:
            self.notices.changed(owner)
        return starts

    def mark(self) -> None:
        """Mark the attempts still under way on their deliveries."""
        if self._mark_timer is not None:
            self._mark_timer.cancel()
            self._mark_timer = None
        waiting, self._unmarked = [s for s in self._unmarked if not s.ended], []
        if waiting:
            self.store.deliveries.mark_in_flight(waiting)

    @property
    def unmarked(self) -> int:
        """Attempts under way not marked yet: their deliveries still look due in the database."""
        return sum(1 for s in self._unmarked if not s.ended)

    async def make(self, start: AttemptStart, payload: bytes) -> Outcome:
        """POST once, then record the attempt and what follows for its delivery."""
        # Recorded as they go on the wire, what aiohttp would add by itself included. Where
        # it may go is judged by the session's connector, on the address connected to.
        start.headers = http_post.as_sent(start.delivery.url, start.headers, payload)
        outcome = await http_post.post(self.session, start.delivery.url, payload, start.headers,
                                       timeout=self.config.delivery_timeout, body_limit=self.config.response_body_limit)
        start.ended = True
        self._record(self._follows(start, outcome))
        return outcome

    def _follows(self, start: AttemptStart, outcome: Outcome) -> AttemptEnd:
        """What the delivery is after this attempt: succeeded, due again on the schedule, or
        failed for good (no attempt left in the window; a sample POST is made once)."""
        delivery = start.delivery
        if outcome.state == "succeeded":
            return AttemptEnd(start, outcome, "succeeded", None)
        # Anchored on the delivery's start, not on when this attempt ended: lateness never
        # accumulates, and a retry whose moment has passed is due at once.
        next_at = None if delivery.kind == "sample" else self.config.schedule.due_at(
            start=start.anchor, number=delivery.attempts + 2, deadline=delivery.deadline, key=delivery.id)
        if next_at is None:
            return AttemptEnd(start, outcome, "failed", None)
        # Retries wait out an outage too; due to the millisecond shown.
        return AttemptEnd(start, outcome, "pending", ms(self.faults.retry_time(delivery.webhook_id, next_at)))

    def _record(self, end: AttemptEnd) -> None:
        """Write down an attempt and what follows: what waited behind its delivery goes out,
        the log is trimmed, and SalesPlay's rule for a delivery that failed for good. What
        the delivery now is comes from ``Deliveries.finish``, which reads its webhook: one
        disabled or deleted meanwhile cancels a delivery that would be due again, and one
        a reset forgot (None) stays forgotten."""
        delivery = end.started.delivery
        with self.store.tx(durable=False):
            status = self.store.deliveries.finish(end)
            self.store.attempt_log.add([end])
            if status not in ("pending", None):
                self.store.deliveries.release_held([delivery.id], self.clock.now(delivery.owner))
        waiter = self._waiters.pop(delivery.id, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(end.outcome)
        self.notices.changed(delivery.owner)
        if status in ("pending", None):
            return
        self._finished_one()
        if status == "failed" and delivery.kind != "sample":
            rule.failed_for_good(self, delivery, end.number, self.clock.now(delivery.owner))

    # -- deliveries that end without an attempt, and after a stop -------------------------

    def expire(self, delivery: Delivery) -> bool:
        """An attempt came due so late (an injected delay or outage put it past the deadline,
        or a manual clock moved past it) that making it would break "within 48 hours": the
        delivery has failed for good. One cancelled meanwhile is left as it is. Whether its
        webhook was disabled by it (and what else it had pending cancelled)."""
        reason = (f"the retry window ended before attempt {delivery.attempts + 1} could be made (an injected delay "
                  "or outage, or a clock moved on, put it past the window)")
        if not self.store.deliveries.fail(delivery.id, reason):
            return False
        self.store.deliveries.release_held([delivery.id], self.clock.now(delivery.owner))
        self.notices.changed(delivery.owner)
        self._finished_one()
        if delivery.kind == "sample":
            return False
        rule.failed_for_good(self, delivery, delivery.attempts, self.clock.now(delivery.owner))
        return True

    def recover(self) -> int:
        """After a stop: attempts cut off mid-flight are recorded as failed (``interrupted``)
        and made again at once (but on a webhook disabled or deleted meanwhile: cancelled);
        sample POSTs that never went out have failed."""
        cut_off = self.store.deliveries.in_flight()
        with self.store.tx():
            for delivery, real in cut_off:
                again = "it is made again" if delivery.kind != "sample" else "a sample POST is not made again"
                # How long it ran is unknown: the server stopped (or was killed) during it.
                lost = Outcome("failed", None, error_kind="interrupted",
                               error_message=f"the server stopped during this attempt; {again}")
                before = replace(delivery, attempts=delivery.attempts - 1, next_at=delivery.inflight_at)
                start = AttemptStart(before, delivery.inflight_at or 0.0, real, self.headers(before),
                                     delivery.anchor_at or 0.0)
                self.store.attempt_log.add([AttemptEnd(start, lost, "pending", None)], durable=True)
                if self.store.deliveries.recover_interrupted(delivery) != "pending":
                    self.store.deliveries.release_held([delivery.id], self.clock.now(delivery.owner))
            self.store.deliveries.fail_unsent_samples()
        if cut_off:
            log.warning("%d attempt(s) were under way when the server last stopped or was killed; recorded as "
                        "interrupted, and made again (but for sample POSTs)", len(cut_off))
        return len(cut_off)

    # -- keeping the log bounded ------------------------------------------------------------

    def _finished_one(self) -> None:
        """A delivery is done: past ``keep_deliveries`` (with some slack, so the trim runs
        in bulk), the log is trimmed."""
        self._kept += 1
        if self._kept > self.config.keep_deliveries * (1 + PRUNE_SLACK):
            self.trim(self.config.keep_deliveries)

    def trim(self, keep: int) -> int:
        """Forget the oldest finished deliveries beyond ``keep``, with their attempts and
        the events no delivery refers to any more: the log stays bounded."""
        with self.store.tx():
            old = self.store.deliveries.oldest_finished(keep)
            self.store.attempt_log.delete_for(old)
            self.store.deliveries.delete(old)
            if old:
                self.store.events.delete_orphans(keep)
        self._kept = self.store.deliveries.count_finished()
        return len(old)
