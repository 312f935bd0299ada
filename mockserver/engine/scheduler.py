"""The scheduler: what is due, when, and how many at once; each attempt is ``attempt.py``.

Time comes only from the clock. When the clock runs by itself (scaled, real) a background
loop sleeps, through the clock, until the next attempt falls due; each pass reads the time
once, and the loop never waits while something is due and a slot is free. After each pass
it tells the clock the oldest work it owes (due and not started): a scaled clock goes no
further than a little past it, so a busy machine slows simulated time instead of making
attempts late or losing them. On the manual clock nothing falls due by itself: whoever
moves a merchant's time or creates work makes every attempt of that merchant due at that
instant before returning, so tests see a settled world.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter

from mockserver.domain.clock import Clock
from mockserver.domain.models import AttemptStart
from mockserver.engine.attempt import Attempts
from mockserver.engine.tasks import cancel_and_wait
from mockserver.store import Store

log = logging.getLogger("salesplay_mock.delivery")


class Scheduler:
    def __init__(self, clock: Clock, store: Store, attempts: Attempts, *, max_in_flight: int,
                 one_at_a_time: bool = False) -> None:
        self.clock = clock
        self.store = store
        self.attempts = attempts
        self.max_in_flight = max_in_flight
        self.one_at_a_time = one_at_a_time  # at most one attempt under way per webhook
        self._batch = max(1, max_in_flight // 8)  # slots refilled at a time
        self._wake = asyncio.Event()  # the loop: new work, or an attempt ended
        self._ended = asyncio.Event()  # everyone waiting for an attempt to end (replaced each time)
        self._inflight: dict[str, tuple[str, asyncio.Task[None]]] = {}  # delivery id -> (owner, task)
        self._busy: Counter[str] = Counter()  # attempts in flight per merchant
        self._hooks_busy: set[str] = set()  # webhooks with an attempt in flight (one at a time only)
        self._loop_task: asyncio.Task[None] | None = None
        self._released = asyncio.Event()  # the loop makes nothing before this is set
        self._owed: float | None = None  # the oldest work due and not started, as the clock was told
        self._stopping = False

    @property
    def in_flight(self) -> int:
        return len(self._inflight)

    # -- life cycle -------------------------------------------------------------------

    def start(self, *, hold: bool = False) -> None:
        """Record what a stop cut off, and start the loop; ``hold``: it waits for ``release``."""
        self.attempts.recover()
        if not hold:
            self.release()
        if self.clock.runs_itself:
            self._loop_task = asyncio.create_task(self._run(), name="salesplay-mock scheduler")

    def release(self) -> None:
        self._released.set()

    @property
    def held(self) -> bool:
        """Started with ``hold`` and not released yet: nothing is made."""
        return not self._released.is_set()

    def quiesce(self) -> None:
        """Stop launching attempts (the server is stopping); those under way go on."""
        self._stopping = True
        if self._loop_task is not None:
            self._loop_task.cancel()

    async def stop(self, grace: float) -> None:
        """Launch nothing more, give attempts under way ``grace`` real seconds to end and be
        recorded; only those cut off stay marked in flight, and the next start makes them
        again. Everything pending stays in the database."""
        self.quiesce()
        if self._loop_task is not None:
            await cancel_and_wait(self._loop_task)
        tasks = [task for _, task in self._inflight.values()]
        if tasks:
            log.info("stopping: %d attempt(s) under way get up to %gs to finish", len(tasks), grace)
        if tasks and grace > 0:
            await asyncio.wait(tasks, timeout=grace)
        self.attempts.mark()  # what the grace cuts off is known as such at the next start
        for task in tasks:
            await cancel_and_wait(task)
        cut_off = sum(task.cancelled() for task in tasks)
        if cut_off:
            log.warning("%d attempt(s) still under way after %gs were cut off; the next start makes them again",
                        cut_off, grace)
        self.store.commit()

    # -- new work, and moving a merchant's manual clock ----------------------------------

    async def kick(self, owner: str) -> None:
        """New work exists, due now at the latest: on the manual clock make what is due now;
        else the clock waits for it too, and the loop wakes."""
        if self.clock.runs_itself:
            self._owe(self.clock.now())
            self._wake.set()
        else:
            await self.run_due(owner)

    async def advance_to(self, owner: str, target: float) -> int:
        """Move ``owner``'s manual clock to ``target``, making every attempt of theirs that
        falls due on the way, in order; how many were made. A stop cuts it short where it
        is: the clock is not moved past attempts it did not make."""
        made = await self.run_due(owner)
        while (nxt := self.store.deliveries.next_due_at(owner)) is not None and nxt <= target:
            if self._stopping:  # run_due makes nothing more: this loop would spin for ever
                return made
            self.clock.jump(owner, max(nxt, self.clock.now(owner)))
            if self.clock.now(owner) < nxt:  # finer than the clock's milliseconds: the next one
                self.clock.jump(owner, min(nxt + 0.001, target))
            made += await self.run_due(owner)
        if not self._stopping:
            self.clock.jump(owner, target)
        return made

    async def run_due(self, owner: str) -> int:
        """Make every attempt of ``owner`` due at their time (bounded concurrency), refilling
        slots as attempts end, and return once none is due or under way, with every record
        committed."""
        made = 0
        while True:
            now = self.clock.now(owner)
            made += self._launch_due(now, owner)
            if not self._busy[owner]:
                nxt = self.store.deliveries.next_due_at(owner)
                if self._stopping or nxt is None or nxt > now:
                    self.store.commit()
                    return made
                if not self._inflight:
                    # Due with every slot free: let go during this round (held behind a
                    # delivery that expired), it is made in the next.
                    continue
            await self._ended.wait()  # one of ours ends, or another's frees a slot

    # -- the loop of a clock that runs by itself -----------------------------------------

    async def _run(self) -> None:
        await self._released.wait()
        while True:
            self._wake.clear()  # what happens from here on wakes the wait below
            now = self.clock.now()  # one "now" for the whole pass
            self._launch_due(now)
            owed = self._soonest_waiting()  # exact: replaces what kick() lowered it to
            self._owed = owed
            self.clock.owe(owed)
            if owed is not None and owed <= now and self._inflight:
                # Due, with no slot free for it (or slots being refilled in a batch): an
                # attempt is under way, and its end wakes us. (Due with nothing under way:
                # let go during this pass, behind a delivery that expired; made in the next.)
                await self._wake.wait()
            else:
                await self.clock.wait_until(owed, self._wake)

    def _owe(self, due: float | None) -> None:
        """The oldest work due and not started is at ``due`` (None: none): the clock waits for it."""
        if due is not None and self._owed is not None:
            due = min(due, self._owed)
        self._owed = due
        self.clock.owe(due)

    def _soonest_waiting(self) -> float | None:
        """When the soonest pending attempt not under way is due. Attempts under way and not
        marked yet still look pending: ask for that many more."""
        for delivery_id, due in self.store.deliveries.soonest(self.attempts.unmarked + 1):
            if delivery_id not in self._inflight:
                return due
        return None

    def _launch_due(self, now: float, owner: str | None = None) -> int:
        """Start attempts due by ``now`` in the free slots. Slots are refilled in batches (an
        eighth of them at a time) so a busy engine asks the database once per batch, not
        per attempt."""
        free = self.max_in_flight - len(self._inflight)
        if self._stopping or free <= 0 or (self._inflight and free < self._batch):
            return 0
        due = [d for d in self.store.deliveries.due(now, free + self.attempts.unmarked, owner, self._hooks_busy)
               if d.id not in self._inflight]
        if self.one_at_a_time:  # the oldest due of each webhook, the others wait their turn
            first = {d.webhook_id: d for d in reversed(due)}
            due = [d for d in due if first[d.webhook_id] is d]
        due = due[:free]
        if not due:
            return 0
        stopped: set[str] = set()  # webhooks a delivery past its window disabled: their others were cancelled
        for delivery in due:
            if now > delivery.deadline and self.attempts.expire(delivery):  # so late the window closed
                stopped.add(delivery.webhook_id)
        launch = [d for d in due if now <= d.deadline and d.webhook_id not in stopped]
        bodies = self.store.events.bodies({d.event_id for d in launch})
        for start in self.attempts.begin(launch):
            delivery = start.delivery
            task = asyncio.create_task(self._attempt_and_release(start, bodies[delivery.event_id]))
            self._inflight[delivery.id] = (delivery.owner, task)
            self._busy[delivery.owner] += 1
            if self.one_at_a_time:
                self._hooks_busy.add(delivery.webhook_id)
        return len(launch)

    async def _attempt_and_release(self, start: AttemptStart, payload: bytes) -> None:
        try:
            await self.attempts.make(start, payload)
        finally:
            owner, _ = self._inflight.pop(start.delivery.id)
            self._hooks_busy.discard(start.delivery.webhook_id)
            self._busy[owner] -= 1
            if not self._busy[owner]:
                del self._busy[owner]
            # Wake whoever waits only when there is something to do: a batch of slots to
            # refill, or a merchant with nothing left under way.
            if self.max_in_flight - len(self._inflight) >= self._batch or owner not in self._busy:
                self._wake.set()
                ended, self._ended = self._ended, asyncio.Event()
                ended.set()
