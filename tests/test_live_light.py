"""Light live updates, measured in a real headless Chromium: answers are compressed, and a
tab kept open while 20 deliveries retry on the scaled clock downloads what changed, not
whole parts again: under 30 KiB a second, counted on the wire by a proxy in between."""

from __future__ import annotations

import asyncio
import gzip
import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from mockserver.domain.config import Config
from mockserver.testing import AsyncSalesPlay, MockServer
from tests.browsing import chromium, mock_server, open_page, sign_in  # noqa: F401
from tests.helpers import TOKEN

pytestmark = pytest.mark.browser

WINDOW = 20.0  # seconds of real time the tab is watched, as in the review
BUDGET = 30 * 1024  # bytes a second


class CountingProxy:
    """A TCP relay in front of the mock that counts the bytes the browser receives."""

    def __init__(self, port: int) -> None:
        self.upstream = port
        self.down = 0
        self._server: asyncio.base_events.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()

    async def start(self) -> str:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream)
        pipes = [asyncio.ensure_future(self._pipe(reader, up_writer, count=False)),
                 asyncio.ensure_future(self._pipe(up_reader, writer, count=True))]
        self._pipes.update(pipes)
        await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
        for pipe in pipes:
            pipe.cancel()
        writer.close()
        up_writer.close()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, count: bool) -> None:
        while chunk := await reader.read(65536):
            if count:
                self.down += len(chunk)
            writer.write(chunk)
            await writer.drain()

    async def close(self) -> None:
        assert self._server is not None
        self._server.close()
        for pipe in self._pipes:
            pipe.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)


@pytest.fixture
async def scaled() -> AsyncIterator[AsyncSalesPlay]:
    """The mock on the scaled clock users run by default (48 hours in 4 minutes)."""
    server = await MockServer(Config(db=":memory:", clock="scaled", time_scale=720, verify="off", port=0)).start()
    async with aiohttp.ClientSession() as session:
        yield AsyncSalesPlay(server.url, session, token=TOKEN)
    await server.stop()


async def test_text_answers_are_compressed(mock: AsyncSalesPlay) -> None:
    await mock.register(mock.url + "/_mock/sink/ok")
    await mock.trigger("receipts.update", count=5)
    async with aiohttp.ClientSession(auto_decompress=False, cookie_jar=aiohttp.CookieJar(unsafe=True)) as raw:
        async with raw.get(mock.url + "/", headers={"Accept-Encoding": "identity"}) as resp:  # to sign in
            csrf = re.search(r'name="csrf" value="([^"]+)"', await resp.text()).group(1)  # type: ignore[union-attr]
        await (await raw.post(mock.url + "/ui/login", data={"csrf": csrf, "token": TOKEN})).read()
        for path, kind in (("/static/app.js", "text/javascript"), ("/static/app.css", "text/css"),
                           ("/openapi.json", "application/json"), ("/_mock/deliveries", "application/json"),
                           ("/", "text/html")):
            async with raw.get(mock.url + path, headers={"Accept-Encoding": "gzip, deflate, br",
                                                         "Authorization": f"Bearer {TOKEN}"}) as resp:
                body = await resp.read()
                assert (resp.status, resp.headers.get("Content-Encoding"), resp.content_type) == (200, "gzip", kind), path
                assert len(gzip.decompress(body)) > 2 * len(body), path
                assert "Accept-Encoding" in resp.headers.get("Vary", ""), path
        async with raw.get(mock.url + "/static/app.js", headers={"Accept-Encoding": "identity"}) as resp:  # no gzip
            assert "Content-Encoding" not in resp.headers and (await resp.read()).startswith(b"//")
        async with raw.get(mock.url + "/static/app.js", headers={"If-None-Match": resp.headers["ETag"]}) as again:
            assert again.status == 304  # unchanged: not sent again


async def _watch(page: Any, proxy: CountingProxy, seconds: float, fetched: list[str]) -> float:
    """Bytes a second the page received over ``seconds`` (a measurement over a fixed window,
    not a wait that hopes for something)."""
    loop = asyncio.get_running_loop()
    start, proxy.down, fetched[:] = loop.time(), 0, []
    await asyncio.sleep(seconds)
    return proxy.down / (loop.time() - start)


async def test_a_tab_watching_20_retrying_deliveries_downloads_under_30_kib_a_second(
    scaled: AsyncSalesPlay, browser: Any
) -> None:
    await scaled.register(scaled.url + "/_mock/sink/up", "customers.update")
    await scaled.register(scaled.url + "/_mock/sink/down?status=500", "receipts.update")
    await scaled.trigger("customers.update", count=983)  # as reviewed: 1,003 deliveries, 20 of them retrying
    retrying = await scaled.trigger("receipts.update", count=20)
    proxy = CountingProxy(int(scaled.url.rsplit(":", 1)[1]))
    url = await proxy.start()
    try:
        page = await open_page(browser, width=1366)
        fetched: list[str] = []
        page.on("request", lambda r: fetched.append(r.url) if "/ui/live/" in r.url else None)
        await sign_in(page, url)
        await page.wait_for_selector("#live-state[data-state=on]")
        made_before = await page.evaluate(_ATTEMPTS)
        rate = await _watch(page, proxy, WINDOW, fetched)
        made_after = await page.evaluate(_ATTEMPTS)
        assert len(fetched) >= 10 and made_after > made_before + 20, "the tab did not follow the retries live"
        assert rate < BUDGET, f"the deliveries: {rate / 1024:.1f} KiB/s in {len(fetched)} live fetches"

        delivery = next(e for e in retrying if e["type"] == "receipts.update")["deliveries"][0]["id"]
        await page.goto(f"{url}/ui/deliveries/{delivery}")  # its payload and attempts: sent once
        await page.wait_for_selector("#live-state[data-state=on]")
        shown_before = await page.locator("li.attempt").count()
        one = await _watch(page, proxy, WINDOW / 2, fetched)
        assert await page.locator("li.attempt").count() > shown_before, "the delivery's page did not follow"
        assert one < BUDGET, f"a delivery: {one / 1024:.1f} KiB/s in {len(fetched)} live fetches"
        print(f"\n{rate / 1024:.1f} KiB/s for the deliveries, {one / 1024:.1f} KiB/s for one")
    finally:
        await proxy.close()


_ATTEMPTS = """() => [...document.querySelectorAll('tr.delivery .attempt-count')]
    .reduce((sum, cell) => sum + Number(cell.textContent), 0)"""
