"""A delivery's timeline picture in a real headless Chromium, at a phone's width and a
laptop's: labels that can be read, marks that do not merge, each mark or group reachable
by Tab and opening its attempts, and a legend that names every symbol drawn."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.testing import AsyncSalesPlay
from tests.browsing import LAPTOP, PHONE, chromium, failing_delivery, mock_server, open_page, sign_in  # noqa: F401

pytestmark = pytest.mark.browser

SHOWN_MARKS = """() => [...document.querySelectorAll('#delivery-picture svg.timeline a')]
    .filter(a => a.getBoundingClientRect().width > 0)"""


@pytest.mark.parametrize("width", [PHONE, LAPTOP], ids=["phone", "laptop"])
async def test_200_attempts_read_at_any_width_in_marks_that_do_not_merge(
    mock: AsyncSalesPlay, browser: Any, width: int
) -> None:
    delivery_id = await failing_delivery(mock, "48h")  # 200 attempts, then the webhook is disabled
    page = await open_page(browser, width=width)
    await sign_in(page, mock.url)
    await page.goto(f"{mock.url}/ui/deliveries/{delivery_id}")
    texts = await page.evaluate("""() => [...document.querySelectorAll('#delivery-picture svg.timeline text')]
        .filter(t => t.getBoundingClientRect().width > 0)
        .map(t => [t.textContent, parseFloat(getComputedStyle(t).fontSize), t.getBoundingClientRect().height])""")
    assert texts and all(size >= 11 and height >= 11 for _, size, height in texts), texts
    frame = await page.evaluate("document.querySelector('#delivery-picture svg').getBoundingClientRect().height")
    assert frame >= 60, f"the picture is {frame} px high"
    centres = await page.evaluate(f"""() => ({SHOWN_MARKS})().map(a => {{
        const r = a.getBoundingClientRect(); return [r.left + r.width / 2, r.width]; }})""")
    counts = await page.evaluate(f"""() => ({SHOWN_MARKS})().map(a =>
        a.classList.contains('group') ? Number(a.querySelector('text').textContent) : 1)""")
    assert sum(counts) == 200 and len(centres) < 60, "dense marks are not grouped"
    gaps = [b[0] - a[0] for a, b in zip(centres, centres[1:])]
    assert min(gaps) >= 24 - 0.5, f"marks {min(gaps):.1f} px apart merge (at {width} px)"
    inside = await page.evaluate("""() => {
        const box = document.querySelector('#delivery-picture').getBoundingClientRect();
        return [...document.querySelectorAll('#delivery-picture svg.timeline *')]
            .map(el => el.getBoundingClientRect()).filter(r => r.width > 0)
            .every(r => r.left >= box.left - 0.5 && r.right <= box.right + 0.5); }""")
    assert inside, "a mark or label of the picture is cut off at its edge"
    assert await page.evaluate("document.documentElement.scrollWidth") <= width

    drawn = await page.evaluate("""() => {
        const svg = document.querySelector('#delivery-picture svg.timeline'), shown = s => [...svg.querySelectorAll(s)]
            .some(el => el.getBoundingClientRect().width + el.getBoundingClientRect().height > 0);
        return ['a.mark.succeeded', 'a.mark.failed', 'a.group', 'path.now', 'line.deadline',
                'line.disable:not(.disabled)', 'line.disabled'].filter(shown); }""")
    keys = {"a.mark.succeeded": "key-succeeded", "a.mark.failed": "key-failed", "a.group": "key-group",
            "path.now": "key-now", "line.deadline": "key-deadline", "line.disable:not(.disabled)": "key-disable",
            "line.disabled": "key-disabled"}
    assert {"a.group", "line.deadline", "line.disabled"} <= set(drawn)
    for symbol in drawn:
        assert await page.locator(f"#delivery-picture ul.legend li.{keys[symbol]}").count() == 1, symbol


@pytest.mark.parametrize("width", [PHONE, LAPTOP], ids=["phone", "laptop"])
async def test_each_mark_is_reached_by_tab_and_opens_its_attempts(mock: AsyncSalesPlay, browser: Any,
                                                                  width: int) -> None:
    await mock.register(mock.url + "/_mock/sink/flaky?fail_first=3")
    events = await mock.trigger("receipts.update")
    delivery_id = events[0]["deliveries"][0]["id"]
    await mock.advance("10m")  # 3 failures close together, then a success
    page = await open_page(browser, width=width)
    await sign_in(page, mock.url)
    await page.goto(f"{mock.url}/ui/deliveries/{delivery_id}")
    names = await page.evaluate(f"() => ({SHOWN_MARKS})().map(a => a.querySelector('title').textContent)")
    assert names[0].startswith("3 attempts, 1 to 3: failed") and names[-1].startswith("attempt 4: 200 OK"), names
    await page.focus("#redeliver-button")
    reached = []
    for _ in range(len(names) + 3):
        await page.keyboard.press("Tab")
        reached.append(await page.evaluate("document.activeElement.querySelector('title')?.textContent"))
    assert [r for r in reached if r in names] == names, "not every mark is reached by Tab, in order"

    await page.evaluate(f"() => ({SHOWN_MARKS})()[0].focus()")
    await page.keyboard.press("Enter")  # a group: its attempts, in the list below
    await page.wait_for_function("() => location.hash === '#attempt-1'")
    await page.wait_for_function("() => document.querySelector('#attempt-1').getBoundingClientRect().height > 0")
    await page.locator("#delivery-picture a.mark.succeeded >> visible=true").click()  # one attempt: its page
    await page.wait_for_selector("h1:has-text('Attempt #4')")
    assert page.errors == []
