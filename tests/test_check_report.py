"""The check's report as people and CI read it: text (coloured only when asked), JSON, and
JUnit XML that validates against the common schema and that a JUnit parser reads back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import xmlschema
from junitparser import Failure, JUnitXml, Skipped

from mockserver.check import CheckOptions, Report, render, run_check
from mockserver.check.report import Exchange, Result
from tests import receivers

SCHEMA = xmlschema.XMLSchema(str(Path(__file__).with_name("junit.xsd")))


@pytest.fixture
async def report(aiohttp_server: Any) -> Report:
    """A check of a receiver that answers 409 to duplicates, for three event types (so the
    stock count and the out-of-order scenario are skipped)."""
    application, _ = receivers.app(receivers.conflict_on_duplicates())
    server = await aiohttp_server(application)
    return await run_check(CheckOptions(str(server.make_url("/hook")), seed=3,
                                        events=("receipts.update", "products.update", "customers.update")))


def test_junit_validates_against_the_common_schema(report: Report) -> None:
    SCHEMA.validate(render.junit(report))


def test_the_schema_is_not_a_formality() -> None:
    assert not SCHEMA.is_valid('<testsuites><testsuite name="x" tests="1" failures="0" errors="0">'
                               '<testcase classname="c" time="0"/></testsuite></testsuites>')  # a case without a name
    assert not SCHEMA.is_valid('<testsuites><testsuite name="x" tests="one" failures="0" errors="0"/></testsuites>')
    # Surefire's and Jenkins' schemas count skips on a suite, never on the whole set
    assert not SCHEMA.is_valid('<testsuites skipped="0"><testsuite name="x" tests="0" failures="0" errors="0"/>'
                               '</testsuites>')


def test_a_scenario_not_in_the_report_is_named_with_those_that_are(report: Report) -> None:
    with pytest.raises(LookupError, match=r"no scenario 'nope' in this report; its scenarios are sample_post, "):
        report.result("nope")


def test_junit_is_read_back_one_case_a_scenario(report: Report, tmp_path: Path) -> None:
    path = tmp_path / "check.xml"
    path.write_text(render.junit(report), encoding="utf-8")
    [suite] = list(JUnitXml.fromfile(str(path)))
    cases = {case.name: case for case in suite}
    assert list(cases) == [r.id for r in report.results]
    assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (len(report.results), 2, 0, 2)
    [failure] = cases["duplicate_concurrent"].result
    assert isinstance(failure, Failure) and failure.type == "http_status"
    assert failure.message == report.result("duplicate_concurrent").reason
    assert "SalesPlay: retried up to 200 times over 48 hours" in (failure.text or "")
    [skipped] = cases["large_stock_count"].result
    assert isinstance(skipped, Skipped) and "not among the events checked" in (skipped.message or "")
    assert cases["sample_post"].is_passed and "received: 200 in" in (cases["sample_post"].system_out or "")


def test_a_receivers_control_characters_keep_the_junit_file_valid_and_the_terminal_safe() -> None:
    hostile = Exchange("receipts.update", "receipt 1-000001", 10, 500, 3.0, "http_status", "the receiver answered 500",
                       "oops\x00\x07\x1b[2J\x1b]0;pwned\x07")
    from mockserver.check import advice

    reason = "the receipts.update " + advice.explain(hostile)
    result = Result("sample_post", "the sample POST", "fail", "a receipt", "500 in 3 ms", reason=reason,
                    kind="http_status", fix="x", salesplay="y", exchanges=(hostile,))
    report = Report("http://r.example/h", 1, ("receipts.update",), 10.0, "2025-06-30T12:00:00.000Z", 0.1, (result,))
    SCHEMA.validate(render.junit(report))
    assert "\x1b" not in render.text(report) and "\x00" not in render.text(report)


def test_text_is_one_line_a_scenario_with_why_fix_and_salesplay_for_failures(report: Report) -> None:
    out = render.text(report)
    assert out.startswith(f"salesplay-mock check {report.url}\nseed 3 (the same seed sends the same payloads)")
    lines = out.splitlines()
    for result in report.results:
        [mine] = [n for n, text in enumerate(lines) if text[6:].startswith(result.id + " ")]
        assert lines[mine].startswith(result.status.upper())
        if result.status == "fail":
            assert lines[mine + 1].startswith("      why: ")
            assert lines[mine + 2].startswith("      fix: ")
            assert lines[mine + 3] == "      SalesPlay: " + (result.salesplay or "")
    assert "\x1b[" not in out
    assert lines[-1].startswith("FAIL: 2 scenario(s) failed.")


def test_colour_only_when_asked(report: Report) -> None:
    coloured = render.text(report, colour=True)
    assert "\x1b[31mFAIL\x1b[0m" in coloured and "\x1b[32mPASS\x1b[0m" in coloured


def test_json_has_every_scenario_with_its_exchanges(report: Report) -> None:
    data = json.loads(render.to_json(report))
    assert data["ok"] is False and data["seed"] == 3
    assert data["counts"] == {"pass": len(report.results) - 4, "warn": 0, "fail": 2, "skip": 2}
    burst = next(s for s in data["scenarios"] if s["id"] == "burst")
    assert len(burst["exchanges"]) == 50 and set(burst["latency_ms"]) == {"p50", "p95", "max"}


def test_an_html_error_page_is_shown_as_its_words() -> None:
    from mockserver.check import advice

    page = ("<!DOCTYPE HTML><html><head><title>Error</title><style>p {}</style></head><body>"
            "<h1>Error response</h1><p>Message: Unsupported method (&#x27;POST&#x27;).</p></body></html>")
    exchange = Exchange("products.update", "product 10001", 10, 501, 2.0, "http_status", "501", page)
    assert advice.explain(exchange) == (
        "was answered 501, not 2xx (Error response Message: Unsupported method ('POST').)")
    assert advice.fix_for(exchange) == "check the URL's path: what answers there does not take SalesPlay's POST (501)"
