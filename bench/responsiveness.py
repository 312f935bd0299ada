"""How long ``/healthz`` waits while a big trigger (1,000 events to 10 webhooks) is made,
stored and answered, on the scaled clock; against ``/healthz`` on the idle server, in the
same run."""

from __future__ import annotations

import asyncio
import tempfile
import time

import aiohttp
from aiohttp.test_utils import TestServer

from bench.common import ReceiverProcess, Row, percentile
from mockserver.domain.config import Config
from mockserver.server.app import create_app

GOAL_MS = 100.0


async def _healthz(session: aiohttp.ClientSession, url: str) -> float:
    started = time.perf_counter()
    async with session.get(url) as resp:
        await resp.read()
    return (time.perf_counter() - started) * 1000


async def run(events: int, webhooks: int = 10) -> list[Row]:
    with ReceiverProcess(200) as receiver, tempfile.TemporaryDirectory() as tmp:
        mock = TestServer(create_app(Config(db=f"{tmp}/resp.sqlite3", clock="scaled", verify="off")))
        await mock.start_server()
        auth = {"Authorization": "Bearer bench"}
        healthz = str(mock.make_url("/healthz"))
        async with aiohttp.ClientSession() as session:
            for n in range(webhooks):
                await session.post(mock.make_url("/v1.0/webhook"), headers=auth,
                                   json={"url": f"{receiver.url}?n={n}", "event": "receipts.update"})
            idle = [await _healthz(session, healthz) for _ in range(50)]
            trigger = asyncio.ensure_future(session.post(mock.make_url("/_mock/events"), headers=auth,
                                                         json={"type": "receipts.update", "count": events}))
            busy = []
            while not trigger.done():
                busy.append(await _healthz(session, healthz))
                await asyncio.sleep(0.005)
            async with await trigger as resp:
                assert resp.status == 201, await resp.text()
                await resp.read()
        await mock.close()
    worst, base = max(busy, default=0.0), max(idle)
    return [Row(f"/healthz during a {events:,}-event trigger to {webhooks} webhooks, worst of {len(busy)}",
                f"{worst:.0f} ms", f"{base:.1f} ms idle (worst of 50), p50 {percentile(idle, 50):.1f} ms",
                worst / base, f"< {GOAL_MS:g} ms", worst < GOAL_MS)]
