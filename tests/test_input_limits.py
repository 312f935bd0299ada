"""Input limits: odd unicode, header injection, huge numbers and nesting get a 4xx."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import AUTH


@pytest.mark.parametrize(
    "url",
    [
        "https://exa\u202emple.com/hook",  # right-to-left override
        "https://example.com/ho\u200bok",  # zero-width space
        "https://example.com/\u0000",
        "https://example.com/\u2028",  # line separator
        "https://example.com/\ue000",  # private use
        "https://example.com/\r\nHost: evil",
        "https://example.com/%0d%0a\nX: y",
        "https://exam ple.com/",
        "https://\udc00.example/",
        "https://" + "a" * 64 + ".example/",  # a label over 63 characters
        "https://xn--.example/",
    ],
)
async def test_odd_urls_are_refused(client: Any, url: str) -> None:
    resp = await client.post("/v1.0/webhook", json={"url": url, "event": "receipts.update"}, headers=AUTH)
    assert resp.status == 422, url
    assert (await resp.json())["error"]["field"] == "url"


@pytest.mark.parametrize(
    "url",
    ["https://bücher.example/hook", "https://example.com/päth?q=ü", "http://[2001:db8::1]:8443/x",
     "https://EXAMPLE.com/%0D%0A"],  # credentials in a URL are refused: see test_security
)
async def test_ordinary_unicode_and_encodings_are_accepted(client: Any, url: str) -> None:
    resp = await client.post("/v1.0/webhook", json={"url": url, "event": "receipts.update"}, headers=AUTH)
    assert resp.status == 201, await resp.text()


@pytest.mark.parametrize(
    "body",
    [
        {"type": "receipts.update", "count": 10**30},
        {"type": "receipts.update", "count": 1e300},
        {"type": "receipts.update", "count": -1},
    ],
)
async def test_huge_counts_are_refused(client: Any, body: dict[str, Any]) -> None:
    resp = await client.post("/_mock/events", json=body, headers=AUTH)
    assert resp.status == 422


async def test_huge_clock_moves_are_refused(client: Any) -> None:
    resp = await client.post("/_mock/clock/advance", json={"seconds": 10**400}, headers=AUTH)
    assert resp.status in (400, 422)


async def test_deeply_nested_payload_is_refused(client: Any) -> None:
    body = '{"type": "receipts.update", "payload": ' + "{\"a\": " * 5000 + "1" + "}" * 5000 + "}"
    resp = await client.post("/_mock/events", data=body, headers={**AUTH, "Content-Type": "application/json"})
    assert resp.status == 400


async def test_oversized_bodies_are_refused_everywhere(client: Any) -> None:
    big = b'{"x": "' + b"y" * (65 * 1024) + b'"}'
    for path in ("/v1.0/webhook", "/_mock/events", "/_mock/clock/advance"):
        resp = await client.post(path, data=big, headers={**AUTH, "Content-Type": "application/json"})
        assert resp.status == 413, path


async def test_very_long_query_values_are_refused(client: Any) -> None:
    resp = await client.get("/_mock/deliveries", params={"limit": "9" * 5000}, headers=AUTH)
    assert resp.status == 422


async def test_a_token_with_odd_bytes_is_only_a_token(client: Any) -> None:
    resp = await client.get("/v1.0/webhook", headers={"Authorization": "Bearer é\u202e"})
    assert resp.status in (200, 400, 401)
