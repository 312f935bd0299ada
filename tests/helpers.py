"""Helpers for talking to the app under test and scripting receivers."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

START = 1751284800.0  # 2025-06-30 12:00:00 UTC
TOKEN = "test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


class Receiver:
    """A receiver under test: answers from a script of statuses, and records every request."""

    def __init__(self, answers: list[int] | None = None, default: int = 200) -> None:
        self.answers = list(answers or [])
        self.default = default
        self.requests: list[dict[str, Any]] = []
        self.server: TestServer | None = None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append({"headers": dict(request.headers), "body": await request.json()})
        status = self.answers.pop(0) if self.answers else self.default
        return web.json_response({"ok": status < 300}, status=status)

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/hook"))


async def register(
    client: TestClient[Any, Any], url: str, event: str | list[str] = "receipts.update", **extra: Any
) -> dict[str, Any]:
    events = {"event": event} if isinstance(event, str) else {"events": event}
    resp = await client.post("/v1.0/webhook", json={"url": url, **events, **extra}, headers=AUTH)
    assert resp.status == 201, await resp.text()
    body: dict[str, Any] = await resp.json()
    return body


async def trigger(client: TestClient[Any, Any], type_: str = "receipts.update", count: int = 1) -> dict[str, Any]:
    resp = await client.post("/_mock/events", json={"type": type_, "count": count}, headers=AUTH)
    assert resp.status == 201, await resp.text()
    body: dict[str, Any] = await resp.json()
    return body


async def advance(client: TestClient[Any, Any], seconds: float) -> dict[str, Any]:
    resp = await client.post("/_mock/clock/advance", json={"seconds": seconds}, headers=AUTH)
    assert resp.status == 200, await resp.text()
    body: dict[str, Any] = await resp.json()
    return body


async def deliveries(client: TestClient[Any, Any], **query: str) -> list[dict[str, Any]]:
    resp = await client.get("/_mock/deliveries", params=query, headers=AUTH)
    assert resp.status == 200, await resp.text()
    data: list[dict[str, Any]] = (await resp.json())["data"]
    return data


async def delivery(client: TestClient[Any, Any], delivery_id: str) -> dict[str, Any]:
    resp = await client.get(f"/_mock/deliveries/{delivery_id}", headers=AUTH)
    assert resp.status == 200, await resp.text()
    body: dict[str, Any] = await resp.json()
    return body


class RawReceiver:
    """A receiver below HTTP: ``behaviour(reader, writer)`` decides what the mock gets."""

    def __init__(self, behaviour: Any) -> None:
        self.behaviour = behaviour
        self.connections = 0
        self.server: asyncio.base_events.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()

    async def start(self) -> RawReceiver:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        task.add_done_callback(self._handlers.discard)
        try:
            await self.behaviour(reader, writer)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    @property
    def url(self) -> str:
        assert self.server is not None
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/hook"

    async def close(self) -> None:
        assert self.server is not None
        self.server.close()
        for task in list(self._handlers):  # connections still held (a hanging behaviour) end here
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        await self.server.wait_closed()


async def hang() -> None:
    """Wait forever (until the receiver is closed), on whichever loop runs the test."""
    await asyncio.get_running_loop().create_future()


async def never_answers(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A receiver that reads the request and then says nothing."""
    await read_request(reader)
    await hang()


async def read_request(reader: asyncio.StreamReader) -> None:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    await reader.readexactly(length)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _call(port: int, method: str, path: str, body: Any = None, token: str = "cli") -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method,
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            raw = resp.read()
            return resp.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


class Server:
    """``python -m mockserver serve`` as a user runs it."""

    def __init__(self, tmp: Path, *extra: str, open_files: int | None = None) -> None:
        """``open_files``: the server starts with this soft limit on open files (as many
        systems set 1,024)."""
        self.port = _free_port()
        self.args = [sys.executable, "-m", "mockserver", "serve", "--port", str(self.port), *extra]
        self.cwd = tmp
        self.open_files = open_files
        self.proc: subprocess.Popen[bytes] | None = None

    def _limits(self) -> None:
        import resource

        if self.open_files is not None:
            hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
            resource.setrlimit(resource.RLIMIT_NOFILE, (self.open_files, hard))

    def start(self) -> Server:
        self.proc = subprocess.Popen(self.args, cwd=self.cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     preexec_fn=self._limits if self.open_files is not None else None)
        for _ in range(200):  # up to 10 s for the interpreter to start and bind
            try:
                if _call(self.port, "GET", "/healthz")[0] == 200:
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop(signal.SIGKILL)
        raise AssertionError("the server did not come up")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        assert self.proc is not None
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=15)
        assert self.proc.stderr is not None
        self.proc.stderr.close()
        return code


async def until(check: Any, *, timeout: float, what: str, every: float = 0.05) -> Any:
    """Poll ``check()`` until it returns something true, or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        got = await check()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        await asyncio.sleep(every)


async def csrf_of(client: Any, path: str = "/") -> str:
    """The CSRF field of a page's forms, for a test client that posts them."""
    html = await (await client.get(path)).text()
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)


async def sign_in(client: Any) -> str:
    """Sign a test client in to the page with the test token; the session's CSRF value."""
    resp = await client.post("/ui/login", data={"csrf": await csrf_of(client), "token": TOKEN}, allow_redirects=False)
    assert resp.status == 303
    return await csrf_of(client)
