"""Schedule conformance on the scaled clock (the server's default): failing deliveries run
through their whole retry story at 720x, and every attempt's start is compared with its
published moment (the delivery's start plus the attempt's offset). The baseline, in the same run and under the same load: a plain asyncio
timer set at each of those moments in the same event loop, the best any code there could do."""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections import Counter

from aiohttp import web

from bench.common import CpuHog, ReceiverProcess, Row, percentile
from mockserver.domain.clock import ScaledClock
from mockserver.domain.config import Config
from mockserver.server import keys
from mockserver.server.app import create_app
from mockserver.shop.generate import generate_payloads

OWNER = "bench"
SCALE = 720.0
GOAL_P99 = 30.0  # simulated seconds
ARRIVALS = 3600.0  # simulated seconds over which the events arrive


async def run(k: int, window: float, *, loaded: bool = False) -> list[Row]:
    """``k`` webhooks (of as many merchants) that always answer 500, one event to each,
    ``window`` simulated seconds of retries (48 hours in the full run: 4 minutes of real
    time). The events arrive over the first simulated hour (17 a minute for 1,000), as a
    busy shop's sales do: the engine's load is what a real day would give, not a burst.
    ``loaded``: while a CPU hog keeps every core busy (bounded to the run's length and a
    margin), as on a busy CI runner; the clock then paces itself to the engine."""
    [payload] = generate_payloads("receipts.update", 1, seed=5)
    hog_for = (window + ARRIVALS) / SCALE * 5 + 120 if loaded else 0.0
    hog = CpuHog(hog_for, None if loaded else 0)
    with hog, ReceiverProcess(500) as receiver, tempfile.TemporaryDirectory() as tmp:
        config = Config(db=f"{tmp}/conformance.sqlite3", clock="scaled", time_scale=SCALE, verify="off",
                        retry_window=window, keep_deliveries=10**9)
        app = create_app(config)
        runner = web.AppRunner(app)
        await runner.setup()
        await keys.ready(app)
        engine, service = keys.engine_of(app), keys.service_of(app)
        store, clock = engine.store, engine.clock
        assert isinstance(clock, ScaledClock)
        for n in range(k):
            store.webhooks.create(f"{OWNER}{n}", f"{receiver.url}?webhook={n}", ("receipts.update",), clock.now())
        probes = Probes(k * config.max_attempts)
        began, spread = time.monotonic(), ARRIVALS / SCALE
        for n in range(k):
            await asyncio.sleep(max(0.0, began + spread * n / k - time.monotonic()))
            [event] = await service.events.publish(f"{OWNER}{n}", [[payload]])
            probes.add([clock.monotonic_at(event.created_at + offset) for offset in config.schedule.offsets])
        # A paced clock takes longer than window / SCALE: wait while it is on its way.
        deadline = time.monotonic() + (window / SCALE + spread) * (5 if loaded else 1) + 120
        slowest = SCALE
        while store.deliveries.count_pending() and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            slowest = min(slowest, clock.pace().effective_scale)
        timer_late = [lateness * SCALE for lateness in await probes.done]
        rows = store.conn.execute(
            "SELECT a.delivery_id, a.number, a.started_at, d.anchor_at FROM attempts a "
            "JOIN deliveries d ON d.id = a.delivery_id").fetchall()
        disabled = store.conn.execute("SELECT COUNT(*) FROM webhooks WHERE status = 'disabled'").fetchone()[0]
        unfinished = store.deliveries.count_pending()
        await runner.cleanup()
    offsets = config.schedule.offsets
    late = [started - (anchor + offsets[number - 1]) for _, number, started, anchor in rows]
    per_delivery = Counter(delivery_id for delivery_id, *_ in rows)
    made = sorted(per_delivery.values()) or [0]
    p99 = percentile(late, 99)
    label = f"{k:,} failing deliveries, {window / 3600:g} h at {SCALE:g}x" + (", CPU hog on every core" if loaded else "")
    paced = f", paced to {slowest:.0f}x at the slowest" if loaded else ""
    return [
        Row(f"schedule conformance, lateness p50 ({label})", f"{percentile(late, 50):.2f} sim s",
            f"{percentile(timer_late, 50):.2f} sim s asyncio timers", None, "", None),
        Row("schedule conformance, lateness p99" + paced, f"{p99:.2f} sim s",
            f"{percentile(timer_late, 99):.2f} sim s asyncio timers", None, f"p99 < {GOAL_P99:g} sim s",
            p99 < GOAL_P99),
        Row("schedule conformance, lateness max", f"{max(late, default=0):.2f} sim s",
            f"{max(timer_late, default=0):.2f} sim s asyncio timers", None, "", None),
        Row("schedule conformance, attempts per delivery",
            f"{made[0]}-{made[-1]} ({disabled}/{k} disabled" + (f", {unfinished} unfinished)" if unfinished else ")"),
            f"{config.max_attempts} published", None, f"{config.max_attempts} each, all disabled",
            made[0] == made[-1] == config.max_attempts and len(per_delivery) == k == disabled),
    ]


class Probes:
    """A plain asyncio timer at every published moment (``time.monotonic()`` readings);
    ``done`` resolves to their lateness in real seconds once all ``expected`` have fired."""

    def __init__(self, expected: int) -> None:
        self.loop = asyncio.get_running_loop()
        self.done: asyncio.Future[list[float]] = self.loop.create_future()
        self.expected = expected
        self.late: list[float] = []

    def add(self, moments: list[float]) -> None:
        for due in moments:
            self.loop.call_at(self.loop.time() + (due - time.monotonic()), self._fire, due)

    def _fire(self, due: float) -> None:
        self.late.append(time.monotonic() - due)
        if len(self.late) == self.expected and not self.done.done():
            self.done.set_result(self.late)
