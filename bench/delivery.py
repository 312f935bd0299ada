"""Delivery throughput with every attempt recorded, and the 200-attempt schedule on the
manual clock, each against a plain aiohttp client loop posting the same bodies to the
same receiver with the same concurrency, in the same run."""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp import web

from bench.common import ReceiverProcess, Row
from mockserver.domain.config import Config
from mockserver.domain.models import new_delivery
from mockserver.server import keys
from mockserver.server.app import create_app
from mockserver.shop.generate import generate_payloads

CONCURRENCY = 64
OWNER = "bench"
THROUGHPUT_GOAL, SCHEDULE_GOAL = 0.85, 0.80  # issue 19: against a plain aiohttp loop


def _headers(n: int) -> dict[str, str]:
    """The headers the mock sends, so both sides post the same requests."""
    return {"Content-Type": "application/json", "User-Agent": "SalesPlay-Webhooks (salesplay-mock)",
            "X-Mock-Event-Id": f"evt_{n:016x}", "X-Mock-Delivery-Id": f"dlv_{n:016x}", "X-Mock-Attempt": "1"}


async def plain_loop(url: str, bodies: list[bytes]) -> float:
    """The baseline: POST every body, CONCURRENCY at a time, reading each answer."""
    gate = asyncio.Semaphore(CONCURRENCY)
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(n: int, body: bytes) -> None:
            async with gate, session.post(url, data=body, headers=_headers(n)) as resp:
                await resp.read()

        started = time.perf_counter()
        await asyncio.gather(*(one(n, b) for n, b in enumerate(bodies)))
        return time.perf_counter() - started


class Engine:
    """The mock's engine, started as the server starts it, on a manual clock and a file."""

    def __init__(self, folder: Path) -> None:
        config = Config(db=str(folder / "bench.sqlite3"), clock="manual", clock_start=1.75e9, verify="off",
                        max_in_flight=CONCURRENCY, keep_deliveries=10**9)
        self.app = create_app(config)
        self.runner = web.AppRunner(self.app)

    async def __aenter__(self) -> Engine:
        await self.runner.setup()
        await keys.ready(self.app)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.runner.cleanup()

    def publish(self, urls: list[str], payloads: list[str]) -> None:
        """A webhook for each URL, then every payload as an event to all of them, recorded
        and due, but not sent (the timed part sends them)."""
        store, now = keys.engine_of(self.app).store, keys.engine_of(self.app).clock.now(OWNER)
        hooks = [store.webhooks.create(OWNER, url, ("receipts.update",), now) for url in urls]
        for payload in payloads:
            event = store.events.add(OWNER, "receipts.update", payload, now)
            store.deliveries.add([new_delivery(event, hook, kind="event", status="pending", next_at=now,
                                               deadline=now + 48 * 3600) for hook in hooks])

    def count(self, status: str) -> int:
        row = keys.engine_of(self.app).store.conn.execute("SELECT COUNT(*) FROM deliveries WHERE status = ?", (status,))
        return int(row.fetchone()[0])


async def _engine_rate(url: str, payloads: list[str]) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        async with Engine(Path(tmp)) as engine:
            engine.publish([url], payloads)
            started = time.perf_counter()
            await keys.engine_of(engine.app).scheduler.run_due(OWNER)
            rate = len(payloads) / (time.perf_counter() - started)
            assert engine.count("succeeded") == len(payloads)
    return rate


async def throughput(n: int, rounds: int = 5, label: str = "") -> Row:
    """Rounds of baseline and mock in turn, each pair close in time; the median of the
    pairs' ratios, so a noisy neighbour on the machine weighs on both alike."""
    payloads = [json.dumps(p) for p in generate_payloads("receipts.update", n, seed=3)]
    bodies = [p.encode() for p in payloads]
    plain_rates, our_rates = [], []
    with ReceiverProcess(200) as receiver:
        await plain_loop(receiver.url, bodies[:200])  # warm the receiver up
        for _ in range(rounds):
            plain_rates.append(n / await plain_loop(receiver.url, bodies))
            our_rates.append(await _engine_rate(receiver.url, payloads))
    baseline, ours = statistics.median(plain_rates), statistics.median(our_rates)
    ratio = statistics.median(o / p for o, p in zip(our_rates, plain_rates))
    return Row(f"delivery throughput ({n:,} deliveries, all recorded){label}", f"{ours:,.0f}/s",
               f"{baseline:,.0f}/s plain aiohttp", ratio, f">= {THROUGHPUT_GOAL}", ratio >= THROUGHPUT_GOAL)


async def failing_schedule(k: int) -> Row:
    """k webhooks that always answer 500, one event to all: 200 attempts each in 48 hours."""
    [payload] = [json.dumps(p) for p in generate_payloads("receipts.update", 1, seed=4)]
    with ReceiverProcess(500) as receiver, tempfile.TemporaryDirectory() as tmp:
        baseline = await plain_loop(receiver.url, [payload.encode()] * (200 * k))
        async with Engine(Path(tmp)) as engine:
            engine.publish([f"{receiver.url}?webhook={n}" for n in range(k)], [payload])
            clock = keys.service_of(engine.app).clock
            started = time.perf_counter()
            made = await clock.advance(OWNER, seconds=48 * 3600)
            ours = time.perf_counter() - started
            assert made == 200 * k and engine.count("failed") == k, (made, engine.count("failed"))
    return Row(f"200-attempt schedule, {k:,} failing deliveries (manual clock)", f"{ours:.1f} s",
               f"{baseline:.1f} s plain aiohttp", baseline / ours, f">= {SCHEDULE_GOAL} (speed)",
               baseline / ours >= SCHEDULE_GOAL)
