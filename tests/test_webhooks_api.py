"""The /v1.0/webhook registration API: happy paths, scoping, and every bad input."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import AUTH, register

URL = "https://receiver.example.com/salesplay"


async def test_create_answers_201_with_the_webhook(client: Any) -> None:
    body = await register(client, URL)
    assert body["id"].startswith("wh_")
    assert body["url"] == URL
    assert body["events"] == ["receipts.update"]
    assert body["status"] == "enabled"
    assert body["created_at"] == "2025-06-30T12:00:00.000Z"
    assert body["warnings"] == []


async def test_create_accepts_a_list_of_events_and_warns(client: Any) -> None:
    resp = await client.post(
        "/v1.0/webhook", json={"url": URL, "events": ["receipts.update", "products.update"]}, headers=AUTH
    )
    assert resp.status == 201
    codes = [w["code"] for w in (await resp.json())["warnings"]]
    assert codes == ["one_event_per_webhook"]


async def test_reusing_a_url_for_another_event_warns(client: Any) -> None:
    await register(client, URL, "receipts.update")
    second = await register(client, URL, "products.update")
    assert [w["code"] for w in second["warnings"]] == ["distinct_url_per_event"]


async def test_reads_give_the_same_warnings_as_writes(client: Any) -> None:
    first = await register(client, URL, "receipts.update")
    second = await register(client, URL, ["products.update", "customers.update"])
    assert [w["code"] for w in second["warnings"]] == ["one_event_per_webhook", "distinct_url_per_event"]
    got = await (await client.get(f"/v1.0/webhook/{second['id']}", headers=AUTH)).json()
    assert got["warnings"] == second["warnings"]
    listed = (await (await client.get("/v1.0/webhook", headers=AUTH)).json())["data"]
    # The first now shares its URL too, so a read of it warns, as a PUT of it would.
    assert {h["id"]: [w["code"] for w in h["warnings"]] for h in listed} == {
        first["id"]: ["distinct_url_per_event"], second["id"]: ["one_event_per_webhook", "distinct_url_per_event"]}
    put = await (await client.put(f"/v1.0/webhook/{first['id']}", json={}, headers=AUTH)).json()
    assert put["warnings"] == listed[0]["warnings"]


async def test_the_same_url_and_event_twice_warns_of_a_duplicate_naming_the_other(client: Any) -> None:
    first = await register(client, URL, "receipts.update")
    second = await register(client, URL, "receipts.update")
    [warning] = second["warnings"]
    assert warning["code"] == "duplicate_webhook"
    assert f"{first['id']} (receipts.update)" in warning["message"] and "twice" in warning["message"]
    got = await (await client.get(f"/v1.0/webhook/{first['id']}", headers=AUTH)).json()
    assert [w["code"] for w in got["warnings"]] == ["duplicate_webhook"]  # each is the other's duplicate


async def test_a_webhook_sharing_one_of_its_events_with_another_at_the_url_is_a_duplicate_too(client: Any) -> None:
    await register(client, URL, ["receipts.update", "products.update"])
    second = await register(client, URL, "receipts.update")
    assert [w["code"] for w in second["warnings"]] == ["duplicate_webhook", "distinct_url_per_event"]
    other_url = await register(client, URL + "/other", "receipts.update")
    assert other_url["warnings"] == []


async def test_strict_refuses_a_duplicate_with_409_and_keeps_nothing(make_client: Any, config: Any) -> None:
    client = await make_client(config, strict=True)
    first = await register(client, URL, "receipts.update")
    resp = await client.post("/v1.0/webhook", json={"url": URL, "event": "receipts.update"}, headers=AUTH)
    assert resp.status == 409
    error = (await resp.json())["error"]
    assert (error["code"], error["field"]) == ("duplicate_webhook", "url")
    assert first["id"] in error["message"] and "without --strict" in error["message"]
    listed = (await (await client.get("/v1.0/webhook", headers=AUTH)).json())["data"]
    assert [h["id"] for h in listed] == [first["id"]]
    assert (await register(client, URL, "products.update"))["warnings"][0]["code"] == "distinct_url_per_event"


async def test_strict_refuses_an_update_that_makes_a_duplicate(make_client: Any, config: Any) -> None:
    client = await make_client(config, strict=True)
    await register(client, URL, "receipts.update")
    other = await register(client, URL + "/other", "receipts.update")
    resp = await client.put(f"/v1.0/webhook/{other['id']}", json={"url": URL}, headers=AUTH)
    assert resp.status == 409 and (await resp.json())["error"]["code"] == "duplicate_webhook"
    resp = await client.put(f"/v1.0/webhook/{other['id']}", json={"status": "disabled"}, headers=AUTH)
    assert resp.status == 200  # a change of status alone duplicates nothing
    got = await (await client.get(f"/v1.0/webhook/{other['id']}", headers=AUTH)).json()
    assert got["url"] == URL + "/other"


async def test_list_get_update_delete(client: Any) -> None:
    hook = await register(client, URL)
    listed = await (await client.get("/v1.0/webhook", headers=AUTH)).json()
    assert [h["id"] for h in listed["data"]] == [hook["id"]]
    got = await (await client.get(f"/v1.0/webhook/{hook['id']}", headers=AUTH)).json()
    assert got["url"] == URL
    resp = await client.put(
        f"/v1.0/webhook/{hook['id']}",
        json={"url": URL + "/v2", "events": ["products.update"], "status": "disabled"},
        headers=AUTH,
    )
    assert resp.status == 200
    updated = await resp.json()
    assert (updated["url"], updated["events"], updated["status"]) == (URL + "/v2", ["products.update"], "disabled")
    assert updated["disabled_reason"] == "disabled through the API"
    resp = await client.put(f"/v1.0/webhook/{hook['id']}", json={"status": "enabled"}, headers=AUTH)
    assert (await resp.json())["disabled_reason"] is None
    assert (await client.delete(f"/v1.0/webhook/{hook['id']}", headers=AUTH)).status == 204
    assert (await client.get(f"/v1.0/webhook/{hook['id']}", headers=AUTH)).status == 404


async def test_another_token_cannot_see_or_touch_a_webhook(client: Any) -> None:
    hook = await register(client, URL)
    other = {"Authorization": "Bearer someone-else"}
    assert (await (await client.get("/v1.0/webhook", headers=other)).json())["data"] == []
    for method in ("get", "put", "delete"):
        kwargs: dict[str, Any] = {"json": {"status": "disabled"}} if method == "put" else {}
        resp = await getattr(client, method)(f"/v1.0/webhook/{hook['id']}", headers=other, **kwargs)
        assert resp.status == 404, method
    assert (await client.get(f"/v1.0/webhook/{hook['id']}", headers=AUTH)).status == 200


async def test_token_list_accepts_only_those_tokens(make_client: Any, config: Any) -> None:
    client = await make_client(config, tokens=("good",))
    assert (await client.get("/v1.0/webhook", headers={"Authorization": "Bearer good"})).status == 200
    resp = await client.get("/v1.0/webhook", headers={"Authorization": "Bearer bad"})
    assert resp.status == 401
    assert (await resp.json())["error"]["code"] == "invalid_token"


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer   ", "Basic abc", "token abc"])
async def test_missing_or_malformed_authorization_is_401(client: Any, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    resp = await client.get("/v1.0/webhook", headers=headers)
    assert resp.status == 401
    body = await resp.json()
    assert body["error"]["field"] == "Authorization"
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    ("body", "status", "field", "code"),
    [
        (b"{not json", 400, "body", "invalid_json"),
        (b"", 400, "body", "invalid_json"),
        (b"[1, 2]", 400, "body", "invalid_json"),
        (b"\xff\xfe", 400, "body", "invalid_json"),
        (b"[" * 30000 + b"]" * 30000, 400, "body", "invalid_json"),
        (b'{"event": "receipts.update"}', 422, "url", "invalid_field"),
        (b'{"url": "https://a.example"}', 422, "event", "invalid_field"),
        (b'{"url": 5, "event": "receipts.update"}', 422, "url", "invalid_field"),
        (b'{"url": "ftp://a.example", "event": "receipts.update"}', 422, "url", "invalid_url"),
        (b'{"url": "https://", "event": "receipts.update"}', 422, "url", "invalid_url"),
        (b'{"url": "https://a b.example", "event": "receipts.update"}', 422, "url", "invalid_field"),
        (b'{"url": "https://a.example/\\r\\nX-Evil: 1", "event": "receipts.update"}', 422, "url", "invalid_field"),
        (b'{"url": "https://a.example:99999/", "event": "receipts.update"}', 422, "url", "invalid_url"),
        (b'{"url": "https://a..example/", "event": "receipts.update"}', 422, "url", "invalid_url"),
        (b'{"url": "https://a.example", "event": "sales.update"}', 422, "event", "unknown_event_type"),
        (b'{"url": "https://a.example", "event": 3}', 422, "event", "invalid_field"),
        (b'{"url": "https://a.example", "events": []}', 422, "events", "invalid_field"),
        (b'{"url": "https://a.example", "events": "receipts.update"}', 422, "events", "invalid_field"),
        (b'{"url": "https://a.example", "events": ["receipts.update", "receipts.update"]}', 422, "events", "invalid_field"),
        (b'{"url": "https://a.example", "event": "receipts.update", "events": ["products.update"]}', 422, "events", "invalid_field"),
        (b'{"url": "https://a.example", "event": "receipts.update", "colour": "red"}', 422, "colour", "unknown_field"),
        (b'{"url": "https://a.example", "event": "receipts.update", "status": "enabled"}', 422, "status", "unknown_field"),
    ],
)
async def test_bad_create_bodies_get_a_4xx_naming_the_field(
    client: Any, body: bytes, status: int, field: str, code: str
) -> None:
    resp = await client.post(
        "/v1.0/webhook", data=body, headers={**AUTH, "Content-Type": "application/json"}
    )
    assert resp.status == status, await resp.text()
    error = (await resp.json())["error"]
    assert (error["field"], error["code"]) == (field, code)
    assert error["message"]


async def test_overlong_url_is_refused(client: Any) -> None:
    resp = await client.post(
        "/v1.0/webhook", json={"url": "https://a.example/" + "x" * 3000, "event": "receipts.update"}, headers=AUTH
    )
    assert resp.status == 422
    assert "longer than" in (await resp.json())["error"]["message"]


async def test_oversized_body_is_413(client: Any) -> None:
    resp = await client.post(
        "/v1.0/webhook",
        data=b'{"url": "' + b"x" * 70000 + b'"}',
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert resp.status == 413
    assert (await resp.json())["error"] == {  # ours, not aiohttp's "Maximum request body size ..."
        "code": "body_too_large", "field": "body",
        "message": "the request body is over the 64 KiB this server accepts; send a smaller one"}


async def test_non_json_content_type_is_415(client: Any) -> None:
    resp = await client.post("/v1.0/webhook", data="url=x", headers={**AUTH, "Content-Type": "text/plain"})
    assert resp.status == 415
    assert (await resp.json())["error"]["field"] == "Content-Type"


async def test_bad_update_bodies_are_422(client: Any) -> None:
    hook = await register(client, URL)
    for body, field in (({"status": "paused"}, "status"), ({"url": "nope"}, "url"), ({"id": "x"}, "id")):
        resp = await client.put(f"/v1.0/webhook/{hook['id']}", json=body, headers=AUTH)
        assert resp.status == 422
        assert (await resp.json())["error"]["field"] == field


async def test_unknown_id_is_404(client: Any) -> None:
    for method in ("get", "delete"):
        resp = await getattr(client, method)("/v1.0/webhook/wh_nope", headers=AUTH)
        assert resp.status == 404
        assert (await resp.json())["error"]["field"] == "id"


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:9000/x", "http://localhost/x", "http://10.1.2.3/", "http://192.168.1.1/",
     "http://169.254.169.254/latest", "http://[::1]/", "http://0.0.0.0/"],
)
async def test_public_urls_only_refuses_non_public_hosts(make_client: Any, config: Any, url: str) -> None:
    client = await make_client(config, public_urls_only=True)
    resp = await client.post("/v1.0/webhook", json={"url": url, "event": "receipts.update"}, headers=AUTH)
    assert resp.status == 422
    error = (await resp.json())["error"]
    assert (error["field"], error["code"]) == ("url", "url_not_public")


async def test_public_urls_only_accepts_a_public_address(make_client: Any, config: Any) -> None:
    client = await make_client(config, public_urls_only=True)
    resp = await client.post("/v1.0/webhook", json={"url": "https://93.184.215.14/hook", "event": "receipts.update"}, headers=AUTH)
    assert resp.status == 201


async def test_without_public_urls_only_localhost_is_fine(client: Any) -> None:
    await register(client, "http://127.0.0.1:9/hook")
