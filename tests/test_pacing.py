"""The scaled clock never gets ahead of the work the engine owes: when due attempts wait,
simulated time waits a little past the oldest of them, so a loaded machine slows time down
instead of making attempts late or losing them. Attempts under way never hold time."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import pytest

from bench.common import CpuHog, ReceiverProcess, percentile
from mockserver.domain.clock import PACE_SLACK_MIN, RealClock, ScaledClock
from mockserver.domain.config import Config
from mockserver.server import keys
from mockserver.server.app import create_app
from tests.helpers import AUTH, until

HOURS = 3600.0


class FakeMonotonic:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def real(monkeypatch: pytest.MonkeyPatch) -> FakeMonotonic:
    fake = FakeMonotonic()
    monkeypatch.setattr("mockserver.domain.clock.time.monotonic", fake)
    return fake


def test_time_waits_a_little_past_owed_work_and_resumes_from_there(real: FakeMonotonic) -> None:
    clock = ScaledClock(720.0, start=0.0)
    assert clock.slack == 720.0 * 0.005
    clock.owe(10.0)
    real.t += 1.0  # 720 simulated seconds would have passed
    assert clock.now() == 10.0 + clock.slack
    assert clock.pace().lag == clock.slack
    real.t += 5.0
    assert clock.now() == 10.0 + clock.slack  # still held
    clock.owe(None)  # the engine started it, and owes nothing more
    real.t += 0.5
    assert clock.now() == pytest.approx(10.0 + clock.slack + 360.0)  # on from where it waited, not a jump


def test_a_low_scale_still_lets_time_run_a_simulated_second_past_owed_work(real: FakeMonotonic) -> None:
    clock = ScaledClock(2.0, start=0.0)
    assert clock.slack == PACE_SLACK_MIN
    clock.owe(0.0)
    real.t += 10
    assert clock.now() == PACE_SLACK_MIN


def test_the_measured_pace_says_when_time_is_slowed(real: FakeMonotonic) -> None:
    clock = ScaledClock(100.0, start=0.0)
    real.t += 1.0
    assert clock.measure().effective_scale == 100.0 and not clock.pacing
    clock.owe(150.0)  # due at 150: time may reach 150 + 1
    real.t += 1.0
    pace = clock.measure()
    assert pace.effective_scale == pytest.approx(51.0) and pace.pacing
    clock.owe(None)
    real.t += 1.0
    assert clock.measure().effective_scale == 100.0 and not clock.pacing


def test_the_real_clock_keeps_the_wall_clocks_time(real: FakeMonotonic) -> None:
    clock = RealClock()
    before = clock.now()
    clock.owe(before)
    real.t += 60
    assert clock.now() == pytest.approx(before + 60)


async def test_a_receiver_that_hangs_does_not_stall_time(aiohttp_client: Any, aiohttp_server: Any) -> None:
    from aiohttp import web

    hung = asyncio.Event()

    async def hang(request: web.Request) -> web.Response:
        hung.set()
        await asyncio.sleep(60)
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hang)
    url = str((await aiohttp_server(app)).make_url("/hook"))
    config = Config(db=":memory:", clock="scaled", time_scale=720.0, verify="off", delivery_timeout=5.0)
    client = await aiohttp_client(create_app(config))
    await client.post("/v1.0/webhook", json={"url": url, "event": "receipts.update"}, headers=AUTH)
    await client.post("/_mock/events", json={"type": "receipts.update"}, headers=AUTH)
    await asyncio.wait_for(hung.wait(), 10)
    first = (await (await client.get("/_mock/clock")).json())["now_epoch"]

    async def moved() -> bool:
        now = (await (await client.get("/_mock/clock")).json())["now_epoch"]
        return bool(now - first > 300)  # five simulated minutes: far past any slack

    await until(moved, timeout=4, what="time moving on while an attempt hangs")


async def test_under_a_cpu_hog_the_clock_paces_itself_and_every_attempt_is_made_on_time(
    aiohttp_client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """The benchmark's loaded conformance run, small: 100 failing deliveries at 720x on a
    2-hour window, while a busy loop takes every core."""
    caplog.set_level(logging.INFO, logger="salesplay_mock")
    config = Config(db=":memory:", clock="scaled", time_scale=720.0, verify="off", retry_window=2 * HOURS,
                    delivery_timeout=5.0)
    with CpuHog(200), ReceiverProcess(500) as receiver:
        mock = create_app(config)
        client = await aiohttp_client(mock)
        await client.post("/v1.0/webhook", json={"url": receiver.url, "event": "receipts.update"}, headers=AUTH)
        resp = await client.post("/_mock/events", json={"type": "receipts.update", "count": 100}, headers=AUTH)
        assert resp.status == 201
        store = keys.engine_of(mock).store
        seen: list[dict[str, Any]] = []

        async def settled() -> bool:
            seen.append(await (await client.get("/_mock/clock")).json())
            # A delivery whose attempt is under way is pending until that attempt ends.
            return store.deliveries.count_pending() == 0

        began = time.monotonic()
        await until(settled, timeout=190, every=0.25, what="every delivery settled")
    rows = store.conn.execute(
        "SELECT a.number, a.started_at, d.anchor_at, d.status FROM attempts a "
        "JOIN deliveries d ON d.id = a.delivery_id WHERE d.kind = 'event'").fetchall()
    offsets = config.schedule.offsets
    late = [started - (anchor + offsets[number - 1]) for number, started, anchor, _ in rows]
    assert percentile(late, 99) < 30, f"lateness p99 {percentile(late, 99):.1f} sim s"
    ends = [tuple(row) for row in store.conn.execute(
        "SELECT status, attempts, last_error FROM deliveries WHERE kind = 'event'")]
    # The first delivery to fail for good disables the webhook: the others are failed with
    # every attempt made, or cancelled with attempts left. Time never runs past a due attempt;
    # one under way does not hold it, so a receiver starved of the CPU long enough can still
    # eat a delivery's slack in the window: that delivery says so.
    wrong = [end for end in ends if end[0] not in ("failed", "cancelled") or (end[0] == "cancelled") == (end[1] == 200)
             and not (end[0] == "failed" and "window ended" in (end[2] or ""))]
    assert not wrong, wrong[:5]
    assert sum(1 for status, attempts, _ in ends if status == "failed" and attempts == 200) >= 1
    assert {"effective_scale", "lag_seconds", "pacing"} <= set(seen[0])
    assert max(s["lag_seconds"] for s in seen) <= config.time_scale * 0.005 + 1
    slowest = min(s["effective_scale"] for s in seen)
    assert slowest < 0.9 * config.time_scale, (
        f"never paced in {time.monotonic() - began:.0f} s: slowest {slowest}x; {seen[-1]}")
    assert any("the engine is behind" in r.getMessage() for r in caplog.records)
