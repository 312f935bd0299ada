"""Reading long lists: /_mock/events and /_mock/deliveries a page at a time, with a cursor
that new records never shift, and the filters a test needs (kind, event, type)."""

from __future__ import annotations

import base64
import html as html_lib
import re
from typing import Any

import pytest

from mockserver.server import keys
from tests.helpers import AUTH, advance, register, sign_in, trigger


async def _get(client: Any, path: str, **query: str) -> dict[str, Any]:
    resp = await client.get(path, params=query, headers=AUTH)
    assert resp.status == 200, await resp.text()
    body: dict[str, Any] = await resp.json()
    return body


async def _every_page(client: Any, path: str, **query: str) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        body = await _get(client, path, **query, **({"cursor": cursor} if cursor else {}))
        pages.append([item["id"] for item in body["data"]])
        cursor = body["next"]
        if cursor is None:
            return pages


@pytest.mark.parametrize("path", ["/_mock/events", "/_mock/deliveries"])
async def test_pages_follow_next_until_it_is_null_and_cover_everything_once(
        client: Any, receiver: Any, path: str) -> None:
    await register(client, (await receiver()).url, "products.update")
    await trigger(client, "products.update", count=7)
    pages = await _every_page(client, path, limit="3")
    assert [len(p) for p in pages] == [3, 3, 1]
    everything = (await _get(client, path, limit="1000"))["data"]
    assert [i for p in pages for i in p] == [item["id"] for item in everything]  # newest first, none twice


async def test_a_page_that_ends_exactly_at_the_limit_has_no_next(client: Any) -> None:
    await trigger(client, "products.update", count=2)
    body = await _get(client, "/_mock/events", limit="2")
    assert len(body["data"]) == 2 and body["next"] is None


async def test_new_events_do_not_shift_the_pages_being_read(client: Any) -> None:
    await trigger(client, "products.update", count=4)
    first = await _get(client, "/_mock/events", limit="2")
    await trigger(client, "customers.update", count=3)  # newer: before the cursor, never after it
    second = await _get(client, "/_mock/events", limit="2", cursor=first["next"])
    assert [e["type"] for e in second["data"]] == ["products.update"] * 2
    assert {e["id"] for e in first["data"]}.isdisjoint(e["id"] for e in second["data"])


@pytest.mark.parametrize("cursor", ["nonsense", "%%%", "ZTox"])  # "ZTox" is an events cursor ("e:1")
async def test_a_cursor_not_given_out_by_the_list_is_422(client: Any, cursor: str) -> None:
    resp = await client.get("/_mock/deliveries", params={"cursor": cursor}, headers=AUTH)
    assert resp.status == 422
    assert (await resp.json())["error"]["field"] == "cursor"


@pytest.mark.parametrize("path", ["/_mock/deliveries", "/_mock/events"])
@pytest.mark.parametrize("number", [str(2**63), "9" * 4500, "\u00b2", "\u0661", "-1"])
async def test_a_cursor_past_any_row_is_422_naming_it(client: Any, path: str, number: str) -> None:
    text = f"{path[7]}:{number}"  # "d:..." or "e:...", as the list's own cursors
    cursor = base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")
    resp = await client.get(path, params={"cursor": cursor}, headers=AUTH)
    assert resp.status == 422, await resp.text()
    assert (await resp.json())["error"]["field"] == "cursor"


async def test_deliveries_filter_by_kind_and_by_event(client: Any, receiver: Any) -> None:
    await register(client, (await receiver()).url, "products.update")
    first, second = (await trigger(client, "products.update", count=2))["events"]
    again = await client.post(f"/_mock/deliveries/{first['deliveries'][0]['id']}/redeliver", headers=AUTH)
    assert again.status == 201
    kinds = [d["kind"] for d in (await _get(client, "/_mock/deliveries", event_id=first["id"]))["data"]]
    assert kinds == ["redelivery", "event"]
    redelivered = (await _get(client, "/_mock/deliveries", kind="redelivery"))["data"]
    assert [d["event_id"] for d in redelivered] == [first["id"]]
    assert (await _get(client, "/_mock/deliveries", event_id=second["id"], kind="redelivery"))["data"] == []


async def test_events_filter_by_type(client: Any) -> None:
    await trigger(client, "products.update")
    await trigger(client, "customers.update")
    data = (await _get(client, "/_mock/events", type="products.update"))["data"]
    assert [e["type"] for e in data] == ["products.update"]


@pytest.mark.parametrize(("path", "query"), [
    ("/_mock/deliveries", {"kind": "copy"}),
    ("/_mock/events", {"type": "sales.update"}),
    ("/_mock/events", {"limit": "0"}),
])
async def test_bad_list_filters_are_422_naming_the_field(client: Any, path: str, query: dict[str, str]) -> None:
    resp = await client.get(path, params=query, headers=AUTH)
    assert resp.status == 422
    assert (await resp.json())["error"]["field"] == next(iter(query))


async def test_created_at_keeps_milliseconds_so_events_of_one_second_stay_ordered(client: Any, receiver: Any) -> None:
    await register(client, (await receiver()).url, "products.update")
    await advance(client, 0.25)
    first = (await trigger(client, "products.update"))["events"][0]
    await advance(client, 0.5)
    second = (await trigger(client, "products.update"))["events"][0]
    assert first["created_at"].endswith(":00.250Z") and second["created_at"].endswith(":00.750Z")
    assert first["deliveries"][0]["created_at"] == first["created_at"]
    # SalesPlay's own payload time has whole seconds: the same for both, so never order by it alone.
    assert first["payload"]["created_at"] == second["payload"]["created_at"]


# -- the page pages by the same cursors as the API ------------------------------------------

async def _page_rows(client: Any, query: str) -> tuple[list[str], str | None, str]:
    html = await (await client.get("/?" + query)).text()
    older = re.search(r'<a id="older" href="/\?([^"]*)"', html)
    return (re.findall(r'<tr class="delivery \w+" id="dlv-([^"]+)"', html),
            None if older is None else html_lib.unescape(older.group(1)), html)


async def test_the_page_walks_the_deliveries_with_the_apis_cursors(client: Any, receiver: Any) -> None:
    """Row-number cursors on the page too: every delivery once, newest first, and a
    delivery forgotten on the way does not end the walk (paging by its id did)."""
    await register(client, (await receiver()).url, "products.update")
    await trigger(client, "products.update", count=120)
    api_order = [d["id"] for d in (await _get(client, "/_mock/deliveries", limit="1000"))["data"]]
    await sign_in(client)
    seen: list[str] = []
    query: str | None = ""
    pages = 0
    while query is not None:
        rows, query, _ = await _page_rows(client, query)
        seen += rows
        pages += 1
        if pages == 1:  # the last delivery of this page is forgotten before the next is read
            client.server.app[keys.running].store.deliveries.delete([rows[-1]])
    assert pages == 3 and seen == api_order


async def test_the_page_takes_an_api_cursor_and_says_when_one_is_not_a_cursor(client: Any, receiver: Any) -> None:
    await register(client, (await receiver()).url, "products.update")
    await trigger(client, "products.update", count=3)
    await sign_in(client)
    api_page = await _get(client, "/_mock/deliveries", limit="1")
    rows, _, _ = await _page_rows(client, f"cursor={api_page['next']}")
    assert len(rows) == 2 and api_page["data"][0]["id"] not in rows
    rows, _, html = await _page_rows(client, "cursor=nonsense")
    assert len(rows) == 3 and "is not one this list gave out" in html  # said, and the newest shown
