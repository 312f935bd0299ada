"""Trigger-to-receiver latency over HTTP on the scaled clock (the server's default), against
a plain POST to the same receiver, all on one event loop in the same run."""

from __future__ import annotations

import asyncio
import json
import tempfile
import time

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

from bench.common import Row, percentile
from mockserver.app import create_app
from mockserver.config import Config


async def run(n: int) -> list[Row]:
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
        await mock.close()
        await receiver.close()
    rows = []
    for p in (50, 99):
        a, b = percentile(ours, p) * 1000, percentile(plain, p) * 1000
        rows.append(Row(f"trigger-to-receiver latency p{p}", f"{a:.2f} ms", f"{b:.2f} ms plain POST", a / b,
                        "(lower is better)", None))
    return rows
