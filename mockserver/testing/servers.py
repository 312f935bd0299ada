"""The mock served for a test: on the running event loop, or on a loop of its own in a thread.

``MockServer`` runs on the current loop (async tests); ``ThreadedMockServer`` on a
``LoopThread``, for sync tests of Flask, Django, FastAPI or WSGI receivers, whose own code
blocks. Both listen where the config says: the plugin asks for 127.0.0.1 and a free port.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from aiohttp import web

from mockserver.domain.config import Config
from mockserver.server.app import create_app

T = TypeVar("T")


def base_url(host: str, port: int) -> str:
    """Where a client on this machine reaches a server bound to ``host``:``port``."""
    shown = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


class LoopThread:
    """An event loop running in a daemon thread: ``run(coro)`` from any other thread;
    ``stop()`` leaves no thread behind."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = 120) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self) -> None:
        # The default executor's threads (asyncio.to_thread) are joined, not left to linger.
        with contextlib.suppress(Exception):
            self.run(self.loop.shutdown_default_executor(), timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=30)
        self.loop.close()


class MockServer:
    """The mock served on the running event loop, at the config's host and port (0: a free one)."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.app = create_app(config)
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> MockServer:
        self._runner = web.AppRunner(self.app, handle_signals=False, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, self.config.host, self.config.port).start()
        except OSError as exc:
            await self.stop()
            reason = (exc.strerror or str(exc)).lower()
            raise OSError(exc.errno, f"salesplay-mock cannot listen on {self.config.host}:{self.config.port} "
                                     f"({reason}); set salesplay_port to another port, or 0 for a free one") from None
        except BaseException:
            await self.stop()
            raise
        port = self._runner.addresses[0][1]
        self.url = base_url(self.config.host, port)
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


class ThreadedMockServer:
    """The mock on its own event loop in a daemon thread; ``stop()`` leaves nothing behind."""

    def __init__(self, config: Config) -> None:
        self._server = MockServer(config)
        self._loop: LoopThread | None = None
        self.url = ""

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        assert self._loop is not None, "start() the server first"
        return self._loop.loop

    def start(self) -> ThreadedMockServer:
        self._loop = LoopThread("salesplay-mock")
        try:
            self.url = self.run(self._server.start()).url
        except BaseException:
            self._loop.stop()
            raise
        return self

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = 120) -> T:
        assert self._loop is not None, "start() the server first"
        return self._loop.run(coro, timeout)

    def stop(self) -> None:
        assert self._loop is not None
        try:
            self.run(self._server.stop())
        finally:
            self._loop.stop()
