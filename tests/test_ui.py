"""The web page's handlers, without a browser: sign-in, forms, CSRF, escaping, HAR, live."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import pytest

from tests.helpers import AUTH, TOKEN, advance, csrf_of, register, sign_in, trigger


async def test_without_a_token_the_page_asks_for_one(client: Any) -> None:
    html = await (await client.get("/")).text()
    assert "Which merchant?" in html and 'name="token"' in html


async def test_sign_in_shows_that_merchants_webhooks(client: Any, receiver: Any) -> None:
    rec = await receiver()
    hook = await register(client, rec.url)
    await sign_in(client)
    html = await (await client.get("/")).text()
    assert hook["id"] in html and rec.url in html


async def test_ui_token_skips_the_sign_in(make_client: Any, config: Any) -> None:
    client = await make_client(config, ui_token=TOKEN)
    assert "Make the shop act" in await (await client.get("/")).text()


async def test_a_token_outside_the_accepted_list_is_refused(make_client: Any, config: Any) -> None:
    client = await make_client(config, tokens=("only-this",))
    csrf = await csrf_of(client)
    resp = await client.post("/ui/login", data={"csrf": csrf, "token": "another"})
    assert "that token is not accepted by this server" in await resp.text()


@pytest.mark.parametrize("token", ["a b", "café"])
async def test_a_token_no_bearer_header_can_carry_is_refused_for_what_it_is(client: Any, token: str) -> None:
    csrf = await csrf_of(client)
    resp = await client.post("/ui/login", data={"csrf": csrf, "token": token})
    assert "a token is printable ASCII characters without spaces" in await resp.text()


async def test_register_through_the_setup_screen(client: Any, receiver: Any) -> None:
    rec = await receiver()
    await sign_in(client)
    csrf = await csrf_of(client, "/webhooks_setup")
    resp = await client.post("/ui/webhooks", data={"csrf": csrf, "url": rec.url, "events": "products.update",
                                                   "next": "/webhooks_setup"}, allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == "/webhooks_setup"
    hooks = (await (await client.get("/v1.0/webhook", headers=AUTH)).json())["data"]
    assert [(h["url"], h["events"]) for h in hooks] == [(rec.url, ["products.update"])]


async def test_a_bad_form_comes_back_with_the_error(client: Any) -> None:
    csrf = await sign_in(client)
    resp = await client.post("/ui/webhooks", data={"csrf": csrf, "url": "ftp://x", "events": "receipts.update",
                                                   "next": "/webhooks_setup"})
    assert "must start with http:// or https://" in await resp.text()


@pytest.mark.parametrize("path", ["/ui/webhooks", "/ui/events", "/ui/reset", "/ui/clock/advance", "/ui/logout",
                                  "/ui/check"])
async def test_forms_without_the_csrf_token_are_refused(client: Any, path: str) -> None:
    await sign_in(client)
    resp = await client.post(path, data={"url": "http://x.example", "what": "type:receipts.update"},
                             allow_redirects=False)
    assert resp.status == 403
    resp = await client.post(path, data={"csrf": "forged"}, allow_redirects=False)
    assert resp.status == 403


async def test_redirects_stay_on_this_site(client: Any) -> None:
    csrf = await sign_in(client)
    resp = await client.post("/ui/events", data={"csrf": csrf, "what": "type:receipts.update",
                                                 "next": "//evil.example/"}, allow_redirects=False)
    assert resp.headers["Location"] == "/"


async def test_trigger_advance_redeliver_and_reenable(client: Any, receiver: Any) -> None:
    rec = await receiver(default=500)
    hook = await register(client, rec.url)
    csrf = await sign_in(client)
    await client.post("/ui/events", data={"csrf": csrf, "what": "operation:sale", "count": "2"})
    assert len(rec.requests) == 2
    resp = await client.post("/ui/clock/advance", data={"csrf": csrf, "duration": "48h"})
    assert "attempt(s) made" in await resp.text()
    assert (await (await client.get(f"/v1.0/webhook/{hook['id']}", headers=AUTH)).json())["status"] == "disabled"
    html = await (await client.get("/")).text()
    assert "Re-enable" in html and "0 attempt(s) left" not in html
    await client.post(f"/ui/webhooks/{hook['id']}/status", data={"csrf": csrf, "status": "enabled"})
    assert (await (await client.get(f"/v1.0/webhook/{hook['id']}", headers=AUTH)).json())["status"] == "enabled"
    rec.default = 200
    delivery_id = (await (await client.get("/_mock/deliveries", headers=AUTH)).json())["data"][0]["id"]
    here = f"/ui/deliveries/{delivery_id}"
    resp = await client.post(f"{here}/redeliver", data={"csrf": csrf, "next": here}, allow_redirects=False)
    assert resp.headers["Location"] == here  # back where it was asked, with a link to the new delivery
    said = re.search(r'sent again as a new delivery: <a href="(/ui/deliveries/dlv_[0-9a-f]+)">',
                     await (await client.get(here)).text())
    assert said, "the message names the new delivery"
    assert "succeeded" in await (await client.get(said.group(1))).text()


async def test_bad_durations_and_counts_come_back_as_errors(client: Any) -> None:
    csrf = await sign_in(client)
    assert "not a duration" in await (await client.post("/ui/clock/advance", data={"csrf": csrf, "duration": "soon"})).text()
    text = await (await client.post("/ui/events", data={"csrf": csrf, "what": "type:receipts.update",
                                                        "count": "lots"})).text()
    assert "whole number" in text


async def test_delete_and_reset_ask_first_without_javascript(client: Any, receiver: Any) -> None:
    rec = await receiver()
    hook = await register(client, rec.url)
    csrf = await sign_in(client)
    asked = await client.post(f"/ui/webhooks/{hook['id']}/delete", data={"csrf": csrf}, allow_redirects=False)
    assert asked.status == 200 and "Delete webhook" in await asked.text()  # a page that asks
    assert len((await (await client.get("/v1.0/webhook", headers=AUTH)).json())["data"]) == 1
    await client.post(f"/ui/webhooks/{hook['id']}/delete", data={"csrf": csrf, "confirmed": "1"})
    assert (await (await client.get("/v1.0/webhook", headers=AUTH)).json())["data"] == []
    await trigger(client)
    asked = await client.post("/ui/reset", data={"csrf": csrf}, allow_redirects=False)
    assert asked.status == 200 and "Forget everything" in await asked.text()
    assert (await (await client.get("/_mock/events", headers=AUTH)).json())["data"] != []
    await client.post("/ui/reset", data={"csrf": csrf, "confirmed": "1"})
    assert (await (await client.get("/_mock/events", headers=AUTH)).json())["data"] == []


async def test_filters_narrow_the_deliveries(client: Any, receiver: Any) -> None:
    ok, bad = await receiver(), await receiver(default=500)
    await register(client, ok.url, "receipts.update")
    await register(client, bad.url, "products.update")
    await trigger(client, "receipts.update")
    await trigger(client, "products.update")
    await sign_in(client)
    html = await (await client.get("/", params={"status": "pending"})).text()
    rows = re.findall(r'<tr class="delivery (\w+)"', html)
    assert rows == ["pending"]
    html = await (await client.get("/", params={"event_type": "receipts.update", "status": "bogus"})).text()
    assert re.findall(r'<tr class="delivery (\w+)"', html) == ["succeeded"]


async def test_receiver_output_is_escaped(client: Any, aiohttp_server: Any) -> None:
    from aiohttp import web

    async def evil(request: web.Request) -> web.Response:
        return web.Response(status=500, text="<script>alert(1)</script>",
                            headers={"X-Evil": "<img src=x onerror=alert(2)>"})

    app = web.Application()
    app.router.add_post("/hook", evil)
    server = await aiohttp_server(app)
    await register(client, str(server.make_url("/hook")))
    sent = await trigger(client)
    await sign_in(client)
    html = await (await client.get(f"/ui/deliveries/{sent['events'][0]['deliveries'][0]['id']}")).text()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html


async def test_delivery_page_shows_every_attempt_with_gaps(client: Any, receiver: Any) -> None:
    rec = await receiver([500, 502], default=200)
    await register(client, rec.url)
    sent = await trigger(client)
    await advance(client, 60)
    await sign_in(client)
    html = await (await client.get(f"/ui/deliveries/{sent['events'][0]['deliveries'][0]['id']}")).text()
    assert re.findall(r'id="attempt-(\d+)"', html) == ["1", "2", "3"]
    assert "<title>2 attempts, 1 to 2: failed" in html and "<title>attempt 3: 200 OK" in html  # the picture
    assert re.search(r'<time datetime="2025-06-30T12:00:15.000Z"[^>]*>', html)  # each at its time, on hover
    assert "&#34;merchant_id&#34;" in html or '"merchant_id"' in html


async def test_har_export_has_an_entry_per_attempt(client: Any, receiver: Any) -> None:
    rec = await receiver([500], default=200)
    await register(client, rec.url)
    sent = await trigger(client)
    await advance(client, 10)
    await sign_in(client)
    resp = await client.get(f"/ui/deliveries/{sent['events'][0]['deliveries'][0]['id']}/har")
    assert resp.headers["Content-Disposition"].endswith('.har"')
    log = json.loads(await resp.text())["log"]
    assert log["version"] == "1.2"
    assert [e["response"]["status"] for e in log["entries"]] == [500, 200]
    assert json.loads(log["entries"][0]["request"]["postData"]["text"]) == sent["events"][0]["payload"]


async def test_unknown_delivery_page_is_404(client: Any) -> None:
    await sign_in(client)
    assert (await client.get("/ui/deliveries/dlv_nope")).status == 404


async def test_live_parts_need_a_sign_in(client: Any) -> None:
    assert (await client.get("/ui/live/home?part=hooks")).status == 401


async def test_stream_says_change_when_something_is_committed(client: Any, receiver: Any) -> None:
    await sign_in(client)
    resp = await client.get("/ui/stream")
    assert resp.headers["Content-Type"] == "text/event-stream"
    assert await resp.content.readline() == b"retry: 1000\n"
    rec = await receiver()
    await register(client, rec.url)
    lines = []
    while b"event: change\n" not in lines:
        lines.append(await asyncio.wait_for(resp.content.readline(), 5))
    resp.close()


async def test_static_files_are_served(client: Any) -> None:
    for path in ("/static/app.css", "/static/app.js"):
        assert (await client.get(path)).status == 200


async def test_faults_form_saves_and_clears_a_webhooks_faults(client: Any, receiver: Any) -> None:
    rec = await receiver()
    hook = await register(client, rec.url)
    await sign_in(client)
    csrf = await csrf_of(client, f"/ui/webhooks/{hook['id']}/faults")
    form = {"csrf": csrf, "duplicate": "1", "duplicate_mode": "concurrent", "reorder": "0", "delay": "0",
            "delay_min": "0s", "delay_max": "1m", "outage_in": "", "outage_duration": "", "seed": "3"}
    resp = await client.post(f"/ui/webhooks/{hook['id']}/faults", data={**form, "next": "/?status=failed"})
    assert resp.url.path_qs == "/?status=failed" and f"faults of {hook['id']} saved" in await resp.text()
    state = await (await client.get(f"/_mock/webhooks/{hook['id']}/faults", headers=AUTH)).json()
    assert (state["source"], state["faults"]["duplicate_mode"], state["faults"]["seed"]) == ("webhook", "concurrent", 3)
    await trigger(client)
    assert len(rec.requests) == 2
    html = await (await client.get("/")).text()
    assert "duplicate (concurrent) of" in html and "Faults (on)" in html
    await client.post(f"/ui/webhooks/{hook['id']}/faults", data={"csrf": csrf, "clear": "1"})
    state = await (await client.get(f"/_mock/webhooks/{hook['id']}/faults", headers=AUTH)).json()
    assert state["source"] == "server"


async def test_faults_form_errors_come_back(client: Any, receiver: Any) -> None:
    rec = await receiver()
    hook = await register(client, rec.url)
    await sign_in(client)
    csrf = await csrf_of(client, f"/ui/webhooks/{hook['id']}/faults")
    resp = await client.post(f"/ui/webhooks/{hook['id']}/faults",
                             data={"csrf": csrf, "duplicate": "7", "next": f"/ui/webhooks/{hook['id']}/faults"})
    assert "is a probability" in await resp.text()


async def test_the_page_says_when_shop_traffic_falls_behind(make_client: Any, config: Any) -> None:
    from mockserver.server import keys

    client = await make_client(config, traffic=30.0)
    await sign_in(client)
    assert "Shop traffic is behind" not in await (await client.get("/")).text()
    status = (await keys.ready(client.server.app)).traffic
    assert status is not None
    status.achieved, status.behind = 12.5, True  # as the stream's report sets them
    page = await (await client.get("/")).text()
    assert "Shop traffic is behind" in page and "12.5 events per simulated minute of the 30 asked" in page


async def test_api_faults_form_saves_and_turns_them_off(client: Any) -> None:
    await sign_in(client)
    html = await (await client.get("/ui/api-faults")).text()
    assert 'id="api-faults-state">off' in html and 'href="/ui/api-faults"' in html
    csrf = await csrf_of(client, "/ui/api-faults")
    form = {"csrf": csrf, "rate_limit": "2", "errors": "0", "error_status": "503", "slow": "0", "slow_by": "1s",
            "seed": "4"}
    resp = await client.post("/ui/api-faults", data=form)
    assert "REST API faults saved" in await resp.text()
    state = await (await client.get("/_mock/api-faults", headers=AUTH)).json()
    assert (state["rate_limit"], state["error_status"], state["seed"], state["active"]) == (2, 503, 4, True)
    assert [(await client.get("/v1.0/shops", headers=AUTH)).status for _ in range(3)] == [200, 200, 429]
    assert 'id="api-faults-state">on' in await (await client.get("/ui/api-faults")).text()
    await client.post("/ui/api-faults", data={"csrf": csrf, "clear": "1"})
    assert (await (await client.get("/_mock/api-faults", headers=AUTH)).json())["active"] is False


@pytest.mark.parametrize(("field", "value", "words"), [
    ("errors", "2", "is a share of requests"), ("rate_limit", "many", "must be a whole number"),
    ("slow_by", "5m", "must be a duration above 0"), ("seed", str(2**70), "from 0 to 2**63 - 1"),
])
async def test_api_faults_form_errors_come_back(client: Any, field: str, value: str, words: str) -> None:
    await sign_in(client)
    csrf = await csrf_of(client, "/ui/api-faults")
    resp = await client.post("/ui/api-faults", data={"csrf": csrf, field: value, "next": "/ui/api-faults"})
    assert words in await resp.text()


@pytest.mark.parametrize(("t", "since", "words"), [
    (1000 + 720 * 180, None, "about 3 min from now"),
    (1000 - 720 * 180, None, "about 3 min ago"),
    (1000 + 360, None, "in under a second"),
    (1000 - 360, None, "under a second ago"),
    (1000.5, None, None),  # now
    (900, 950, None),  # before this run began: the time the server was down is unknown
])
def test_a_moment_in_real_time_on_a_compressed_clock(t: float, since: float | None, words: str | None) -> None:
    from mockserver.ui.present import real_equivalent

    assert real_equivalent(t, 1000, 720, since) == words
    assert real_equivalent(t, 1000, 1, since) is None  # real time needs no translation


async def test_filters_the_page_does_not_understand_are_said_not_obeyed_in_silence(client: Any) -> None:
    await sign_in(client)
    html = await (await client.get("/?status=bogus&last_status=abc&kind=copy&event_type=sales")).text()
    assert "Not filtered by:" in html
    for said in ("status=&#39;bogus&#39; is not one of pending", "last_status=&#39;abc&#39; is not an HTTP status",
                 "kind=&#39;copy&#39;", "event_type=&#39;sales&#39;"):
        assert said in html, said
    assert "Not filtered by" not in await (await client.get("/?status=failed&last_status=503&kind=event")).text()
    live = await (await client.get("/ui/live/home?part=deliveries&last_status=999")).text()
    assert "last_status=&#39;999&#39;" in live  # the live part says it too


@pytest.mark.parametrize("code", ["\u00b2", "\u0665\u0660\u0663", "5" * 5000])
async def test_a_status_filter_that_is_not_plain_digits_is_said_not_obeyed(client: Any, code: str) -> None:
    await sign_in(client)
    resp = await client.get("/", params={"last_status": code})
    assert resp.status == 200 and "is not an HTTP status code" in await resp.text()
    live = await client.get("/ui/live/home", params={"part": "deliveries", "last_status": code})
    assert live.status == 200 and "is not an HTTP status code" in await live.text()


async def test_a_browser_asking_for_a_page_that_does_not_exist_gets_a_page(client: Any) -> None:
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    resp = await client.get("/nonexistent-<b>page", headers=browser)
    assert resp.status == 404 and resp.content_type == "text/html"
    html = await resp.text()
    assert '<html lang="en">' in html and "<title>Not found" in html and "&lt;b&gt;" in html and "<b>" not in html
    assert (await client.get("/nonexistent-page")).content_type == "application/json"  # an API client's
    for path in ("/ui/nope", "/ui/", "/static/nope.css"):  # the page's own corners too
        page = await client.get(path, headers=browser)
        assert (page.status, page.content_type) == (404, "text/html"), path
    for outside in ("/static/%2Fetc%2Fpasswd", "/static/..%2Fconfig.py", "/static/%2E%2E%2Fconfig.py"):
        leak = await client.get(outside)  # nothing of the disk but the page's own files
        assert leak.status == 404 and "root:" not in await leak.text() and "Config" not in await leak.text(), outside
    assert (await client.get("/static/app.css")).status == 200
    script = await client.get("/static/nope.js", headers={"Accept": "*/*"})
    assert script.status == 404 and script.content_type == "application/json"  # not a download of nothing
    api = await client.get("/v1.0/nothing-here", headers=browser)
    assert api.status == 404 and api.content_type == "application/json"  # the API answers JSON, whoever asks


def test_every_file_of_the_page_can_be_served() -> None:
    """The static route serves a fixed list, so nothing else of the disk can be named: the
    list is the folder, no more and no less."""
    from mockserver.ui.static_files import FILES, STATIC

    assert {p.name for p in STATIC.iterdir() if p.is_file()} == FILES
