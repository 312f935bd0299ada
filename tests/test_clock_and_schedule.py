"""The clocks, the published schedule, jitter, the scaled engine and --traffic."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from aiohttp import web

from mockserver import schedule
from mockserver.app import create_app
from mockserver.clock import ManualClock, RealClock, ScaledClock, make_clock
from mockserver.config import Config
from tests.helpers import AUTH, START, register

HOURS = 3600.0


def test_default_schedule_is_200_attempts_within_48_hours() -> None:
    steps = schedule.table(200, 48 * HOURS)
    assert len(steps) == 200
    assert [s.delay for s in steps[:5]] == [0.0, 5.0, 10.0, 20.0, 40.0]
    assert max(s.delay for s in steps) == 840.0
    assert steps[-1].offset <= 48 * HOURS * schedule.BUDGET


@pytest.mark.parametrize(("attempts", "window"), [(1, 60.0), (2, 60.0), (20, 48 * HOURS), (1000, 600.0), (200, 30 * 86400.0)])
def test_any_schedule_fits_its_window(attempts: int, window: float) -> None:
    steps = schedule.table(attempts, window)
    assert len(steps) == attempts
    assert steps[-1].offset <= window
    assert all(b.delay >= a.delay for a, b in zip(steps[1:], steps[2:]))  # backoff never shrinks


def test_jitter_stays_within_ten_percent_and_is_deterministic() -> None:
    delays = schedule.retry_delays(200, 48 * HOURS)
    for made in (1, 5, 50):
        got = schedule.next_attempt_at(attempts_made=made, finished_at=0.0, deadline=1e9, max_attempts=200,
                                       window=48 * HOURS, jitter_key="dlv_x")
        again = schedule.next_attempt_at(attempts_made=made, finished_at=0.0, deadline=1e9, max_attempts=200,
                                         window=48 * HOURS, jitter_key="dlv_x")
        assert got == again is not None
        assert abs(got - delays[made - 1]) <= delays[made - 1] * schedule.JITTER


def test_no_attempt_after_the_deadline_or_the_last() -> None:
    assert schedule.next_attempt_at(attempts_made=200, finished_at=0, deadline=1e9, max_attempts=200,
                                    window=48 * HOURS) is None
    assert schedule.next_attempt_at(attempts_made=3, finished_at=100.0, deadline=110.0, max_attempts=200,
                                    window=48 * HOURS) is None


def test_manual_clock_moves_only_forward() -> None:
    clock = ManualClock(start=START)
    clock.set(START + 5)
    assert clock.now() == START + 5
    with pytest.raises(ValueError):
        clock.set(START)


def test_scaled_clock_runs_at_its_scale() -> None:
    clock = ScaledClock(1000.0, start=START)
    real0, sim0 = time.monotonic(), clock.now()
    time.sleep(0.02)
    elapsed_sim, elapsed_real = clock.now() - sim0, time.monotonic() - real0
    assert elapsed_sim == pytest.approx(elapsed_real * 1000, rel=0.05)
    assert clock.monotonic_at(START + 1000) == pytest.approx(clock._real0 + 1.0)


def test_make_clock_by_name() -> None:
    assert isinstance(make_clock("manual", scale=1, start=START), ManualClock)
    assert isinstance(make_clock("real", scale=1, start=None), RealClock)
    assert make_clock("scaled", scale=720, start=START).scale == 720
    with pytest.raises(ValueError):
        make_clock("sundial", scale=1, start=None)


async def test_scaled_engine_retries_on_the_published_schedule(aiohttp_client: Any, aiohttp_server: Any) -> None:
    """On a clock 100x faster, 500 three times then 200: attempts 5, 10 and 20 simulated
    seconds apart, as published, give or take the loop's lateness."""
    answers = [500, 500, 500]
    seen = asyncio.Event()

    async def hook(request: web.Request) -> web.Response:
        status = answers.pop(0) if answers else 200
        if status == 200:
            seen.set()
        return web.Response(status=status)

    app = web.Application()
    app.router.add_post("/hook", hook)
    receiver = await aiohttp_server(app)
    client = await aiohttp_client(create_app(Config(db=":memory:", clock="scaled", time_scale=100.0,
                                                    clock_start=START, verify="off")))
    await register(client, str(receiver.make_url("/hook")))
    resp = await client.post("/_mock/events", json={"operation": "sale"}, headers=AUTH)
    dlv_id = (await resp.json())["events"][0]["deliveries"][0]["id"]
    await asyncio.wait_for(seen.wait(), 10)  # 35 simulated seconds: about 0.35 s
    for _ in range(100):  # the success is recorded within a commit or two
        detail = await (await client.get(f"/_mock/deliveries/{dlv_id}", headers=AUTH)).json()
        if detail["status"] == "succeeded":
            break
        await asyncio.sleep(0.02)
    from datetime import datetime

    starts = [datetime.fromisoformat(a["started_at"].replace("Z", "+00:00")).timestamp() for a in detail["attempts"]]
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    for gap, published in zip(gaps, (5.0, 10.0, 20.0)):
        assert published <= gap < published + 25.0  # never early; late by at most 0.25 s of real time
    assert detail["attempt_count"] == 4


async def test_traffic_keeps_the_shop_busy(aiohttp_client: Any, aiohttp_server: Any) -> None:
    got: list[str] = []
    enough = asyncio.Event()

    async def hook(request: web.Request) -> web.Response:
        got.append((await request.json())["type"])
        if len(got) >= 5:
            enough.set()
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    receiver = await aiohttp_server(app)
    client = await aiohttp_client(create_app(Config(db=":memory:", clock="scaled", time_scale=100.0,
                                                    clock_start=START, verify="off", traffic=60.0)))
    await register(client, str(receiver.make_url("/hook")),
                   ["receipts.update", "inventory_levels.update", "credit_note.update", "products.update",
                    "customers.update"])
    await asyncio.wait_for(enough.wait(), 10)  # one operation per simulated second: 100 a real second
    assert "receipts.update" in got
