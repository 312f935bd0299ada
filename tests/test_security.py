"""The page's sign-in and CSRF, redirects, the live stream's scope, and odd input that
once answered 500: each attack from the hardening issue, refused."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from mockserver import keys
from tests.helpers import AUTH, register, trigger
from tests.test_ui import _csrf, _signed_in

OTHER = {"Authorization": "Bearer someone-else"}


async def test_a_planted_csrf_cookie_is_worthless(client: Any, receiver: Any) -> None:
    rec = await receiver()
    await register(client, rec.url)
    await _signed_in(client)
    client.session.cookie_jar.update_cookies({"spm_session": "evil", "spm_csrf": "evil"})
    resp = await client.post("/ui/reset", data={"csrf": "evil"}, allow_redirects=False)
    assert resp.status == 403
    assert len((await (await client.get("/v1.0/webhook", headers=AUTH)).json())["data"]) == 1


async def test_a_csrf_token_of_another_session_is_refused(client: Any, receiver: Any) -> None:
    import aiohttp

    rec = await receiver()
    await register(client, rec.url)
    victim_csrf = await _signed_in(client)
    async with aiohttp.ClientSession() as attacker:  # a session of its own, on the same server
        await attacker.get(client.make_url("/"))
        resp = await attacker.post(client.make_url("/ui/reset"), data={"csrf": victim_csrf}, allow_redirects=False)
        assert resp.status == 403
    assert len((await (await client.get("/v1.0/webhook", headers=AUTH)).json())["data"]) == 1


async def test_a_session_cookie_the_server_did_not_sign_is_no_session(client: Any) -> None:
    client.session.cookie_jar.update_cookies({"spm_session": "eyJ0IjoidGVzdC10b2tlbiJ9.00000000"})
    assert 'name="token"' in await (await client.get("/")).text()  # asked to sign in


@pytest.mark.parametrize("cookie", ["abc.\u00e9", "\u00e9.abc", "eyJ0IjoidGVzdC10b2tlbiJ9.\U0001f600"])
@pytest.mark.parametrize("path", ["/", "/ui/stream", "/webhooks_setup", "/ui/check"])
async def test_a_session_cookie_that_is_not_ascii_is_no_session(client: Any, path: str, cookie: str) -> None:
    resp = await client.get(path, headers={"Cookie": f"spm_session={cookie}"})
    assert resp.status == (401 if path == "/ui/stream" else 200), await resp.text()
    if path != "/ui/stream":
        assert 'name="token"' in await resp.text()  # asked to sign in


async def test_a_csrf_token_that_is_not_ascii_is_refused(client: Any, receiver: Any) -> None:
    rec = await receiver()
    await register(client, rec.url)
    await _signed_in(client)
    resp = await client.post("/ui/reset", data={"csrf": "caf\u00e9", "confirmed": "1"}, allow_redirects=False)
    assert resp.status == 403
    assert len((await (await client.get("/v1.0/webhook", headers=AUTH)).json())["data"]) == 1


@pytest.mark.parametrize("target", [
    "/\t/evil.example/", "/\\evil.example/", "//evil.example/", "http://evil.example/", "/\n/evil.example",
    "\\\\evil.example", "https:evil.example", "/ok\x7f",
])
async def test_after_a_form_the_page_goes_only_to_a_local_path(client: Any, target: str) -> None:
    csrf = await _signed_in(client)
    resp = await client.post("/ui/events", data={"csrf": csrf, "what": "type:receipts.update", "next": target},
                             allow_redirects=False)
    assert resp.headers["Location"] == "/"


async def test_a_local_next_is_kept(client: Any) -> None:
    csrf = await _signed_in(client)
    resp = await client.post("/ui/events", data={"csrf": csrf, "what": "type:receipts.update",
                                                 "next": "/?status=failed"}, allow_redirects=False)
    assert resp.headers["Location"] == "/?status=failed"  # the message is not in the URL (a cookie shows it once)


async def test_the_live_stream_needs_a_sign_in(client: Any, make_client: Any, config: Any) -> None:
    assert (await client.get("/ui/stream")).status == 401
    guarded = await make_client(config, tokens=("only-this",))
    assert (await guarded.get("/ui/stream")).status == 401


async def _next_change(stream: Any, timeout: float) -> str | None:
    """The data of the next 'change' event on ``stream``, or None within ``timeout``."""
    async def read() -> str:
        event = None
        async for raw in stream.content:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "change":
                return line[6:]
        raise AssertionError("the stream ended")
    try:
        return await asyncio.wait_for(read(), timeout)
    except asyncio.TimeoutError:
        return None


async def test_the_live_stream_carries_only_the_signed_in_merchants_changes(client: Any, receiver: Any) -> None:
    rec = await receiver()
    await register(client, rec.url)
    await client.post("/v1.0/webhook", json={"url": rec.url, "event": "receipts.update"}, headers=OTHER)
    await _signed_in(client)
    stream = await client.get("/ui/stream")
    assert stream.status == 200
    await client.post("/_mock/events", json={"type": "receipts.update"}, headers=OTHER)
    assert await _next_change(stream, 0.6) is None, "another merchant's change reached this page"
    await trigger(client)
    data = await _next_change(stream, 5)
    assert data is not None and '"now_epoch"' in data
    stream.close()


async def test_a_stream_that_reconnects_catches_up_on_what_it_missed(client: Any, receiver: Any) -> None:
    rec = await receiver()
    await register(client, rec.url)
    await _signed_in(client)
    changes = client.server.app[keys.changes]
    seen = f"{changes.boot}:{changes.version(_owner())}"
    await trigger(client)  # while the page was away
    stream = await client.get("/ui/stream", headers={"Last-Event-ID": seen})
    assert await _next_change(stream, 2) is not None
    stream.close()


async def test_a_first_stream_starts_from_the_version_its_page_was_drawn_from(client: Any, receiver: Any) -> None:
    import re

    rec = await receiver()
    await register(client, rec.url)
    await _signed_in(client)
    seen = re.search(r'<body data-seen="([^"]+)"', await (await client.get("/")).text())
    assert seen is not None
    await trigger(client)  # after the page was drawn, before its script opened the stream
    stream = await client.get("/ui/stream", params={"seen": seen.group(1)})
    assert await _next_change(stream, 2) is not None, "the change made while the page loaded was missed"
    stream.close()


@pytest.mark.parametrize("how", ["header", "query"])
@pytest.mark.parametrize("seen", ["\u00b2", "9" * 5000, "", "-1", "1e3", "\u0665"])
async def test_a_stream_told_an_unreadable_version_starts_from_the_beginning_of_this_run(
    client: Any, receiver: Any, caplog: Any, seen: str, how: str
) -> None:
    rec = await receiver()
    await register(client, rec.url)
    await _signed_in(client)
    said = f"{client.server.app[keys.changes].boot}:{seen}"
    stream = await client.get("/ui/stream", **({"headers": {"Last-Event-ID": said}} if how == "header"
                                                else {"params": {"seen": said}}))
    assert stream.status == 200
    assert await _next_change(stream, 2) is not None, "a version it could not read was taken as seen"
    stream.close()
    assert not [r for r in caplog.records if r.levelname == "ERROR"], [r.getMessage() for r in caplog.records]


async def test_a_stream_left_before_it_began_is_no_error(client: Any, caplog: Any) -> None:
    """A page left (or reloaded) while its stream opens: nothing to log but the request."""
    await _signed_in(client)
    cookie = "; ".join(f"{c.key}={c.value}" for c in client.session.cookie_jar)
    request = (f"GET /ui/stream HTTP/1.1\r\nHost: {client.host}\r\nCookie: {cookie}\r\n\r\n").encode()
    server = client.server.runner.server
    before = len(server.connections)
    for _ in range(20):
        _, writer = await asyncio.open_connection(client.host, client.port)
        writer.write(request)
        writer.transport.abort()  # gone at once, before the answer's first bytes
    deadline = asyncio.get_running_loop().time() + 5
    while len(server.connections) > before:  # every handler of theirs ran to its end
        assert asyncio.get_running_loop().time() < deadline, "a stream's handler never ended"
        await asyncio.sleep(0.01)
    assert (await client.get("/healthz")).status == 200
    assert not [r for r in caplog.records if r.levelname == "ERROR"], [r.getMessage() for r in caplog.records]


async def test_a_client_gone_while_its_answer_is_written_is_no_error(client: Any, caplog: Any,
                                                                    monkeypatch: Any) -> None:
    """A client that hangs up while a long answer is written: one line at debug level,
    no traceback, no answer attempted."""
    import json
    import logging

    from mockserver.api import control

    caplog.set_level(logging.DEBUG, logger="salesplay_mock")
    monkeypatch.setattr(control, "ANSWER_CHUNK", 1)  # the answer in a thousand parts
    body = json.dumps({"type": "receipts.update", "count": 1000}).encode()
    request = (f"POST /_mock/events HTTP/1.1\r\nHost: {client.host}\r\nAuthorization: {AUTH['Authorization']}"
               f"\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
    server = client.server.runner.server
    server.handler_cancellation = False  # as `serve` runs: a handler goes on after its client left
    before = len(server.connections)
    reader, writer = await asyncio.open_connection(client.host, client.port)
    writer.write(request)
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
    assert head.startswith(b"HTTP/1.1 201"), head
    writer.transport.abort()  # gone while the answer is being written
    deadline = asyncio.get_running_loop().time() + 30
    while len(server.connections) > before:  # the handler ran to its end
        assert asyncio.get_running_loop().time() < deadline, "the trigger's handler never ended"
        await asyncio.sleep(0.01)
    assert (await client.get("/healthz")).status == 200
    assert not [r for r in caplog.records if r.levelname == "ERROR"], [r.getMessage() for r in caplog.records]
    gone = [r for r in caplog.records if "POST /_mock/events" in r.getMessage()]
    assert [(r.levelname, r.exc_info) for r in gone] == [("DEBUG", None)], [r.getMessage() for r in gone]


def _owner() -> str:
    from mockserver.tokens import owner_of_token
    from tests.helpers import TOKEN

    return owner_of_token(TOKEN)


async def test_with_ui_token_the_page_is_signed_in_csrf_holds_and_sign_out_signs_out(
    make_client: Any, config: Any, receiver: Any
) -> None:
    client = await make_client(config, ui_token="test-token")
    rec = await receiver()
    await register(client, rec.url)
    home = await (await client.get("/")).text()
    assert "Sign out" in home and rec.url in home  # signed in as the --ui-token, no form
    assert (await client.post("/ui/reset", data={"csrf": "guess"}, allow_redirects=False)).status == 403
    csrf = await _csrf(client)
    resp = await client.post("/ui/logout", data={"csrf": csrf}, allow_redirects=False)
    assert resp.status == 303
    after = await (await client.get("/")).text()
    assert 'name="token"' in after and rec.url not in after  # signed out stays signed out
    assert (await client.get("/ui/stream")).status == 401
    assert len((await (await client.get("/v1.0/webhook", headers=AUTH)).json())["data"]) == 1


async def _raw_get(client: Any, path: str, header: bytes) -> tuple[int, bytes]:
    """GET with an Authorization header of raw bytes (clients refuse to send such), and the answer."""
    reader, writer = await asyncio.open_connection(client.host, client.port)
    writer.write(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: "
                 + header + b"\r\n\r\n")
    answer = await reader.read()
    writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


async def test_a_token_that_is_not_text_is_401_not_500(client: Any) -> None:
    for raw in (b"Bearer \xff\xfe", b"Bearer caf\xc3\xa9"):
        status, body = await _raw_get(client, "/v1.0/webhook", raw)
        assert status == 401, (raw, body)
        assert b'"field": "Authorization"' in body
    status, _ = await _raw_get(client, "/v1.0/webhook", b"Bearer a\x7fb")
    assert status == 400  # aiohttp's own parser refuses a control character, before us


async def test_the_sign_in_form_refuses_a_token_that_is_not_text(client: Any) -> None:
    csrf = await _csrf(client)
    resp = await client.post("/ui/login", data={"csrf": csrf, "token": "caf\u00e9\x01"})
    assert "a token is printable ASCII characters without spaces" in await resp.text()


@pytest.mark.parametrize("seed", ["nan", "inf", "1e400", "-inf", "7.5", "seven", str(2**70), "-1"])
async def test_the_faults_forms_odd_numbers_come_back_as_errors(client: Any, receiver: Any, seed: str) -> None:
    rec = await receiver()
    hook = await register(client, rec.url)
    csrf = await _signed_in(client)
    resp = await client.post(f"/ui/webhooks/{hook['id']}/faults",
                             data={"csrf": csrf, "duplicate": "0.5", "seed": seed})
    assert 'class="flash bad"' in await resp.text(), seed
    for probability in ("nan", "inf", "1e400"):
        resp = await client.post(f"/ui/webhooks/{hook['id']}/faults",
                                 data={"csrf": csrf, "duplicate": probability, "seed": "1"})
        assert 'class="flash bad"' in await resp.text(), probability


@pytest.mark.parametrize("fields", [
    {"delay": "1", "delay_min": "1e308", "delay_max": "1e308"}, {"duplicate_delay": "1e308"},
    {"outage_in": "1e308", "outage_duration": "1m"}, {"outage_duration": "1e308"},
    {"outage_duration": "1m", "outage_rate": "1e-300"},
])
async def test_the_faults_forms_huge_durations_come_back_as_errors(client: Any, receiver: Any,
                                                                   fields: dict[str, str]) -> None:
    rec = await receiver()
    hook = await register(client, rec.url)
    csrf = await _signed_in(client)
    resp = await client.post(f"/ui/webhooks/{hook['id']}/faults", data={"csrf": csrf, **fields})
    assert 'class="flash bad"' in await resp.text(), fields
    await trigger(client)
    assert (await client.get("/")).status == 200
    assert (await client.get("/_mock/deliveries", headers=AUTH)).status == 200


# -- webhook URLs: what is refused at registration, and at delivery ------------------------

@pytest.mark.parametrize(("url", "code"), [
    ("http://user:pass@8.8.8.8/", "invalid_url"),
    ("http://user@8.8.8.8/", "invalid_url"),
    ("http://127.0.0.1\\@8.8.8.8/", "invalid_url"),
    ("https://example.com/a\\b", "invalid_url"),
])
async def test_urls_with_credentials_or_backslashes_are_refused(client: Any, url: str, code: str) -> None:
    resp = await client.post("/v1.0/webhook", json={"url": url, "event": "receipts.update"}, headers=AUTH)
    assert resp.status == 422
    error = (await resp.json())["error"]
    assert (error["code"], error["field"]) == (code, "url")


@pytest.mark.parametrize("host", [
    "[64:ff9b::7f00:1]", "[::ffff:127.0.0.1]", "[2002:7f00:1::]", "[2001:0:4136:e378:8000:63bf:80ff:fffe]",
    "[64:ff9b:1::808:808]", "[::1]", "127.0.0.1", "10.1.2.3",
    "[::127.0.0.1]", "[::8.8.8.8]", "[::7f00:1]", "224.0.0.1", "239.255.255.250", "[ff0e::1]", "[::ffff:224.0.0.1]",
])
async def test_public_urls_only_sees_through_ipv6_forms_of_private_addresses(
    make_client: Any, config: Any, host: str
) -> None:
    client = await make_client(config, public_urls_only=True)
    resp = await client.post("/v1.0/webhook", json={"url": f"http://{host}/hook", "event": "receipts.update"},
                             headers=AUTH)
    assert resp.status == 422
    assert (await resp.json())["error"]["code"] == "url_not_public"


async def _two_runs(tmp_path: Any, url: str, **second: Any) -> dict[str, Any]:
    """Register ``url`` on a server without the flags, then trigger on one with ``second``'s."""
    from aiohttp.test_utils import TestClient, TestServer

    from mockserver.app import create_app
    from mockserver.config import Config
    from tests.helpers import START, delivery

    db = str(tmp_path / "mock.sqlite3")
    for run, extra in enumerate(({}, second)):
        client: Any = TestClient(TestServer(create_app(Config(db=db, clock="manual", clock_start=START,
                                                               verify="off", **extra))))
        await client.start_server()
        try:
            if run == 0:
                await register(client, url)
            else:
                sent = await trigger(client)
                [attempt] = (await delivery(client, sent["events"][0]["deliveries"][0]["id"]))["attempts"]
                return attempt  # type: ignore[no-any-return]
        finally:
            await client.close()
    raise AssertionError("unreachable")


async def test_public_urls_only_holds_at_delivery_for_webhooks_stored_before(tmp_path: Any, receiver: Any) -> None:
    rec = await receiver()
    attempt = await _two_runs(tmp_path, rec.url.replace("127.0.0.1", "localhost"), public_urls_only=True)
    assert (attempt["state"], attempt["error_kind"]) == ("failed", "host_not_allowed")
    assert "not a public address" in attempt["error_message"]
    assert rec.requests == [], "a request reached a loopback receiver"


async def test_public_urls_only_refuses_an_ip_literal_at_delivery(tmp_path: Any, receiver: Any) -> None:
    rec = await receiver()
    attempt = await _two_runs(tmp_path, rec.url, public_urls_only=True)
    assert attempt["error_kind"] == "host_not_allowed" and rec.requests == []


async def test_public_urls_only_refuses_an_ipv4_compatible_literal_at_delivery(tmp_path: Any, receiver: Any) -> None:
    rec = await receiver()
    attempt = await _two_runs(tmp_path, rec.url.replace("127.0.0.1", "[::127.0.0.1]"), public_urls_only=True)
    assert (attempt["state"], attempt["error_kind"]) == ("failed", "host_not_allowed")
    assert "not a public address" in attempt["error_message"]


@pytest.mark.parametrize(("allowed", "spelled", "delivered"), [
    (("127.0.0.1",), "localhost", True),  # the same host, spelled otherwise
    (("localhost",), "127.0.0.1", True),
    (("10.9.8.7",), "localhost", False),
    (("receiver.invalid",), "127.0.0.1", False),
])
async def test_deliver_only_to_compares_resolved_hosts_and_holds_for_old_webhooks(
    tmp_path: Any, receiver: Any, allowed: tuple[str, ...], spelled: str, delivered: bool
) -> None:
    rec = await receiver()
    attempt = await _two_runs(tmp_path, rec.url.replace("127.0.0.1", spelled), deliver_only_to=allowed)
    if delivered:
        assert attempt["state"] == "succeeded" and len(rec.requests) == 1
    else:
        assert attempt["error_kind"] == "host_not_allowed" and rec.requests == []


# -- the sinks: bounded, and private when tokens are ---------------------------------------

async def test_a_sink_keeps_at_most_64_kib_of_a_body_and_says_so(make_client: Any, config: Any) -> None:
    client = await make_client(config, max_body_bytes=1024 * 1024)
    big = b'{"x": "' + b"y" * 100_000 + b'"}'
    await client.post("/_mock/sink/big", data=big, headers={"Content-Type": "application/json"})
    await client.post("/_mock/sink/big", json={"small": 1})
    received = (await (await client.get("/_mock/sink/big")).json())["received"]
    assert received[0]["body_truncated"] is True and len(received[0]["body"]) == 64 * 1024
    assert received[1] == {**received[1], "body": {"small": 1}, "body_truncated": False}
    assert received[1]["received_at"].endswith("Z")


async def test_the_sinks_share_a_memory_budget_and_drop_the_oldest_first(make_client: Any, config: Any) -> None:
    client = await make_client(config, sink_memory=300_000)
    body = b"z" * 60_000
    for n in range(12):
        await client.post(f"/_mock/sink/s{n % 3}", data=body)
    sinks = client.server.app[keys.sinks]
    assert sinks.used <= 300_000
    kept = {n: (await (await client.get(f"/_mock/sink/s{n}")).json()) for n in range(3)}
    assert [k["requests"] for k in kept.values()] == [4, 4, 4]  # counted, all of them
    # Four fit the budget: the newest four of all (the 9th to 12th requests), whichever sink.
    assert {n: [r["n"] for r in k["received"]] for n, k in kept.items()} == {0: [4], 1: [4], 2: [3, 4]}


@pytest.mark.parametrize("body", [b"a" * 60_996 + "\U0001f600".encode(), b"\xff" * 61_000])
async def test_the_sinks_budget_counts_the_bytes_held_not_characters(make_client: Any, config: Any,
                                                                      body: bytes) -> None:
    import sys

    client = await make_client(config, sink_memory=300_000)
    for n in range(12):
        await client.post(f"/_mock/sink/s{n % 3}", data=body)
    sinks = client.server.app[keys.sinks]
    kept = [r for n in range(3) for r in sinks.get(f"s{n}").received]
    held = sum(sys.getsizeof(r.body) + sum(sys.getsizeof(k) + sys.getsizeof(v) for k, v in r.headers.items())
               for r in kept)
    assert 0 < held <= sinks.used <= 300_000, (held, sinks.used)
    last = (await (await client.get("/_mock/sink/s2")).json())["received"][-1]
    assert last["body"] == body.decode("utf-8", errors="replace")


async def test_with_tokens_reading_a_sink_needs_one_and_receiving_never(make_client: Any, config: Any) -> None:
    client = await make_client(config, tokens=("test-token",))
    assert (await client.post("/_mock/sink/private", json={"secret": 1})).status == 200  # SalesPlay sends no token
    assert (await client.get("/_mock/sink/private")).status == 401
    assert (await client.delete("/_mock/sink/private")).status == 401
    assert (await client.get("/_mock/sink/private", headers={"Authorization": "Bearer wrong"})).status == 401
    got = await (await client.get("/_mock/sink/private", headers=AUTH)).json()
    assert got["received"][0]["body"] == {"secret": 1}
