"""Attacks without a token, run against a server in a subprocess while /healthz is probed."""

from __future__ import annotations

import asyncio
import gzip
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp


class Probe:
    """GET /healthz on a new connection every ``every`` seconds, each answer's time kept."""

    def __init__(self, port: int, every: float = 0.05) -> None:
        self.url = f"http://127.0.0.1:{port}/healthz"
        self.every = every
        self.times: list[float] = []
        self.failures: list[str] = []

    async def run(self, stop: asyncio.Event) -> None:
        timeout = aiohttp.ClientTimeout(total=10)
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True), timeout=timeout) as s:
            while not stop.is_set():
                started = time.perf_counter()
                try:
                    async with s.get(self.url) as resp:
                        await resp.read()
                        if resp.status != 200:
                            self.failures.append(f"/healthz answered {resp.status}")
                except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                    self.failures.append(f"/healthz: {type(exc).__name__} {exc}")
                self.times.append(time.perf_counter() - started)
                try:
                    await asyncio.wait_for(stop.wait(), self.every)
                except asyncio.TimeoutError:
                    pass

    def slowest(self, share: float) -> float:
        """The time within which ``share`` of the probes were answered."""
        ranked = sorted(self.times)
        return ranked[min(len(ranked) - 1, int(share * len(ranked)))]


@asynccontextmanager
async def probing(port: int) -> AsyncIterator[Probe]:
    probe, stop = Probe(port), asyncio.Event()
    task = asyncio.create_task(probe.run(stop))
    try:
        yield probe
    finally:
        stop.set()
        await task


async def partial_bodies(port: int, connections: int, hold: float) -> list[bytes]:
    """``connections`` requests that send 2 of the 100 body bytes they promise, then wait;
    after ``hold`` seconds, what each got back so far."""
    head = (b"POST /_mock/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer attacker\r\n"
            b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"")
    opened: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    for _ in range(connections):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(head)
        opened.append((reader, writer))
    await asyncio.sleep(hold)
    got = []
    for reader, writer in opened:
        try:
            got.append(await asyncio.wait_for(reader.read(64), 0.01) if not reader.at_eof() else b"")
        except asyncio.TimeoutError:
            got.append(b"")
        writer.close()
    return got


def bomb(unpacked: int = 32 * 1024 * 1024) -> bytes:
    """A gzip body of ``unpacked`` zero bytes: about 32 KiB as sent."""
    return gzip.compress(b"\0" * unpacked, compresslevel=9)


async def many(count: int, at_once: int, one: Callable[[aiohttp.ClientSession, int], Awaitable[int]]) -> list[int]:
    """``count`` requests, ``at_once`` at a time; their statuses."""
    gate = asyncio.Semaphore(at_once)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        async def guarded(n: int) -> int:
            async with gate:
                return await one(session, n)

        return list(await asyncio.gather(*(guarded(n) for n in range(count))))


def rss(pid: int) -> int:
    """The resident memory of process ``pid``, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for {pid}")
