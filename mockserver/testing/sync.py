"""The handle for ordinary (sync) tests: every method of ``AsyncSalesPlay``, run on the
mock's own loop, with the same names, signatures and docstrings; and ``serve``, which runs
the receiver under test on a loop of its own."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import aiohttp

from mockserver.testing.client import DEFAULT_TOKEN
from mockserver.testing.handle import AsyncSalesPlay
from mockserver.testing.receivers import Receiver, start_receiver
from mockserver.testing.servers import LoopThread, ThreadedMockServer

ASYNC_ONLY = ("serve_async", "stop_receivers")  # the sync handle has its own
# A check bounds itself (the delivery timeout per request, a time budget for the whole):
# these wait for it without the 120 s limit of the other calls.
UNBOUNDED = ("check", "assert_check_passes")


class SalesPlay:
    """A test's handle on the mock: the ``salesplay`` fixture. Register, make the shop act,
    move time, read deliveries and attempts, assert; serve the receiver under test."""

    def __init__(self, server: ThreadedMockServer, *, token: str = DEFAULT_TOKEN) -> None:
        self.server = server
        self.url = server.url
        self.token = token
        self._session: aiohttp.ClientSession = server.run(_new_session())
        self._async = AsyncSalesPlay(server.url, self._session, token=token)
        self._receivers: list[Receiver] = []
        self._receivers_loop: LoopThread | None = None

    @property
    def api_url(self) -> str:
        """The base URL to give a receiver's integration code instead of SalesPlay's
        (``https://api.salesplaypos.com/v1.0``).

        Example::

            settings.SALESPLAY_API = salesplay.api_url   # http://127.0.0.1:PORT/v1.0
        """
        return self._async.api_url

    def serve(self, app: object, *, host: str = "127.0.0.1", port: int = 0, interface: str | None = None) -> str:
        """Serve the receiver under test for this test, and return its base URL: an ASGI app
        (FastAPI, Starlette: needs uvicorn), a WSGI app (Flask, Django) or an aiohttp
        ``web.Application``, on 127.0.0.1 and a free port. ``interface`` ("asgi", "wsgi",
        "aiohttp") overrides the guess. Stopped after the test.

        Example::

            url = salesplay.serve(app)                  # http://127.0.0.1:PORT
            salesplay.register(url + "/webhooks/salesplay", "receipts.update")
        """
        if self._receivers_loop is None:
            self._receivers_loop = LoopThread("salesplay-mock receivers")
        receiver = self._receivers_loop.run(start_receiver(app, host=host, port=port, interface=interface))
        self._receivers.append(receiver)
        return receiver.url

    def stop_receivers(self) -> None:
        """Stop every receiver ``serve`` started (the fixture does it after the test).

        Example::

            salesplay.stop_receivers()      # the receiver is gone: attempts now fail
        """
        loop = self._receivers_loop
        while self._receivers and loop is not None:
            loop.run(self._receivers.pop().stop())

    def close(self) -> None:
        """Stop the receivers and close the handle's HTTP session (the fixture does it).

        Example::

            handle = SalesPlay(ThreadedMockServer(config).start())
            ...
            handle.close()
        """
        try:
            self.stop_receivers()
        finally:
            if self._receivers_loop is not None:
                self._receivers_loop.stop()
                self._receivers_loop = None
            self.server.run(self._session.close())

    if TYPE_CHECKING:  # the methods below are made from AsyncSalesPlay's; a checker sees Any

        def __getattr__(self, name: str) -> Any: ...


def _twin(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    timeout = None if name in UNBOUNDED else 120

    @functools.wraps(method)
    def call(self: SalesPlay, *args: Any, **kwargs: Any) -> Any:
        return self.server.run(getattr(self._async, name)(*args, **kwargs), timeout)

    return call


for _name, _member in inspect.getmembers(AsyncSalesPlay, inspect.iscoroutinefunction):
    if not _name.startswith("_") and _name not in ASYNC_ONLY:
        setattr(SalesPlay, _name, _twin(_name, _member))


async def _new_session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession()
