"""100,000 pending retries held: memory per pending delivery, and how late due ones fire on
the scaled clock, against an in-memory dict of deliveries and plain asyncio timers."""

from __future__ import annotations

import asyncio
import gc
import tempfile
import time
import tracemalloc
from dataclasses import replace

from aiohttp import web
from aiohttp.test_utils import TestServer

from bench.common import Row, percentile, rss_bytes
from mockserver.domain.clock import ScaledClock
from mockserver.domain.config import Config
from mockserver.domain.models import Delivery
from mockserver.server import keys
from mockserver.server.app import create_app

YEAR = 365 * 86400.0
LATENESS_GOAL_MS = 3.0  # issue 19


def naive_memory(n: int) -> float:
    """Bytes per delivery when a scheduler keeps every pending one as a Python object,
    counted by tracemalloc (exact; the process's resident size hides a dict that fits in
    memory freed earlier in the run)."""
    template = Delivery("dlv_0", "bench", "evt_0", "wh_0", "event", "pending", 3, 0.0, 0.0, 0.0, "http_status: 500",
                        500, "receipts.update", "http://127.0.0.1:9/hook")
    gc.collect()
    tracemalloc.start()
    try:
        held = {f"dlv_{i:08d}": replace(template, id=f"dlv_{i:08d}", next_at=float(i)) for i in range(n)}
        used = tracemalloc.get_traced_memory()[0] / n
    finally:
        tracemalloc.stop()
    del held
    return used


async def _timer_lateness(offsets: list[float]) -> list[float]:
    loop = asyncio.get_running_loop()
    late: list[float] = []
    done = asyncio.Event()
    start = time.monotonic()
    def fire(due: float) -> None:
        late.append(time.monotonic() - due)
        if len(late) == len(offsets):
            done.set()

    for offset in offsets:
        due = start + offset
        loop.call_at(loop.time() + (due - time.monotonic()), fire, due)
    await done.wait()
    return late


async def run(n: int, probes: int = 400, spread: float = 4.0) -> list[Row]:
    per_pending, late = await measure(n, probes, spread)
    naive = naive_memory(n)
    timers = await timer_lateness(probes, spread)
    p99, base99 = percentile(late, 99) * 1000, percentile(timers, 99) * 1000
    return [
        Row(f"memory per pending delivery ({n:,} held)", f"{per_pending:,.0f} B", f"{naive:,.0f} B in a dict",
            per_pending / naive if naive > 0 else None, "(lower is better)", None),
        Row(f"lateness of due firings, p50 ({len(late)}/{probes} fired)", f"{percentile(late, 50) * 1000:.1f} ms",
            f"{percentile(timers, 50) * 1000:.2f} ms asyncio timers", None, "", None),
        Row("lateness of due firings, p99", f"{p99:.1f} ms", f"{base99:.2f} ms asyncio timers", None,
            f"p99 < {LATENESS_GOAL_MS:g} ms", p99 < LATENESS_GOAL_MS and len(late) == probes),
    ]


async def timer_lateness(probes: int, spread: float) -> list[float]:
    """The baseline: how late plain asyncio timers fire, spread as the probes are."""
    return await _timer_lateness([0.5 + spread * i / probes for i in range(probes)])


async def measure(n: int, probes: int, spread: float) -> tuple[float, list[float]]:
    """Hold ``n`` pending deliveries on the scaled clock: bytes of memory each, and how late
    (real seconds) each of ``probes`` deliveries falling due among them reached a receiver."""
    arrivals: dict[str, float] = {}

    async def receive(request: web.Request) -> web.Response:
        arrivals[request.headers["X-Mock-Delivery-Id"]] = time.monotonic()
        return web.Response(text="ok")

    receiver_app = web.Application()
    receiver_app.router.add_post("/hook", receive)
    receiver = TestServer(receiver_app)
    await receiver.start_server()
    url = str(receiver.make_url("/hook"))
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Config(db=f"{tmp}/pending.sqlite3", clock="scaled", verify="off"))
        runner = web.AppRunner(app)
        await runner.setup()
        await keys.ready(app)
        engine = keys.engine_of(app)
        store, clock, scheduler = engine.store, engine.clock, engine.scheduler
        assert isinstance(clock, ScaledClock)
        gc.collect()
        before = rss_bytes()
        hook = store.webhooks.create("bench", url, ("receipts.update",), clock.now())
        event = store.events.add("bench", "receipts.update", "{}", clock.now())
        far = clock.now() + YEAR
        with store.tx() as c:
            c.executemany(
                "INSERT INTO deliveries (id, owner, event_id, webhook_id, kind, status, attempts, next_at, "
                "created_at, deadline, event_type, url) VALUES (?, 'bench', ?, ?, 'event', 'pending', 1, ?, ?, ?, "
                "'receipts.update', ?)",
                ((f"dlv_far{i:07d}", event.id, hook.id, far + i, clock.now(), far + YEAR, url) for i in range(n)),
            )
        await scheduler.kick("bench")
        await asyncio.sleep(0.2)
        gc.collect()
        per_pending = (rss_bytes() - before) / n
        assert store.deliveries.count_pending() == n
        # Probes: due over the next few real seconds, among the 100,000 held ones.
        now = clock.now()
        due: dict[str, float] = {}
        for i in range(probes):
            when = now + clock.scale * (0.5 + spread * i / probes)
            d = store.deliveries.create(event, hook, kind="event", status="pending", next_at=when, deadline=when + 60)
            due[d.id] = clock.monotonic_at(when)
        await scheduler.kick("bench")
        deadline = time.monotonic() + spread + 10
        while len(arrivals) < probes and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        late = [arrivals[i] - due[i] for i in due if i in arrivals]
        await runner.cleanup()
    await receiver.close()
    return per_pending, late
