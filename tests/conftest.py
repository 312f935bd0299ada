"""Shared fixtures: a manual-clock app on an in-memory database, and receivers to aim at."""

from __future__ import annotations

import dataclasses
import signal
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from mockserver.domain.clock import ManualClock
from mockserver.domain.config import Config
from mockserver.server.app import create_app
from tests.helpers import START, Receiver, Server


@pytest.fixture
def config() -> Config:
    """A throwaway configuration: manual clock, in-memory database, no sample POSTs."""
    return Config(db=":memory:", clock="manual", clock_start=START, verify="off", delivery_timeout=2.0)


@pytest.fixture
def clock() -> ManualClock:
    """The manual clock the app is built with."""
    return ManualClock(start=START)


@pytest.fixture
def make_client(aiohttp_client: Any, clock: ManualClock) -> Callable[..., Awaitable[TestClient[Any, Any]]]:
    """Build an app from a Config (with overrides) and a client for it."""

    async def make(config: Config, *, on_clock: ManualClock | None = None, **overrides: Any) -> TestClient[Any, Any]:
        client: TestClient[Any, Any] = await aiohttp_client(
            create_app(dataclasses.replace(config, **overrides), clock=on_clock or clock)
        )
        return client

    return make


@pytest.fixture
async def client(make_client: Any, config: Config) -> TestClient[Any, Any]:
    """A client for the default test app."""
    made: TestClient[Any, Any] = await make_client(config)
    return made


@pytest.fixture
def receiver(aiohttp_server: Any) -> Callable[..., Awaitable[Receiver]]:
    """Start a scripted receiver: ``await receiver([500, 500], default=200)``."""

    async def start(answers: list[int] | None = None, default: int = 200) -> Receiver:
        rec = Receiver(answers, default)
        app = web.Application()
        app.router.add_route("*", "/hook", rec.handle)
        rec.server = await aiohttp_server(app)
        return rec

    return start


@pytest.fixture
def served(tmp_path: Path) -> Iterator[list[Server]]:
    """Servers started by a test; any left running are killed."""
    started: list[Server] = []
    yield started
    for server in started:
        if server.proc is not None and server.proc.poll() is None:
            server.stop(signal.SIGKILL)
