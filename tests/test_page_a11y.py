"""The page for everyone, in a real headless Chromium: axe-core finds nothing on any page in
either colour scheme at a phone's or a laptop's width; every control's name holds the words
it shows; skip links; words that never break in the middle; and the "live" pill only where
a page is live."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from mockserver.testing import AsyncSalesPlay
from tests.browsing import (  # noqa: F401
    LAPTOP,
    PHONE,
    axe_violations,
    chromium,
    failing_delivery,
    mock_server,
    needs_axe,
    open_page,
    sign_in,
)

pytestmark = pytest.mark.browser
DOCS = Path(__file__).resolve().parent.parent / "docs"

# Every control whose name is not its text (aria-label, or an SVG link's <title>), with the
# words it shows: the name must hold them (WCAG 2.5.3, label in name).
NAMES = """() => [...document.querySelectorAll('a, button, summary, select, input, [role=button]')]
    .filter(el => el.getBoundingClientRect().width > 0)
    .map(el => {
        const shown = (el.closest('svg') ? (el.querySelector('text')?.textContent || '') : el.innerText)
            .replace(/\\s+/g, ' ').trim().toLowerCase();
        const named = (el.getAttribute('aria-label') || el.querySelector(':scope > title')?.textContent || '')
            .replace(/\\s+/g, ' ').trim().toLowerCase();
        return [el.outerHTML.slice(0, 120), shown, named];
    })
    .filter(([, shown, named]) => named && shown && !named.includes(shown))"""

# Words cut across two lines: each word of these elements must sit on one line.
BROKEN = """(selector) => [...document.querySelectorAll(selector)]
    .filter(el => el.getBoundingClientRect().width > 0)
    .flatMap(el => {
        const text = el.firstChild && el.firstChild.nodeType === 3 ? el.firstChild : null;
        if (!text) return [];
        const out = [];
        for (const m of text.textContent.matchAll(/\\S+/g)) {
            const range = document.createRange();
            range.setStart(text, m.index); range.setEnd(text, m.index + m[0].length);
            const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
            if (lines.size > 1) out.push(m[0]);
        }
        return out;
    })"""


async def _everything(mock: AsyncSalesPlay) -> dict[str, str]:
    """Every kind of page, with something on it: name -> path."""
    delivery_id = await failing_delivery(mock, "48h")  # 200 attempts, and a disabled webhook
    hook = await mock.register(mock.url + "/_mock/sink/b", "products.update")
    [event] = await mock.trigger("products.update")
    await mock.trigger(operation="sale", count=3)
    return {
        "home": "/", "filtered": "/?status=failed&q=zz", "not understood": "/?status=bogus",
        "delivery": f"/ui/deliveries/{delivery_id}", "attempt": f"/ui/deliveries/{delivery_id}/attempts/2",
        "events": "/ui/events", "event": f"/ui/events/{event['id']}", "no events": "/ui/events?q=nothing",
        "set-up": "/webhooks_setup", "faults": f"/ui/webhooks/{hook['id']}/faults", "api faults": "/ui/api-faults",
        "check": "/ui/check", "not found": "/no-such-page", "no delivery": "/ui/deliveries/dlv_nope",
    }


@needs_axe
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [PHONE, LAPTOP], ids=["phone", "laptop"])
async def test_axe_finds_nothing_on_any_page(mock: AsyncSalesPlay, browser: Any, scheme: str, width: int) -> None:
    pages = await _everything(mock)
    page = await open_page(browser, scheme=scheme, width=width, bypass_csp=True)  # to inject axe
    found = {"sign-in": await _scan(page, mock.url + "/")}
    await sign_in(page, mock.url)
    for name, path in pages.items():
        found[name] = await _scan(page, mock.url + path)
    await page.goto(mock.url + pages["faults"])  # a refused form: its errors beside the fields
    await page.fill("#faults-form [name=delay_max]", "forever")
    await page.click("#faults-save")
    await page.wait_for_selector("#error-delay_max")
    found["refused faults"] = await _scan(page, None)
    await page.goto(mock.url + "/ui/check")  # a report of the receiver check
    await page.fill("#check-form input[name=url]", mock.url + "/_mock/sink/checked")
    for type_ in ("inventory_levels.update", "products.update", "customers.update", "credit_note.update"):
        await page.uncheck(f"#check-form input[value='{type_}']")
    await page.click("#check-button")
    await page.wait_for_selector("#check-report", timeout=60_000)
    found["check report"] = await _scan(page, None)
    await page.goto(mock.url + "/")  # the page that asks first (without JavaScript's dialog)
    await page.evaluate("""() => { const f = document.querySelector('#reset-form');
        f.removeAttribute('data-confirm'); f.requestSubmit(); }""")  # as a click: its submit handler runs
    await page.wait_for_selector("#confirm-button")
    found["confirm"] = await _scan(page, None)
    found = {name: v for name, v in found.items() if v}
    assert found == {}, f"{scheme}, {width} px: {json.dumps(found, indent=1)}"
    if os.environ.get("UPDATE_SCREENSHOTS") and scheme == "light":  # docs/web-page.md's pictures
        name, shot = ("home", "home.png") if width == LAPTOP else ("delivery", "delivery-phone.png")
        await page.goto(mock.url + pages[name])
        await page.screenshot(path=str(DOCS / shot), full_page=width == LAPTOP)


async def _scan(page: Any, url: str | None) -> list[dict[str, Any]]:
    if url is not None:
        await page.goto(url)
    return await axe_violations(page, rules={"label-content-name-mismatch": {"enabled": True}})


@pytest.mark.parametrize("width", [PHONE, LAPTOP], ids=["phone", "laptop"])
async def test_every_controls_name_holds_the_words_it_shows(mock: AsyncSalesPlay, browser: Any, width: int) -> None:
    pages = await _everything(mock)
    page = await open_page(browser, width=width)
    await sign_in(page, mock.url)
    for name, path in pages.items():
        await page.goto(mock.url + path)
        assert await page.evaluate(NAMES) == [], name


@pytest.mark.parametrize("width", [PHONE, LAPTOP], ids=["phone", "laptop"])
async def test_headers_ids_and_event_types_never_break_inside_a_word(mock: AsyncSalesPlay, browser: Any,
                                                                      width: int) -> None:
    pages = await _everything(mock)
    page = await open_page(browser, width=width)
    await sign_in(page, mock.url)
    for name in ("home", "events", "event", "delivery"):
        await page.goto(mock.url + pages[name])
        assert await page.evaluate(BROKEN, "th, code.id, .event-type, .badge, td[data-label] > code") == [], name
        assert await page.evaluate("document.documentElement.scrollWidth") <= width, name


async def test_skip_links_lead_past_the_controls_to_the_deliveries_and_their_pages(
    mock: AsyncSalesPlay, browser: Any
) -> None:
    await mock.register(mock.url + "/_mock/sink/ok")
    await mock.trigger("receipts.update", count=60)
    page = await open_page(browser)
    await sign_in(page, mock.url)
    await page.goto(mock.url + "/")
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.textContent") == "Skip to content"
    assert await page.evaluate("document.activeElement.getBoundingClientRect().width") > 0  # seen when focused
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.textContent") == "Skip to the deliveries"
    await page.keyboard.press("Enter")
    presses = 0
    while await page.evaluate("document.activeElement.textContent") != "older deliveries":
        await page.keyboard.press("Tab")
        presses += 1
        assert presses <= 3, "the way to the next page of deliveries is long"
    await page.keyboard.press("Enter")
    await page.wait_for_url("**cursor=*")
    await page.goto(mock.url + "/ui/check")  # any page: straight to its content
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    assert await page.evaluate("document.activeElement.id") == "main"


async def test_only_a_page_that_stays_live_says_whether_it_is(mock: AsyncSalesPlay, browser: Any) -> None:
    pages = await _everything(mock)
    page = await open_page(browser)
    await sign_in(page, mock.url)
    for name in ("home", "delivery", "events", "event"):
        await page.goto(mock.url + pages[name])
        await page.wait_for_selector("#live-state[data-state=on]")  # shown, and it says "live"
    for name in ("attempt", "faults", "set-up", "check", "api faults", "not found"):
        await page.goto(mock.url + pages[name])
        assert not await page.locator("#live-state").is_visible(), f"{name} says whether it is live"
