"""The page's "Check a receiver" form, without a browser: the report it shows, the server's
URL rules, one check at a time, and errors beside the form."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest

from tests import receivers
from tests.helpers import RawReceiver, csrf_of, never_answers, sign_in


async def _check(client: Any, csrf: str, url: str, *events: str, seed: str = "") -> Any:
    return await client.post("/ui/check", data=[("csrf", csrf), ("url", url), ("seed", seed), ("next", "/ui/check"),
                                                *(("events", e) for e in events)], allow_redirects=False)


async def _receiver(aiohttp_server: Any, handler: receivers.Handler) -> tuple[str, receivers.Recorded]:
    application, recorded = receivers.app(handler)
    return str((await aiohttp_server(application)).make_url("/hook")), recorded


async def test_the_check_page_asks_for_a_sign_in_first(client: Any) -> None:
    assert "Which merchant?" in await (await client.get("/ui/check")).text()
    resp = await client.post("/ui/check", data={"csrf": await csrf_of(client), "url": "http://x.example/h"},
                             allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == "/"


async def test_checking_a_receiver_shows_the_report(client: Any, aiohttp_server: Any) -> None:
    url, recorded = await _receiver(aiohttp_server, receivers.good)
    csrf = await sign_in(client)
    resp = await _check(client, csrf, url, "receipts.update", seed="4")
    assert resp.status == 303 and resp.headers["Location"] == "/ui/check"
    html = await (await client.get(resp.headers["Location"])).text()
    assert "SalesPlay would keep this webhook enabled" in html
    assert 'id="scenario-duplicate_concurrent"' in html and "badge check-pass" in html
    assert "seed 4" in html and f'value="{url}"' in html
    assert recorded.types() == {"receipts.update"}
    assert {headers["X-Mock-Kind"] for headers, _ in recorded.requests} == {"check"}


async def test_a_failing_receiver_shows_why_the_fix_and_what_salesplay_does(client: Any, aiohttp_server: Any) -> None:
    url, _ = await _receiver(aiohttp_server, receivers.conflict_on_duplicates())
    csrf = await sign_in(client)
    resp = await _check(client, csrf, url, "products.update")
    html = await (await client.get(resp.headers["Location"])).text()
    assert "2 scenario(s) failed" in html
    assert "the same event again, right after a 2xx, was answered 409" in html
    assert "retried up to 200 times over 48 hours, then this webhook is disabled" in html
    assert "store it once" in html


async def test_a_bad_url_or_seed_comes_back_beside_the_form(client: Any) -> None:
    csrf = await sign_in(client)
    resp = await _check(client, csrf, "ftp://receiver.example/hook", "receipts.update")
    assert resp.headers["Location"] == "/ui/check"
    html = await (await client.get(resp.headers["Location"])).text()
    assert re.search(r'<span class="field-error" id="error-url">[^<]*must start with http:// or https://', html)
    assert 'value="ftp://receiver.example/hook" aria-invalid="true"' in html  # as typed
    resp = await _check(client, csrf, "http://receiver.example/hook", "receipts.update", seed="seven")
    assert "seed" in await (await client.get(resp.headers["Location"])).text()
    resp = await _check(client, csrf, "http://receiver.example/hook")
    assert "name at least one event type" in await (await client.get(resp.headers["Location"])).text()


@pytest.mark.parametrize("seed", ["\u00b2", "\u0664", "9" * 5000, str(2**63), "-1"])
async def test_a_seed_that_is_not_plain_digits_comes_back_beside_the_form(client: Any, seed: str) -> None:
    csrf = await sign_in(client)
    resp = await _check(client, csrf, "http://receiver.example/hook", "receipts.update", seed=seed)
    assert resp.status == 303 and resp.headers["Location"] == "/ui/check", resp.status
    assert "2**63 - 1" in await (await client.get(resp.headers["Location"])).text()


async def test_the_page_checks_only_hosts_the_server_may_deliver_to(make_client: Any, config: Any,
                                                                    aiohttp_server: Any) -> None:
    url, recorded = await _receiver(aiohttp_server, receivers.good)
    client = await make_client(config, deliver_only_to=("10.1.2.3",))
    csrf = await sign_in(client)
    resp = await _check(client, csrf, url, "receipts.update")
    html = await (await client.get(resp.headers["Location"])).text()
    assert "127.0.0.1 is not one of the hosts deliveries may go to (10.1.2.3)" in html
    by_name = url.replace("127.0.0.1", "localhost")  # judged by what the name resolves to
    resp = await _check(client, csrf, by_name, "receipts.update")
    assert "localhost is not one of the hosts deliveries may go to" in await (
        await client.get(resp.headers["Location"])).text()
    assert recorded.requests == []


async def test_the_page_checks_only_public_urls_when_the_server_does(make_client: Any, config: Any,
                                                                     aiohttp_server: Any) -> None:
    url, recorded = await _receiver(aiohttp_server, receivers.good)
    client = await make_client(config, public_urls_only=True)
    resp = await _check(client, await sign_in(client), url, "receipts.update")
    assert "not a public address" in await (await client.get(resp.headers["Location"])).text()
    assert recorded.requests == []


async def test_one_check_at_a_time(client: Any) -> None:
    raw = await RawReceiver(never_answers).start()  # the first check waits out the 2 s timeout on it
    try:
        csrf = await sign_in(client)
        first = asyncio.create_task(_check(client, csrf, raw.url, "receipts.update"))
        while raw.connections == 0:
            await asyncio.sleep(0.01)
        second = await _check(client, csrf, raw.url, "receipts.update")
        shown = await (await client.get(second.headers["Location"])).text()
        assert "a check is already running on this server" in shown
        resp = await first
        assert "1 fail" in await (await client.get(resp.headers["Location"])).text()
    finally:
        await raw.close()


async def test_an_allowed_host_is_checked_through_the_servers_guard(make_client: Any, config: Any,
                                                                    aiohttp_server: Any) -> None:
    url, recorded = await _receiver(aiohttp_server, receivers.good)
    client = await make_client(config, deliver_only_to=("127.0.0.1",))
    resp = await _check(client, await sign_in(client), url.replace("127.0.0.1", "localhost"), "products.update")
    assert "SalesPlay would keep this webhook enabled" in await (await client.get(resp.headers["Location"])).text()
    assert recorded.types() == {"products.update"}
