"""The dispatcher: due deliveries -> POST -> record the attempt -> next time from the schedule.

Time comes only from the clock. On the scaled and real clocks a background loop sleeps
(through the clock) until the next attempt falls due. On the manual clock nothing falls
due by itself: whoever moves time (``advance``) or creates work (a trigger, a
redelivery) makes every attempt due at that instant before returning, so tests see a
settled world.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import aiohttp

from mockserver import schedule, sender
from mockserver.clock import Clock, ManualClock
from mockserver.config import Config
from mockserver.errors import ApiError, Conflict, InvalidField
from mockserver.injector import FaultInjector
from mockserver.models import Delivery, Event, Webhook
from mockserver.store import Store
from mockserver.store.deliveries import Finished, Outcome, Started

log = logging.getLogger("salesplay_mock.delivery")

SamplePayload = Callable[[str, str], str]
PRUNE_SLACK = 0.1  # the log may grow this fraction past --keep-deliveries before a trim


class Dispatcher:
    def __init__(
        self,
        config: Config,
        clock: Clock,
        store: Store,
        session: aiohttp.ClientSession,
        sample_payload: SamplePayload,
    ) -> None:
        self.config = config
        self.clock = clock
        self.store = store
        self.session = session
        self.sample_payload = sample_payload
        self._wake = asyncio.Event()
        self._inflight: dict[str, asyncio.Task[None]] = {}
        self._loop_task: asyncio.Task[None] | None = None
        self._advance_lock = asyncio.Lock()
        self._last_saved = 0.0
        self._kept = store.deliveries.count_finished()  # finished deliveries in the log
        self._finished: list[tuple[Delivery, Finished]] = []  # attempts ended, not yet recorded
        self.faults = FaultInjector(store, config.faults)

    @property
    def manual(self) -> bool:
        return isinstance(self.clock, ManualClock)

    # -- life cycle -------------------------------------------------------------------

    async def start(self) -> None:
        interrupted = self.store.deliveries.recover_interrupted(self._headers)
        if interrupted:
            log.warning("%d attempt(s) were cut off by a stop; they are made again", interrupted)
        if not self.manual:
            self._loop_task = asyncio.create_task(self._run(), name="salesplay-mock dispatcher")

    async def stop(self) -> None:
        """Stop fast: attempts under way are cut off and stay recorded as in flight, so the
        next start makes them again; everything pending stays in the database."""
        self._record_finished()
        tasks = list(self._inflight.values())
        if self._loop_task is not None:
            tasks.append(self._loop_task)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._save_clock(force=True)
        self.store.commit()

    def wake(self) -> None:
        self._wake.set()

    # -- creating work ----------------------------------------------------------------

    def publish(
        self, owner: str, type_: str, payload: str, group_id: str | None = None
    ) -> tuple[Event, list[Delivery]]:
        """Record an event and a delivery for every webhook subscribed to its type; the
        caller then ``kick()``s once for the whole batch."""
        now = self.clock.now()
        event = self.store.deliveries.add_event(owner, type_, payload, now, group_id)
        created = []
        for hook in self.store.webhooks.subscribed(owner, type_):
            if hook.enabled:
                created.append(self._new_delivery(event, hook, kind="event", now=now))
            else:
                created.append(self.store.deliveries.create(
                    event, hook, kind="event", status="skipped", next_at=None, deadline=now,
                    note=f"not sent: the webhook is disabled ({hook.disabled_reason})",
                ))
        return event, created

    def _new_delivery(self, event: Event, hook: Webhook, *, kind: str, now: float) -> Delivery:
        return self.store.deliveries.create(
            event, hook, kind=kind, status="pending", next_at=now, deadline=now + self.config.retry_window
        )

    async def register(self, owner: str, url: str, events: tuple[str, ...]) -> tuple[Webhook, dict[str, object] | None]:
        """Create a webhook and send it SalesPlay's sample POST; strict mode refuses a failing URL."""
        now = self.clock.now()
        hook = self.store.webhooks.create(owner, url, events, now)
        if self.config.verify == "off":
            return hook, None
        payload = self.sample_payload(owner, events[0])
        event = self.store.deliveries.add_event(owner, events[0], payload, now, None)
        sample = self.store.deliveries.create(event, hook, kind="sample", status="pending", next_at=None, deadline=now)
        outcome = await self._attempt(self._begin([sample])[0], payload.encode(), final=True)
        verification = {
            "delivery_id": sample.id,
            "ok": outcome.state == "succeeded",
            "status": outcome.response_status,
            "error": outcome.error_message,
        }
        if outcome.state != "succeeded" and self.config.verify == "strict":
            self.store.webhooks.delete(owner, hook.id, now)
            raise InvalidField(
                f"the sample POST to the URL failed ({outcome.error_message or outcome.response_status}); "
                "SalesPlay needs a URL that answers 2xx. Fix the receiver or run without --verify strict",
                field="url",
                code="url_check_failed",
            )
        return hook, verification

    async def redeliver(self, owner: str, delivery_id: str) -> Delivery:
        old = self.store.deliveries.get(owner, delivery_id)
        hook = self.store.webhooks.get_any(old.webhook_id)
        if hook is None:
            raise Conflict("the webhook of this delivery was deleted", field="webhook_id")
        if not hook.enabled:
            raise Conflict(
                "the webhook is disabled; re-enable it with PUT /v1.0/webhook/{id} "
                '{"status": "enabled"} first',
                field="webhook_id",
            )
        event = self.store.deliveries.event(owner, old.event_id)
        new = self._new_delivery(event, hook, kind="redelivery", now=self.clock.now())
        await self.kick()
        return self.store.deliveries.get(owner, new.id)

    async def kick(self) -> None:
        """New work exists: on the manual clock make what is due now, else wake the loop."""
        if self.manual:
            await self.run_due()
        else:
            self.wake()

    # -- moving the manual clock ------------------------------------------------------

    async def advance(self, to: float) -> int:
        """Move the manual clock to ``to``, making every attempt that falls due on the way,
        in order. Returns how many attempts were made."""
        clock = self.clock
        if not isinstance(clock, ManualClock):
            raise ApiError(
                f"the clock is {clock.mode}; only a manual clock (--clock manual) can be moved",
                field="clock",
                code="clock_not_manual",
            )
        if to < clock.now():
            raise InvalidField("the manual clock only moves forward", field="to")
        async with self._advance_lock:
            made = await self.run_due()
            while (nxt := self.store.deliveries.next_due_at()) is not None and nxt <= to:
                clock.set(max(nxt, clock.now()))
                made += await self.run_due()
            clock.set(to)
            self._save_clock(force=True)
        self.store.notify()  # the page shows the new time
        return made

    async def run_due(self) -> int:
        """Make every attempt due now (bounded concurrency), refilling slots as attempts
        finish, and return once none is due or under way, with every record committed."""
        made = 0
        while True:
            self._record_finished()
            made += self._launch_due()
            if not self._inflight:
                self.store.commit()
                return made
            # Every finishing attempt sets the wake-up (nothing ran since the launch above).
            self._wake.clear()
            await self._wake.wait()

    # -- the scaled/real loop ---------------------------------------------------------

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            self._launch_due()
            self._save_clock()
            next_at = self.store.deliveries.next_due_at()
            if next_at is not None and next_at <= self.clock.now():
                await self._wake.wait()  # due, but no free slot: a finishing attempt wakes us
            else:
                await self.clock.wait_until(next_at, self._wake)

    def _launch_due(self) -> int:
        """Start due attempts in the free slots. Slots are refilled in batches (an eighth of
        them at a time) so a busy engine asks the database once per batch, not per attempt."""
        free = self.config.max_in_flight - len(self._inflight)
        if free <= 0 or (self._inflight and free < max(1, self.config.max_in_flight // 8)):
            return 0
        due = self.store.deliveries.due(self.clock.now(), free)
        if not due:
            return 0
        # Marked before the tasks run: nothing is due twice, and a crash is known.
        for (delivery, payload), started in zip(due, self._begin([d for d, _ in due])):
            task = asyncio.create_task(self._attempt_and_release(started, payload))
            self._inflight[delivery.id] = task
        return len(due)

    async def _attempt_and_release(self, started: Started, payload: bytes) -> None:
        try:
            await self._attempt(started, payload, final=False)
        finally:
            self._inflight.pop(started.delivery.id, None)
            self.wake()

    # -- one attempt --------------------------------------------------------------------

    def _headers(self, delivery: Delivery) -> dict[str, str]:
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

    def _begin(self, deliveries: list[Delivery]) -> list[Started]:
        """Mark the attempts about to be made; a crash after this is known on restart."""
        now, real = self.clock.now(), time.time()
        started = [Started(d, now, real, self._headers(d)) for d in deliveries]
        self.store.deliveries.start_attempts(started)
        return started

    async def _attempt(self, started: Started, payload: bytes, *, final: bool) -> Outcome:
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
        now = self.clock.now()
        if outcome.state == "succeeded":
            status, next_at = "succeeded", None
        else:
            next_at = None if final else schedule.next_attempt_at(
                attempts_made=number,
                finished_at=now,
                deadline=delivery.deadline,
                max_attempts=self.config.max_attempts,
                window=self.config.retry_window,
                jitter_key=delivery.id if self.config.retry_jitter else None,
            )
            status = "pending" if next_at is not None else "failed"
        if next_at is not None:
            next_at = self.faults.retry_time(delivery.webhook_id, next_at)  # retries wait out an outage too
        self._finished.append((delivery, Finished(started, outcome, status, next_at)))
        if final:
            self._record_finished()
        elif len(self._finished) == 1:
            # Attempts that end in the same turn of the event loop are recorded together,
            # before anything else runs (call_soon keeps that order).
            asyncio.get_running_loop().call_soon(self._record_finished)
        return outcome

    def _record_finished(self) -> None:
        batch, self._finished = self._finished, []
        if not batch:
            return
        now = self.clock.now()
        self.store.deliveries.finish_attempts([f for _, f in batch], now)
        for delivery, f in batch:
            if f.status == "pending":
                continue
            self._kept += 1
            if self._kept > self.config.keep_deliveries * (1 + PRUNE_SLACK):
                self.store.deliveries.prune(self.config.keep_deliveries)
                self._kept = self.store.deliveries.count_finished()
            if f.status == "failed" and delivery.kind != "sample":
                self.store.webhooks.disable(
                    delivery.webhook_id,
                    f"delivery {delivery.id} failed {f.number} attempt(s) within the retry window",
                    now,
                )

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

    def _save_clock(self, *, force: bool = False) -> None:
        """Keep simulated time in the database so a restart resumes it, not the wall time."""
        real = time.monotonic()
        if force or real - self._last_saved >= 1.0:
            self._last_saved = real
            self.store.set_meta("sim_time", repr(self.clock.now()))
