"""The page's round-three plumbing without a browser: the one-time message cookie, live
parts that send only what changed, prefix search, the curl command and the timeline's
grouping; each with what a mistaken or hostile input comes to."""

from __future__ import annotations

import json
import re
import shlex
from typing import Any

import pytest

from mockserver.domain.models import Attempt
from mockserver.ui.curl import curl
from mockserver.ui.timeline import grouped
from tests.helpers import csrf_of, register, sign_in, trigger


def _attempt(number: int, state: str = "failed", at: float = 0.0, **extra: Any) -> Attempt:
    fields: dict[str, Any] = {
        "id": number, "delivery_id": "dlv_1", "number": number, "state": state, "scheduled_at": at,
        "started_at": at, "started_real": at, "duration_ms": 1.0, "url": "http://r.example/hook?a=1&b='2'",
        "request_headers": {"Host": "r.example", "Content-Type": "application/json", "Content-Length": "2"},
        "response_status": 500, "response_headers": {}, "response_body": "", "response_truncated": False,
        "error_kind": None, "error_message": None,
    }
    return Attempt(**{**fields, **extra})


# -- the one-time message -------------------------------------------------------------------

async def test_a_message_is_shown_once_and_not_carried_in_the_url(client: Any) -> None:
    csrf = await sign_in(client)
    resp = await client.post("/ui/events", data={"csrf": csrf, "what": "type:receipts.update",
                                                 "next": "/?status=failed"}, allow_redirects=False)
    assert resp.headers["Location"] == "/?status=failed"
    assert "event(s) sent" in await (await client.get("/?status=failed")).text()
    assert "event(s) sent" not in await (await client.get("/?status=failed")).text()  # once


async def test_a_live_part_leaves_the_message_for_the_page(client: Any) -> None:
    csrf = await sign_in(client)
    await client.post("/ui/clock/advance", data={"csrf": csrf, "duration": "1m"}, allow_redirects=False)
    await client.get("/ui/live/home?part=deliveries")  # a live redraw comes first
    assert "clock moved 1m" in await (await client.get("/")).text()


@pytest.mark.parametrize("cookie", ["forged", "e30.0000", "x" * 5000, "eyJsIjoib2siLCJ0IjoiaGkifQ.bad", "é.é"])
async def test_a_message_cookie_the_server_did_not_sign_shows_nothing(client: Any, cookie: str) -> None:
    await sign_in(client)
    client.session.cookie_jar.update_cookies({"spm_flash": cookie})
    resp = await client.get("/")
    assert resp.status == 200 and 'id="flash"' not in await resp.text()


async def test_a_refused_form_too_big_to_bring_back_keeps_its_message(client: Any, receiver: Any) -> None:
    """Values longer than any field takes are not kept; the rest come back, and the message
    always does (a cookie holds about 4 KB)."""
    rec = await receiver()
    hook = await register(client, rec.url)
    await sign_in(client)
    page = f"/ui/webhooks/{hook['id']}/faults"
    csrf = await csrf_of(client, page)
    huge = "9" * 10_000
    resp = await client.post(page, data={"csrf": csrf, "here": page, "delay_max": "forever", "duplicate_delay": huge,
                                         "seed": "3"})
    html = await resp.text()
    assert resp.url.path == page and "&#39;duplicate_delay&#39; must be a duration" in html
    assert huge not in html and 'name="seed" value="3"' in html
    many = {f"f{i}": "x" * 2000 for i in range(10)}  # 20 KB of values, each small enough to keep
    resp = await client.post(page, data={"csrf": csrf, "here": page, "delay_max": "forever", **many})
    assert "must be a duration" in await resp.text() and len(resp.history[0].headers["Set-Cookie"]) < 4096


# -- live parts that send only what changed ---------------------------------------------------

async def test_a_live_part_stubs_what_the_page_holds(client: Any, receiver: Any) -> None:
    rec = await receiver()
    await register(client, rec.url)
    await trigger(client, count=3)
    await sign_in(client)
    whole = await (await client.get("/ui/live/home?part=deliveries")).text()
    versions = re.findall(r'data-v="([0-9a-f]{10})"', whole)
    assert len(versions) == 3 and "data-same" not in whole
    held = await (await client.get("/ui/live/home?part=deliveries", headers={"X-Have": ",".join(versions[:2])})).text()
    assert held.count("data-same") == 2 and len(held) < len(whole)
    await trigger(client)  # a new delivery: sent whole, beside the stubs
    more = await (await client.get("/ui/live/home?part=deliveries", headers={"X-Have": ",".join(versions)})).text()
    assert more.count("data-same") == 3 and more.count('class="delivery ') == 1


@pytest.mark.parametrize("have", ["<script>", "x" * 6000, ",".join(["abcdef0123"] * 700), "%%%,,,", "ABCDEF0123"])
async def test_a_live_part_ignores_versions_it_cannot_read(client: Any, receiver: Any, have: str) -> None:
    rec = await receiver()
    await register(client, rec.url)
    await trigger(client)
    await sign_in(client)
    resp = await client.get("/ui/live/home?part=deliveries", headers={"X-Have": have})
    assert resp.status == 200 and "data-same" not in await resp.text()


# -- search by the start of an id or a number -------------------------------------------------

@pytest.mark.parametrize("text", ["%", "_", "\\", "dlv_%", "evt__", "': \"", "%\" OR 1=1 --"])
async def test_search_takes_wildcards_and_quotes_literally(client: Any, receiver: Any, text: str) -> None:
    rec = await receiver()
    await register(client, rec.url)
    await trigger(client, count=2)
    await sign_in(client)
    for path in ("/", "/ui/events"):
        html = await (await client.get(path, params={"q": text})).text()
        assert 'class="delivery ' not in html and 'class="event"' not in html, (path, text)


async def test_search_finds_a_product_code_and_an_upper_cased_prefix(client: Any, receiver: Any) -> None:
    rec = await receiver()
    await register(client, rec.url, "inventory_levels.update")
    sent = await trigger(client, "inventory_levels.update")
    event = next(e for e in sent["events"] if e["type"] == "inventory_levels.update")
    code = event["payload"]["inventory_levels"][0]["product_code"]
    await sign_in(client)
    html = await (await client.get("/ui/events", params={"q": code})).text()
    assert f'id="evt-{event["id"]}"' in html
    html = await (await client.get("/", params={"q": event["deliveries"][0]["id"][:9].upper()})).text()
    assert html.count('class="delivery ') == 1


# -- the curl command, and the timeline's marks ----------------------------------------------

def test_curl_quotes_every_part_for_the_shell() -> None:
    body = json.dumps({"name": "O'Brien $HOME `id` \\ \"q\""})
    command = curl(_attempt(1), body)
    words = shlex.split(command.replace(" \\\n", " "))
    assert words[:4] == ["curl", "--http1.1", "-X", "POST"] and words[4] == "http://r.example/hook?a=1&b='2'"
    assert words[words.index("--data-binary") + 1] == body
    assert "Host: r.example" not in words and "Content-Length: 2" not in words  # curl writes both itself
    assert "Content-Type: application/json" in words and "Expect:" in words


def test_marks_closer_than_the_gap_group_but_never_across_a_change_of_state() -> None:
    attempts = [_attempt(1, at=0), _attempt(2, at=1), _attempt(3, at=2), _attempt(4, "succeeded", at=3)]
    marks = grouped(attempts, [0.0, 0.5, 1.0, 1.5], gap=3.5)
    assert [(len(m.attempts), m.state) for m in marks] == [(3, "failed"), (1, "succeeded")]
    assert marks[1].x - marks[0].x >= 3.5  # moved right: never on top of the group
    crowded = grouped([_attempt(1, at=0), _attempt(2, "succeeded", at=1)], [99.5, 100.0], gap=3.5)
    assert [m.x for m in crowded] == [96.5, 100.0]  # kept inside the picture
