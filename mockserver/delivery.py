"""The dispatcher: what is due, when, and how many at once; each attempt is ``attempts.py``.

Time comes only from the clock. On the scaled and real clocks a background loop sleeps
(through the clock) until the next attempt falls due; each pass reads the time once, and
the loop never waits while something is due and a slot is free. On the manual clock
nothing falls due by itself: whoever moves a merchant's time (``advance``) or creates
work (a trigger, a redelivery) makes every attempt of that merchant due at that instant
before returning, so tests see a settled world.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable

import aiohttp

from mockserver.attempts import Attempts
from mockserver.clock import Clock
from mockserver.config import Config
from mockserver.errors import ClockNotManual, Conflict, InvalidField
from mockserver.injector import FaultInjector
from mockserver.models import Delivery, Event, Webhook
from mockserver.store import Store
from mockserver.store.attempt_log import Started
from mockserver.store.deliveries import new_delivery
from mockserver.tasks import cancel_and_wait

log = logging.getLogger("salesplay_mock.delivery")

SamplePayload = Callable[[str, str], str]


# How far one advance may move a clock: far enough for any retry story, near enough that
# every time stays a date (a clock in year 10000 cannot be shown or stored).
MAX_AHEAD = 10 * 366 * 86400.0


def check_target(now: float, *, seconds: float | None, to: float | None) -> float:
    """Where an advance of ``seconds`` from ``now`` (or to ``to``) lands, if it is allowed."""
    if seconds is not None:
        if not 0 <= seconds <= MAX_AHEAD:
            raise InvalidField("'seconds' must be from 0 to 316224000 (ten years)", field="seconds")
        return now + seconds
    if to is None:
        raise InvalidField("send 'seconds' (a number) or 'to' (an ISO 8601 time)", field="seconds")
    if to < now:
        raise InvalidField("the manual clock only moves forward; 'to' is before this token's time", field="to")
    if to - now > MAX_AHEAD:
        raise InvalidField("'to' is more than ten years ahead of this token's time", field="to")
    return to


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
        self._wake = asyncio.Event()  # the loop: new work, or an attempt ended
        self._ended = asyncio.Event()  # everyone waiting for an attempt to end (replaced each time)
        self._inflight: dict[str, tuple[str, asyncio.Task[None]]] = {}  # delivery id -> (owner, task)
        self._busy: Counter[str] = Counter()  # attempts in flight per merchant
        self._loop_task: asyncio.Task[None] | None = None
        self._advancing: dict[str, asyncio.Lock] = {}
        self._stopping = False
        self._last_saved = 0.0
        self.faults = FaultInjector(store, config.faults)
        self.attempts = Attempts(config, clock, store, session, self.faults)

    # -- life cycle -------------------------------------------------------------------

    async def start(self) -> None:
        interrupted = self.store.attempt_log.recover_interrupted(self.attempts.headers)
        if interrupted:
            log.warning("%d attempt(s) were cut off by a stop; they are made again", interrupted)
        if self.clock.runs_itself:
            self._loop_task = asyncio.create_task(self._run(), name="salesplay-mock dispatcher")

    def quiesce(self) -> None:
        """Stop launching attempts (the server is stopping); those under way go on."""
        self._stopping = True
        if self._loop_task is not None:
            self._loop_task.cancel()

    async def stop(self, grace: float) -> None:
        """Stop: launch nothing more, give attempts under way ``grace`` real seconds to end
        and be recorded; only those cut off stay marked in flight, and the next start
        makes them again. Everything pending stays in the database."""
        self.quiesce()
        if self._loop_task is not None:
            await cancel_and_wait(self._loop_task)
        tasks = [task for _, task in self._inflight.values()]
        if tasks and grace > 0:
            await asyncio.wait(tasks, timeout=grace)
        for task in tasks:
            await cancel_and_wait(task)
        cut_off = sum(task.cancelled() for task in tasks)
        if cut_off:
            log.warning("%d attempt(s) still under way after %gs were cut off; the next start makes them again",
                        cut_off, grace)
        self.attempts.record()
        self._save_clock(force=True)
        self.store.commit()

    def wake(self) -> None:
        self._wake.set()

    # -- creating work ----------------------------------------------------------------

    def publish(
        self, owner: str, type_: str, payload: str, group_id: str | None = None, *, hooks: list[Webhook] | None = None
    ) -> tuple[Event, list[Delivery]]:
        """Record an event and a delivery for every webhook subscribed to its type (of
        ``hooks``, the merchant's webhooks, when the caller has them); the caller then
        ``kick()``s once for the whole batch."""
        now = self.clock.now(owner)
        event = self.store.events.add(owner, type_, payload, now, group_id)
        created = []
        for hook in self.store.webhooks.of_owner(owner) if hooks is None else hooks:
            if type_ not in hook.events:
                continue
            if hook.enabled:
                created.append(new_delivery(event, hook, kind="event", status="pending", next_at=now,
                                            deadline=now + self.config.retry_window))
            else:
                created.append(new_delivery(
                    event, hook, kind="event", status="skipped", next_at=None, deadline=now,
                    note=f"not sent: the webhook is disabled ({hook.disabled_reason})",
                ))
        self.store.deliveries.add(created)
        return event, created

    def _new_delivery(self, event: Event, hook: Webhook, *, kind: str, now: float) -> Delivery:
        return self.store.deliveries.create(
            event, hook, kind=kind, status="pending", next_at=now, deadline=now + self.config.retry_window
        )

    async def register(self, owner: str, url: str, events: tuple[str, ...]) -> tuple[Webhook, dict[str, object] | None]:
        """Create a webhook and send it SalesPlay's sample POST; strict mode refuses a failing URL."""
        now = self.clock.now(owner)
        hook = self.store.webhooks.create(owner, url, events, now)
        if self.config.verify == "off":
            return hook, None
        payload = self.sample_payload(owner, events[0])
        event = self.store.events.add(owner, events[0], payload, now, None)
        sample = self.store.deliveries.create(event, hook, kind="sample", status="pending", next_at=None, deadline=now)
        outcome = await self.attempts.make(self.attempts.begin([sample])[0], payload.encode(), final=True)
        self.store.commit()  # the answer reports the sample POST: it is on disk first
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
        new = self._new_delivery(event, hook, kind="redelivery", now=self.clock.now(owner))
        await self.kick(owner)
        return self.store.deliveries.get(owner, new.id)

    async def kick(self, owner: str) -> None:
        """New work exists: on the manual clock make what is due now, else wake the loop."""
        if self.clock.runs_itself:
            self.wake()
        else:
            await self.run_due(owner)

    # -- moving a merchant's manual clock ----------------------------------------------

    async def advance(self, owner: str, *, seconds: float | None = None, to: float | None = None) -> int:
        """Move ``owner``'s manual clock by ``seconds`` or to ``to``, making every attempt of
        theirs that falls due on the way, in order. Calls queue: each moves on from where
        the one before left the clock. Returns how many attempts were made."""
        if self.clock.runs_itself:
            raise ClockNotManual(self.clock.mode)
        async with self._advancing.setdefault(owner, asyncio.Lock()):
            now = self.clock.now(owner)
            target = check_target(now, seconds=seconds, to=to)
            made = await self.run_due(owner)
            while (nxt := self.store.deliveries.next_due_at(owner)) is not None and nxt <= target:
                self.clock.jump(owner, max(nxt, self.clock.now(owner)))
                made += await self.run_due(owner)
            self.clock.jump(owner, target)
            self.store.clocks.save(owner, target)
        self.store.notify()  # the page shows the new time
        return made

    async def run_due(self, owner: str) -> int:
        """Make every attempt of ``owner`` due at their time (bounded concurrency), refilling
        slots as attempts end, and return once none is due or under way, with every record
        committed."""
        made = 0
        while True:
            self.attempts.record()
            now = self.clock.now(owner)
            made += self._launch_due(now, owner)
            if not self._busy[owner]:
                nxt = self.store.deliveries.next_due_at(owner)
                if self._stopping or nxt is None or nxt > now:
                    self.store.commit()
                    return made
            await self._ended.wait()  # one of ours ends, or another's frees a slot

    # -- the scaled/real loop ---------------------------------------------------------

    async def _run(self) -> None:
        while True:
            self._wake.clear()  # what happens from here on wakes the wait below
            now = self.clock.now()  # one "now" for the whole pass
            self._launch_due(now)
            self._save_clock()
            next_at = self.store.deliveries.next_due_at()
            if next_at is not None and next_at <= now:
                # Still due at this same moment: every slot is taken (or being refilled in a
                # batch), so an attempt is under way and its end wakes us.
                if self._inflight:
                    await self._wake.wait()
                else:  # pragma: no cover - cannot happen; never sleep through due work
                    await asyncio.sleep(0)
                continue
            await self.clock.wait_until(next_at, self._wake)

    def _launch_due(self, now: float, owner: str | None = None) -> int:
        """Start attempts due by ``now`` in the free slots. Slots are refilled in batches (an
        eighth of them at a time) so a busy engine asks the database once per batch, not
        per attempt."""
        free = self.config.max_in_flight - len(self._inflight)
        if self._stopping or free <= 0 or (self._inflight and free < max(1, self.config.max_in_flight // 8)):
            return 0
        due = self.store.deliveries.due(now, free, owner)
        if not due:
            return 0
        launch = []
        for delivery, payload in due:
            if now > delivery.deadline:  # so late that the window closed: not made
                self.attempts.expire(delivery)
            else:
                launch.append((delivery, payload))
        # Marked before the tasks run: nothing is due twice, and a crash is known.
        for (delivery, payload), started in zip(launch, self.attempts.begin([d for d, _ in launch])):
            task = asyncio.create_task(self._attempt_and_release(started, payload))
            self._inflight[delivery.id] = (delivery.owner, task)
            self._busy[delivery.owner] += 1
        return len(launch)

    async def _attempt_and_release(self, started: Started, payload: bytes) -> None:
        try:
            await self.attempts.make(started, payload, final=False)
        finally:
            owner, _ = self._inflight.pop(started.delivery.id)
            self._busy[owner] -= 1
            if not self._busy[owner]:
                del self._busy[owner]
            self._wake.set()
            ended, self._ended = self._ended, asyncio.Event()
            ended.set()

    def _save_clock(self, *, force: bool = False) -> None:
        """Keep simulated time in the database so a restart resumes it, not the wall time."""
        real = time.monotonic()
        if self.clock.runs_itself and (force or real - self._last_saved >= 1.0):
            self._last_saved = real
            self.store.set_meta("sim_time", repr(self.clock.now()))
