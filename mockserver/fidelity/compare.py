"""``compare``: every recorded request against what the mock sends (its payload against the
strict schema of its type, its headers against the mock's), its payload against what a
receiver may rely on (the receiver schema of its type), and each recording's timeline
against the published retry schedule, into one FidelityReport."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mockserver.domain.schedule import Schedule
from mockserver.domain.vocabulary import EVENT_TYPES
from mockserver.fidelity import body, headers, payloads
from mockserver.fidelity.recording import RecordedRequest
from mockserver.fidelity.report import BODIES, HEADERS, TIMELINE, FidelityReport, Finding, PayloadVerdict
from mockserver.fidelity.sources import Notice, SessionEnd, files_of, read
from mockserver.fidelity.timeline import Timeline

SAME_BODY = ("if SalesPlay really sends such a body, open an issue with this request: the mock always sends "
             "JSON text")


@dataclass(frozen=True)
class CompareOptions:
    paths: list[Path]
    schedule: Schedule = field(default_factory=Schedule)
    time_scale: float = 1.0  # a recording of the mock on a compressed clock: its scale


def compare(options: CompareOptions) -> FidelityReport:
    """RecordingError when a file cannot be read as a recording, a HAR export or a payload."""
    files = files_of(options.paths)
    report = FidelityReport(inputs=[str(f) for f in files])
    skipped: set[str] = set()
    for path in files:
        timeline = Timeline(options.schedule, scale=options.time_scale)
        for item in read(path):
            if isinstance(item, Notice):
                report.note(item.text)
            elif isinstance(item, SessionEnd):
                timeline.ended(item.at)
            else:
                _request(report, item, skipped)
                timeline.add(item)
        for finding, where in timeline.findings():
            report.add(finding, where)
        report.deliveries += timeline.deliveries
        report.retried += timeline.retried
    if report.deliveries:
        report.areas.add(TIMELINE)
    if skipped:
        report.note(f"not compared, added on the way by a tunnel or proxy: {', '.join(sorted(skipped))}")
    if not report.requests:
        report.note("no request in the recordings: point SalesPlay's webhook at salesplay-mock record first")
    return report


def _request(report: FidelityReport, request: RecordedRequest, skipped: set[str]) -> None:
    report.requests += 1
    report.areas.add(BODIES)
    if request.origin != "payload":
        report.areas.add(HEADERS)
        found, on_the_way = headers.differences(request)
        skipped.update(on_the_way)
        for finding in found:
            report.add(finding, request.where)
    decoded = body.decode(request)
    if decoded.problem is not None:
        report.add(Finding("body", BODIES, decoded.problem.split(":")[0], decoded.problem,
                           "a JSON object, UTF-8, uncompressed", SAME_BODY), request.where)
        return
    _payload(report, decoded.payload, request.where)


def _payload(report: FidelityReport, payload: Any, where: str) -> None:
    """Its differences from the strict schema, and (for a known event type) its breaks of
    the receiver schema; both also as the payload's verdict."""
    type_ = payload.get("type") if isinstance(payload, dict) else None
    if isinstance(type_, str):
        report.types[type_] += 1
        report.areas.add(type_)
    strict = payloads.differences(payload)
    receiver = None
    if isinstance(payload, dict) and isinstance(type_, str) and type_ in EVENT_TYPES:
        receiver = payloads.against(payload, type_, "receiver")
    for finding in strict + (receiver or []):
        report.add(finding, where)
    report.judge(PayloadVerdict(where, type_ if isinstance(type_, str) else None, _subjects(strict),
                         None if receiver is None else _subjects(receiver)))


def _subjects(findings: list[Finding]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(f.subject for f in findings))
