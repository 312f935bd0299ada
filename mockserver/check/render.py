"""A report for people (text, coloured only when asked) and for CI (JSON, JUnit XML)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

from mockserver.check.report import Report, Result
from mockserver.domain.vocabulary import EVENT_TYPES

COLOURS = {"pass": "32", "warn": "33", "fail": "31", "skip": "2"}
ID_WIDTH = 30
# XML 1.0 cannot carry these at all, escaped or not; a receiver's answer may contain them.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _paint(text: str, status: str, colour: bool) -> str:
    return f"\x1b[{COLOURS[status]}m{text}\x1b[0m" if colour else text


def header(url: str, seed: int, timeout: float, events: tuple[str, ...]) -> str:
    which = "all five" if events == EVENT_TYPES else ", ".join(events)
    return (f"salesplay-mock check {url}\n"
            f"seed {seed} (the same seed sends the same payloads) · delivery timeout {timeout:g} s · "
            f"events: {which}\n")


def line(result: Result, *, colour: bool = False) -> str:
    """A scenario's line, then for anything but a pass: why, the fix, what SalesPlay does."""
    tag = _paint(result.status.upper().ljust(4), result.status, colour)
    if result.status == "skip":
        return f"{tag}  {result.id:<{ID_WIDTH}}  {result.reason}"
    out = [f"{tag}  {result.id:<{ID_WIDTH}}  {result.sent} -> {result.received}"]
    if result.status in ("fail", "warn"):
        out += [f"      why: {result.reason}", f"      fix: {result.fix}"]
        if result.salesplay:
            out.append(f"      SalesPlay: {result.salesplay}")
    return "\n".join(out)


def summary(report: Report, *, colour: bool = False) -> str:
    counts = report.counts()
    tally = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
    first = f"{len(report.results)} scenarios in {report.seconds:.1f} s: {tally}"
    if not report.ok:
        verdict = _paint("FAIL", "fail", colour) + (
            f": {counts['fail']} scenario(s) failed. SalesPlay retries each such delivery and, if it keeps "
            "failing, disables this webhook")
    elif counts["warn"]:
        verdict = _paint("PASS", "warn", colour) + ", with warnings: SalesPlay would keep this webhook enabled"
    else:
        verdict = _paint("PASS", "pass", colour) + ": SalesPlay would keep this webhook enabled"
    return f"{first}\n{verdict}"


def text(report: Report, *, colour: bool = False) -> str:
    body = "\n".join(line(r, colour=colour) for r in report.results)
    return (f"{header(report.url, report.seed, report.delivery_timeout, report.events)}\n{body}\n\n"
            f"{summary(report, colour=colour)}\n")


def to_json(report: Report) -> str:
    return json.dumps(report.to_json(), indent=2, ensure_ascii=False)


def _clean(value: str) -> str:
    return _NOT_XML.sub("\ufffd", value)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _clean(v) for k, v in attrs.items()})
    if text is not None:
        element.text = _clean(text)
    return element


def junit(report: Report) -> str:
    """JUnit XML as CI systems read it: one test case per scenario; a fail is a failure, a
    skip is skipped, a warning passes with its reason in the case's output."""
    counts = report.counts()
    totals = {"tests": str(len(report.results)), "failures": str(counts["fail"]), "errors": "0",
              "time": f"{report.seconds:.3f}"}
    # Skips are counted on the suite only: Surefire's and Jenkins' schemas allow them nowhere else.
    suites = ET.Element("testsuites", {"name": "salesplay-mock check", **totals})
    suite = _sub(suites, "testsuite", name=f"salesplay-mock check {report.url}",
                 timestamp=report.started_at.removesuffix("Z"), hostname=urlsplit(report.url).hostname or "",
                 skipped=str(counts["skip"]), **totals)
    props = _sub(suite, "properties")
    for name, value in (("url", report.url), ("seed", str(report.seed)), ("events", ",".join(report.events)),
                        ("delivery_timeout", f"{report.delivery_timeout:g}")):
        _sub(props, "property", name=name, value=value)
    for r in report.results:
        case = _sub(suite, "testcase", name=r.id, classname="salesplay-mock.check", time=f"{r.seconds:.3f}")
        if r.status == "fail":
            _sub(case, "failure", _details(r), message=r.reason or "", type=r.kind or "failed")
        elif r.status == "skip":
            _sub(case, "skipped", message=r.reason or "")
            continue
        _sub(case, "system-out", f"{r.title}\nsent: {r.sent}\nreceived: {r.received}\n" + (
            f"WARNING: {_details(r)}" if r.status == "warn" else ""))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def _details(r: Result) -> str:
    return "\n".join(f"{label}: {value}" for label, value in (
        ("why", r.reason), ("fix", r.fix), ("SalesPlay", r.salesplay)) if value) + "\n"
