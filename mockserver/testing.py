"""salesplay-mock inside a test suite: a server on 127.0.0.1 and a client with readable calls.

``MockServer`` runs the mock on the current event loop; ``ThreadedMockServer`` on a loop of
its own in a thread, for sync tests of Flask, Django, FastAPI or WSGI receivers.
``AsyncSalesPlay`` talks to either over HTTP, as a receiver's own code would; ``SalesPlay``
is its synchronous twin. The pytest plugin builds its fixtures from these.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

import aiohttp
from aiohttp import web

from mockserver.app import create_app
from mockserver.check import CheckOptions, Report, render, run_check
from mockserver.config import Config
from mockserver.durations import parse_duration
from mockserver.models import EVENT_TYPES

T = TypeVar("T")
DEFAULT_TOKEN = "pytest-token"


class MockServer:
    """The mock served on 127.0.0.1 (a free port) of the running event loop."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.app = create_app(config)
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> MockServer:
        self._runner = web.AppRunner(self.app, handle_signals=False, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        except BaseException:
            await self.stop()
            raise
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


class ThreadedMockServer:
    """The mock on its own event loop in a daemon thread; ``stop()`` leaves nothing behind."""

    def __init__(self, config: Config) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="salesplay-mock", daemon=True)
        self._server = MockServer(config)
        self.url = ""

    def start(self) -> ThreadedMockServer:
        self._thread.start()
        try:
            self.url = self.run(self._server.start()).url
        except BaseException:
            self._close_loop()
            raise
        return self

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = 120) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self) -> None:
        try:
            self.run(self._server.stop())
        finally:
            self._close_loop()

    def _close_loop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=30)
        self.loop.close()


class MockError(AssertionError):
    """The mock refused a call: carries its status and JSON error."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"salesplay-mock answered {status}: {body}")
        self.status = status
        self.body = body


class AsyncSalesPlay:
    """A test's handle on the mock: register, trigger, move time, read, assert."""

    def __init__(self, url: str, session: aiohttp.ClientSession, *, token: str = DEFAULT_TOKEN) -> None:
        self.url = url
        self.token = token
        self._session = session

    @property
    def api_url(self) -> str:
        """What a receiver's integration code uses instead of SalesPlay's API base URL."""
        return self.url + "/v1.0"

    async def _call(self, method: str, path: str, body: Any = None, params: dict[str, str] | None = None) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"}
        async with self._session.request(method, self.url + path, json=body, params=params, headers=headers) as resp:
            data = await resp.json() if resp.status != 204 else None
            if resp.status >= 400:
                raise MockError(resp.status, data)
            return data

    async def register(self, url: str, events: str | list[str] = "receipts.update") -> dict[str, Any]:
        body = {"url": url, "event": events} if isinstance(events, str) else {"url": url, "events": events}
        result: dict[str, Any] = await self._call("POST", "/v1.0/webhook", body)
        return result

    async def webhook(self, webhook_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._call("GET", f"/v1.0/webhook/{webhook_id}")
        return result

    async def enable(self, webhook_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._call("PUT", f"/v1.0/webhook/{webhook_id}", {"status": "enabled"})
        return result

    async def trigger(self, type_: str | None = None, *, count: int = 1, operation: str | None = None,
                      payload: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Make the shop act (by event type or operation name), or send ``payload``; returns
        the events, each with its deliveries."""
        body: dict[str, Any] = {"count": count}
        for key, value in (("type", type_), ("operation", operation), ("payload", payload)):
            if value is not None:
                body[key] = value
        events: list[dict[str, Any]] = (await self._call("POST", "/_mock/events", body))["events"]
        return events

    async def sell(self, count: int = 1) -> list[dict[str, Any]]:
        return await self.trigger(operation="sale", count=count)

    async def refund(self, count: int = 1) -> list[dict[str, Any]]:
        return await self.trigger(operation="refund", count=count)

    async def advance(self, duration: str | float) -> int:
        """Move the manual clock (``"48h"``, ``"90s"``, or seconds); every attempt due on the
        way has been made when this returns. Returns how many were made."""
        made: int = (await self._call("POST", "/_mock/clock/advance", {"seconds": parse_duration(duration)}))[
            "attempts_made"]
        return made

    async def set_faults(self, webhook_id: str, **settings: Any) -> dict[str, Any]:
        """Faults on purpose for one webhook (``duplicate=1``, ``reorder=0.5``,
        ``delay=1, delay_max="30s"``, ``outage={"in": 0, "duration": "10m", "rate": 5}``,
        ``seed=7``); no settings goes back to the server's."""
        result: dict[str, Any] = await self._call("PUT", f"/_mock/webhooks/{webhook_id}/faults", settings)
        return result

    async def now(self) -> float:
        seconds: float = (await self._call("GET", "/_mock/clock"))["now_epoch"]
        return seconds

    async def deliveries(self, **filters: str) -> list[dict[str, Any]]:
        params = {"limit": "1000", **filters}
        data: list[dict[str, Any]] = (await self._call("GET", "/_mock/deliveries", params=params))["data"]
        return data

    async def delivery(self, delivery_id: str) -> dict[str, Any]:
        """A delivery with its event and every attempt."""
        result: dict[str, Any] = await self._call("GET", f"/_mock/deliveries/{delivery_id}")
        return result

    async def redeliver(self, delivery_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._call("POST", f"/_mock/deliveries/{delivery_id}/redeliver")
        return result

    async def reset(self) -> None:
        await self._call("POST", "/_mock/reset")

    async def check(self, url: str, *, events: str | list[str] | None = None, seed: int | None = None,
                    delivery_timeout: float = Config.delivery_timeout) -> Report:
        """``salesplay-mock check``: SalesPlay's kinds of delivery sent from this process to
        a receiver already running at ``url`` (no webhook is registered); the report."""
        types = EVENT_TYPES if events is None else (events,) if isinstance(events, str) else tuple(events)
        return await run_check(CheckOptions(url, types, seed, delivery_timeout))

    async def assert_check_passes(self, url_or_report: str | Report, *, allow_warnings: bool = True,
                                  **options: Any) -> Report:
        """No scenario failed (nor warned, with ``allow_warnings=False``); the assertion's
        message is the whole report. Takes a URL (and ``check``'s options) or a report."""
        report = (url_or_report if isinstance(url_or_report, Report)
                  else await self.check(url_or_report, **options))
        bad = report.failures + ([] if allow_warnings else report.warnings)
        assert not bad, (f"salesplay-mock check: {', '.join(r.id for r in bad)} did not pass\n\n"
                         + render.text(report))
        return report

    # -- assertions -------------------------------------------------------------------

    async def assert_delivered(self, delivery_id: str, *, attempts: int | None = None) -> dict[str, Any]:
        """The delivery succeeded (after exactly ``attempts`` attempts, if given)."""
        d = await self.delivery(delivery_id)
        assert d["status"] == "succeeded", f"delivery {delivery_id} is {d['status']}: {d['last_error']}"
        if attempts is not None:
            assert d["attempt_count"] == attempts, (
                f"delivery {delivery_id} took {d['attempt_count']} attempt(s), not {attempts}")
        return d

    async def assert_delivered_once(self, delivery_id: str) -> dict[str, Any]:
        return await self.assert_delivered(delivery_id, attempts=1)

    async def assert_disabled(self, webhook_id: str) -> dict[str, Any]:
        hook = await self.webhook(webhook_id)
        assert hook["status"] == "disabled", f"webhook {webhook_id} is {hook['status']}"
        return hook

    async def assert_enabled(self, webhook_id: str) -> dict[str, Any]:
        hook = await self.webhook(webhook_id)
        assert hook["status"] == "enabled", f"webhook {webhook_id} is disabled: {hook['disabled_reason']}"
        return hook


class SalesPlay:
    """The synchronous twin of ``AsyncSalesPlay``, for ordinary (non-async) tests: every
    method of it, run on the mock's own loop."""

    def __init__(self, server: ThreadedMockServer, *, token: str = DEFAULT_TOKEN) -> None:
        self.server = server
        self.url = server.url
        self.token = token
        self._session: aiohttp.ClientSession = server.run(_new_session())
        self._async = AsyncSalesPlay(server.url, self._session, token=token)

    @property
    def api_url(self) -> str:
        return self._async.api_url

    def close(self) -> None:
        self.server.run(self._session.close())

    # A check bounds itself (the delivery timeout per request, a time budget for the
    # whole), so these wait for it without the 120 s limit of the other calls.
    def check(self, url: str, **options: Any) -> Report:
        return self.server.run(self._async.check(url, **options), timeout=None)

    def assert_check_passes(self, url_or_report: str | Report, **options: Any) -> Report:
        return self.server.run(self._async.assert_check_passes(url_or_report, **options), timeout=None)

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._async, name)
        if not callable(method):
            return method

        def call(*args: Any, **kwargs: Any) -> Any:
            result = method(*args, **kwargs)
            return self.server.run(result) if asyncio.iscoroutine(result) else result

        return call


async def _new_session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession()
