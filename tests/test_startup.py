"""Start-up: /healthz answers before the engine is wired, every other request waits for
the wiring at the door, a failed wiring is a clear 503, and what the first answer does not
need is not imported at start."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from typing import Any

import pytest

from mockserver import app as app_module
from mockserver import keys, wiring
from mockserver.app import create_app
from mockserver.config import Config
from mockserver.resources import RESOURCES
from mockserver.routes import RESOURCE_NAMES

AUTH = {"Authorization": "Bearer startup-token"}


async def test_healthz_answers_while_the_engine_is_wired_and_the_rest_waits_for_it(
    aiohttp_client: Any, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = asyncio.Event()
    real_start = wiring.start

    async def slow_start(*args: Any, **kwargs: Any) -> None:
        await gate.wait()
        await real_start(*args, **kwargs)

    monkeypatch.setattr(wiring, "start", slow_start)
    client = await aiohttp_client(create_app(config))
    health = await client.get("/healthz")
    assert health.status == 200 and (await health.json())["ready"] is False
    listing = asyncio.ensure_future(client.get("/v1.0/webhook", headers=AUTH))
    await asyncio.sleep(0.05)
    assert not listing.done(), "a request went past the door before the engine was wired"
    gate.set()
    answer = await asyncio.wait_for(listing, 10)
    assert answer.status == 200 and (await answer.json())["data"] == []
    assert (await (await client.get("/healthz")).json())["ready"] is True


async def test_a_wiring_that_fails_is_a_clear_503_and_healthz_says_not_ready(
    aiohttp_client: Any, config: Config, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> None:
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


async def test_the_gil_is_handed_back_quickly_only_while_wiring(aiohttp_client: Any, config: Config) -> None:
    before = sys.getswitchinterval()
    seen: list[float] = []
    gate = asyncio.Event()
    real_start = wiring.start

    async def watching(*args: Any, **kwargs: Any) -> None:
        seen.append(sys.getswitchinterval())
        await gate.wait()
        await real_start(*args, **kwargs)

    mp = pytest.MonkeyPatch()
    mp.setattr(wiring, "start", watching)
    try:
        first = await aiohttp_client(create_app(config))
        second = await aiohttp_client(create_app(config))  # two servers booting at once
        gate.set()
        for client in (first, second):
            await keys.ready(client.server.app)
        await asyncio.wait_for(_until_back(before), 10)  # once Faker is warm too
    finally:
        mp.undo()
    assert seen and all(s < before for s in seen)
    assert app_module._booting[0] == 0


async def _until_back(interval: float) -> None:
    while sys.getswitchinterval() != interval:
        await asyncio.sleep(0.01)


def test_the_route_table_names_every_rest_resource() -> None:
    """routes.py names them without importing the resources' rules (start-up stays light)."""
    assert RESOURCE_NAMES == tuple(RESOURCES)


def test_starting_a_server_imports_nothing_its_first_answer_does_not_need() -> None:
    code = ("import sys, json\n"
            "import mockserver.cli, mockserver.serve, mockserver.app, mockserver.routes, mockserver.api.health\n"
            "from mockserver.app import create_app\n"
            "from mockserver.config import Config\n"
            "from mockserver.store import Store\n"
            "create_app(Config(db=':memory:'))\n"
            "Store(':memory:').meta.get('page_secret')\n"
            "print(json.dumps(sorted(sys.modules)))\n")
    loaded = set(json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                           check=True, timeout=60).stdout))
    heavy = {"faker", "jinja2", "mockserver.models", "mockserver.engine.scheduler",
             "mockserver.service", "mockserver.shop.world", "mockserver.resources", "mockserver.openapi",
             "mockserver.store.deliveries", "mockserver.wiring"}
    assert not loaded & heavy, f"imported at start: {sorted(loaded & heavy)}"
