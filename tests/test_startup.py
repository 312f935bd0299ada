"""Start-up: /healthz answers before the engine is wired, every other request waits for
the wiring at the door, a failed wiring is a clear 503, Faker waits for the wiring, and a
running server imports nothing of its own again."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from mockserver.domain.config import Config
from mockserver.server import keys, wiring
from mockserver.server.app import create_app
from mockserver.server.running import Parts

AUTH = {"Authorization": "Bearer startup-token"}


async def test_healthz_answers_while_the_engine_is_wired_and_the_rest_waits_for_it(
    aiohttp_client: Any, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = asyncio.Event()
    real_start = wiring.start

    async def slow_start(*args: Any, **kwargs: Any) -> Parts:
        await gate.wait()
        return await real_start(*args, **kwargs)

    monkeypatch.setattr(wiring, "start", slow_start)
    client = await aiohttp_client(create_app(config))
    health = await client.get("/healthz")
    assert health.status == 200 and (await health.json())["ready"] is False
    listing = asyncio.ensure_future(client.get("/v1.0/webhook", headers=AUTH))
    deadline = asyncio.get_running_loop().time() + 10
    while client.server.runner.server.requests_count < 1:  # it has reached the app: it waits at the door
        assert asyncio.get_running_loop().time() < deadline, "the request never reached the server"
        await asyncio.sleep(0.005)
    assert not listing.done(), "a request went past the door before the engine was wired"
    gate.set()
    answer = await asyncio.wait_for(listing, 10)
    assert answer.status == 200 and (await answer.json())["data"] == []
    assert (await (await client.get("/healthz")).json())["ready"] is True


async def test_a_wiring_that_fails_is_a_clear_503_and_healthz_says_not_ready(
    aiohttp_client: Any, config: Config, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> Parts:
        raise RuntimeError("a bug in the wiring")

    monkeypatch.setattr(wiring, "start", broken)
    client = await aiohttp_client(create_app(config))
    await client.server.app[keys.running].booted.wait()
    health = await client.get("/healthz")
    assert health.status == 200 and (await health.json())["ready"] is False
    answer = await client.get("/v1.0/webhook", headers=AUTH)
    assert answer.status == 503
    assert (await answer.json())["error"]["code"] == "not_started"
    assert "could not start its engine" in caplog.text and "a bug in the wiring" in caplog.text
    with pytest.raises(RuntimeError, match="failed to start"):
        await keys.ready(client.server.app)


def test_starting_a_server_leaves_faker_for_later() -> None:
    """Faker (about 100 ms to load its providers) is loaded once the server answers, in a
    thread; the project's own modules are all loaded at start (see the next test)."""
    code = ("import sys\n"
            "from mockserver.server.app import create_app\n"
            "from mockserver.domain.config import Config\n"
            "create_app(Config(db=':memory:'))\n"
            "print('faker' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "False"


SERVE_FROM_A_COPY = """
import asyncio, json, sys, urllib.request
sys.path.insert(0, sys.argv[1])
from aiohttp import web
from mockserver.server.app import create_app
from mockserver.domain.config import Config
from mockserver.server import keys

async def main():
    app = create_app(Config(db=":memory:", clock="manual", verify="report"))
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    await keys.ready(app)
    print(runner.addresses[0][1], flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""


def test_a_running_server_imports_none_of_its_code_again(tmp_path: Path) -> None:
    """A server keeps answering when its files change under it, as during a `pip install
    -e .` beside it: every module of the project is imported at start, none at request
    time. Here the copy it runs from loses every Python file once it answers."""
    root = Path(__file__).resolve().parent.parent
    copy = tmp_path / "checkout"
    shutil.copytree(root / "mockserver", copy / "mockserver",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copytree(root / "templates", copy / "mockserver" / "templates")  # as the wheel has them
    proc = subprocess.Popen([sys.executable, "-c", SERVE_FROM_A_COPY, str(copy)], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": ""})
    try:
        assert proc.stdout is not None
        base = f"http://127.0.0.1:{int(proc.stdout.readline())}"
        for source in (copy / "mockserver").rglob("*.py"):
            source.unlink()
        _exercise(base)
    finally:
        proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def _exercise(base: str) -> None:
    """A request of every kind: the APIs, the page, the REST read side, errors."""
    auth = {"Authorization": "Bearer copy", "Content-Type": "application/json"}

    def call(method: str, path: str, body: object = None, headers: dict[str, str] = auth) -> tuple[int, bytes]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    status, body = call("POST", "/v1.0/webhook", {"url": base + "/_mock/sink/copy", "event": "receipts.update"})
    assert status == 201, body
    for method, path, payload in [
        ("POST", "/_mock/events", {"operation": "sale"}), ("POST", "/_mock/events", {"operation": "refund"}),
        ("GET", "/_mock/deliveries", None), ("GET", "/_mock/events", None), ("GET", "/_mock/stats", None),
        ("POST", "/_mock/clock/advance", {"seconds": 3600}), ("GET", "/_mock/schedule", None),
        ("GET", "/_mock/schemas/credit_note.update", None), ("GET", "/_mock/payloads/customers.update", None),
        ("GET", "/v1.0/products", None), ("GET", "/v1.0/receipts", None), ("GET", "/v1.0/grns", None),
        ("GET", "/openapi.json", None), ("GET", "/_mock/postman.json", None), ("GET", "/", None),
        ("GET", "/webhooks_setup", None), ("GET", "/ui/check", None), ("GET", "/static/app.css", None),
        ("GET", "/v1.0/nothing", None), ("PUT", "/_mock/api-faults", {"rate_limit": 5}),
        ("POST", "/_mock/reset", None),
    ]:
        status, body = call(method, path, payload)
        assert status < 500 and status != 404 or path == "/v1.0/nothing", (method, path, status, body[:300])
