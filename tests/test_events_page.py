"""Events of their own, in a real headless Chromium: a paged, live list; each event opens
with its payload and what became of it at each webhook; and search by the start of an id
(any case, prefix or not) or of a number in the payload, on events and deliveries alike."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mockserver.testing import AsyncSalesPlay
from tests.browsing import chromium, mock_server, open_page, sign_in  # noqa: F401

pytestmark = pytest.mark.browser


async def _two_webhooks_and_sales(mock: AsyncSalesPlay, sales: int) -> tuple[dict[str, Any], dict[str, Any],
                                                                             list[dict[str, Any]]]:
    ok = await mock.register(mock.url + "/_mock/sink/ok", ["receipts.update", "inventory_levels.update"])
    bad = await mock.register(mock.url + "/_mock/sink/bad?status=503", "receipts.update")
    return ok, bad, await mock.trigger(operation="sale", count=sales)


async def test_events_are_paged_and_each_opens_its_payload_and_its_deliveries_per_webhook(
    mock: AsyncSalesPlay, browser: Any
) -> None:
    ok, bad, events = await _two_webhooks_and_sales(mock, 30)  # 60 events: a receipt and a stock change each
    page = await open_page(browser)
    await sign_in(page, mock.url)
    await page.click("nav >> text=Events")
    await page.wait_for_url("**/ui/events")
    await page.wait_for_load_state()
    assert await page.locator("tr.event").count() == 50
    await page.click("#older")
    await page.wait_for_url("**cursor=*")
    await page.wait_for_load_state()
    assert await page.locator("tr.event").count() == 10
    await page.click("#newest")
    await page.wait_for_function("() => document.querySelectorAll('tr.event').length === 50")

    receipt = [e for e in events if e["type"] == "receipts.update"][-1]  # the newest: on the first page
    await page.click(f"#evt-{receipt['id']} a")
    await page.wait_for_selector("#event-summary h1")
    assert json.loads(await page.inner_text("#payload-card pre")) == receipt["payload"]
    for hook, status in ((ok, "succeeded"), (bad, "pending")):
        section = page.locator(f"#to-{hook['id']}")
        assert hook["url"] in await section.locator("h3").inner_text()
        assert await section.locator(f"tr.delivery.{status}").count() == 1, hook["url"]
    stock = next(e for e in events if e["group_id"] == receipt["group_id"] and e["id"] != receipt["id"])
    assert stock["id"] in await page.inner_text("#related")  # the stock change of the same sale

    await page.goto(mock.url + "/")  # from a delivery to its event
    await page.click(f"#dlv-{receipt['deliveries'][0]['id']} a.event-type")
    await page.wait_for_selector(f"h1:has-text('{receipt['id']}')")
    assert page.errors == []


@pytest.mark.parametrize("path", ["/ui/events", "/"])
async def test_search_finds_by_the_start_of_an_id_in_any_case_or_of_a_number(
    mock: AsyncSalesPlay, browser: Any, path: str
) -> None:
    _, _, events = await _two_webhooks_and_sales(mock, 3)
    receipt = next(e for e in events if e["type"] == "receipts.update")
    rows = "tr.event" if path == "/ui/events" else "tr.delivery"
    page = await open_page(browser)
    await sign_in(page, mock.url)

    async def found(text: str) -> set[str]:
        await page.goto(mock.url + path)
        await page.fill("input[name=q]", text)
        async with page.expect_navigation():
            await page.press("input[name=q]", "Enter")
        return set(await page.locator(f"{rows} td:first-child code").all_inner_texts())

    mine = {receipt["id"]} if path == "/ui/events" else {d["id"] for d in receipt["deliveries"]}
    short = receipt["id"][4:12]
    assert await found(short) == mine, "the start of an event id without evt_"
    assert await found(receipt["id"].upper()) == mine, "an upper-cased id"
    assert await found(f"evt_{short[:6]}") == mine
    number = receipt["payload"]["receipts"][0]["receipt_number"]
    assert await found(number) == mine, "a receipt number"
    if path == "/":
        delivery = receipt["deliveries"][0]["id"]
        assert await found(delivery[:10].upper()) == {delivery}
        assert await found(delivery[4:12]) == {delivery}
    assert await found("zz_nothing") == set()
    assert "any start of one, in any case, finds it" in await page.inner_text("#no-events, #no-deliveries")


async def test_the_events_page_is_live(mock: AsyncSalesPlay, browser: Any) -> None:
    await mock.register(mock.url + "/_mock/sink/ok", "customers.update")
    page = await open_page(browser)
    await sign_in(page, mock.url)
    await page.goto(mock.url + "/ui/events")
    await page.wait_for_selector("#live-state[data-state=on]")
    [event] = await mock.trigger("customers.update")
    await page.wait_for_selector(f"#evt-{event['id']} .badge.succeeded")
    await page.goto(f"{mock.url}/ui/events/{event['id']}")
    await page.wait_for_selector("#live-state[data-state=on]")
    await mock.redeliver(event["deliveries"][0]["id"])  # elsewhere: the event's page follows
    await page.wait_for_function("() => document.querySelectorAll('tr.delivery.succeeded').length === 2")
