"""Serving the receiver under test: an ASGI app, a WSGI app or an aiohttp Application on
127.0.0.1, for one test, stopped after it.

WSGI (Flask, Django, Bottle...) runs on the standard library's ``wsgiref`` and aiohttp on
aiohttp itself: nothing to install. ASGI (FastAPI, Starlette, Django's ASGI handler...)
needs an ASGI server; uvicorn is used when it is installed, and its absence is said in
words (``MissingExtra``) rather than as an ImportError from deep inside.
"""

from __future__ import annotations

import asyncio
import inspect
import socket
import threading
import time
from socketserver import ThreadingMixIn
from typing import Any, Protocol
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from aiohttp import web

from mockserver.testing.client import MissingExtra
from mockserver.testing.servers import base_url

INTERFACES = ("asgi", "wsgi", "aiohttp")
START_TIMEOUT = 30.0  # real seconds an ASGI app's start-up (lifespan) may take


class Receiver(Protocol):
    url: str

    async def stop(self) -> None: ...


def interface_of(app: object) -> str:
    """Which kind of app ``app`` is: an aiohttp Application, or a callable whose call is a
    coroutine function (ASGI: ``async def app(scope, receive, send)``) or a plain one (WSGI:
    ``def app(environ, start_response)``)."""
    if isinstance(app, web.Application):
        return "aiohttp"
    if not callable(app):
        raise TypeError(f"serve() takes an ASGI app (FastAPI, Starlette...), a WSGI app (Flask, Django...) or an "
                        f"aiohttp web.Application; {type(app).__name__} is none of them")
    call = app if inspect.isfunction(app) or inspect.ismethod(app) else type(app).__call__
    return "asgi" if inspect.iscoroutinefunction(call) else "wsgi"


async def start_receiver(app: object, *, host: str = "127.0.0.1", port: int = 0,
                         interface: str | None = None) -> Receiver:
    """Serve ``app`` on ``host``:``port`` (0: a free port) until ``stop()``."""
    kind = interface or interface_of(app)
    if kind not in INTERFACES:
        raise ValueError(f"interface must be one of {', '.join(INTERFACES)}, not {kind!r}")
    if kind == "aiohttp":
        if not isinstance(app, web.Application):
            raise TypeError(f"interface='aiohttp' needs a web.Application, not {type(app).__name__}")
        return await AiohttpReceiver.start(app, host, port)
    if kind == "wsgi":
        return WsgiReceiver(app, host, port)
    return await AsgiReceiver.start(app, host, port)


class AiohttpReceiver:
    """An aiohttp Application on the running loop."""

    def __init__(self, runner: web.AppRunner, url: str) -> None:
        self._runner, self.url = runner, url

    @classmethod
    async def start(cls, app: web.Application, host: str, port: int) -> AiohttpReceiver:
        runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
        except BaseException:
            await runner.cleanup()
            raise
        return cls(runner, base_url(host, runner.addresses[0][1]))

    async def stop(self) -> None:
        await self._runner.cleanup()


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True  # a handler the receiver never finishes does not hold the test's end
    # SalesPlay may deliver a backlog at once; with the standard listen queue of 5 the rest
    # of a burst waits a second for the kernel to retry, and the receiver looks slow.
    request_queue_size = 128


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # the test's output stays the test's
        pass


class WsgiReceiver:
    """A WSGI app on the standard library's server, a thread per request."""

    def __init__(self, app: Any, host: str, port: int) -> None:
        self._server = make_server(host, port, app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
        self.url = base_url(host, self._server.server_address[1])
        # A short poll: shutdown() waits for it, on the caller's loop.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="salesplay-mock wsgi receiver", daemon=True)
        self._thread.start()

    async def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


class AsgiReceiver:
    """An ASGI app on uvicorn, on a loop of its own in a thread: the app may block without
    holding up the mock, and uvicorn's signal handling stays out of the test's thread."""

    def __init__(self, server: Any, thread: threading.Thread, sock: socket.socket, url: str) -> None:
        self._server, self._thread, self._sock, self.url = server, thread, sock, url

    @classmethod
    async def start(cls, app: Any, host: str, port: int) -> AsgiReceiver:
        try:
            import uvicorn
        except ImportError:
            raise MissingExtra("serving an ASGI app (FastAPI, Starlette...) needs an ASGI server: "
                               "pip install uvicorn (or pip install 'salesplay-mock[asgi]')") from None
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            sock.close()
            raise
        # log_config=None: uvicorn leaves the test's logging alone; ws="none": no websockets import;
        # asgi3: the app was told (or named) an ASGI 3 app, which uvicorn's own guess may miss.
        config = uvicorn.Config(app, log_config=None, log_level="warning", access_log=False, lifespan="auto",
                                ws="none", loop="asyncio", interface="asgi3", timeout_graceful_shutdown=2)
        server = uvicorn.Server(config)
        thread = threading.Thread(target=_run_uvicorn, args=(server, sock), name="salesplay-mock asgi receiver",
                                  daemon=True)
        thread.start()
        receiver = cls(server, thread, sock, base_url(host, sock.getsockname()[1]))
        deadline = time.monotonic() + START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                await receiver.stop()
                raise RuntimeError("the ASGI app did not start: its start-up (lifespan) failed or hung; "
                                   "uvicorn's log above says why")
            await asyncio.sleep(0.005)
        return receiver

    async def stop(self) -> None:
        self._server.should_exit = True
        deadline = time.monotonic() + 10
        while self._thread.is_alive() and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        self._sock.close()


def _run_uvicorn(server: Any, sock: socket.socket) -> None:
    try:
        server.run(sockets=[sock])
    except SystemExit:  # uvicorn's answer to a failed start-up; the caller sees the thread end
        pass
