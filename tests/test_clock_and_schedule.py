"""The clocks, the published schedule, jitter, the scaled engine and --traffic."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from aiohttp import web

from mockserver.domain import schedule
from mockserver.domain.clock import ManualClock, RealClock, ScaledClock, make_clock
from mockserver.domain.config import Config
from mockserver.domain.schedule import Schedule
from mockserver.server import keys
from mockserver.server.app import create_app
from mockserver.server.traffic import REPORT_EVERY, Traffic
from tests.helpers import AUTH, START, register

HOURS = 3600.0


def test_default_schedule_is_200_attempts_within_48_hours() -> None:
    steps = Schedule().table()
    assert len(steps) == 200
    assert [s.delay for s in steps[:5]] == [0.0, 5.0, 10.0, 20.0, 40.0]
    assert [s.offset for s in steps[:5]] == [0.0, 5.0, 15.0, 35.0, 75.0]
    assert max(s.delay for s in steps) == 840.0
    assert steps[-1].offset <= 48 * HOURS * schedule.BUDGET


@pytest.mark.parametrize(("attempts", "window"), [(1, 60.0), (2, 60.0), (20, 48 * HOURS), (1000, 600.0), (200, 30 * 86400.0)])
def test_any_schedule_fits_its_window(attempts: int, window: float) -> None:
    steps = Schedule(attempts, window).table()
    assert len(steps) == attempts
    assert steps[-1].offset <= window
    assert all(b.delay >= a.delay for a, b in zip(steps[1:], steps[2:]))  # backoff never shrinks


def test_attempts_are_due_at_offsets_from_the_start_however_late_the_last_one_ended() -> None:
    plan = Schedule()
    start = 1000.0
    assert [plan.due_at(start=start, number=n, deadline=1e12) for n in (2, 3, 4)] == [1005.0, 1015.0, 1035.0]
    # Nothing about when attempt 2 ended enters into when attempt 3 is due: no drift.
    assert plan.due_at(start=start, number=200, deadline=1e12) == start + plan.offsets[-1]


def test_jitter_moves_each_attempt_by_at_most_ten_percent_of_its_own_wait_and_is_deterministic() -> None:
    plan, plain = Schedule(jitter=True), Schedule()
    for number in (2, 6, 50, 200):
        got = plan.due_at(start=0.0, number=number, deadline=1e12, key="dlv_x")
        assert got is not None and got == plan.due_at(start=0.0, number=number, deadline=1e12, key="dlv_x")
        assert abs(got - plain.offsets[number - 1]) <= plain.delays[number - 2] * schedule.JITTER
    moments = [plan.offset(n, "dlv_y") for n in range(1, 201)]  # due_at from a start of 0
    assert moments == sorted(moments) and moments[-1] <= 48 * HOURS  # still in order, still in the window


def test_no_attempt_after_the_deadline_or_the_last() -> None:
    plan = Schedule()
    assert plan.due_at(start=0.0, number=201, deadline=1e12) is None
    assert plan.due_at(start=100.0, number=4, deadline=110.0) is None


def test_remaining_counts_attempts_left_and_the_moment_of_the_last() -> None:
    plan = Schedule()
    assert plan.remaining(start=0.0, made=1, deadline=48 * HOURS) == (199, plan.offsets[-1])
    assert plan.remaining(start=0.0, made=200, deadline=48 * HOURS) == (0, None)
    assert plan.remaining(start=0.0, made=1, deadline=16.0) == (2, 15.0)


def test_manual_clock_moves_only_forward_and_per_merchant() -> None:
    clock = ManualClock(start=START)
    clock.jump("a", START + 5)
    assert (clock.now("a"), clock.now("b"), clock.now()) == (START + 5, START, START)
    with pytest.raises(ValueError):
        clock.jump("a", START)


def test_scaled_clock_runs_at_its_scale() -> None:
    clock = ScaledClock(1000.0, start=START)
    real0, sim0 = time.monotonic(), clock.now()
    time.sleep(0.02)
    elapsed_sim, elapsed_real = clock.now() - sim0, time.monotonic() - real0
    assert elapsed_sim == pytest.approx(elapsed_real * 1000, rel=0.05)
    assert clock.monotonic_at(START + 1000) == pytest.approx(clock._real0 + 1.0)


def test_make_clock_from_the_config() -> None:
    assert isinstance(make_clock(Config(clock="manual"), start=START), ManualClock)
    assert isinstance(make_clock(Config(clock="real"), start=None), RealClock)
    assert make_clock(Config(clock="scaled"), start=START).scale == 720
    with pytest.raises(ValueError, match="clock must be scaled, real or manual"):
        Config(clock="sundial")  # checked once, where the configuration is made


async def test_scaled_engine_retries_on_the_published_schedule(aiohttp_client: Any, aiohttp_server: Any) -> None:
    """On a clock 100x faster, 500 three times then 200: attempts at 5, 15 and 35 simulated
    seconds after the first, as published, give or take the loop's lateness."""
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

    def t(stamp: str) -> float:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()

    anchor = t(detail["attempts"][0]["scheduled_at"])  # the delivery's start
    for attempt, published in zip(detail["attempts"], (0.0, 5.0, 15.0, 35.0)):
        # Due at its offset from the start, whenever the attempt before ended (lateness
        # does not add up); made never early. Time waits for attempts that are due, but
        # not for one under way: on a loaded machine an answer that takes a real second
        # makes the next attempt that late (100 simulated seconds here), no more.
        assert t(attempt["scheduled_at"]) - anchor == pytest.approx(published, abs=0.002)
        assert published <= t(attempt["started_at"]) - anchor < published + 100.0
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


async def _trafficked(aiohttp_client: Any, aiohttp_server: Any, *, scale: float, rate: float) -> tuple[Any, Any]:
    """A mock with ``--traffic rate`` at ``scale``, and a webhook to a receiver that says 200:
    the mock's app and a client of it."""

    async def ok(request: web.Request) -> web.Response:
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", ok)
    receiver = await aiohttp_server(app)
    mock = create_app(Config(db=":memory:", clock="scaled", time_scale=scale, clock_start=START, verify="off",
                             traffic=rate))
    client = await aiohttp_client(mock)
    await register(client, str(receiver.make_url("/hook")), "receipts.update")
    return mock, client


async def test_traffic_keeps_the_asked_rate_at_720x(aiohttp_client: Any, aiohttp_server: Any) -> None:
    """30 events a simulated minute at 720x is 360 a real second: made in batches, counted
    in simulated time."""
    mock, _ = await _trafficked(aiohttp_client, aiohttp_server, scale=720.0, rate=30.0)
    engine = keys.engine_of(mock)
    clock, store = engine.clock, engine.store
    begun = clock.now()
    await asyncio.sleep(1.5)  # about 18 simulated minutes
    made = store.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    minutes = (clock.now() - begun) / 60
    assert made >= 0.9 * 30 * minutes - 30, f"{made} events in {minutes:.1f} simulated minutes, 30 a minute asked"
    assert made <= 30 * minutes + 40


def test_traffic_that_falls_behind_says_so(caplog: pytest.LogCaptureFixture) -> None:
    traffic = Traffic(30.0, ScaledClock(720.0, start=START), None)  # type: ignore[arg-type]  # reports only
    traffic._asked, traffic._made = 300.0, 60  # a minute in which a fifth of the events were made
    traffic.report(time.monotonic() + REPORT_EVERY)
    assert (traffic.status.behind, traffic.status.achieved) == (True, 6.0)
    assert "--traffic is behind: 6.0 events per simulated minute" in caplog.text
    traffic._asked, traffic._made = 300.0, 290
    traffic.report(time.monotonic() + 2 * REPORT_EVERY)
    assert (traffic.status.behind, traffic.status.achieved) == (False, 29.0)


async def test_traffic_asked_beyond_the_machine_is_made_in_bounded_batches() -> None:
    from types import SimpleNamespace

    from mockserver.domain.config import MAX_TRAFFIC
    from mockserver.server.traffic import MAX_BATCH

    batches: list[int] = []

    async def everyday(owner: str, n: int) -> list[None]:
        batches.append(n)
        return [None] * n

    service = SimpleNamespace(webhooks=SimpleNamespace(owners=lambda: ["a", "b"]),
                              events=SimpleNamespace(everyday=everyday))
    traffic = Traffic(MAX_TRAFFIC, ScaledClock(7200.0, start=START), service)  # type: ignore[arg-type]
    await traffic.tick(START + 3600, 3600.0)  # an hour owed at once (a long stall)
    assert batches == [MAX_BATCH, MAX_BATCH]


async def test_the_most_traffic_one_may_ask_for_leaves_the_server_answering(aiohttp_client: Any,
                                                                            aiohttp_server: Any) -> None:
    from mockserver.domain.config import MAX_TRAFFIC

    mock, client = await _trafficked(aiohttp_client, aiohttp_server, scale=7200.0, rate=MAX_TRAFFIC)
    store = keys.engine_of(mock).store
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while store.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] < 2 * 200:  # a few batches made
        assert loop.time() < deadline, "the traffic made nothing"
        # Answered at all, between batches (a frozen server never answers); how fast is the
        # responsiveness benchmark's to say.
        assert (await asyncio.wait_for(client.get("/healthz"), 5)).status == 200


def test_a_scaled_clock_stops_at_the_last_date_a_clock_can_show() -> None:
    """A high scale left running for weeks would reach year 10000, which no time can show:
    the clock stops at the last date instead, and every time it gives stays a date."""
    from mockserver.domain.durations import LATEST
    from mockserver.domain.models import iso

    clock = ScaledClock(100_000.0, start=LATEST - 1)
    assert clock.now() <= LATEST
    ahead = ScaledClock(720.0, start=LATEST + 3600)  # as if it had run past it
    assert ahead.now() == LATEST and iso(ahead.now()) == "9989-12-23T23:59:59.000Z"


@pytest.mark.parametrize(("seconds", "text"), [
    (48 * 3600, "48h"), (20 * 3600, "20h"), (5400, "1h30m"), (100, "1m40s"), (3605, "1h5s"), (60, "1m"), (0, "0s"),
])
def test_a_duration_reads_back_as_a_flag_is_written(seconds: float, text: str) -> None:
    from mockserver.domain.durations import compact, parse_duration

    assert compact(seconds) == text and parse_duration(text) == seconds  # the banner's words work as a flag
