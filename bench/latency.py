"""Trigger-to-receiver latency over HTTP on the scaled clock (the server's default), against
a plain POST to the same receiver, all on one event loop in the same run; quiet, and
loaded: another merchant's shop meanwhile sends 40 events a second to 20 webhooks of its
own (800 deliveries a second, to a receiver in another process), so the engine is busy."""

from __future__ import annotations

import asyncio
import json
import tempfile
import time

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

from bench.common import ReceiverProcess, Row, percentile
from mockserver.domain.config import Config
from mockserver.engine.tasks import cancel_and_wait
from mockserver.server.app import create_app

QUIET_GOAL_MS, LOADED_GOAL_MS = 5.0, 15.0  # p99, issue 19
LOAD_WEBHOOKS, LOAD_EVENTS_PER_S = 20, 40  # the other merchant's 800 deliveries a second


async def run(n: int, *, loaded: bool = False) -> list[Row]:
    if not loaded:
        return await _run(n, None)
    with ReceiverProcess(200) as busy:
        return await _run(n, busy.url)


async def _load(session: aiohttp.ClientSession, mock: TestServer, url: str) -> None:
    """Another merchant: its webhooks, and a steady stream of events to them. (Not failing
    ones: at 720x each failing delivery retries about once a real second for four minutes,
    so their load would grow without bound and time the backlog, not the engine.)"""
    auth = {"Authorization": "Bearer bench-load"}
    for w in range(LOAD_WEBHOOKS):
        async with session.post(mock.make_url("/v1.0/webhook"), headers=auth,
                                json={"url": f"{url}?webhook={w}", "event": "receipts.update"}) as resp:
            assert resp.status == 201
    while True:
        started = time.perf_counter()
        async with session.post(mock.make_url("/_mock/events"), headers=auth, json={"type": "receipts.update"}) as resp:
            assert resp.status == 201
        await asyncio.sleep(max(0.0, 1 / LOAD_EVENTS_PER_S - (time.perf_counter() - started)))


async def _run(n: int, load_url: str | None) -> list[Row]:
    arrivals: dict[str, float] = {}
    arrived = asyncio.Event()

    async def hook(request: web.Request) -> web.Response:
        body = await request.json()
        arrivals[body.get("marker") or body["type"]] = time.perf_counter()
        arrived.set()
        return web.Response(text="ok")

    receiver_app = web.Application()
    receiver_app.router.add_post("/hook", hook)
    with tempfile.TemporaryDirectory() as tmp:
        mock = TestServer(create_app(Config(db=f"{tmp}/lat.sqlite3", clock="scaled", verify="off")))
        receiver = TestServer(receiver_app)
        await mock.start_server()
        await receiver.start_server()
        auth = {"Authorization": "Bearer bench"}
        async with aiohttp.ClientSession() as session:
            url = str(receiver.make_url("/hook"))
            await session.post(mock.make_url("/v1.0/webhook"), json={"url": url, "event": "customers.update"},
                               headers=auth)
            load = asyncio.create_task(_load(session, mock, load_url)) if load_url else None
            if load is not None:
                await asyncio.sleep(1.0)  # the load under way before the first probe
            ours, plain = [], []
            for i in range(n):
                marker = f"m{i}"
                arrived.clear()
                started = time.perf_counter()
                async with session.post(mock.make_url("/_mock/events"), headers=auth, json={
                        "type": "customers.update", "payload": {"marker": marker}}) as resp:
                    assert resp.status == 201
                while marker not in arrivals:
                    await arrived.wait()
                    arrived.clear()
                ours.append(arrivals[marker] - started)
                started = time.perf_counter()
                async with session.post(url, data=json.dumps({"marker": f"p{i}", "type": "x"}),
                                        headers={"Content-Type": "application/json"}) as resp:
                    await resp.read()
                plain.append(arrivals[f"p{i}"] - started)
            if load is not None:
                assert not load.done(), load.exception()
                await cancel_and_wait(load)
        await mock.close()
        await receiver.close()
    rows = []
    state, goal = ("loaded", LOADED_GOAL_MS) if load_url else ("quiet", QUIET_GOAL_MS)
    for p in (50, 99):
        a, b = percentile(ours, p) * 1000, percentile(plain, p) * 1000
        rows.append(Row(f"trigger-to-receiver latency p{p}, {state}", f"{a:.2f} ms", f"{b:.2f} ms plain POST", a / b,
                        f"< {goal:g} ms" if p == 99 else "", a < goal if p == 99 else None))
    return rows
