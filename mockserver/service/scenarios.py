"""A trigger or a scenario, all or nothing: first the shop acts for every step, at the times
the steps' advances will bring (a mistake anywhere puts the shop back and sends nothing);
then, step by step, the clock moves and the events go out.

On the manual clock an advance moves the token's time and makes what falls due on the way;
on a clock that runs by itself it waits (a few real seconds at most) for time to get there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from mockserver.domain.clock import Clock
from mockserver.domain.durations import LATEST
from mockserver.domain.errors import Conflict, DomainError, InvalidField
from mockserver.domain.models import Event
from mockserver.domain.scenario import Act, Step, Wait, resolve
from mockserver.service.clock import ClockControl
from mockserver.service.shops import Shops
from mockserver.shop.ops import NothingToRefund
from mockserver.shop.params import check_params
from mockserver.shop.simulator import Simulator, made_of

CHUNK = 25  # shop operations made before the loop serves others
MAX_WAIT = 5.0  # real seconds a request may wait for a clock that runs by itself

Payload = dict[str, Any]
Publish = Callable[[str, list[list[Payload]]], Awaitable[list[Event]]]
Bound = Callable[[str, list[list[Payload]]], None]  # refuses what would make too many deliveries


@dataclass
class StepResult:
    """What one step did: the records its operations made, its events; or how far the
    clock moved and how many attempts fell due on the way."""

    index: int
    name: str | None = None
    made: list[dict[str, Any]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    advanced: float | None = None
    attempts_made: int = 0
    now: float = 0.0


@dataclass
class _Moment:
    wait: float  # seconds the clock moves first
    step: int  # the step the wait belongs to
    groups: list[tuple[int, list[Payload]]] = field(default_factory=list)  # (step, one operation's payloads)


class Scenarios:
    def __init__(self, clock: Clock, shops: Shops, publish: Publish, control: ClockControl, bound: Bound) -> None:
        self.clock, self.shops, self.publish, self.control = clock, shops, publish, control
        self.bound = bound

    async def run(self, owner: str, steps: list[Step]) -> list[StepResult]:
        self._check_time(owner, steps)
        results = [StepResult(n, s.name if isinstance(s, Act) else None) for n, s in enumerate(steps)]
        moments = await self._compose(owner, steps, results)
        await self._commit(owner, moments, results)
        return results

    def _check_time(self, owner: str, steps: list[Step]) -> None:
        """Every advance fits before anything happens: within the dates a clock can show,
        and, on a clock that runs by itself, within a few real seconds of waiting."""
        total = 0.0
        for step in steps:
            total += step.seconds if isinstance(step, Wait) else step.advance * step.count
            if not total:
                continue
            where = f"{step.at}advance"
            if self.clock.now(owner) + total > LATEST:
                raise InvalidField("the advances would take the clock past the last date it can show; reset this "
                                   "token (POST /_mock/reset) to start its clock again", field=where)
            if self.clock.runs_itself and total / self.clock.scale > MAX_WAIT:
                raise InvalidField(
                    f"on the {self.clock.mode} clock ({self.clock.scale:g}x) the advances up to here take "
                    f"{total / self.clock.scale:.1f} real seconds of waiting; one request waits at most {MAX_WAIT:g}. "
                    "Start the server with --clock manual to move time at once", field=where, code="too_long")

    async def _compose(self, owner: str, steps: list[Step], results: list[StepResult]) -> list[_Moment]:
        """The shop acts for every step, at each step's time; all of it, or none."""
        sim = self.shops.get(owner)
        risky = any(isinstance(s, Act) and (s.params is not None or s.operation == "refund") for s in steps)
        saved = sim.world.to_json() if risky else None  # else nothing can fail part-way
        when = self.clock.now(owner)
        moments = [_Moment(0.0, 0)]
        named: dict[str, dict[str, Any]] = {}
        made = 0
        try:
            for n, step in enumerate(steps):
                if isinstance(step, Wait):
                    when += step.seconds
                    moments.append(_Moment(step.seconds, n))
                    continue
                for _ in range(step.count):
                    if step.advance:
                        when += step.advance
                        moments.append(_Moment(step.advance, n))
                    group = self._act(sim, step, when, named)
                    moments[-1].groups.append((n, group))
                    if step.payload is None:
                        results[n].made.append({"operation": step.operation, **made_of(group)})
                    made += 1
                    if made % CHUNK == 0:
                        await asyncio.sleep(0)
                if step.name is not None:
                    named[step.name] = results[n].made[-1] if results[n].made else {}
        except (DomainError, NothingToRefund) as exc:
            if saved is not None:
                self.shops.restore(owner, saved)  # all or nothing: what the steps before did is undone too
            raise _placed(exc, steps[n]) from None
        try:
            self.bound(owner, [group for moment in moments for _, group in moment.groups])
        except InvalidField:
            self.shops.forget(owner)  # as saved before this request: it never happened
            raise
        if made and any(s.payload is None for s in steps if isinstance(s, Act)):
            self.shops.save(owner)
        return moments

    @staticmethod
    def _act(sim: Simulator, step: Act, when: float, named: dict[str, dict[str, Any]]) -> list[Payload]:
        if step.payload is not None:
            return [{**step.payload, "type": step.type}]
        if step.operation is None:
            assert step.type is not None
            return sim.act(step.type, when)
        given = None
        if step.params is not None:
            given = check_params(step.operation, resolve(step.params, named, "params"))
        return sim.run(step.operation, when, given)

    async def _commit(self, owner: str, moments: list[_Moment], results: list[StepResult]) -> None:
        """Step by step: the clock moves, then the events of that moment go out."""
        target = self.clock.now(owner)
        for moment in moments:
            if moment.wait:
                target += moment.wait
                results[moment.step].attempts_made += await self._move(owner, moment.wait, target)
                results[moment.step].advanced = (results[moment.step].advanced or 0.0) + moment.wait
            if moment.groups:
                events = iter(await self.publish(owner, [g for _, g in moment.groups]))
                for n, group in moment.groups:
                    results[n].events += [next(events) for _ in group]
            results[moment.step].now = self.clock.now(owner)

    async def _move(self, owner: str, seconds: float, target: float) -> int:
        if not self.clock.runs_itself:
            return await self.control.advance(owner, seconds=seconds)
        # One wait, as long as time at this scale takes to get there (never set, the event
        # leaves it to time): a clock held back for the engine does not hold the request longer.
        await self.clock.wait_until(target, asyncio.Event())
        return 0


def _placed(exc: Exception, step: Step) -> DomainError:
    """The error, naming its place in a scenario (``steps[2].params.lines[0].quantity``)."""
    if isinstance(exc, NothingToRefund):
        exc = Conflict(str(exc), field="operation", code="nothing_to_refund")
    assert isinstance(exc, DomainError)
    if step.at and not (exc.field or "").startswith(step.at):
        exc.field = step.at + exc.field if exc.field else step.at.rstrip(".")
        exc.message = f"{step.at.rstrip('.')}: {exc.message}"
    return exc
