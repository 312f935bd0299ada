"""The dispatcher: what is due, when, and how many at once; each attempt is ``attempts.py``.

Time comes only from the clock. On the scaled and real clocks a background loop sleeps
(through the clock) until the next attempt falls due. On the manual clock nothing falls
due by itself: whoever moves time (``advance``) or creates work (a trigger, a
redelivery) makes every attempt due at that instant before returning, so tests see a
settled world.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

import aiohttp

from mockserver.attempts import Attempts
from mockserver.clock import Clock, ManualClock
from mockserver.config import Config
from mockserver.errors import ApiError, Conflict, InvalidField
from mockserver.injector import FaultInjector
from mockserver.models import Delivery, Event, Webhook
from mockserver.store import Store
from mockserver.store.attempt_log import Started
from mockserver.tasks import cancel_and_wait

log = logging.getLogger("salesplay_mock.delivery")

SamplePayload = Callable[[str, str], str]


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
        self.faults = FaultInjector(store, config.faults)
        self.attempts = Attempts(config, clock, store, session, self.faults)

    @property
    def manual(self) -> bool:
        return isinstance(self.clock, ManualClock)

    # -- life cycle -------------------------------------------------------------------

    async def start(self) -> None:
        interrupted = self.store.attempt_log.recover_interrupted(self.attempts.headers)
        if interrupted:
            log.warning("%d attempt(s) were cut off by a stop; they are made again", interrupted)
        if not self.manual:
            self._loop_task = asyncio.create_task(self._run(), name="salesplay-mock dispatcher")

    async def stop(self) -> None:
        """Stop fast: attempts under way are cut off and stay recorded as in flight, so the
        next start makes them again; everything pending stays in the database."""
        self.attempts.record()
        tasks = list(self._inflight.values())
        if self._loop_task is not None:
            tasks.append(self._loop_task)
        for task in tasks:
            task.cancel()
        for task in tasks:
            await cancel_and_wait(task)
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
        event = self.store.events.add(owner, type_, payload, now, group_id)
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
        event = self.store.events.add(owner, events[0], payload, now, None)
        sample = self.store.deliveries.create(event, hook, kind="sample", status="pending", next_at=None, deadline=now)
        outcome = await self.attempts.make(self.attempts.begin([sample])[0], payload.encode(), final=True)
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
        event = self.store.events.get(owner, old.event_id)
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
            self.attempts.record()
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
        for (delivery, payload), started in zip(due, self.attempts.begin([d for d, _ in due])):
            task = asyncio.create_task(self._attempt_and_release(started, payload))
            self._inflight[delivery.id] = task
        return len(due)

    async def _attempt_and_release(self, started: Started, payload: bytes) -> None:
        try:
            await self.attempts.make(started, payload, final=False)
        finally:
            self._inflight.pop(started.delivery.id, None)
            self.wake()

    def _save_clock(self, *, force: bool = False) -> None:
        """Keep simulated time in the database so a restart resumes it, not the wall time."""
        real = time.monotonic()
        if force or real - self._last_saved >= 1.0:
            self._last_saved = real
            self.store.set_meta("sim_time", repr(self.clock.now()))
