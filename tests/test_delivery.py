"""The delivery engine on the manual clock: SalesPlay's 2xx-or-retry rule end to end."""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter
from typing import Any

import pytest

from mockserver.domain import schedule
from mockserver.domain.tokens import owner_of_token
from mockserver.domain.webhook_rules import WebhookInput
from mockserver.server import keys
from mockserver.service.events import CHUNK
from tests.helpers import (
    AUTH,
    TOKEN,
    RawReceiver,
    advance,
    deliveries,
    delivery,
    never_answers,
    read_request,
    register,
    trigger,
)

HOURS = 3600


async def test_always_200_is_one_attempt(client: Any, receiver: Any) -> None:
    rec = await receiver()
    await register(client, rec.url)
    sent = await trigger(client)
    [d] = sent["events"][0]["deliveries"]
    assert (d["status"], d["attempt_count"], d["last_status"]) == ("succeeded", 1, 200)
    assert rec.requests[0]["body"] == sent["events"][0]["payload"]
    headers = rec.requests[0]["headers"]
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Mock-Delivery-Id"] == d["id"]
    assert headers["X-Mock-Attempt"] == "1"


async def test_500_twice_then_200_is_three_attempts_and_still_enabled(client: Any, receiver: Any) -> None:
    rec = await receiver([500, 500], default=200)
    hook = await register(client, rec.url)
    sent = await trigger(client)
    dlv_id = sent["events"][0]["deliveries"][0]["id"]
    assert sent["events"][0]["deliveries"][0]["status"] == "pending"
    await advance(client, 60)
    detail = await delivery(client, dlv_id)
    assert (detail["status"], detail["attempt_count"]) == ("succeeded", 3)
    assert [a["response_status"] for a in detail["attempts"]] == [500, 500, 200]
    assert [a["request_headers"]["X-Mock-Attempt"] for a in detail["attempts"]] == ["1", "2", "3"]
    assert len(rec.requests) == 3
    got = await (await client.get(f"/v1.0/webhook/{hook['id']}", headers=AUTH)).json()
    assert got["status"] == "enabled"


async def test_attempts_follow_the_published_schedule(client: Any, receiver: Any) -> None:
    rec = await receiver([500] * 5)
    await register(client, rec.url)
    sent = await trigger(client)
    await advance(client, 3600)
    attempts = (await delivery(client, sent["events"][0]["deliveries"][0]["id"]))["attempts"]
    offsets = list(schedule.Schedule().offsets[:6])
    created = attempts[0]["started_at"]
    from datetime import datetime

    def t(stamp: str) -> float:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()

    assert [round(t(a["started_at"]) - t(created), 3) for a in attempts] == offsets
    assert attempts[-1]["state"] == "succeeded"


async def test_advance_counts_only_its_own_attempts_the_trigger_made_the_first(client: Any, receiver: Any) -> None:
    """Why an advance over 48 h says 199 for a delivery that shows 200 attempts."""
    rec = await receiver(default=500)
    await register(client, rec.url)
    [d] = (await trigger(client))["events"][0]["deliveries"]
    assert d["attempt_count"] == 1  # made before the trigger answered
    first = await advance(client, 20)  # attempts 2 and 3, at 5 s and 15 s
    rest = await advance(client, 48 * HOURS)
    detail = await delivery(client, d["id"])
    assert 1 + first["attempts_made"] + rest["attempts_made"] == detail["attempt_count"] == 200


async def test_always_500_is_200_attempts_within_48h_then_disabled(client: Any, receiver: Any) -> None:
    rec = await receiver(default=500)
    hook = await register(client, rec.url)
    sent = await trigger(client)
    dlv_id = sent["events"][0]["deliveries"][0]["id"]
    moved = await advance(client, 48 * HOURS)
    assert moved["attempts_made"] == 199
    detail = await delivery(client, dlv_id)
    assert (detail["status"], detail["attempt_count"]) == ("failed", 200)
    assert len(rec.requests) == 200
    from datetime import datetime

    first = datetime.fromisoformat(detail["attempts"][0]["started_at"].replace("Z", "+00:00"))
    last = datetime.fromisoformat(detail["attempts"][-1]["started_at"].replace("Z", "+00:00"))
    assert (last - first).total_seconds() <= 48 * HOURS
    got = await (await client.get(f"/v1.0/webhook/{hook['id']}", headers=AUTH)).json()
    assert got["status"] == "disabled"
    assert "failed 200 attempt(s)" in got["disabled_reason"]
    # A disabled webhook receives nothing more: the next event is recorded as skipped.
    again = await trigger(client)
    [skipped] = again["events"][0]["deliveries"]
    assert skipped["status"] == "skipped"
    assert len(rec.requests) == 200


async def test_reenabled_webhook_receives_again(client: Any, receiver: Any) -> None:
    rec = await receiver([500] * 200, default=200)
    hook = await register(client, rec.url)
    await trigger(client)
    await advance(client, 48 * HOURS)
    resp = await client.put(f"/v1.0/webhook/{hook['id']}", json={"status": "enabled"}, headers=AUTH)
    assert (await resp.json())["status"] == "enabled"
    sent = await trigger(client)
    assert sent["events"][0]["deliveries"][0]["status"] == "succeeded"


async def test_disabling_cancels_other_pending_deliveries(client: Any, receiver: Any) -> None:
    rec = await receiver(default=500)
    await register(client, rec.url)
    first = await trigger(client)
    await advance(client, 24 * HOURS)
    second = await trigger(client)
    await advance(client, 25 * HOURS)
    statuses = {d["id"]: d["status"] for d in await deliveries(client)}
    assert statuses[first["events"][0]["deliveries"][0]["id"]] == "failed"
    assert statuses[second["events"][0]["deliveries"][0]["id"]] == "cancelled"


async def test_a_webhook_disabled_while_a_big_trigger_is_stored_gets_none_of_its_later_events(
    client: Any, receiver: Any
) -> None:
    """A trigger stores its events in chunks and lets other requests in between them: a
    disable that comes in there holds for the chunks after it (their deliveries are skipped),
    as it does for the deliveries already stored (cancelled)."""
    rec = await receiver()
    hook = await register(client, rec.url)
    service, owner = keys.service_of(client.server.app), owner_of_token(TOKEN)
    groups: list[list[dict[str, Any]]] = [[{"type": "receipts.update", "n": n}] for n in range(3 * CHUNK)]
    publishing = asyncio.create_task(service.events.publish(owner, groups))
    await asyncio.sleep(0)  # the publish stores its first chunk, then lets others in
    await service.webhooks.update(owner, hook["id"], WebhookInput(None, None, "disabled"))
    await publishing
    statuses = Counter(d["status"] for d in await deliveries(client, limit="500"))
    assert statuses == {"cancelled": CHUNK, "skipped": 2 * CHUNK}, statuses
    assert rec.requests == []


async def test_redirect_is_a_failed_attempt_and_not_followed(client: Any, receiver: Any, aiohttp_server: Any) -> None:
    good = await receiver()
    from aiohttp import web

    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPMovedPermanently(good.url)

    app = web.Application()
    app.router.add_post("/hook", moved)
    server = await aiohttp_server(app)
    await register(client, str(server.make_url("/hook")))
    sent = await trigger(client)
    [attempt] = (await delivery(client, sent["events"][0]["deliveries"][0]["id"]))["attempts"]
    assert (attempt["state"], attempt["response_status"], attempt["error_kind"]) == ("failed", 301, "redirect")
    assert good.requests == []


async def test_receiver_that_hangs_times_out(make_client: Any, config: Any) -> None:
    client = await make_client(config, delivery_timeout=0.2)
    raw = await RawReceiver(never_answers).start()
    await register(client, raw.url)
    sent = await trigger(client)
    [attempt] = (await delivery(client, sent["events"][0]["deliveries"][0]["id"]))["attempts"]
    assert (attempt["state"], attempt["error_kind"]) == ("failed", "timeout")
    await raw.close()


async def test_receiver_that_closes_the_connection_is_a_failed_attempt(client: Any) -> None:
    async def slam(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)

    raw = await RawReceiver(slam).start()
    await register(client, raw.url)
    sent = await trigger(client)
    [attempt] = (await delivery(client, sent["events"][0]["deliveries"][0]["id"]))["attempts"]
    assert attempt["state"] == "failed"
    assert attempt["error_kind"] in ("connection_closed", "connection_reset")
    await raw.close()


async def test_refused_connection_is_a_failed_attempt(client: Any) -> None:
    raw = await RawReceiver(read_request).start()
    url = raw.url
    await raw.close()
    await register(client, url)
    sent = await trigger(client)
    [attempt] = (await delivery(client, sent["events"][0]["deliveries"][0]["id"]))["attempts"]
    assert (attempt["state"], attempt["error_kind"]) == ("failed", "connection_refused")


async def test_huge_answer_is_read_only_up_to_the_bound(client: Any) -> None:
    async def huge(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        size = 10 * 1024 * 1024
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nContent-Type: text/plain\r\n\r\n" % size)
        chunk = b"x" * 65536
        for _ in range(size // len(chunk)):
            writer.write(chunk)
            await writer.drain()

    raw = await RawReceiver(huge).start()
    await register(client, raw.url)
    sent = await trigger(client)
    [attempt] = (await delivery(client, sent["events"][0]["deliveries"][0]["id"]))["attempts"]
    assert (attempt["state"], attempt["response_status"]) == ("succeeded", 200)
    assert attempt["response_truncated"] is True
    assert len(attempt["response_body"]) == 64 * 1024
    await raw.close()


async def test_garbage_instead_of_http_is_a_failed_attempt(client: Any) -> None:
    async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"SMTP READY\r\n\r\n")
        await writer.drain()

    raw = await RawReceiver(garbage).start()
    await register(client, raw.url)
    sent = await trigger(client)
    [attempt] = (await delivery(client, sent["events"][0]["deliveries"][0]["id"]))["attempts"]
    assert (attempt["state"], attempt["error_kind"]) == ("failed", "bad_http")
    await raw.close()


async def test_unresolvable_host_is_a_failed_attempt(client: Any) -> None:
    await register(client, "http://no-such-host.invalid/hook")
    sent = await trigger(client)
    [attempt] = (await delivery(client, sent["events"][0]["deliveries"][0]["id"]))["attempts"]
    assert attempt["state"] == "failed"
    assert attempt["error_kind"] in ("dns", "connection_refused")


async def test_a_hanging_receiver_does_not_hold_up_another(make_client: Any, config: Any, receiver: Any) -> None:
    client = await make_client(config, delivery_timeout=1.0)
    raw = await RawReceiver(never_answers).start()
    fast = await receiver()
    await register(client, raw.url)
    await register(client, fast.url)
    loop = asyncio.get_running_loop()
    task = asyncio.create_task(trigger(client))
    deadline = loop.time() + 10
    while not fast.requests:  # the fast receiver is reached while the slow one hangs
        assert loop.time() < deadline, "the fast receiver was held up by the hanging one"
        await asyncio.sleep(0.01)
    assert not task.done()  # the trigger still waits for the hanging one (the 1 s delivery timeout)
    sent = await task
    states = sorted(d["status"] for d in sent["events"][0]["deliveries"])
    assert states == ["pending", "succeeded"]
    await raw.close()


async def test_redeliver_sends_the_event_again(client: Any, receiver: Any) -> None:
    rec = await receiver()
    await register(client, rec.url)
    sent = await trigger(client)
    first = sent["events"][0]["deliveries"][0]
    resp = await client.post(f"/_mock/deliveries/{first['id']}/redeliver", headers=AUTH)
    assert resp.status == 201
    again = await resp.json()
    assert again["kind"] == "redelivery" and again["event_id"] == first["event_id"]
    assert (again["status"], again["attempt_count"]) == ("succeeded", 1)
    assert rec.requests[0]["body"] == rec.requests[1]["body"]


async def test_redeliver_to_a_disabled_webhook_is_409(client: Any, receiver: Any) -> None:
    rec = await receiver()
    hook = await register(client, rec.url)
    sent = await trigger(client)
    await client.put(f"/v1.0/webhook/{hook['id']}", json={"status": "disabled"}, headers=AUTH)
    resp = await client.post(f"/_mock/deliveries/{sent['events'][0]['deliveries'][0]['id']}/redeliver", headers=AUTH)
    assert resp.status == 409
    assert "re-enable" in (await resp.json())["error"]["message"]


async def test_sample_post_is_reported_on_create(make_client: Any, config: Any, receiver: Any) -> None:
    client = await make_client(config, verify="report")
    rec = await receiver([500])
    body = await register(client, rec.url)
    assert body["verification"]["ok"] is False and body["verification"]["status"] == 500
    assert rec.requests[0]["body"]["type"] == "receipts.update"
    assert body["status"] == "enabled"


async def sample_then_sale(make_client: Any, config: Any, receiver: Any) -> tuple[Any, Any, dict[str, Any]]:
    """A server that sends the sample POST, a webhook registered on it, and a sale: the
    client, the receiver, and the trigger's answer."""
    client = await make_client(config, verify="report")
    rec = await receiver()
    await register(client, rec.url)
    return client, rec, await trigger(client)


async def test_sample_post_is_marked_and_shares_nothing_with_the_first_real_sale(
    make_client: Any, config: Any, receiver: Any
) -> None:
    _, rec, sent = await sample_then_sale(make_client, config, receiver)
    sample, real = rec.requests[0], rec.requests[1]
    assert sample["headers"]["X-Mock-Kind"] == "sample" and "X-Mock-Kind" not in real["headers"]
    s, r = sample["body"]["receipts"][0], real["body"]["receipts"][0]
    assert sample["body"]["merchant_id"] == real["body"]["merchant_id"]
    assert s["receipt_id"] != r["receipt_id"] and s["receipt_number"] != r["receipt_number"]
    assert s["shop_id"] != r["shop_id"] and s["cashier_id"] != r["cashier_id"]
    assert {ln["product_id"] for ln in s["line_items"]}.isdisjoint({ln["product_id"] for ln in r["line_items"]})
    # The numbers docs/getting-started.md gives: past 100,000,000, where a merchant's shop never gets.
    assert int(s["receipt_number"].split("-")[1]) > 10**8 > int(r["receipt_number"].split("-")[1])
    assert all(int(ln["product_code"]) > 10**8 for ln in s["line_items"])
    assert real["body"] == sent["events"][0]["payload"]


@pytest.mark.parametrize("mode", ["manual", "scaled"])
async def test_the_sample_post_is_a_delivery_of_kind_sample_with_its_attempt(
    aiohttp_client: Any, config: Any, receiver: Any, mode: str
) -> None:
    """Made by the scheduler like any other delivery, once (no retry), and listed."""
    from mockserver.server.app import create_app

    client = await aiohttp_client(create_app(dataclasses.replace(config, verify="report", clock=mode)))
    rec = await receiver([503])
    body = await register(client, rec.url)
    listed = (await (await client.get("/_mock/deliveries?kind=sample", headers=AUTH)).json())["data"]
    assert [d["id"] for d in listed] == [body["verification"]["delivery_id"]]
    assert (listed[0]["status"], listed[0]["attempt_count"], listed[0]["next_attempt_at"]) == ("failed", 1, None)
    detail = await (await client.get(f"/_mock/deliveries/{listed[0]['id']}", headers=AUTH)).json()
    assert [(a["number"], a["response_status"]) for a in detail["attempts"]] == [(1, 503)]
    hooks = (await (await client.get("/v1.0/webhook", headers=AUTH)).json())["data"]
    assert hooks[0]["status"] == "enabled"  # a failed sample never disables the webhook
    assert len(rec.requests) == 1


async def test_the_sample_posts_event_is_of_kind_sample_and_a_filter_leaves_it_out(
    make_client: Any, config: Any, receiver: Any
) -> None:
    client, _, sent = await sample_then_sale(make_client, config, receiver)

    async def events(**query: str) -> list[tuple[str, str]]:
        resp = await client.get("/_mock/events", params=query, headers=AUTH)
        assert resp.status == 200, await resp.text()
        return [(e["kind"], e["type"]) for e in (await resp.json())["data"]]

    assert sorted(await events(type="receipts.update")) == [("event", "receipts.update"),
                                                            ("sample", "receipts.update")]
    assert await events(kind="sample") == [("sample", "receipts.update")]
    assert await events(kind="event", type="receipts.update") == [("event", "receipts.update")]
    assert {e["kind"] for e in sent["events"]} == {"event"}
    [sample] = await deliveries(client, kind="sample")
    detail = await (await client.get(f"/_mock/deliveries/{sample['id']}", headers=AUTH)).json()
    assert detail["event"]["kind"] == "sample"


async def test_an_unknown_event_kind_is_422_naming_kind(client: Any) -> None:
    resp = await client.get("/_mock/events", params={"kind": "shop"}, headers=AUTH)
    assert resp.status == 422
    error = (await resp.json())["error"]
    assert error["field"] == "kind" and "event, sample" in error["message"]


async def test_the_sample_post_is_on_disk_before_the_answer(tmp_path: Any, receiver: Any) -> None:
    """A kill right after the answer must not leave the sample delivery pending for ever."""
    import sqlite3

    from aiohttp.test_utils import TestClient, TestServer

    from mockserver.domain.config import Config
    from mockserver.server.app import create_app

    db = tmp_path / "mock.sqlite3"
    client: TestClient[Any, Any] = TestClient(TestServer(create_app(Config(db=str(db), clock="manual"))))
    await client.start_server()
    rec = await receiver()
    body = await register(client, rec.url)
    on_disk = sqlite3.connect(db)  # another connection sees only what is committed
    status = on_disk.execute("SELECT status FROM deliveries WHERE id = ?",
                             (body["verification"]["delivery_id"],)).fetchone()
    attempts = on_disk.execute("SELECT COUNT(*) FROM attempts").fetchone()[0]
    on_disk.close()
    await client.close()
    assert (status, attempts) == (("succeeded",), 1)


async def test_strict_verify_refuses_a_failing_url(make_client: Any, config: Any, receiver: Any) -> None:
    client = await make_client(config, verify="strict")
    rec = await receiver([500])
    resp = await client.post("/v1.0/webhook", json={"url": rec.url, "event": "products.update"}, headers=AUTH)
    assert resp.status == 422
    assert (await resp.json())["error"]["code"] == "url_check_failed"
    assert (await (await client.get("/v1.0/webhook", headers=AUTH)).json())["data"] == []
    ok = await register(client, rec.url, "products.update")
    assert ok["verification"]["ok"] is True


async def test_mock_headers_can_be_switched_off(make_client: Any, config: Any, receiver: Any) -> None:
    client = await make_client(config, mock_headers=False)
    rec = await receiver()
    await register(client, rec.url)
    await trigger(client)
    assert not [h for h in rec.requests[0]["headers"] if h.lower().startswith("x-mock-")]


async def test_url_change_moves_pending_deliveries(client: Any, receiver: Any) -> None:
    bad = await receiver(default=500)
    good = await receiver()
    hook = await register(client, bad.url)
    await trigger(client)
    await client.put(f"/v1.0/webhook/{hook['id']}", json={"url": good.url}, headers=AUTH)
    await advance(client, 60)
    assert len(good.requests) == 1


async def test_deliver_only_to_refuses_other_hosts_as_failed_attempts(make_client: Any, config: Any) -> None:
    client = await make_client(config, deliver_only_to=("127.0.0.1",))
    await register(client, "http://receiver.example/hook")
    sent = await trigger(client)
    [attempt] = (await delivery(client, sent["events"][0]["deliveries"][0]["id"]))["attempts"]
    assert (attempt["state"], attempt["error_kind"]) == ("failed", "host_not_allowed")


async def test_tls_error_is_a_failed_attempt(client: Any, receiver: Any) -> None:
    plain = await receiver()
    await register(client, plain.url.replace("http://", "https://"))  # TLS to a plain-HTTP port
    sent = await trigger(client)
    [attempt] = (await delivery(client, sent["events"][0]["deliveries"][0]["id"]))["attempts"]
    assert (attempt["state"], attempt["error_kind"]) == ("failed", "tls")
    assert attempt["error_message"].startswith(f"the TLS handshake with 127.0.0.1:{plain.server.port} failed: ")
    assert plain.requests == []


async def test_the_events_skipped_while_disabled_are_sent_once_after_reenabling(client: Any, receiver: Any) -> None:
    rec = await receiver([500] * 200, default=200)
    hook = await register(client, rec.url)
    await trigger(client)
    await advance(client, 48 * HOURS)  # disabled
    skipped = [e["deliveries"][0]["id"] for e in (await trigger(client, count=3))["events"] if e["deliveries"]]
    refused = await client.post(f"/_mock/webhooks/{hook['id']}/redeliver-skipped", headers=AUTH)
    assert refused.status == 409 and (await refused.json())["error"]["field"] == "webhook_id"
    await client.put(f"/v1.0/webhook/{hook['id']}", json={"status": "enabled"}, headers=AUTH)
    resp = await client.post(f"/_mock/webhooks/{hook['id']}/redeliver-skipped", headers=AUTH)
    assert resp.status == 201
    sent = (await resp.json())["data"]
    assert [(d["kind"], d["status"]) for d in sent] == [("redelivery", "succeeded")] * 3
    assert [(await delivery(client, i))["last_error"] for i in skipped] == [f"sent later as {d['id']}" for d in sent]
    again = await client.post(f"/_mock/webhooks/{hook['id']}/redeliver-skipped", headers=AUTH)
    assert (await again.json())["data"] == []  # each once


async def test_a_certificate_not_trusted_is_a_failed_attempt_saying_so(
        client: Any, aiohttp_server: Any, tmp_path: Any) -> None:
    import shutil
    import ssl
    import subprocess

    from aiohttp import web

    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a self-signed certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=127.0.0.1"], check=True, capture_output=True, timeout=60)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    async def ok(request: web.Request) -> web.Response:
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", ok)
    server = await aiohttp_server(app, ssl=context)
    await register(client, f"https://127.0.0.1:{server.port}/hook")
    sent = await trigger(client)
    [attempt] = (await delivery(client, sent["events"][0]["deliveries"][0]["id"]))["attempts"]
    assert (attempt["state"], attempt["error_kind"]) == ("failed", "tls")
    assert attempt["error_message"] == "the receiver's TLS certificate was not accepted: self-signed certificate"


async def test_a_sample_post_to_nothing_says_why_in_words(make_client: Any, config: Any) -> None:
    client = await make_client(config, verify="report")
    raw = await RawReceiver(read_request).start()
    url = raw.url
    await raw.close()
    port = url.split(":")[2].split("/")[0]
    body = await register(client, url)
    assert body["verification"]["ok"] is False and body["verification"]["error_kind"] == "connection_refused"
    assert body["verification"]["error"] == (f"nothing accepted the connection at 127.0.0.1:{port} (connection "
                                             "refused): is the receiver running there?")


def test_a_connection_that_fails_otherwise_is_said_in_words() -> None:
    import errno
    from types import SimpleNamespace

    import aiohttp

    from mockserver.engine.http_post import _connect_failed, _reason

    key = SimpleNamespace(host="10.0.0.1", port=80, ssl=False)
    unreachable = aiohttp.ClientConnectorError(key, OSError(errno.ENETUNREACH, "Network is unreachable"))  # type: ignore[arg-type]
    assert _connect_failed(unreachable) == "could not connect to 10.0.0.1:80: network is unreachable"
    assert _reason(ValueError("odd")) == "odd" and _reason(ValueError()) == "ValueError"


@pytest.mark.parametrize(("one_at_a_time", "most_at_once"), [(False, 5), (True, 1)])
async def test_one_at_a_time_sends_each_webhook_its_deliveries_in_turn(
    make_client: Any, config: Any, aiohttp_server: Any, one_at_a_time: bool, most_at_once: int
) -> None:
    """By default deliveries to one webhook go out together; --one-at-a-time sends them in
    turn, oldest first."""
    from aiohttp import web

    under_way, most, order = 0, 0, []

    async def slow(request: web.Request) -> web.Response:
        nonlocal under_way, most
        under_way += 1
        most = max(most, under_way)
        order.append((await request.json())["receipts"][0]["receipt_number"])
        await asyncio.sleep(0.05)
        under_way -= 1
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", slow)
    url = str((await aiohttp_server(app)).make_url("/hook"))
    client = await make_client(config, one_at_a_time=one_at_a_time)
    await register(client, url)
    sent = await (await client.post("/_mock/events", json={"operation": "sale", "count": 5}, headers=AUTH)).json()
    numbers = [e["payload"]["receipts"][0]["receipt_number"] for e in sent["events"] if e["type"] == "receipts.update"]
    assert most == most_at_once
    if one_at_a_time:
        assert order == numbers
