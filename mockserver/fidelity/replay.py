"""``replay``: one recorded request (or a fixture, or an attempt of the mock's HAR export)
sent to a receiver again with SalesPlay's retry rule: the published schedule on a chosen
clock, every attempt through the engine's own ``http_post``, until a 2xx or until the
rule gives up, so a failure seen in production happens again on a developer's machine."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from mockserver.domain.clock import Clock
from mockserver.domain.config import Config
from mockserver.domain.models import Outcome
from mockserver.engine import http_post
from mockserver.engine.attempt import DELIVERY_HEADERS
from mockserver.fidelity.headers import to_send
from mockserver.fidelity.recording import RecordedRequest, RecordingError
from mockserver.fidelity.sources import read

OWNER = "replay"  # the manual clock keeps a time per owner
# No HTTP answer at all to the first attempt: a wrong URL or a receiver not started, not
# the failure to reproduce.
UNREACHABLE = ("connection_refused", "dns", "invalid_url", "tls")


@dataclass(frozen=True)
class ReplayAttempt:
    number: int
    offset: float  # simulated seconds after the first attempt
    outcome: Outcome


@dataclass
class ReplayResult:
    attempts: list[ReplayAttempt] = field(default_factory=list)
    delivered: bool = False

    @property
    def unreachable(self) -> bool:
        return len(self.attempts) == 1 and self.attempts[0].outcome.error_kind in UNREACHABLE


def load(path: Path, number: int | None) -> RecordedRequest:
    """The request to send: the one numbered ``number`` (a recording's ``n``, a HAR entry's
    place), or the only one. RecordingError or ValueError (naming --request) when there is none."""
    chosen: RecordedRequest | None = None
    count, last = 0, 0
    for item in read(path):
        if not isinstance(item, RecordedRequest):
            continue
        if number is not None and item.n == number:
            chosen = item
            break
        count, last = count + 1, item.n
        chosen = chosen or item
    if number is not None and (chosen is None or chosen.n != number):
        raise ValueError(f"--request {number}: {path} has no request {number}")
    if chosen is None:
        raise RecordingError(f"{path}: holds no request to send")
    if number is None and count > 1:
        raise ValueError(f"--request: {path} holds {count} requests; choose one with --request N "
                         f"(from {chosen.n} to {last})")
    if chosen.state != "complete":
        raise RecordingError(f"{chosen.where}: its body was not kept whole ({chosen.state}: {chosen.note}); "
                             "there is nothing faithful to send")
    return chosen


def headers_for(request: RecordedRequest, number: int, *, mock_headers: bool) -> dict[str, str]:
    """As recorded (a payload file: as the mock sends), and which replay attempt it is."""
    headers = dict(DELIVERY_HEADERS) if request.origin == "payload" else to_send(request.headers)
    if mock_headers:
        headers.update({"X-Mock-Kind": "replay", "X-Mock-Attempt": str(number)})
    return headers


async def replay(request: RecordedRequest, url: str, config: Config, clock: Clock, *, mock_headers: bool = True,
                 on_attempt: Callable[[ReplayAttempt], None] = lambda attempt: None) -> ReplayResult:
    """ReplayAttempt after attempt at the schedule's moments on ``clock``, as the engine makes
    them: anchored on the first, none past the window."""
    schedule, result = config.schedule, ReplayResult()
    start = clock.now(OWNER)
    deadline = start + schedule.window
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar(),
                                     timeout=aiohttp.ClientTimeout(total=None)) as session:
        for number in range(1, schedule.max_attempts + 1):
            when = schedule.due_at(start=start, number=number, deadline=deadline)
            if when is None:
                break
            await _reach(clock, when)
            made_at = clock.now(OWNER)
            outcome = await http_post.post(session, url, request.body, headers_for(request, number,
                                                                                   mock_headers=mock_headers),
                                           timeout=config.delivery_timeout, body_limit=config.response_body_limit)
            result.attempts.append(attempt := ReplayAttempt(number, made_at - start, outcome))
            on_attempt(attempt)
            if outcome.state == "succeeded":
                result.delivered = True
                break
            if result.unreachable:
                break
    return result


async def _reach(clock: Clock, when: float) -> None:
    """Wait for ``when`` on a clock that runs; move a manual one there at once."""
    if clock.runs_itself:
        await clock.wait_until(when, asyncio.Event())
    elif when > clock.now(OWNER):
        clock.jump(OWNER, when)
