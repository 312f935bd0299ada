"""The web page in a real headless Chromium (Debian's), driven by Playwright."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from mockserver.domain.config import Config
from mockserver.testing import AsyncSalesPlay, MockServer
from tests.helpers import START, TOKEN

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = Path(os.environ.get("ARTIFACTS", Path(__file__).resolve().parent.parent / "artifacts"))

if not shutil.which(CHROMIUM) and not os.environ.get("CI"):
    pytest.skip("no Chromium here (apt-get install chromium); CI installs it", allow_module_level=True)

playwright_api = pytest.importorskip("playwright.async_api")


@pytest.fixture
async def mock() -> AsyncIterator[AsyncSalesPlay]:
    """The mock on a manual clock, and a handle for the test to act as another client."""
    server = await MockServer(Config(db=":memory:", clock="manual", clock_start=START, verify="off", port=0)).start()
    async with aiohttp.ClientSession() as session:
        yield AsyncSalesPlay(server.url, session, token=TOKEN)
    await server.stop()


@pytest.fixture
async def page(tmp_path: Path) -> AsyncIterator[Any]:
    """A Chromium page; the browser is closed after the test."""
    async with playwright_api.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS, timeout=60_000)
        context = await browser.new_context(viewport={"width": 1400, "height": 1000})
        page = await context.new_page()
        page.set_default_timeout(15_000)
        yield page
        try:  # a browser slow to close must not hold the suite; leaving the block stops the driver
            await asyncio.wait_for(browser.close(), 30)
        except asyncio.TimeoutError:
            pass


async def test_register_trigger_watch_live_reenable_redeliver(mock: AsyncSalesPlay, page: Any) -> None:
    sink = f"{mock.url}/_mock/sink/browser?fail_first=200"

    # Sign in as the merchant, then register through SalesPlay-style set-up screen.
    await page.goto(mock.url + "/")
    await page.fill("input[name=token]", TOKEN)
    await page.click("text=Open")
    await page.goto(mock.url + "/webhooks_setup")
    await page.fill("input[name=url]", sink)
    await page.uncheck("input[value='inventory_levels.update']")
    await page.check("input[value='receipts.update']")
    await page.click("#register-button")
    await page.wait_for_selector("text=registered")
    [hook] = (await mock._call("GET", "/v1.0/webhook"))["data"]
    assert hook["url"] == sink and hook["events"] == ["receipts.update"]

    # Trigger an event from the page: the first attempt fails at once.
    await page.goto(mock.url + "/")
    await page.select_option("#trigger-what", "type:receipts.update")
    await page.click("#trigger-button")
    await page.wait_for_selector("tr.delivery.pending")

    # Time moves elsewhere (the test, as another client): the page follows without a reload.
    await page.evaluate("window.__same_page = true")
    await page.wait_for_selector("#live-state[data-state=on]")
    await mock.advance("60s")
    await page.wait_for_function(
        "() => Number(document.querySelector('tr.delivery.pending .attempt-count').textContent) === 4"
    )
    await mock.advance("48h")
    await page.wait_for_selector("button.reenable")
    assert await page.evaluate("window.__same_page") is True, "the page reloaded instead of updating live"
    assert "failed 200 attempt(s)" in await page.inner_text(f"#hook-{hook['id']}")

    # Re-enable, then redeliver: the 201st request to the sink succeeds.
    await page.click("button.reenable")
    await page.wait_for_selector(f"#hook-{hook['id']} .badge.enabled")
    await page.click("tr.delivery.failed button:has-text('Redeliver')")
    await page.click("#flash a")  # the message links the new delivery
    await page.wait_for_selector("#delivery-status.succeeded")
    assert "/ui/deliveries/dlv_" in page.url

    # The failed delivery's page: every attempt on the timeline.
    failed = (await mock.deliveries(status="failed"))[0]
    await page.goto(f"{mock.url}/ui/deliveries/{failed['id']}")
    assert await page.locator("li.attempt").count() == 200
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "delivery-page.png"))
    await page.goto(mock.url + "/")
    await page.screenshot(path=str(ARTIFACTS / "home-page.png"), full_page=True)


async def test_escaped_receiver_output_does_not_run(mock: AsyncSalesPlay, page: Any, aiohttp_server: Any) -> None:
    from aiohttp import web

    async def evil(request: web.Request) -> web.Response:
        return web.Response(status=500, text="<script>window.__pwned = true</script><b id=injected>x</b>")

    app = web.Application()
    app.router.add_post("/hook", evil)
    server = await aiohttp_server(app)
    await mock.register(str(server.make_url("/hook")))
    events = await mock.trigger("receipts.update")
    delivery_id = next(e for e in events if e["type"] == "receipts.update")["deliveries"][0]["id"]
    await page.goto(mock.url + "/")
    await page.fill("input[name=token]", TOKEN)
    await page.click("text=Open")
    await page.goto(f"{mock.url}/ui/deliveries/{delivery_id}")
    assert "<script>window.__pwned = true</script>" in await page.inner_text("pre.body")
    assert await page.evaluate("window.__pwned === undefined")
    assert await page.locator("#injected").count() == 0


async def test_a_page_on_another_port_cannot_plant_a_csrf_cookie_and_reset(
    mock: AsyncSalesPlay, page: Any, aiohttp_server: Any
) -> None:
    """Cookies do not keep ports apart, and SameSite sees one site: a page on another
    localhost port plants its own cookies before the user ever opens the mock, and once
    the user has signed in, submits the reset form with the planted value. Refused."""
    from aiohttp import web

    await mock.register(mock.url + "/_mock/sink/csrf")
    target = mock.url + "/ui/reset"

    async def plant(request: web.Request) -> web.Response:
        return web.Response(content_type="text/html", text="""<!doctype html><script>
  document.cookie = "spm_session=evil; path=/";
  document.cookie = "spm_csrf=evil; path=/";
  document.cookie = "spm_token=test-token; path=/";
</script><p id=planted>planted</p>""")

    async def submit(request: web.Request) -> web.Response:
        return web.Response(content_type="text/html", text=f"""<!doctype html>
<form id=f method=post action="{target}"><input name=csrf value=evil><input name=next value=/></form>
<script>document.getElementById("f").submit();</script>""")

    app = web.Application()
    app.router.add_get("/plant", plant)
    app.router.add_get("/submit", submit)
    attacker = await aiohttp_server(app)
    await page.goto(str(attacker.make_url("/plant")))
    await page.wait_for_selector("#planted")
    await page.goto(mock.url + "/")  # later, the user signs in
    await page.fill("input[name=token]", TOKEN)
    await page.click("text=Open")
    await page.wait_for_selector("text=Sign out")
    async with page.expect_navigation(url=target):
        await page.goto(str(attacker.make_url("/submit")))
    assert "CSRF token is missing or stale" in await page.inner_text("body")
    assert len((await mock._call("GET", "/v1.0/webhook"))["data"]) == 1, "the attack reset the merchant"


async def test_attack_a_session_cookie_planted_from_another_port_signs_out(
    mock: AsyncSalesPlay, page: Any, aiohttp_server: Any
) -> None:
    """A page on another port of this host sets the mock's session cookie to one the mock
    signed for the attacker (its own sign-in). The page's script finds it was not signed in
    in this browser (its secret lives in this origin's storage), signs out and asks again."""
    from aiohttp import web

    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as attacker_browser:
        html = await (await attacker_browser.get(mock.url + "/")).text()
        csrf = html.split('name="csrf" value="')[1].split('"')[0]
        await attacker_browser.post(mock.url + "/ui/login", data={"csrf": csrf, "token": "attacker"})
        [signed] = [c.value for c in attacker_browser.cookie_jar if c.key == "spm_session"]

    async def plant(request: web.Request) -> web.Response:
        response = web.Response(content_type="text/html", text="<!doctype html><p id=planted>planted</p>")
        response.set_cookie("spm_session", signed, path="/", httponly=True, samesite="Strict")
        return response

    app = web.Application()
    app.router.add_get("/plant", plant)
    attacker = await aiohttp_server(app)
    await page.goto(mock.url + "/")
    await page.fill("input[name=token]", TOKEN)
    await page.click("text=Open")
    await page.wait_for_selector("text=Sign out")
    await page.goto(str(attacker.make_url("/plant")))
    await page.wait_for_selector("#planted")
    await page.goto(mock.url + "/webhooks_setup")
    await page.wait_for_selector("text=Which merchant?")  # signed out as it loaded, not the attacker's merchant


async def test_check_a_receiver_from_the_page(mock: AsyncSalesPlay, page: Any, aiohttp_server: Any) -> None:
    from tests import receivers

    application, recorded = receivers.app(receivers.conflict_on_duplicates())
    url = str((await aiohttp_server(application)).make_url("/hook"))
    await page.goto(mock.url + "/")
    await page.fill("input[name=token]", TOKEN)
    await page.click("text=Open")
    await page.click("nav >> text=Check a receiver")
    await page.fill("#check-form input[name=url]", url)
    for type_ in ("inventory_levels.update", "products.update", "customers.update", "credit_note.update"):
        await page.uncheck(f"#check-form input[value='{type_}']")
    await page.click("#check-button")
    await page.wait_for_selector("#check-report")
    assert await page.locator("tr.scenario.fail code").all_inner_texts() == [
        "duplicate_back_to_back", "duplicate_concurrent"]
    assert "was answered 409" in await page.inner_text("#scenario-duplicate_back_to_back .reason")
    assert "failed" in await page.inner_text("#check-verdict")
    assert await page.input_value("#check-form input[name=url]") == url  # ready to check again after a fix
    assert recorded.types() == {"receipts.update"}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "check-page.png"), full_page=True)
