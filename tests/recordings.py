"""Helpers for the fidelity tests: a recorder on a clock the test sets, "real" SalesPlay
deliveries that differ from the mock on purpose, and three ways to post them (curl, aiohttp,
a raw socket with chunked encoding)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestServer

from mockserver.fidelity.recorder import RECORDER, Recorder, RecordSettings, create_record_app
from mockserver.fidelity.recording import RecordedRequest
from mockserver.fidelity.sources import read
from mockserver.shop.generate import generate_payloads

START = 1751284800.0  # 2025-06-30 12:00:00 UTC
REAL_AGENT = "SalesPlay-Hookshot/2.1"  # what "SalesPlay" sends in these tests: not the mock's


class FakeTime:
    """The recorder's clock: arrival times are what the test says."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@dataclass
class Running:
    server: TestServer
    recorder: Recorder
    time: FakeTime

    def url(self, path: str = "/salesplay") -> str:
        return str(self.server.make_url(path))

    @property
    def file(self) -> Path:
        return self.recorder.writer.path

    def requests(self) -> list[RecordedRequest]:
        return [item for item in read(self.file) if isinstance(item, RecordedRequest)]


async def start_recorder(aiohttp_server: Any, out: Path, *, now: Callable[[], float] | None = None,
                         **settings: Any) -> Running:
    fake = FakeTime()
    app = create_record_app(RecordSettings(out=out, **settings), now=now or fake, secret="s3cret")
    server: TestServer = await aiohttp_server(app, auto_decompress=False)
    return Running(server, app[RECORDER], fake)


def real_receipt(seed: int = 3) -> dict[str, Any]:
    """A receipts.update as the real SalesPlay might send it: an extra field, a total as a
    string, a date with a T and a zone."""
    payload = generate_payloads("receipts.update", 1, seed=seed)[0]
    receipt = payload["receipts"][0]
    receipt["loyalty_points"] = 12
    receipt["total"] = f"{receipt['total']:.2f}"
    payload["created_at"] = payload["created_at"].replace(" ", "T") + "Z"
    return payload


def real_stock_level(seed: int = 3) -> dict[str, Any]:
    """An inventory_levels.update with in_stock as a string."""
    payload = generate_payloads("inventory_levels.update", 1, seed=seed)[0]
    payload["inventory_levels"][0]["in_stock"] = str(payload["inventory_levels"][0]["in_stock"])
    return payload


def real_headers(**extra: str) -> dict[str, str]:
    return {"Content-Type": "application/json", "User-Agent": REAL_AGENT, "X-SalesPlay-Event-Id": "ev_1", **extra}


def encoded(payload: Any) -> bytes:
    return json.dumps(payload).encode()


async def post_with_curl(url: str, body: bytes, headers: dict[str, str], tmp: Path) -> str:
    """curl --data-binary, as a shell script or another language's test would post."""
    (tmp / "body.json").write_bytes(body)
    args = ["curl", "-sS", "-X", "POST", url, "--data-binary", f"@{tmp / 'body.json'}", "-w", "\n%{http_code}"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    proc = await asyncio.create_subprocess_exec(*args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    return out.decode().rsplit("\n", 1)[1]


async def post_chunked(host: str, port: int, path: str, headers: dict[str, str] | list[tuple[str, str]],
                       chunks: list[bytes], *, finish: bool = True) -> bytes:
    """A POST written by hand on a socket, its body in chunks; ``finish=False`` closes it
    before the last chunk (a body cut off). What came back."""
    reader, writer = await asyncio.open_connection(host, port)
    head = f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nTransfer-Encoding: chunked\r\n"
    pairs = list(headers.items()) if isinstance(headers, dict) else headers
    head += "".join(f"{k}: {v}\r\n" for k, v in pairs) + "Connection: close\r\n\r\n"
    writer.write(head.encode("latin-1"))
    for chunk in chunks:
        writer.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        await writer.drain()
    if finish:
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), 30)
    else:
        answer = b""
    writer.close()
    await writer.wait_closed()
    return answer


async def until(check: Callable[[], bool], *, within: float = 20.0) -> None:
    """Poll ``check`` until it holds, failing after ``within`` seconds."""
    deadline = time.monotonic() + within
    while not check():
        assert time.monotonic() < deadline, "what the test waited for did not happen in time"
        await asyncio.sleep(0.02)
