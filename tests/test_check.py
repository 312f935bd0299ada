"""``check``: each receiver that gets disabled in production is caught with the right reason,
a good one passes clean, and the receiver under check is never harmed."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest
from aiohttp import web

from mockserver.check import CheckOptions, Report, run_check
from mockserver.check.payloads import NEW_FIELD
from mockserver.check.report import RETRIED, Latency
from mockserver.domain.errors import InvalidField
from mockserver.domain.vocabulary import EVENT_TYPES
from tests import receivers
from tests.helpers import RawReceiver, _free_port, never_answers, read_request

EVERY_SCENARIO = ["sample_post", *(f"event:{t}" for t in EVENT_TYPES), "duplicate_back_to_back",
                  "duplicate_concurrent", "out_of_order", "burst", "unknown_fields", "large_receipt",
                  "large_stock_count", "answer_time"]


async def check(aiohttp_server: Any, handler: receivers.Handler, *, client_max_size: int = 4 * 1024 * 1024,
                **options: Any) -> tuple[Report, receivers.Recorded]:
    application, recorded = receivers.app(handler, client_max_size=client_max_size)
    server = await aiohttp_server(application)
    report = await run_check(CheckOptions(str(server.make_url("/hook")), **{"seed": 1, **options}))
    return report, recorded


def failing(report: Report) -> set[str]:
    return {r.id for r in report.failures}


async def test_a_receiver_that_does_everything_right_passes_clean(aiohttp_server: Any) -> None:
    report, recorded = await check(aiohttp_server, receivers.good)
    assert [r.id for r in report.results] == EVERY_SCENARIO
    assert {r.status for r in report.results} == {"pass"}, [(r.id, r.reason) for r in report.results]
    assert report.ok and report.counts()["pass"] == len(EVERY_SCENARIO)
    # 1 sample, 5 events, 2 + 2 duplicates, a sale and its refund (4), 50 at once, 1 with new fields, 2 large
    assert len(recorded.requests) == 67


async def test_every_request_says_it_is_a_check(aiohttp_server: Any) -> None:
    report, recorded = await check(aiohttp_server, receivers.good)
    for headers, body in recorded.requests:
        assert headers["X-Mock-Kind"] == "check"
        assert headers["X-Mock-Check"] in EVERY_SCENARIO
        assert headers["Content-Type"] == "application/json"
        assert json.loads(body)["type"] in EVENT_TYPES
    delivery_ids = [h["X-Mock-Delivery-Id"] for h, _ in recorded.requests]
    assert len(set(delivery_ids)) == len(delivery_ids)


async def test_409_on_duplicates_fails_both_duplicate_scenarios(aiohttp_server: Any) -> None:
    report, _ = await check(aiohttp_server, receivers.conflict_on_duplicates())
    assert failing(report) == {"duplicate_back_to_back", "duplicate_concurrent"}
    back_to_back = report.result("duplicate_back_to_back")
    assert back_to_back.reason is not None and "the same event again, right after a 2xx, was answered 409" in (
        back_to_back.reason)
    assert back_to_back.received.startswith("200 in") and ", then 409 in" in back_to_back.received
    assert back_to_back.fix is not None and "store it once" in back_to_back.fix
    assert back_to_back.salesplay == RETRIED
    assert "retried up to 200 times over 48 hours, then this webhook is disabled" in RETRIED
    concurrent = report.result("duplicate_concurrent")
    assert concurrent.reason is not None and "of two deliveries of the same event at once, one was answered 409" in (
        concurrent.reason)


async def test_a_redirect_fails_every_delivery_and_says_where_it_pointed(aiohttp_server: Any) -> None:
    report, _ = await check(aiohttp_server, receivers.redirects("https://hooks.example.com/salesplay"))
    assert failing(report) == set(EVERY_SCENARIO) - {"answer_time"}  # redirects are quick
    for result in report.failures:
        assert result.kind == "redirect"
        assert result.reason is not None and "redirect to https://hooks.example.com/salesplay" in result.reason
        assert "SalesPlay does not follow redirects" in result.reason
    assert report.result("sample_post").fix == (
        "register the URL it redirects to (https://hooks.example.com/salesplay) as the webhook's URL: "
        "SalesPlay never follows a redirect")


async def test_a_redirect_is_never_followed_to_another_host(aiohttp_server: Any) -> None:
    elsewhere, landed = receivers.app(receivers.good)
    other = await aiohttp_server(elsewhere)
    report, _ = await check(aiohttp_server, receivers.redirects(str(other.make_url("/hook"))), events=(
        "receipts.update",))
    assert report.result("sample_post").kind == "redirect"
    assert landed.requests == []


async def test_slow_under_a_burst_is_a_warning_within_the_timeout(aiohttp_server: Any) -> None:
    report, _ = await check(aiohttp_server, receivers.slow_under_burst())
    burst = report.result("burst")
    assert burst.status == "warn" and burst.kind == "slow"
    assert burst.latency is not None and burst.latency.p95_ms > 1000
    assert burst.reason is not None and burst.reason.startswith("slow under a burst: 95% of answers within")
    assert {r.id for r in report.results if r.status != "pass"} == {"burst"}
    assert report.ok  # a warning: SalesPlay would still keep the webhook


async def test_slow_under_a_burst_fails_when_answers_pass_the_timeout(aiohttp_server: Any) -> None:
    report, _ = await check(aiohttp_server, receivers.slow_under_burst(), delivery_timeout=1.2)
    assert failing(report) == {"burst"}
    burst = report.result("burst")
    assert burst.kind == "timeout"
    assert burst.reason is not None and "of 50 at once failed:" in burst.reason
    assert "got no complete answer within 1.2 s" in burst.reason
    assert burst.received.startswith(tuple(f"{n} x 2xx, " for n in range(1, 50)))


async def test_rejecting_unknown_fields_fails_forward_compatibility(aiohttp_server: Any) -> None:
    report, _ = await check(aiohttp_server, receivers.rejects_unknown_fields)
    assert failing(report) == {"unknown_fields"}
    result = report.result("unknown_fields")
    assert result.reason is not None
    assert result.reason.startswith("a receipts.update with fields it has never seen was answered 400, not 2xx (")
    assert NEW_FIELD in result.reason
    assert result.reason.endswith(", while it accepted the same event type without them")
    assert result.fix is not None and result.fix.startswith("ignore fields you do not know")
    assert "in the envelope, each of receipts, each of line_items" in result.sent


async def test_413_on_large_bodies_fails_the_largest_payloads(aiohttp_server: Any) -> None:
    report, _ = await check(aiohttp_server, receivers.good, client_max_size=32 * 1024)
    assert failing(report) == {"large_receipt", "large_stock_count"}
    receipt = report.result("large_receipt")
    assert receipt.reason is not None and receipt.reason.startswith("a receipt of 200 lines (")
    assert "was answered 413" in receipt.reason
    assert (report.result("large_stock_count").reason or "").startswith("a stock count of 1,000 levels (")
    assert receipt.fix is not None and "1 MB" in receipt.fix


async def test_crashing_on_reordered_events_fails_out_of_order(aiohttp_server: Any) -> None:
    report, _ = await check(aiohttp_server, receivers.crashes_on_reorder())
    assert failing(report) == {"out_of_order"}
    result = report.result("out_of_order")
    assert result.kind == "http_status"
    assert result.reason is not None and result.reason.startswith("the credit_note.update (credit note CN")
    assert ", sent before its receipt " in result.reason and "was answered 500, not 2xx (KeyError:" in result.reason
    assert result.received.startswith("200, 500, 200, 200 (slowest")


async def test_nothing_listening_is_reported_and_nothing_else_is_tried() -> None:
    report = await run_check(CheckOptions(f"http://127.0.0.1:{_free_port()}/hook", seed=1))
    sample = report.result("sample_post")
    assert sample.status == "fail" and sample.kind == "connection_refused"
    assert sample.reason is not None and "was refused: nothing is listening there" in sample.reason
    assert sample.fix == "start the receiver, or correct the URL's host and port"
    assert {r.status for r in report.results[1:]} == {"skip"}
    assert report.results[1].reason == (
        "not run: the sample POST got no HTTP answer (connection_refused), so nothing else could pass")
    assert not report.ok


async def test_an_answer_that_is_not_http_is_reported() -> None:
    async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")
        await writer.drain()

    raw = await RawReceiver(garbage).start()
    try:
        report = await run_check(CheckOptions(raw.url, seed=1))
    finally:
        await raw.close()
    sample = report.result("sample_post")
    assert sample.kind == "bad_http" and "got an answer that is not HTTP" in (sample.reason or "")
    assert report.counts() == {"pass": 0, "warn": 0, "fail": 1, "skip": len(EVERY_SCENARIO) - 1}


async def test_a_receiver_that_hangs_is_given_up_on_at_the_timeout() -> None:
    raw = await RawReceiver(never_answers).start()
    began = time.perf_counter()
    try:
        report = await run_check(CheckOptions(raw.url, seed=1, delivery_timeout=0.3))
    finally:
        await raw.close()
    assert time.perf_counter() - began < 3
    sample = report.result("sample_post")
    assert sample.kind == "timeout" and sample.reason is not None
    assert sample.reason.endswith("got no complete answer within 0.3 s")
    assert sample.received.startswith("timeout after 3")
    assert not report.ok and raw.connections == 1


async def test_a_receiver_that_hangs_later_is_reported_at_the_answer_time(aiohttp_server: Any) -> None:
    async def stalls_on_stock_counts(request: web.Request, body: bytes) -> web.StreamResponse:
        if len(json.loads(body).get("inventory_levels", [])) > 100:
            await asyncio.sleep(5)
        return web.json_response({"ok": True})

    report, _ = await check(aiohttp_server, stalls_on_stock_counts, delivery_timeout=0.5)
    assert failing(report) == {"large_stock_count", "answer_time"}
    assert report.result("answer_time").reason == (
        "1 got no answer within the 0.5 s delivery timeout (large_stock_count)")


async def test_a_slow_answer_alone_is_a_warning(aiohttp_server: Any) -> None:
    async def slow_on_receipts(request: web.Request, body: bytes) -> web.StreamResponse:
        if request.headers["X-Mock-Check"] == "event:receipts.update":
            await asyncio.sleep(1.1)
        return web.json_response({"ok": True})

    report, _ = await check(aiohttp_server, slow_on_receipts, events=("receipts.update",))
    answer = report.result("answer_time")
    assert answer.status == "warn" and answer.reason is not None
    assert answer.reason.startswith("event:receipts.update took 1.1 s, above 1.0 s")
    assert answer.salesplay is not None and "asks receivers to answer promptly" in answer.salesplay


async def test_events_limits_what_is_sent_and_skips_what_needs_others(aiohttp_server: Any) -> None:
    report, recorded = await check(aiohttp_server, receivers.good, events=("products.update",))
    assert recorded.types() == {"products.update"}
    skipped = {r.id: r.reason for r in report.results if r.status == "skip"}
    assert skipped == {
        "out_of_order": ("needs receipts.update and inventory_levels.update or credit_note.update among the "
                         "events checked"),
        "large_receipt": "receipts.update is not among the events checked",
        "large_stock_count": "inventory_levels.update is not among the events checked",
    }
    assert report.ok


async def test_the_same_seed_sends_the_same_payloads(aiohttp_server: Any) -> None:
    runs = [await check(aiohttp_server, receivers.good, seed=seed) for seed in (7, 7, 8)]
    bodies = [sorted(body for _, body in recorded.requests) for _, recorded in runs]
    assert bodies[0] == bodies[1]
    assert bodies[0] != bodies[2]
    assert runs[0][0].seed == 7


async def test_without_a_seed_each_check_has_its_own(aiohttp_server: Any) -> None:
    seeds = {CheckOptions("http://127.0.0.1:9/hook").seed for _ in range(5)}
    assert len(seeds) > 1


async def test_the_time_budget_skips_what_is_left(aiohttp_server: Any) -> None:
    report, recorded = await check(aiohttp_server, receivers.good, budget=0.0)
    assert recorded.requests == []
    assert {r.reason for r in report.results} == {"not run: the check's time budget of 0 s ran out"}


@pytest.mark.parametrize(("options", "field", "words"), [
    ({"url": "ftp://receiver.example/hook"}, "url", "must start with http:// or https://"),
    ({"url": "http://"}, "url", "has no host name"),
    ({"events": ("sales.update",)}, "events", "unknown event type 'sales.update'"),
    ({"events": ()}, "events", "name at least one event type"),
    ({"delivery_timeout": 0}, "delivery_timeout", "more than 0 and at most 120 seconds"),
    ({"delivery_timeout": float("nan")}, "delivery_timeout", "more than 0"),
    ({"seed": -1}, "seed", "from 0 to 2**63 - 1"),
    ({"locale": "xx_XX"}, "locale", "unknown locale 'xx_XX'"),
])
def test_bad_options_are_refused_naming_the_field(options: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(InvalidField, match=words.replace("*", r"\*").replace("(", r"\(")) as err:
        CheckOptions(**{"url": "http://127.0.0.1:9/hook", **options})
    assert err.value.field == field


def test_latency_percentiles_are_times_that_were_measured() -> None:
    latency = Latency.of([float(n) for n in range(100, 0, -1)])
    assert (latency.p50_ms, latency.p95_ms, latency.max_ms) == (50.0, 95.0, 100.0)
    assert Latency.of([7.0]).p95_ms == 7.0


async def test_a_404_says_to_check_the_urls_path(aiohttp_server: Any) -> None:
    application, _ = receivers.app(receivers.good)
    server = await aiohttp_server(application)
    report = await run_check(CheckOptions(str(server.make_url("/wrong/path")), seed=1, events=("receipts.update",)))
    assert report.result("sample_post").fix == (
        "check the URL's path: what answers there does not take SalesPlay's POST (404)")
    assert report.result("burst").fix == report.result("sample_post").fix
