"""The page's browser tests share these: a mock on a manual clock, a headless Chromium, a
page in it (with or without JavaScript, at a width, in a colour scheme) and sign-in.

Import the fixtures by their module names (``mock_server``, ``chromium``): pytest knows
them as ``mock`` and ``browser``."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from mockserver.domain.config import Config
from mockserver.testing import AsyncSalesPlay, MockServer
from tests.helpers import START, TOKEN
from tests.test_browser import ARGS, CHROMIUM, playwright_api

AXE_JS = os.environ.get("AXE_JS", "")
needs_axe = pytest.mark.skipif(not AXE_JS and not os.environ.get("CI"),
                               reason="axe-core not installed (AXE_JS); CI installs it")
PHONE, LAPTOP = 390, 1366  # the widths the page is reviewed at


@pytest.fixture(name="mock")
async def mock_server() -> AsyncIterator[AsyncSalesPlay]:
    """The mock on a manual clock, and a handle for the test to act as another client."""
    server = await MockServer(Config(db=":memory:", clock="manual", clock_start=START, verify="off",
                                    port=0)).start()
    async with aiohttp.ClientSession() as session:
        yield AsyncSalesPlay(server.url, session, token=TOKEN)
    await server.stop()


@pytest.fixture(name="browser")
async def chromium() -> AsyncIterator[Any]:
    """Debian's Chromium, headless; closed after the test."""
    async with playwright_api.async_playwright() as p:
        launched = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS, timeout=60_000)
        yield launched
        try:  # a browser slow to close must not hold the suite
            await asyncio.wait_for(launched.close(), 30)
        except asyncio.TimeoutError:
            pass


async def open_page(browser: Any, *, js: bool = True, width: int = 1400, scheme: str = "light",
                    bypass_csp: bool = False, timezone: str | None = None) -> Any:
    """A page in a new context; ``page.errors`` collects what its console called errors."""
    context = await browser.new_context(java_script_enabled=js, viewport={"width": width, "height": 900},
                                        color_scheme=scheme, bypass_csp=bypass_csp, timezone_id=timezone)
    page = await context.new_page()
    page.set_default_timeout(15_000)
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    return page


async def sign_in(page: Any, url: str) -> None:
    await page.goto(url + "/")
    await page.fill("input[name=token]", TOKEN)
    await page.click("text=Open")
    await page.wait_for_selector("#sign-out")


async def failing_delivery(mock: AsyncSalesPlay, attempts: str = "60s") -> str:
    """A delivery to a receiver that always answers 500, after ``attempts`` of the clock."""
    await mock.register(mock.url + "/_mock/sink/fail?status=500")
    events = await mock.trigger("receipts.update")
    await mock.advance(attempts)
    return str(events[0]["deliveries"][0]["id"])


async def axe_violations(page: Any, *, rules: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """What axe-core finds on the page as it is now, every impact (``rules`` turns some on or off)."""
    await page.add_script_tag(content=Path(AXE_JS).read_text())
    found: list[dict[str, Any]] = await page.evaluate(
        """async (rules) => (await axe.run(document, rules ? {rules} : {})).violations
            .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target)}))""", rules)
    return found
