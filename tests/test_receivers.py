"""salesplay.serve(app): the receiver under test, served beside the mock for one test, as an
ASGI app (on uvicorn), a WSGI app or an aiohttp Application, from sync and async tests."""

from __future__ import annotations

import json
import socket
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp import web

from mockserver.domain.config import Config
from mockserver.testing import AsyncSalesPlay, MissingExtra, MockServer, SalesPlay, ThreadedMockServer, interface_of

pytest_plugins = ["pytester"]
CONFIG = Config(db=":memory:", clock="manual", clock_start=1751284800.0, verify="off", port=0)


class Got:
    """What a receiver under test was sent; it answers 500 while ``down``."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.down = False

    def take(self, raw: bytes) -> int:
        if self.down:
            return 500
        self.bodies.append(json.loads(raw))
        return 200


def wsgi_app(got: Got) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        start_response(f"{got.take(raw)} X", [("Content-Length", "0")])
        return []

    return app


def asgi_app(got: Got) -> Any:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        raw, more = b"", True
        while more:
            message = await receive()
            raw, more = raw + message.get("body", b""), message.get("more_body", False)
        await send({"type": "http.response.start", "status": got.take(raw), "headers": []})
        await send({"type": "http.response.body", "body": b""})

    return app


def aiohttp_app(got: Got) -> web.Application:
    async def hook(request: web.Request) -> web.Response:
        return web.Response(status=got.take(await request.read()))

    app = web.Application()
    app.router.add_post("/hook", hook)
    return app


APPS = {"wsgi": wsgi_app, "asgi": asgi_app, "aiohttp": aiohttp_app}


@pytest.fixture
def salesplay() -> Iterator[SalesPlay]:
    """The sync handle, as the plugin makes it."""
    server = ThreadedMockServer(CONFIG).start()
    client = SalesPlay(server)
    yield client
    client.close()
    server.stop()


def _refused(url: str) -> bool:
    host, port = url.removeprefix("http://").split(":")
    with socket.socket() as s:
        return s.connect_ex((host, int(port))) != 0


@pytest.mark.parametrize("kind", APPS)
def test_serve_runs_the_receiver_and_the_mock_delivers_to_it(salesplay: SalesPlay, kind: str) -> None:
    got = Got()
    url = salesplay.serve(APPS[kind](got))
    assert url.startswith("http://127.0.0.1:")
    salesplay.register(url + "/hook", "products.update")
    got.down = True
    [event] = salesplay.trigger("products.update")
    got.down = False
    salesplay.advance("5s")
    salesplay.assert_delivered(event["deliveries"][0]["id"], attempts=2)
    assert got.bodies == [event["payload"]]
    salesplay.stop_receivers()
    assert _refused(url)


@pytest.mark.parametrize("kind", APPS)
async def test_serve_async_runs_the_receiver_in_an_async_test(kind: str) -> None:
    import aiohttp

    server = await MockServer(CONFIG).start()
    try:
        async with aiohttp.ClientSession() as session:
            salesplay = AsyncSalesPlay(server.url, session)
            got = Got()
            url = await salesplay.serve_async(APPS[kind](got))
            await salesplay.register(url + "/hook", "customers.update")
            [event] = await salesplay.trigger("customers.update")
            await salesplay.assert_delivered(event["deliveries"][0]["id"], attempts=1)
            assert got.bodies == [event["payload"]]
            await salesplay.stop_receivers()
            assert _refused(url)
    finally:
        await server.stop()


def test_an_asgi_app_without_uvicorn_says_what_to_install(salesplay: SalesPlay,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if it were not installed
    with pytest.raises(MissingExtra, match=r"needs an ASGI server: pip install uvicorn \(or pip install "
                                           r"'salesplay-mock\[asgi\]'\)"):
        salesplay.serve(asgi_app(Got()))
    assert salesplay.serve(wsgi_app(Got()))  # WSGI needs nothing extra


def test_an_asgi_app_whose_start_up_fails_is_reported(salesplay: SalesPlay) -> None:
    async def failing(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "lifespan.startup.failed", "message": "no database"})

    threads = threading.active_count()
    with pytest.raises(RuntimeError, match="the ASGI app did not start"):
        salesplay.serve(failing)
    assert threading.active_count() <= threads + 1  # the receivers' loop, and no uvicorn thread


@pytest.mark.parametrize("kind", APPS)
def test_a_port_in_use_is_refused_and_leaves_nothing_running(salesplay: SalesPlay, kind: str) -> None:
    salesplay.serve(wsgi_app(Got()))  # the receivers' loop is up: count threads from here
    threads = threading.active_count()
    with socket.create_server(("127.0.0.1", 0)) as taken:
        with pytest.raises(OSError):
            salesplay.serve(APPS[kind](Got()), port=taken.getsockname()[1])
    assert threading.active_count() == threads


def test_an_asgi_app_that_takes_too_long_to_start_is_reported(salesplay: SalesPlay,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from mockserver.testing import receivers

    async def slow(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await receive()
        await asyncio.sleep(0.5)  # a start-up (lifespan) slower than the time allowed
        await send({"type": "lifespan.startup.complete"})
        await receive()
        await send({"type": "lifespan.shutdown.complete"})

    monkeypatch.setattr(receivers, "START_TIMEOUT", 0.1)
    threads = threading.active_count()
    with pytest.raises(RuntimeError, match="failed or hung"):
        salesplay.serve(slow)
    assert threading.active_count() <= threads + 1  # the receivers' loop; uvicorn's thread has ended


def test_something_that_is_not_an_app_is_refused_in_words(salesplay: SalesPlay) -> None:
    with pytest.raises(TypeError, match="serve\\(\\) takes an ASGI app .* a WSGI app .* or an aiohttp"):
        salesplay.serve("app:main")
    with pytest.raises(ValueError, match="interface must be one of asgi, wsgi, aiohttp, not 'rsgi'"):
        salesplay.serve(wsgi_app(Got()), interface="rsgi")
    with pytest.raises(TypeError, match="interface='aiohttp' needs a web.Application"):
        salesplay.serve(wsgi_app(Got()), interface="aiohttp")


def test_the_kind_of_app_is_told_by_its_call() -> None:
    class Starlettish:
        async def __call__(self, scope: Any, receive: Any, send: Any) -> None: ...

    class Flaskish:
        def __call__(self, environ: Any, start_response: Any) -> list[bytes]:
            return []

    assert [interface_of(a) for a in (Starlettish(), Flaskish(), asgi_app(Got()), wsgi_app(Got()),
                                      aiohttp_app(Got()))] == ["asgi", "wsgi", "asgi", "wsgi", "aiohttp"]


def test_the_interface_can_be_named_when_it_cannot_be_told(salesplay: SalesPlay) -> None:
    import functools

    got = Got()
    wrapped = functools.partial(asgi_app(got))  # a partial hides that the call is async
    assert interface_of(wrapped) == "wsgi"
    url = salesplay.serve(wrapped, interface="asgi")
    salesplay.register(url + "/hook", "products.update")
    salesplay.trigger("products.update")
    assert len(got.bodies) == 1


def test_the_plugin_stops_served_receivers_after_the_test(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\nfilterwarnings = error\n")
    pytester.makepyfile('''
import pathlib

def app(environ, start_response):
    environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    start_response("200 OK", [("Content-Length", "0")])
    return []

def test_serve(salesplay):
    url = salesplay.serve(app)
    pathlib.Path("url.txt").write_text(url)
    salesplay.register(url + "/salesplay", "receipts.update")
    events = salesplay.trigger("receipts.update")
    salesplay.assert_delivered_once(events[0])
''')
    threads = threading.active_count()
    pytester.runpytest_inprocess().assert_outcomes(passed=1)
    assert threading.active_count() == threads, "a receiver's thread was left behind"
    assert _refused((pytester.path / "url.txt").read_text())
