"""``compare``: every difference a real delivery has from the mock, posted with curl,
aiohttp and a chunked socket, is reported with the line to change; what the mock itself
sent (payloads, headers, retries, its HAR export) is reported as no difference."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient

from mockserver.domain.clock import ManualClock
from mockserver.domain.schedule import Schedule
from mockserver.domain.tokens import owner_of_token
from mockserver.domain.vocabulary import EVENT_TYPES
from mockserver.engine.attempt import DELIVERY_HEADERS
from mockserver.fidelity import locate
from mockserver.fidelity.compare import CompareOptions, compare
from mockserver.fidelity.recording import RecordedRequest
from mockserver.fidelity.report import FidelityReport
from mockserver.fidelity.session import SessionWriter
from mockserver.shop.generate import generate_payloads
from tests.helpers import TOKEN, advance, register, sign_in, trigger
from tests.recordings import (
    REAL_AGENT,
    START,
    encoded,
    post_chunked,
    post_with_curl,
    real_headers,
    real_receipt,
    real_stock_level,
    start_recorder,
)


def found(report: FidelityReport) -> set[tuple[str, str, str]]:
    """The differences from what the mock sends (a receiver schema's breaks left out)."""
    return {(g.finding.kind, g.finding.area, g.finding.subject) for g in report.groups.values()
            if g.finding.schema != "receiver"}


def broken(report: FidelityReport) -> set[tuple[str, str, str]]:
    """What breaks a receiver schema."""
    return {(g.finding.kind, g.finding.area, g.finding.subject) for g in report.groups.values()
            if g.finding.schema == "receiver"}


async def test_each_difference_of_a_real_delivery_is_reported_with_the_line_to_change(
        aiohttp_server: Any, tmp_path: Path) -> None:
    rec = await start_recorder(aiohttp_server, tmp_path / "out", fail_first=1)
    receipt, stock = encoded(real_receipt()), encoded(real_stock_level())
    assert await post_with_curl(rec.url(), receipt, real_headers(), tmp_path) == "500"
    async with aiohttp.ClientSession() as session:
        async with session.post(rec.url(), data=stock, headers=real_headers()) as resp:
            assert resp.status == 500
        rec.time.now = START + 5  # its retry comes when ours would
        async with session.post(rec.url(), data=stock, headers=real_headers()) as resp:
            assert resp.status == 200
    assert rec.server.port is not None
    rec.time.now = START + 60  # SalesPlay's retry of the receipt comes a minute later; ours after 5 s
    answer = await post_chunked("127.0.0.1", rec.server.port, "/salesplay", real_headers(), [receipt[:99], receipt[99:]])
    assert answer.startswith(b"HTTP/1.1 200")
    report = compare(CompareOptions([rec.file]))
    assert found(report) == {
        ("field_mock_lacks", "receipts.update", "$.receipts[*].loyalty_points"),
        ("type", "receipts.update", "$.receipts[*].total"),
        ("format", "receipts.update", "$.created_at"),
        ("type", "inventory_levels.update", "$.inventory_levels[*].in_stock"),
        ("header", "headers", "User-Agent"),
        ("header_mock_lacks", "headers", "X-SalesPlay-Event-Id"),
        ("retry_gap", "retry timeline", "wait before attempt 2"),
    }
    assert broken(report) == {  # all but the extra field, which a receiver ignores
        ("type", "receipts.update", "$.receipts[*].total"),
        ("format", "receipts.update", "$.created_at"),
        ("type", "inventory_levels.update", "$.inventory_levels[*].in_stock"),
    }
    by_subject = {g.finding.subject: g for g in report.groups.values() if g.finding.schema != "receiver"}
    assert by_subject["$.receipts[*].total"].count == 2  # the first attempt and its retry
    assert by_subject["$.inventory_levels[*].in_stock"].count == 2
    assert by_subject["User-Agent"].finding.salesplay == json.dumps(REAL_AGENT)
    gap = by_subject["wait before attempt 2"].finding
    assert (gap.salesplay, gap.mock) == ("1m00s", "5s") and gap.change.startswith("mockserver/domain/schedule.py:")
    assert by_subject["$.created_at"].finding.change.startswith(
        "mockserver/schemas/receipts.update.json:219 #/$defs/time/pattern")
    assert report.types == {"receipts.update": 2, "inventory_levels.update": 2} and report.retried == 2


def test_the_change_names_the_schema_line_that_holds_the_rule() -> None:
    lines = Path(locate.__file__).parent.parent.joinpath("schemas", "receipts.update.json").read_text().splitlines()
    for pointer, key in (("#/$defs/time/pattern", '"pattern"'), ("#/$defs/money/type", '"type": "number"'),
                         ("#/properties/receipts/items/properties", '"properties"'),
                         ("#/properties/receipts/items/required", '"required"')):
        where = locate.in_schema("receipts.update", pointer)
        number = int(where.split(" ")[0].rsplit(":", 1)[1])
        assert key in lines[number - 1], (pointer, lines[number - 1])


async def test_no_false_report_on_payloads_the_mock_generated(aiohttp_server: Any, tmp_path: Path) -> None:
    rec = await start_recorder(aiohttp_server, tmp_path)
    async with aiohttp.ClientSession() as session:
        for seed in (1, 7, 42):
            for type_ in EVENT_TYPES:
                for payload in generate_payloads(type_, 8, seed=seed):
                    async with session.post(rec.url(), data=encoded(payload), headers=DELIVERY_HEADERS) as resp:
                        assert resp.status == 200
    report = compare(CompareOptions([rec.file]))
    assert report.ok, report.to_json()
    assert report.requests == 3 * 5 * 8 and set(report.types) == set(EVENT_TYPES)


async def test_no_false_report_on_the_mocks_own_deliveries_and_their_retries(
        client: TestClient[Any, Any], clock: ManualClock, aiohttp_server: Any, tmp_path: Path) -> None:
    owner = owner_of_token(TOKEN)
    rec = await start_recorder(aiohttp_server, tmp_path, now=lambda: clock.now(owner), fail_first=3)
    await register(client, rec.url(), list(EVENT_TYPES))
    for type_ in EVENT_TYPES:
        await trigger(client, type_)
    await advance(client, 3600)
    report = compare(CompareOptions([rec.file]))
    assert report.ok, report.to_json()
    assert set(report.types) == set(EVENT_TYPES)
    assert report.deliveries >= 5 and report.retried == report.deliveries  # each answered 500 three times first
    assert report.requests == 4 * report.deliveries


async def test_no_false_report_on_the_mocks_har_export(client: TestClient[Any, Any], aiohttp_server: Any,
                                                      tmp_path: Path) -> None:
    rec = await start_recorder(aiohttp_server, tmp_path, fail_first=4)
    await register(client, rec.url())
    sent = await trigger(client)
    await advance(client, 600)
    await sign_in(client)
    resp = await client.get(f"/ui/deliveries/{sent['events'][0]['deliveries'][0]['id']}/har")
    (tmp_path / "delivery.har").write_text(await resp.text())
    report = compare(CompareOptions([tmp_path / "delivery.har"]))
    assert report.ok, report.to_json()
    assert (report.requests, report.deliveries, report.retried) == (5, 1, 1)


def write(path: Path, requests: list[RecordedRequest], *, end: float | None = None) -> Path:
    writer = SessionWriter(path, limit=2**30, settings={}, started_at=START)
    for request in requests:
        writer.add(request)
    last = max((r.received_at for r in requests), default=START)
    writer.close(requests=len(requests), not_kept=0, stopped_at=last if end is None else end)
    return path


def at(n: int, seconds: float, body: bytes, answered: int, **extra: Any) -> RecordedRequest:
    headers = tuple(extra.pop("headers", ())) + tuple(DELIVERY_HEADERS.items())  # the first of a name counts
    return RecordedRequest(n=n, received_at=START + seconds, method="POST", path="/hook", headers=headers, body=body,
                           answered=answered, **extra)


def test_the_timeline_says_how_salesplays_retries_differ(tmp_path: Path) -> None:
    ours, gap_off, resent, stopped = (encoded(p) for p in generate_payloads("receipts.update", 4, seed=2))
    requests = [at(1, 0, ours, 500), at(2, 5.4, ours, 500), at(3, 15, ours, 200),  # our waits: 5 s, 10 s
                at(4, 100, gap_off, 500), at(5, 130, gap_off, 200),  # 30 s where ours waits 5 s
                at(6, 200, resent, 200), at(7, 260, resent, 200),  # a 2xx, and the same again
                at(8, 300, stopped, 503)]  # never again, though the recording goes on for an hour
    report = compare(CompareOptions([write(tmp_path / "t.jsonl", requests, end=START + 3900)]))
    timeline = {(g.finding.subject, g.finding.salesplay) for g in report.in_area("retry timeline")}
    assert timeline == {
        ("wait before attempt 2", "30s"), ("a delivery answered 2xx", "sent again 1m00s after the 2xx"),
        ("attempts per delivery", "no attempt 2 by the end of the recording, 1h00m00s after the first "
                                  "(the last was answered 503)")}
    assert (report.deliveries, report.retried) == (5, 2)


def test_more_attempts_than_the_rule_allows_and_a_compressed_clock(tmp_path: Path) -> None:
    body = encoded(generate_payloads("products.update", 1, seed=2)[0])
    schedule = Schedule(max_attempts=3)
    # A recording of the mock at 10x: waits of 0.5 s and 1 s are our 5 s and 10 s.
    fine = [at(1, 0, body, 500), at(2, 0.5, body, 500), at(3, 1.5, body, 500)]
    assert compare(CompareOptions([write(tmp_path / "a.jsonl", fine)], schedule, time_scale=10)).ok
    many = fine + [at(4, 40, body, 500)]
    report = compare(CompareOptions([write(tmp_path / "b.jsonl", many)], schedule, time_scale=10))
    assert found(report) == {("retry_count", "retry timeline", "attempts per delivery")}


def test_bad_bodies_are_each_said_in_words(tmp_path: Path) -> None:
    payload = encoded(real_stock_level())
    latin = json.dumps({"type": "customers.update", "name": "Zoë"}, ensure_ascii=False).encode("latin-1")
    bodies: list[tuple[bytes, dict[str, Any]]] = [
        (b"<html>not json</html>", {}),
        (payload[:40], {}),
        (gzip.compress(payload)[:30], {"headers": [("Content-Encoding", "gzip")]}),
        (payload, {"headers": [("Content-Encoding", "gzip")]}),
        (payload, {"headers": [("Content-Encoding", "br")]}),
        (latin, {}),
        (latin, {"headers": [("Content-Type", "text/plain; charset=no-such")]}),
        (b"[" * 100_000 + b"]" * 100_000, {}),
        (payload[:10], {"state": "incomplete", "body_size": 10}),
        (b"", {"state": "refused", "body_size": 9_000_000, "note": "over --max-request-size"}),
        (gzip.compress(b"0" * 70 * 2**20), {"headers": [("Content-Encoding", "gzip")]}),
    ]
    requests = [at(n, n * 1000.0, b, 500, **extra) for n, (b, extra) in enumerate(bodies, start=1)]
    report = compare(CompareOptions([write(tmp_path / "bad.jsonl", requests)]))
    said = {g.finding.salesplay for g in report.in_area("bodies")}
    for words in ("not JSON: Expecting value at line 1 column 1", "JSON cut off: it ends early",
                  "gzip cut off: the compressed body ends early", "not gzip: its Content-Encoding says gzip",
                  "encoding not read: Content-Encoding 'br'", "not UTF-8 text: byte", "unknown charset: its Content-Type names 'no-such'", "nested too deeply: the JSON",
                  "cut off by the connection: 10 byte(s) arrived", "not kept: over --max-request-size",
                  "gzip too large: it expands past 64 MiB"):
        assert any(words in s for s in said), (words, said)


def test_a_body_in_another_charset_is_read_in_it_and_the_header_reported(tmp_path: Path) -> None:
    payload = generate_payloads("customers.update", 1, seed=4)[0]
    payload["customers"][0]["name"] = "Zoë Ångström"
    body = json.dumps(payload, ensure_ascii=False).encode("latin-1")
    request = at(1, 0, body, 200)
    request = RecordedRequest(**{**request.__dict__, "headers": (
        ("Content-Type", "application/json; charset=ISO-8859-1"), ("User-Agent", DELIVERY_HEADERS["User-Agent"]))})
    report = compare(CompareOptions([write(tmp_path / "c.jsonl", [request])]))
    assert found(report) == {("header", "headers", "Content-Type")}


def test_a_gzip_body_is_compared_after_it_is_unpacked(tmp_path: Path) -> None:
    body = gzip.compress(encoded(generate_payloads("receipts.update", 1, seed=4)[0]))
    report = compare(CompareOptions([write(tmp_path / "g.jsonl", [at(1, 0, body, 200, headers=[
        ("Content-Encoding", "gzip")])])]))
    assert found(report) == {("header_mock_lacks", "headers", "Content-Encoding")}
    assert report.types == {"receipts.update": 1}


def test_what_a_tunnel_adds_is_not_a_difference_but_is_named(tmp_path: Path) -> None:
    body = encoded(generate_payloads("receipts.update", 1, seed=4)[0])
    report = compare(CompareOptions([write(tmp_path / "t.jsonl", [at(1, 0, body, 200, headers=[
        ("X-Forwarded-For", "1.2.3.4"), ("Ngrok-Trace-Id", "x"), ("Accept-Encoding", "gzip"), ("X-Mock-Attempt", "1")])])]))
    assert report.ok
    assert any("X-Forwarded-For" in n and "Ngrok-Trace-Id" in n for n in report.notes)


def test_a_payload_file_is_compared_without_headers_or_timeline(tmp_path: Path) -> None:
    (tmp_path / "p.json").write_bytes(encoded(real_receipt()))
    report = compare(CompareOptions([tmp_path / "p.json"]))
    assert {area for _, area, _ in found(report)} == {"receipts.update"} and report.deliveries == 0
