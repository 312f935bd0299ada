"""One attempt's page in a real headless Chromium: the request body and every header as it
went on the wire, "Copy as curl" that sends the same request again (run here against the
sink), "Copy payload", and the way to the attempts before and after."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from typing import Any

import pytest

from mockserver.testing import AsyncSalesPlay
from tests.browsing import chromium, mock_server, open_page, sign_in  # noqa: F401

pytestmark = pytest.mark.browser

if not shutil.which("curl") and not os.environ.get("CI"):
    pytest.skip("no curl here to replay the attempt with (apt-get install curl); CI installs it",
                allow_module_level=True)

# A body with what a shell would take for its own: quotes, a dollar, a backslash, a newline
# escaped in JSON, and letters beyond ASCII.
AWKWARD = {"merchant_id": "m", "created_at": "2025-06-30 12:00:00",
           "receipts": [{"customer": "O'Brien \"Bob\" $HOME `id` \\ \n Zoë", "total": "1.00"}]}


def _headers(text: str) -> dict[str, str]:
    """``Name: value`` lines after the request line, by lower-cased name."""
    lines = text.strip().splitlines()[1:]
    return {name.lower(): value for name, _, value in (line.partition(": ") for line in lines)}


async def test_the_attempt_shows_every_header_and_the_body_as_sent_and_curl_sends_them_again(
    mock: AsyncSalesPlay, browser: Any
) -> None:
    await mock.register(mock.url + "/_mock/sink/replay?status=500")
    [event] = await mock.trigger("receipts.update", payload=AWKWARD)
    delivery_id = event["deliveries"][0]["id"]
    await mock.advance("10s")  # a second attempt
    page = await open_page(browser)
    await page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=mock.url)
    await sign_in(page, mock.url)
    await page.goto(f"{mock.url}/ui/deliveries/{delivery_id}/attempts/1")

    [first, _] = (await mock._call("GET", "/_mock/sink/replay"))["received"]
    shown = _headers(await page.inner_text("#request-head"))
    assert shown == {k.lower(): v for k, v in first["headers"].items()}, "not every header as the receiver got it"
    assert {"host", "accept", "accept-encoding", "content-length", "user-agent", "content-type"} <= set(shown)
    assert (await page.inner_text("#request-head")).startswith("POST /_mock/sink/replay?status=500 HTTP/1.1")
    assert json.loads(await page.inner_text("#request-body")) == first["body"] == {**AWKWARD, "type": "receipts.update"}

    await page.click("#copy-payload")
    await page.wait_for_selector("#copy-payload[data-copied]")
    copied = await page.evaluate("navigator.clipboard.readText()")
    assert json.loads(copied) == first["body"] and len(copied.encode()) == int(shown["content-length"])
    await page.click("#copy-curl")
    await page.wait_for_function("async () => (await navigator.clipboard.readText()).startsWith('curl ')")
    command = await page.evaluate("navigator.clipboard.readText()")
    assert command == await page.text_content("#curl-command")
    run = await asyncio.create_subprocess_exec("bash", "-c", command + " --silent --output /dev/null",
                                               stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _, err = await asyncio.wait_for(run.communicate(), 60)
    assert run.returncode == 0, err.decode()
    again = (await mock._call("GET", "/_mock/sink/replay"))["received"][-1]
    assert again["n"] == 3 and again["method"] == "POST"
    assert again["headers"] == first["headers"], "curl sent other headers than the attempt"
    assert again["body"] == first["body"]

    await page.click("#next-attempt")
    await page.wait_for_selector("h1:has-text('Attempt #2 of 2')")
    assert _headers(await page.inner_text("#request-head"))["x-mock-attempt"] == "2"
    assert await page.locator("#next-attempt").count() == 0
    await page.click("#previous-attempt")
    await page.wait_for_selector("h1:has-text('Attempt #1 of 2')")
    assert page.errors == []


async def test_an_attempt_that_got_no_answer_still_shows_what_was_sent(mock: AsyncSalesPlay, browser: Any) -> None:
    await mock.register("http://127.0.0.1:9/nothing-listens")  # the discard port: refused
    event = next(e for e in await mock.trigger("receipts.update") if e["type"] == "receipts.update")
    page = await open_page(browser)
    await sign_in(page, mock.url)
    await page.goto(f"{mock.url}/ui/deliveries/{event['deliveries'][0]['id']}/attempts/1")
    assert "No response: connection_refused" in await page.inner_text("#response")
    shown = _headers(await page.inner_text("#request-head"))
    assert shown["host"] == "127.0.0.1:9" and int(shown["content-length"]) == len(
        json.dumps(json.loads(await page.inner_text("#request-body"))).encode())
    assert await page.locator("#previous-attempt, #next-attempt").count() == 0
