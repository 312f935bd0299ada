"""One attempt, many at once: mark it, POST, decide what follows from the schedule, and
record what it came to, together with the others that ended in the same turn of the loop."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit

import aiohttp

from mockserver import sender
from mockserver.clock import Clock
from mockserver.config import Config
from mockserver.injector import FaultInjector
from mockserver.models import Delivery
from mockserver.store import Store
from mockserver.store.attempt_log import Finished, Outcome, Started

PRUNE_SLACK = 0.1  # the log may grow this fraction past --keep-deliveries before a trim


class Attempts:
    def __init__(
        self, config: Config, clock: Clock, store: Store, session: aiohttp.ClientSession, faults: FaultInjector
    ) -> None:
        self.config = config
        self.clock = clock
        self.store = store
        self.session = session
        self.faults = faults
        self._kept = store.deliveries.count_finished()  # finished deliveries in the log
        self._finished: list[Finished] = []  # attempts ended, not yet recorded

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

    def begin(self, deliveries: list[Delivery]) -> list[Started]:
        """Mark the attempts about to be made; a crash after this is known on restart."""
        real = time.time()
        started = []
        for d in deliveries:
            now = self.clock.now(d.owner)
            anchor = d.anchor_at if d.anchor_at is not None else (now if d.next_at is None else d.next_at)
            started.append(Started(d, now, real, self.headers(d), anchor))
        self.store.attempt_log.start(started)
        return started

    async def make(self, started: Started, payload: bytes, *, final: bool) -> Outcome:
        """POST once and decide what follows; ``final`` (the sample POST) has no retry."""
        delivery = started.delivery
        number = delivery.attempts + 1
        outcome = self._refused(delivery.url) or await sender.post(
            self.session,
            delivery.url,
            payload,
            started.headers,
            timeout=self.config.delivery_timeout,
            body_limit=self.config.response_body_limit,
        )
        if outcome.state == "succeeded":
            status, next_at = "succeeded", None
        else:
            # Anchored on the delivery's start, not on when this attempt ended: lateness
            # never accumulates, and a retry whose moment has passed is due at once.
            next_at = None if final else self.config.schedule.due_at(
                start=started.anchor, number=number + 1, deadline=delivery.deadline, key=delivery.id
            )
            status = "pending" if next_at is not None else "failed"
        if next_at is not None:
            next_at = self.faults.retry_time(delivery.webhook_id, next_at)  # retries wait out an outage too
        self._finished.append(Finished(started, outcome, status, next_at))
        if final:
            self.record()
        elif len(self._finished) == 1:
            # Attempts that end in the same turn of the event loop are recorded together,
            # before anything else runs (call_soon keeps that order).
            asyncio.get_running_loop().call_soon(self.record)
        return outcome

    def record(self) -> None:
        """Write down the attempts that ended, and what follows: a trim of the log, and
        SalesPlay's rule for a delivery that failed for good."""
        batch, self._finished = self._finished, []
        if not batch:
            return
        self.store.attempt_log.finish(batch, {f.started.delivery.owner: self.clock.now(f.started.delivery.owner)
                                              for f in batch})
        for f in batch:
            if f.status == "pending":
                continue
            delivery = f.started.delivery
            self._kept += 1
            if self._kept > self.config.keep_deliveries * (1 + PRUNE_SLACK):
                self.store.deliveries.prune(self.config.keep_deliveries)
                self._kept = self.store.deliveries.count_finished()
            if f.status == "failed" and delivery.kind != "sample":
                self._disable(delivery, f"delivery {delivery.id} failed {f.number} attempt(s) within the retry window")

    def expire(self, delivery: Delivery) -> None:
        """A retry came due so late (the engine was held up past the delivery's deadline)
        that making it would break "within 48 hours": the delivery has failed for good."""
        reason = (f"the retry window ended before attempt {delivery.attempts + 1} could be made "
                  "(slow answers at this time scale used it up)")
        self.store.deliveries.fail(delivery.id, reason)
        self._kept += 1
        self._disable(delivery, f"delivery {delivery.id} failed {delivery.attempts} attempt(s) within the retry window")

    def _disable(self, delivery: Delivery, reason: str) -> None:
        """SalesPlay's rule: the webhook of a delivery that failed for good is disabled."""
        self.store.webhooks.disable(delivery.webhook_id, reason, self.clock.now(delivery.owner))

    def _refused(self, url: str) -> Outcome | None:
        """--deliver-only-to: a POST to any other host is not made, and says why."""
        allowed = self.config.deliver_only_to
        if not allowed:
            return None
        host = (urlsplit(url).hostname or "").lower()
        if host in allowed:
            return None
        return Outcome("failed", 0.0, error_kind="host_not_allowed",
                       error_message=f"{host} is not in --deliver-only-to ({', '.join(allowed)})")
