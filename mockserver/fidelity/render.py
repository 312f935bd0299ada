"""``compare``'s report for people (text) and for CI (JSON, JUnit XML: a test case per area
compared, failing with its differences; an event type has a second one, for its receiver
schema)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from mockserver.check.render import _sub  # the same XML-safe writing as the check's report
from mockserver.domain.vocabulary import EVENT_TYPES
from mockserver.fidelity.report import BODIES, HEADERS, LABELS, TIMELINE, FidelityReport, Group, printable

WIDTH = 24
RECEIVER_CASE = " (receiver schema)"  # the JUnit test case of an event type's receiver schema
BROKEN = ("a receiver coded to the receiver schema (the contract the mock publishes) would fail on what SalesPlay "
          "really sends")


def areas(report: FidelityReport) -> list[str]:
    """What was compared, in reading order: the event types, then the rest."""
    seen = report.areas | {g.finding.area for g in report.groups.values()}
    types = [t for t in EVENT_TYPES if t in seen] + sorted(seen - set(EVENT_TYPES) - {BODIES, HEADERS, TIMELINE})
    return types + [a for a in (BODIES, HEADERS, TIMELINE) if a in seen]


def summary(report: FidelityReport) -> str:
    types = ", ".join(f"{n} {t}" for t, n in sorted(report.types.items()))
    line = f"{report.requests} request(s)" + (f" ({types})" if types else "")
    if report.deliveries:
        line += f"; {report.deliveries} delivery(ies), {report.retried} retried"
    return line


def split(groups: list[Group]) -> tuple[list[Group], list[Group]]:
    """The groups that break a receiver schema, and the others (differences from the mock)."""
    return ([g for g in groups if g.finding.schema == "receiver"],
            [g for g in groups if g.finding.schema != "receiver"])


def heading(report: FidelityReport, area: str) -> str:
    """An area's first line: for an event type, its payloads' two verdicts."""
    breaking, differing = split(report.in_area(area))
    n = report.checked[area]
    if not n:
        return area + ("" if differing or breaking else ": as the mock sends it")
    if not (breaking or differing):
        return f"{area}: {n} payload(s), as the mock sends them, each meeting the receiver schema"
    if not breaking:
        return (f"{area}: {n} payload(s); {report.differing[area]} differ from what the mock sends, each meets the "
                "receiver schema (a receiver coded to it takes them)")
    return f"{area}: {n} payload(s); {report.breaking[area]} break the receiver schema, {report.differing[area]} " \
           "differ from what the mock sends"


def group_lines(group: Group) -> list[str]:
    f = group.finding
    times = f"seen once, in {group.first}" if group.count == 1 else f"seen {group.count} times, first in {group.first}"
    breaks = f.schema == "receiver"
    out = [f"  {'BREAK' if breaks else 'DIFF '} {LABELS[f.kind]:<{WIDTH}}{f.subject}",
           f"        SalesPlay: {f.salesplay}", f"        {'receivers:' if breaks else 'the mock: '} {f.mock}"]
    if f.change:
        out.append(f"        change:    {f.change}")
    return out + [f"        {times}"]


def verdict(report: FidelityReport) -> list[str]:
    """The last lines: what breaks the receiver contract, and what differs from the mock."""
    if report.ok:
        return ["no difference: what was recorded is what the mock sends"
                + (", and every payload meets the receiver schema of its type" if report.checked else "")]
    broken = sum(report.breaking.values())
    if broken:
        out = [f"{broken} payload(s) break the receiver schema: {BROKEN}. Fix these first (each BREAK above)"]
    elif any(report.differing.values()):
        out = ["every payload meets the receiver schema of its type: a receiver coded to it takes what SalesPlay "
               "sent, though the mock's own payloads differ from it"]
    else:
        out = []
    n = len(split(list(report.groups.values()))[1])
    if n:
        out.append(f"{n} difference(s) between what SalesPlay sent and what the mock sends. Each names the line to "
                   "change: adjust the mock, or open an issue with this report")
    return out


def text(report: FidelityReport) -> str:
    out = [f"salesplay-mock compare {' '.join(report.inputs)}", summary(report), ""]
    for area in areas(report):
        out.append(heading(report, area))
        breaking, differing = split(report.in_area(area))
        for group in breaking + differing:
            out += group_lines(group)
    if report.notes:
        out += ["", "notes:"] + [f"  - {note}" for note in report.notes]
    out += [""] + verdict(report)
    # Every value came from a stranger: no line may carry a terminal's escape sequence.
    return "\n".join(printable(line, 0) for line in out) + "\n"


def to_json(report: FidelityReport) -> str:
    return json.dumps(report.to_json(), indent=2, ensure_ascii=False)


def cases(report: FidelityReport) -> list[tuple[str, list[Group], str]]:
    """The JUnit test cases: each area compared, and each event type's receiver schema
    before it (the stronger finding); their failing groups, and the failure's message."""
    out = []
    for area in areas(report):
        breaking, differing = split(report.in_area(area))
        if report.checked[area]:
            out.append((area + RECEIVER_CASE, breaking, f"{report.breaking[area]} of {report.checked[area]} "
                        f"payload(s) break the receiver schema: {BROKEN}"))
        out.append((area, differing, f"{len(differing)} difference(s) from what the mock sends"))
    return out


def junit(report: FidelityReport) -> str:
    """One test case per area compared (an event type and its receiver schema, bodies,
    headers, retry timeline)."""
    found = cases(report)
    totals = {"tests": str(len(found)), "failures": str(sum(1 for _, groups, _ in found if groups)), "errors": "0",
              "time": "0.000"}
    suites = ET.Element("testsuites", {"name": "salesplay-mock compare", **totals})
    suite = _sub(suites, "testsuite", name="salesplay-mock compare " + " ".join(report.inputs), skipped="0", **totals)
    props = _sub(suite, "properties")
    for name, value in (("inputs", " ".join(report.inputs)), ("requests", str(report.requests))):
        _sub(props, "property", name=name, value=value)
    for name, groups, message in found:
        case = _sub(suite, "testcase", name=name, classname="salesplay-mock.compare", time="0.000")
        if groups:
            details = "\n".join(line for g in groups for line in group_lines(g)) + "\n"
            _sub(case, "failure", details, message=message, type="difference")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
