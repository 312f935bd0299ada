"""The page, round three, in a real headless Chromium: every action comes back to the same
filters and page with its message shown once (never in the URL), a refused form comes back
as it was typed with the error beside the field, and a button that cannot work says why."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from mockserver.domain.durations import parse_duration
from mockserver.testing import AsyncSalesPlay
from tests.browsing import chromium, mock_server, open_page, sign_in  # noqa: F401

pytestmark = pytest.mark.browser


def _place(url: str) -> tuple[str, list[tuple[str, str]]]:
    """A page's path and query, however its characters were escaped."""
    parts = urlsplit(url)
    return parts.path, parse_qsl(parts.query)


async def _came_back(page: Any, where: str, message: str) -> None:
    """The action's page is the one it was taken on, its message shown once, not in the URL."""
    try:
        await page.wait_for_selector(f"#flash:has-text({message!r})")
    except Exception:
        print(page.url, await page.inner_text("main"))
        raise
    assert _place(page.url) == _place(where), "the action lost the page's filters or place"
    assert await page.locator(".flash").all_inner_texts() == [await page.inner_text("#flash")]


@pytest.mark.parametrize("js", [True, False], ids=["with-js", "without-js"])
async def test_every_action_comes_back_to_the_same_filters_and_page(mock: AsyncSalesPlay, browser: Any,
                                                                      js: bool) -> None:
    ok = await mock.register(mock.url + "/_mock/sink/ok", "receipts.update")
    later = await mock.register(mock.url + "/_mock/sink/later", "customers.update")
    await mock._call("PUT", f"/v1.0/webhook/{later['id']}", {"status": "disabled"})
    await mock.trigger("customers.update", count=2)  # skipped while it is disabled
    await mock.enable(later["id"])
    await mock.trigger("receipts.update", count=55)
    page = await open_page(browser, js=js)
    page.on("dialog", lambda dialog: dialog.accept())
    await sign_in(page, mock.url)
    await page.goto(mock.url + "/?status=succeeded&event_type=receipts.update")
    await page.click("#older")
    await page.wait_for_url("**cursor=*")
    where = page.url  # the second page of a filtered list

    await page.click(f"#hook-{ok['id']} button:has-text('Disable')")
    await _came_back(page, where, f"webhook {ok['id']} disabled")
    redeliver = page.locator("tr.delivery button:has-text('Redeliver')").first
    assert await redeliver.is_disabled(), "Redeliver is offered on a disabled webhook's delivery"
    assert await page.locator("tr.delivery .why").first.inner_text() == "its webhook is disabled: re-enable it first"
    await page.click(f"#hook-{ok['id']} button:has-text('Re-enable')")
    await _came_back(page, where, f"webhook {ok['id']} enabled")
    assert await redeliver.is_enabled()
    await page.click("button:has-text('Send the 2 skipped events')")
    await _came_back(page, where, "2 skipped event(s) sent again")
    await page.click("#trigger-button")
    await _came_back(page, where, "event(s) sent")
    await page.click("#advance-1m")
    await _came_back(page, where, "clock moved 1m")
    await redeliver.click()
    await _came_back(page, where, "sent again as a new delivery")
    await page.click(f"#hook-{later['id']} button.danger")
    if not js:
        await page.click("#confirm-button")  # the page asks first
    await _came_back(page, where, f"webhook {later['id']} deleted")

    await page.reload()
    assert await page.locator(".flash").count() == 0, "a message came back on a reload"
    async with page.expect_navigation():
        await page.click("#newest")
    assert await page.locator(".flash").count() == 0 and "msg" not in page.url


async def test_a_message_does_not_follow_the_reader_through_the_list(mock: AsyncSalesPlay, browser: Any) -> None:
    await mock.register(mock.url + "/_mock/sink/ok", "receipts.update")
    await mock.trigger("receipts.update", count=120)
    page = await open_page(browser, js=False)
    await sign_in(page, mock.url)
    await page.click("#advance-1m")
    await page.wait_for_selector("#flash")
    for _ in range(2):
        async with page.expect_navigation():
            await page.click("#older")
        assert await page.locator(".flash").count() == 0 and "msg=" not in page.url


async def test_a_refused_faults_form_comes_back_as_typed_with_the_error_beside_the_field(
    mock: AsyncSalesPlay, browser: Any
) -> None:
    hook = await mock.register(mock.url + "/_mock/sink/ok")
    page = await open_page(browser)
    await sign_in(page, mock.url)
    await page.goto(mock.url + "/?status=failed")
    await page.click(f"#hook-{hook['id']} a:has-text('Faults')")
    typed = {"duplicate": "0.25", "delay": "0.5", "delay_min": "5s", "delay_max": "forever",
             "outage_in": "2m", "outage_duration": "10m", "outage_rate": "3", "seed": "7"}
    for name, value in typed.items():
        await page.fill(f"#faults-form [name={name}]", value)
    await page.select_option("#faults-form [name=duplicate_mode]", "concurrent")
    form_page = page.url
    await page.click("#faults-save")

    await page.wait_for_selector("#error-delay_max")
    assert _place(page.url) == _place(form_page)
    assert "'delay_max' must be a duration" in await page.inner_text("#error-delay_max")
    field = page.locator("#faults-form [name=delay_max]")
    assert await field.get_attribute("aria-invalid") == "true"
    assert await field.get_attribute("aria-describedby") == "error-delay_max"
    beside = await page.evaluate("""() => document.querySelector('#error-delay_max').closest('label')
        .contains(document.querySelector('[name=delay_max]'))""")
    assert beside, "the error is not beside its field"
    for name, value in typed.items():
        assert await page.input_value(f"#faults-form [name={name}]") == value, name
    assert await page.input_value("#faults-form [name=duplicate_mode]") == "concurrent"
    assert (await mock._call("GET", f"/_mock/webhooks/{hook['id']}/faults"))["source"] == "server"  # nothing saved

    await page.fill("#faults-form [name=delay_max]", "5m")
    await page.click("#faults-save")
    await page.wait_for_selector(f"#flash:has-text('faults of {hook['id']} saved')")
    assert page.url == mock.url + "/?status=failed"  # back where the faults were opened from
    saved = (await mock._call("GET", f"/_mock/webhooks/{hook['id']}/faults"))["faults"]
    assert (saved["delay_max"], saved["duplicate_mode"], saved["outage"]["rate"]) == (300, "concurrent", 3)


async def test_each_faults_placeholder_is_what_an_empty_field_saves(mock: AsyncSalesPlay, browser: Any) -> None:
    hook = await mock.register(mock.url + "/_mock/sink/ok")
    page = await open_page(browser)
    await sign_in(page, mock.url)
    await page.goto(f"{mock.url}/ui/webhooks/{hook['id']}/faults")
    names = await page.eval_on_selector_all("#faults-form input[placeholder]", "els => els.map(e => e.name)")
    for name in names:
        await page.fill(f"#faults-form [name={name}]", "")
    await page.fill("#faults-form [name=outage_duration]", "10m")  # an outage, to see what its other fields save
    await page.click("#faults-save")
    await page.wait_for_selector("#flash.ok")
    state = await mock._call("GET", f"/_mock/webhooks/{hook['id']}/faults")
    saved = {**state["faults"], **{f"outage_{k}": v for k, v in state["faults"]["outage"].items()}}
    saved["outage_in"] = saved["outage_start"] - await mock.now()
    await page.goto(f"{mock.url}/ui/webhooks/{hook['id']}/faults")
    for name in set(names) - {"outage_duration"}:
        placeholder = await page.get_attribute(f"#faults-form [name={name}]", "placeholder")
        said = float(placeholder) if re.fullmatch(r"[0-9.]+", placeholder) else parse_duration(placeholder)
        assert saved[name] == said, f"{name}: the placeholder says {placeholder!r}, an empty field saves {saved[name]}"
