"""``compare``: every recorded request against what the mock sends (its payload against the
strict schema of its type, its headers against the mock's) and each recording's timeline
against the published retry schedule, into one Report."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mockserver.domain.schedule import Schedule
from mockserver.fidelity import body, headers, payloads
from mockserver.fidelity.recording import RecordedRequest
from mockserver.fidelity.report import BODIES, HEADERS, TIMELINE, Finding, Report
from mockserver.fidelity.sources import Notice, SessionEnd, files_of, read
from mockserver.fidelity.timeline import Timeline

SAME_BODY = ("if SalesPlay really sends such a body, open an issue with this request: the mock always sends "
             "JSON text")


@dataclass(frozen=True)
class CompareOptions:
    paths: list[Path]
    schedule: Schedule = field(default_factory=Schedule)
    time_scale: float = 1.0  # a recording of the mock on a compressed clock: its scale


def compare(options: CompareOptions) -> Report:
    """RecordingError when a file cannot be read as a recording, a HAR export or a payload."""
    files = files_of(options.paths)
    report = Report(inputs=[str(f) for f in files])
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


def _request(report: Report, request: RecordedRequest, skipped: set[str]) -> None:
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
    type_ = decoded.payload.get("type") if isinstance(decoded.payload, dict) else None
    if isinstance(type_, str):
        report.types[type_] += 1
        report.areas.add(type_)
    for finding in payloads.differences(decoded.payload):
        report.add(finding, request.where)
