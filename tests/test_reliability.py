"""Proof under fire: hostile receivers are failed attempts, recorded and retried, while the
API keeps answering; memory stays bounded; a killed server loses nothing."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import sqlite3
import struct
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from mockserver.server import keys
from tests.helpers import (
    AUTH,
    RawReceiver,
    Server,
    _call,
    advance,
    delivery,
    hang,
    never_answers,
    read_request,
    register,
    trigger,
)

Behaviour = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def headers_then_stall(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npartial")
    await writer.drain()
    await hang()


async def reset_mid_body(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npartial")
    await writer.drain()
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST, not FIN
    writer.transport.abort()


async def endless_chunked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"%x\r\n%s\r\n" % (65536, b"z" * 65536)
    while True:
        writer.write(chunk)
        await writer.drain()


async def redirect_loop(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(b"HTTP/1.1 302 Found\r\nLocation: /hook\r\nContent-Length: 0\r\n\r\n")
    await writer.drain()


async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(bytes(random.Random(1).getrandbits(8) for _ in range(512)) + b"\r\n\r\n")
    await writer.drain()


async def close_at_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.transport.abort()


HOSTILE: list[tuple[Behaviour, tuple[str, ...]]] = [
    (never_answers, ("timeout",)),
    (headers_then_stall, ("timeout",)),
    (reset_mid_body, ("broken_body", "connection_reset", "connection_closed")),
    (endless_chunked, ("body_too_large",)),
    (redirect_loop, ("redirect",)),
    (garbage, ("bad_http",)),
    (close_at_once, ("connection_closed", "connection_reset")),
]


async def _api_time(client: Any) -> float:
    started = time.perf_counter()
    for path in ("/healthz", "/v1.0/webhook", "/_mock/deliveries"):
        assert (await client.get(path, headers=AUTH)).status == 200
    return time.perf_counter() - started


@pytest.mark.parametrize(("behaviour", "kinds"), HOSTILE, ids=[b.__name__ for b, _ in HOSTILE])
async def test_hostile_receiver_is_a_failed_attempt_retried_while_the_api_answers(
    make_client: Any, config: Any, behaviour: Behaviour, kinds: tuple[str, ...]
) -> None:
    client = await make_client(config, delivery_timeout=1.0)
    raw = await RawReceiver(behaviour).start()
    await register(client, raw.url)
    sending = asyncio.create_task(trigger(client))
    await asyncio.sleep(0.05)  # let the attempt start: the API must answer meanwhile
    assert await _api_time(client) < 0.5
    sent = await sending
    dlv_id = sent["events"][0]["deliveries"][0]["id"]
    [first] = (await delivery(client, dlv_id))["attempts"]
    assert first["state"] == "failed" and first["error_kind"] in kinds, first
    assert first["error_message"]
    await advance(client, 5)  # retried on the published schedule
    detail = await delivery(client, dlv_id)
    assert [a["number"] for a in detail["attempts"]] == [1, 2]
    assert detail["attempts"][1]["started_at"] == "2025-06-30T12:00:05.000Z"
    assert detail["status"] == "pending"
    await raw.close()


async def test_memory_stays_bounded_with_100_hostile_receivers_at_once(make_client: Any, config: Any) -> None:
    client = await make_client(config, delivery_timeout=1.0, max_in_flight=128)

    async def trickle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        while True:  # a slow endless body: each attempt holds a connection until the timeout
            writer.write(b"%x\r\n%s\r\n" % (8192, b"m" * 8192))
            await writer.drain()
            await asyncio.sleep(0.005)

    raw = await RawReceiver(trickle).start()
    for n in range(100):
        await register(client, f"{raw.url}?n={n}")
    tracemalloc.start()
    try:
        started = time.perf_counter()
        sent = await trigger(client)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    deliveries = sent["events"][0]["deliveries"]
    assert len(deliveries) == 100 and all(d["status"] == "pending" for d in deliveries)
    assert elapsed < 5, "100 attempts ran concurrently, each bounded by the 1 s timeout"
    assert peak < 40 * 2**20, f"peak {peak / 2**20:.1f} MiB while 100 receivers streamed endlessly"
    await raw.close()


def _invariants(db: Path) -> dict[str, int]:
    """What must hold in the database after any number of kill -9s."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    lost = conn.execute(
        "SELECT COUNT(*) FROM deliveries WHERE status = 'pending' AND next_at IS NULL "
        "AND hold_for IS NULL AND inflight_at IS NULL"
    ).fetchone()[0]
    assert lost == 0, "a pending delivery has neither a next attempt nor one in flight"
    for d in conn.execute("SELECT id, status, attempts, inflight_at FROM deliveries WHERE kind = 'event'"):
        numbers = [r[0] for r in conn.execute(
            "SELECT number FROM attempts WHERE delivery_id = ? ORDER BY number", (d["id"],))]
        # An attempt cut off by the kill has no row yet: the next start records it.
        recorded = d["attempts"] - (d["inflight_at"] is not None)
        assert numbers == list(range(1, recorded + 1)), f"attempts of {d['id']}: {numbers}"
        if d["status"] == "succeeded":
            last = conn.execute("SELECT state FROM attempts WHERE delivery_id = ? ORDER BY number DESC LIMIT 1",
                                (d["id"],)).fetchone()
            assert last[0] == "succeeded"
    counts = {
        "webhooks": conn.execute("SELECT COUNT(*) FROM webhooks").fetchone()[0],
        "events": conn.execute("SELECT COUNT(*) FROM events").fetchone()[0],
        "deliveries": conn.execute("SELECT COUNT(*) FROM deliveries WHERE kind = 'event'").fetchone()[0],
        "interrupted": conn.execute("SELECT COUNT(*) FROM attempts WHERE error_kind = 'interrupted'").fetchone()[0],
        "cut_off": conn.execute("SELECT COUNT(*) FROM deliveries WHERE inflight_at IS NOT NULL").fetchone()[0],
    }
    conn.close()
    return counts


def test_kill_9_at_random_points_loses_nothing(tmp_path: Path, served: list[Server]) -> None:
    """Rounds of: start on the same database, trigger, kill -9 wherever the engine is. After
    each, and after a last clean run, every registration, event and delivery is there, and
    every delivery's attempts are numbered without a gap."""
    rng = random.Random(20261128)
    port = Server(tmp_path).port  # the same port every round: the sinks' URLs stay valid
    args = ("--clock", "scaled", "--time-scale", "200", "--verify", "off", "--db", "mock.sqlite3")

    def start() -> Server:
        server = Server(tmp_path, *args)
        server.port = port
        server.args = [*server.args[:4], "--port", str(port), *args]
        served.append(server.start())
        return server

    receipts = 0
    for round_ in range(4):
        server = start()
        if round_ == 0:
            for answer in ("500", "500", "200", "200"):
                url = f"http://127.0.0.1:{port}/_mock/sink/s{answer}?status={answer}"
                assert _call(port, "POST", "/v1.0/webhook", {"url": url, "event": "receipts.update"})[0] == 201
        status, body = _call(port, "POST", "/_mock/events", {"operation": "sale", "count": 5})
        assert status == 201
        receipts += sum(e["type"] == "receipts.update" for e in body["events"])
        time.sleep(rng.uniform(0.1, 0.8))  # the kill lands wherever the engine happens to be
        server.stop(signal.SIGKILL)
        counts = _invariants(tmp_path / "mock.sqlite3")
        assert counts["webhooks"] == 4
        assert counts["deliveries"] == 4 * receipts, "an event did not reach every webhook"
    final = start()  # the survivor recovers what the kills cut off, and goes on
    time.sleep(0.5)
    assert final.stop(signal.SIGTERM) == 0
    counts = _invariants(tmp_path / "mock.sqlite3")
    assert counts["deliveries"] == 4 * receipts == 80
    assert counts["cut_off"] == 0, "the last start recorded every attempt the kills cut off"
    conn = sqlite3.connect(tmp_path / "mock.sqlite3")
    retried = conn.execute("SELECT MAX(attempts) FROM deliveries WHERE url LIKE '%status=500'").fetchone()[0]
    conn.close()
    assert retried >= 3, "the failing webhooks were retried across the restarts"


def _rss(pid: int) -> int:
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_the_sinks_memory_stays_within_its_budget_under_many_large_posts(tmp_path: Path, served: list[Server]) -> None:
    """40 sinks, 3,000 POSTs of 60 KB (180 MB in all): the server's resident size grows by
    no more than the sinks' budget plus allocator slack."""
    import concurrent.futures
    import http.client

    server = Server(tmp_path, "--db", ":memory:", "--sink-memory", "8MiB", "--clock", "manual")
    served.append(server.start())
    assert server.proc is not None
    body = b'{"k": "' + b"v" * 60_000 + b'"}'

    def post(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        for i in range(n, 3000, 8):
            conn.request("POST", f"/_mock/sink/m{i % 40}", body=body, headers={"Content-Type": "application/json"})
            assert conn.getresponse().read()
        conn.close()

    post_warm = 80  # let the server's buffers reach their working size first
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    for i in range(post_warm):
        conn.request("POST", f"/_mock/sink/warm{i % 4}", body=body)
        conn.getresponse().read()
    conn.close()
    before = _rss(server.proc.pid)
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(post, range(8)))
    grown = _rss(server.proc.pid) - before
    assert grown < 8 * 2**20 + 24 * 2**20, f"grew {grown / 2**20:.0f} MiB with an 8 MiB budget"
    assert _call(server.port, "GET", "/_mock/sink/m0")[1]["requests"] == 75  # counted, if not all kept


async def _scaled(aiohttp_client: Any, config: Any) -> Any:
    """A client of the app on a clock that runs by itself: a trigger answers before its
    attempts end (the manual clock would make them first)."""
    import dataclasses

    from mockserver.server.app import create_app

    return await aiohttp_client(create_app(dataclasses.replace(config, clock="scaled", time_scale=1.0)))


def _answers_when(answer: asyncio.Event, status: bytes) -> Any:
    """A raw receiver that reads the request, then answers ``status`` once ``answer`` is set."""

    async def slow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await answer.wait()
        writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()

    return slow


async def test_a_reset_during_attempts_under_way_leaves_no_orphan_attempts(aiohttp_client: Any, config: Any) -> None:
    client = await _scaled(aiohttp_client, config)
    engine = (await keys.ready(client.server.app)).engine
    assert engine is not None
    answer = asyncio.Event()
    raw = await RawReceiver(_answers_when(answer, b"200 OK")).start()
    await register(client, raw.url)
    await trigger(client)
    for _ in range(200):  # the attempt is under way
        if raw.connections:
            break
        await asyncio.sleep(0.01)
    assert engine.scheduler.in_flight == 1
    assert (await client.post("/_mock/reset", headers=AUTH)).status == 200
    answer.set()
    for _ in range(200):
        if engine.scheduler.in_flight == 0:
            break
        await asyncio.sleep(0.01)
    engine.store.commit()
    orphans = engine.store.conn.execute(
        "SELECT COUNT(*) FROM attempts WHERE delivery_id NOT IN (SELECT id FROM deliveries)").fetchone()[0]
    assert orphans == 0
    await raw.close()


async def test_a_delivery_whose_webhook_was_disabled_during_its_attempt_ends_cancelled_with_the_reason(
    aiohttp_client: Any, config: Any
) -> None:
    client = await _scaled(aiohttp_client, config)
    answer = asyncio.Event()
    raw = await RawReceiver(_answers_when(answer, b"503 Busy")).start()
    hook = await register(client, raw.url)
    sent = await trigger(client)
    dlv_id = sent["events"][0]["deliveries"][0]["id"]
    for _ in range(200):
        if raw.connections:
            break
        await asyncio.sleep(0.01)
    await client.put(f"/v1.0/webhook/{hook['id']}", json={"status": "disabled"}, headers=AUTH)
    answer.set()
    for _ in range(200):
        detail = await delivery(client, dlv_id)
        if detail["attempts"]:
            break
        await asyncio.sleep(0.02)
    assert (detail["status"], detail["last_error"]) == ("cancelled", "the webhook was disabled")
    assert detail["attempts"][0]["response_status"] == 503  # the attempt is recorded; the reason stays
    await raw.close()
