"""One attempt, many at once: mark it, POST, decide what follows from the schedule, and
record what it came to, together with the others that ended in the same turn of the loop."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import replace

import aiohttp

from mockserver.clock import Clock
from mockserver.config import Config
from mockserver.engine import http_post
from mockserver.engine.fault_injector import FaultInjector
from mockserver.models import AttemptEnd, AttemptStart, Delivery, Outcome, ms
from mockserver.store import Store

log = logging.getLogger("salesplay_mock.delivery")

PRUNE_SLACK = 0.1  # the log may grow this fraction past --keep-deliveries before a trim
MARK_AFTER = 0.01  # real seconds an attempt is under way before it is marked on its delivery

Notify = Callable[[str], None]


class Attempts:
    def __init__(
        self, config: Config, clock: Clock, store: Store, session: aiohttp.ClientSession, faults: FaultInjector,
        notify: Notify = lambda owner: None,
    ) -> None:
        self.config = config
        self.notify = notify  # a merchant's deliveries changed (the live page)
        self.clock = clock
        self.store = store
        self.session = session
        self.faults = faults
        self._kept = store.deliveries.count_finished()  # finished deliveries in the log
        self._ended: list[AttemptEnd] = []  # attempts ended, not yet recorded
        self._unmarked: list[AttemptStart] = []  # attempts begun, not marked on their deliveries yet
        self._mark_timer: asyncio.TimerHandle | None = None

    def headers(self, delivery: Delivery) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "User-Agent": "SalesPlay-Webhooks (salesplay-mock)"}
        if self.config.mock_headers:
            headers.update({
                "X-Mock-Event-Id": delivery.event_id,
                "X-Mock-Delivery-Id": delivery.id,
                "X-Mock-Attempt": str(delivery.attempts + 1),
            })
            if delivery.kind != "event":
                headers["X-Mock-Kind"] = delivery.kind  # sample, redelivery, duplicate
        return headers

    def begin(self, deliveries: list[Delivery]) -> list[AttemptStart]:
        """The attempts about to be made. They are marked on their deliveries (so a crash
        during one is known on restart) once they have been under way for MARK_AFTER: most
        attempts end sooner, and their record is then the only write they cost."""
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
            self.notify(owner)
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

    async def make(self, start: AttemptStart, payload: bytes, *, final: bool) -> Outcome:
        """POST once and decide what follows; ``final`` (the sample POST) has no retry."""
        delivery = start.delivery
        number = delivery.attempts + 1
        # Where it may go is judged by the session's connector, on the address connected to.
        outcome = await http_post.post(self.session, delivery.url, payload, start.headers,
                                       timeout=self.config.delivery_timeout, body_limit=self.config.response_body_limit)
        if outcome.state == "succeeded":
            status, next_at = "succeeded", None
        else:
            # Anchored on the delivery's start, not on when this attempt ended: lateness
            # never accumulates, and a retry whose moment has passed is due at once.
            next_at = None if final else self.config.schedule.due_at(
                start=start.anchor, number=number + 1, deadline=delivery.deadline, key=delivery.id
            )
            status = "pending" if next_at is not None else "failed"
        if next_at is not None:  # retries wait out an outage too; due to the millisecond shown
            next_at = ms(self.faults.retry_time(delivery.webhook_id, next_at))
        start.ended = True
        self._ended.append(AttemptEnd(start, outcome, status, next_at))
        if final:
            self.record()
        elif len(self._ended) == 1:
            # Attempts that end in the same turn of the event loop are recorded together,
            # before anything else runs (call_soon keeps that order).
            asyncio.get_running_loop().call_soon(self.record)
        return outcome

    def record(self) -> None:
        """Write down the attempts that ended, and what follows: what waited behind them
        goes out, the log is trimmed, and SalesPlay's rule for a delivery that failed for good."""
        batch, self._ended = self._ended, []
        if not batch:
            return
        with self.store.tx(durable=False):
            self.store.attempt_log.add(batch)
            self.store.deliveries.finish(batch)
            done: dict[str, list[str]] = {}
            for end in batch:
                if end.status != "pending":
                    done.setdefault(end.started.delivery.owner, []).append(end.delivery_id)
            for owner, ids in done.items():
                self.store.deliveries.release_held(ids, self.clock.now(owner))
        for owner in {end.started.delivery.owner for end in batch}:
            self.notify(owner)
        for end in batch:
            if end.status == "pending":
                continue
            delivery = end.started.delivery
            self._finished_one()
            if end.status == "failed" and delivery.kind != "sample":
                self._disable(delivery, f"delivery {delivery.id} failed {end.number} attempt(s) within the retry window")

    def expire(self, delivery: Delivery) -> None:
        """An attempt came due so late (the engine was held up, or an injected delay or
        outage put it past the deadline) that making it would break "within 48 hours": the
        delivery has failed for good. One cancelled meanwhile (its webhook was disabled by
        another's failure) is left as it is."""
        reason = (f"the retry window ended before attempt {delivery.attempts + 1} could be made (slow answers "
                  "at this time scale, an injected delay or outage, or a clock moved on put it past the window)")
        if not self.store.deliveries.fail(delivery.id, reason):
            return
        self.notify(delivery.owner)
        self._finished_one()
        self._disable(delivery, f"delivery {delivery.id} failed {delivery.attempts} attempt(s) within the retry window")

    def recover(self) -> int:
        """After a stop: attempts cut off mid-flight are recorded as failed (``interrupted``)
        and made again at once; sample POSTs that never went out have failed."""
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
                self.store.deliveries.interrupted(delivery)
            self.store.deliveries.fail_unsent_samples()
        if cut_off:
            log.warning("%d attempt(s) were under way when the server last stopped or was killed; recorded as "
                        "interrupted, and made again (but for sample POSTs)", len(cut_off))
        return len(cut_off)

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

    def _disable(self, delivery: Delivery, reason: str) -> None:
        """SalesPlay's rule: the webhook of a delivery that failed for good is disabled,
        and its other pending deliveries are cancelled."""
        now = self.clock.now(delivery.owner)
        with self.store.tx():
            self.store.webhooks.disable(delivery.webhook_id, reason, now)
            self.store.deliveries.cancel_pending(delivery.webhook_id, "the webhook was disabled", now)
