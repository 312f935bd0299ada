"""``record``'s server: each request kept exactly as it arrived, answered as told, bounded,
safe to look at, forwarding nothing unless asked, and payloads written as fixtures."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from mockserver.fidelity.recording import RecordedRequest
from mockserver.fidelity.sources import SessionEnd, read
from mockserver.shop.generate import generate_payloads
from tests.recordings import (
    START,
    encoded,
    post_chunked,
    post_with_curl,
    real_headers,
    real_receipt,
    start_recorder,
)


async def test_a_request_is_kept_exactly_as_it_arrived(aiohttp_server: Any, tmp_path: Path) -> None:
    rec = await start_recorder(aiohttp_server, tmp_path)
    rec.time.now = START + 1.25
    raw = b'{"type": "receipts.update", "total": 12.50,  "x": 1e3}'  # number forms json would rewrite
    headers = [("Content-Type", "application/json"), ("X-Twice", "a"), ("x-twice", "b"), ("User-Agent", "real")]
    assert rec.server.port is not None
    answer = await post_chunked("127.0.0.1", rec.server.port, "/hook/a?b=1&b=2", headers, [raw[:7], raw[7:]])
    assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b'{"recorded": 1}')
    [kept] = rec.requests()
    assert (kept.n, kept.method, kept.path, kept.body, kept.answered) == (1, "POST", "/hook/a?b=1&b=2", raw, 200)
    assert kept.received_at == START + 1.25
    assert [h for h in kept.headers if h[0].lower() in ("x-twice", "content-type")] == [
        ("Content-Type", "application/json"), ("X-Twice", "a"), ("x-twice", "b")]
    assert kept.state == "complete" and kept.body_size == len(raw)


async def test_curl_aiohttp_and_a_chunked_socket_are_all_kept(aiohttp_server: Any, tmp_path: Path) -> None:
    rec = await start_recorder(aiohttp_server, tmp_path / "out")
    receipt = encoded(real_receipt())
    assert await post_with_curl(rec.url("/curl"), receipt, real_headers(), tmp_path) == "200"
    async with aiohttp.ClientSession() as session:
        async with session.post(rec.url("/aiohttp"), data=receipt, headers=real_headers()) as resp:
            assert resp.status == 200
    assert rec.server.port is not None
    answer = await post_chunked("127.0.0.1", rec.server.port, "/socket", real_headers(),
                                [receipt[:10], receipt[10:500], receipt[500:]])
    assert answer.startswith(b"HTTP/1.1 200")
    kept = rec.requests()
    assert [(r.path, r.body) for r in kept] == [("/curl", receipt), ("/aiohttp", receipt), ("/socket", receipt)]
    assert ("Transfer-Encoding", "chunked") in kept[2].headers
    assert rec.file.parent == tmp_path / "out" and rec.file.name.startswith("session-")


async def test_a_gzip_body_is_kept_as_it_came_compressed(aiohttp_server: Any, tmp_path: Path) -> None:
    rec = await start_recorder(aiohttp_server, tmp_path)
    packed = gzip.compress(encoded(real_receipt()))
    async with aiohttp.ClientSession() as session:
        async with session.post(rec.url(), data=packed, headers=real_headers(**{"Content-Encoding": "gzip"})) as resp:
            assert resp.status == 200
    [kept] = rec.requests()
    assert kept.body == packed  # bytes as they came: not valid UTF-8, so kept as base64 in the file
    assert '"body_base64"' in rec.file.read_text()


async def test_it_answers_the_status_asked_and_fails_each_payloads_first_attempts(
        aiohttp_server: Any, tmp_path: Path) -> None:
    rec = await start_recorder(aiohttp_server, tmp_path, status=202, fail_first=2)
    async with aiohttp.ClientSession() as session:
        answers = []
        for body in (b'{"a": 1}', b'{"a": 1}', b'{"b": 2}', b'{"a": 1}', b'{"b": 2}', b'{"b": 2}'):
            async with session.post(rec.url(), data=body) as resp:
                answers.append(resp.status)
    assert answers == [500, 500, 500, 202, 500, 202]
    assert [r.answered for r in rec.requests()] == answers


async def test_a_body_over_the_request_limit_is_refused_with_413_and_recording_goes_on(
        aiohttp_server: Any, tmp_path: Path) -> None:
    rec = await start_recorder(aiohttp_server, tmp_path, max_request=1000)
    async with aiohttp.ClientSession() as session:
        async with session.post(rec.url(), data=b"x" * 1001) as resp:
            assert resp.status == 413
            error = (await resp.json())["error"]
            assert error["field"] == "body" and "--max-request-size (1000 bytes)" in error["message"]
    assert rec.server.port is not None
    answer = await post_chunked("127.0.0.1", rec.server.port, "/c", {}, [b"y" * 600, b"y" * 600])
    assert answer.startswith(b"HTTP/1.1 413")
    async with aiohttp.ClientSession() as session:
        async with session.post(rec.url(), data=b'{"ok": 1}') as resp:
            assert resp.status == 200
    kept = rec.requests()
    assert [(r.state, r.answered, r.body) for r in kept] == [
        ("refused", 413, b""), ("refused", 413, b""), ("complete", 200, b'{"ok": 1}')]
    assert kept[0].body_size == 1001 and kept[1].body_size > 1000


async def test_a_full_session_refuses_with_413_and_writes_no_more(aiohttp_server: Any, tmp_path: Path) -> None:
    rec = await start_recorder(aiohttp_server, tmp_path, max_request=2000, max_session=3000)
    statuses = []
    async with aiohttp.ClientSession() as session:
        for _ in range(5):
            async with session.post(rec.url(), data=b"z" * 900) as resp:
                statuses.append(resp.status)
                if resp.status == 413:
                    assert "session is full" in (await resp.json())["error"]["message"]
    assert statuses[:2] == [200, 200] and statuses[-1] == 413
    assert rec.file.stat().st_size <= 3000
    assert rec.recorder.not_kept == statuses.count(413)


async def test_the_page_shows_what_arrived_escaped_and_only_at_its_secret_path(
        aiohttp_server: Any, tmp_path: Path) -> None:
    rec = await start_recorder(aiohttp_server, tmp_path)
    hostile = "<script>alert(1)</script>"
    async with aiohttp.ClientSession() as session:
        async with session.post(rec.url("/p?q=<b>x</b>"), data=json.dumps({"type": hostile}),
                                headers={"X-Evil": hostile}) as resp:
            assert resp.status == 200
        async with session.get(rec.url("/_record/s3cret/")) as resp:
            page = await resp.text()
            assert resp.status == 200 and resp.headers["Content-Security-Policy"].startswith("default-src 'none'")
        async with session.get(rec.url("/_record/guess/")) as resp:
            assert resp.status == 200 and await resp.json() == {"recorded": 2}  # a request like any other
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "X-Evil: &lt;script&gt;" in page and "1 request(s) arrived" in page


async def test_nothing_is_forwarded_unless_asked_and_then_the_receivers_answer_is_the_answer(
        aiohttp_server: Any, tmp_path: Path) -> None:
    got: list[tuple[bytes, str | None]] = []

    async def receiver(request: web.Request) -> web.Response:
        got.append((await request.read(), request.headers.get("X-SalesPlay-Event-Id")))
        return web.Response(status=503)

    app = web.Application()
    app.router.add_post("/hook", receiver)
    target = str((await aiohttp_server(app)).make_url("/hook"))
    plain = await start_recorder(aiohttp_server, tmp_path / "plain")
    forwarding = await start_recorder(aiohttp_server, tmp_path / "fwd", forward=target)
    body = encoded(real_receipt())
    async with aiohttp.ClientSession() as session:
        async with session.post(plain.url(), data=body, headers=real_headers()) as resp:
            assert resp.status == 200
        assert got == []
        async with session.post(forwarding.url(), data=body, headers=real_headers()) as resp:
            assert resp.status == 503
    assert got == [(body, "ev_1")]
    [kept] = forwarding.requests()
    assert kept.answered == 503 and kept.forwarded is not None and kept.forwarded["status"] == 503


async def test_a_forward_to_nothing_is_answered_502_and_still_kept(aiohttp_server: Any, tmp_path: Path) -> None:
    rec = await start_recorder(aiohttp_server, tmp_path, forward="http://127.0.0.1:9/hook", forward_timeout=5.0)
    async with aiohttp.ClientSession() as session:
        async with session.post(rec.url(), data=b"{}") as resp:
            assert resp.status == 502
    [kept] = rec.requests()
    assert kept.forwarded is not None and kept.forwarded["error_kind"] == "connection_refused"


async def test_as_fixtures_writes_each_payload_beside_the_generated_ones(aiohttp_server: Any, tmp_path: Path) -> None:
    fixtures = tmp_path / "fixtures"
    (fixtures / "receipts.update").mkdir(parents=True)
    (fixtures / "receipts.update" / "0001.json").write_text("generated")
    rec = await start_recorder(aiohttp_server, tmp_path, as_fixtures=fixtures)
    receipt = json.dumps(real_receipt(), indent=1).encode()
    stock = encoded(generate_payloads("inventory_levels.update", 1, seed=1)[0])
    async with aiohttp.ClientSession() as session:
        for body in (receipt, receipt, stock, b"not json", json.dumps({"type": "../../evil"}).encode()):
            async with session.post(rec.url(), data=body) as resp:
                assert resp.status == 200
    assert (fixtures / "receipts.update" / "0001.json").read_text() == "generated"
    assert (fixtures / "receipts.update" / "recorded-0001.json").read_bytes() == receipt  # as sent, byte for byte
    assert (fixtures / "receipts.update" / "recorded-0002.json").exists()
    assert (fixtures / "inventory_levels.update" / "recorded-0001.json").read_bytes() == stock
    assert sorted(p.name for p in fixtures.iterdir()) == ["inventory_levels.update", "receipts.update"]


async def test_a_session_ends_with_its_end_line(aiohttp_server: Any, tmp_path: Path) -> None:
    rec = await start_recorder(aiohttp_server, tmp_path)
    async with aiohttp.ClientSession() as session:
        async with session.post(rec.url(), data=b"{}") as resp:
            assert resp.status == 200
    rec.time.now = START + 60
    await rec.server.close()
    items = list(read(rec.file))
    assert isinstance(items[0], RecordedRequest) and items[-1] == SessionEnd(START + 60)
    first = json.loads(rec.file.read_text().splitlines()[0])
    assert first["kind"] == "session" and first["answer"] == {"status": 200, "fail_first": 0}
