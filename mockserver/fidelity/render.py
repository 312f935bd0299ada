"""``compare``'s report for people (text) and for CI (JSON, JUnit XML: a test case per area
compared, failing with its differences)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from mockserver.check.render import _sub  # the same XML-safe writing as the check's report
from mockserver.domain.vocabulary import EVENT_TYPES
from mockserver.fidelity.report import BODIES, HEADERS, LABELS, TIMELINE, Group, Report, printable

WIDTH = 24


def areas(report: Report) -> list[str]:
    """What was compared, in reading order: the event types, then the rest."""
    seen = report.areas | {g.finding.area for g in report.groups.values()}
    types = [t for t in EVENT_TYPES if t in seen] + sorted(seen - set(EVENT_TYPES) - {BODIES, HEADERS, TIMELINE})
    return types + [a for a in (BODIES, HEADERS, TIMELINE) if a in seen]


def summary(report: Report) -> str:
    types = ", ".join(f"{n} {t}" for t, n in sorted(report.types.items()))
    line = f"{report.requests} request(s)" + (f" ({types})" if types else "")
    if report.deliveries:
        line += f"; {report.deliveries} delivery(ies), {report.retried} retried"
    return line


def group_lines(group: Group) -> list[str]:
    f = group.finding
    times = f"seen once, in {group.first}" if group.count == 1 else f"seen {group.count} times, first in {group.first}"
    out = [f"  DIFF  {LABELS[f.kind]:<{WIDTH}}{f.subject}", f"        SalesPlay: {f.salesplay}",
           f"        the mock:  {f.mock}"]
    if f.change:
        out.append(f"        change:    {f.change}")
    return out + [f"        {times}"]


def text(report: Report) -> str:
    out = [f"salesplay-mock compare {' '.join(report.inputs)}", summary(report), ""]
    for area in areas(report):
        groups = report.in_area(area)
        out.append(area + ("" if groups else ": as the mock sends it"))
        for group in groups:
            out += group_lines(group)
    if report.notes:
        out += ["", "notes:"] + [f"  - {note}" for note in report.notes]
    out.append("")
    n = len(report.groups)
    out.append("no difference: what was recorded is what the mock sends" if report.ok else
               f"{n} difference(s) between what SalesPlay sent and what the mock sends. Each names the line to "
               "change: adjust the mock, or open an issue with this report")
    # Every value came from a stranger: no line may carry a terminal's escape sequence.
    return "\n".join(printable(line, 0) for line in out) + "\n"


def to_json(report: Report) -> str:
    return json.dumps(report.to_json(), indent=2, ensure_ascii=False)


def junit(report: Report) -> str:
    """One test case per area compared (an event type, bodies, headers, retry timeline)."""
    names = areas(report)
    failing = [a for a in names if report.in_area(a)]
    totals = {"tests": str(len(names)), "failures": str(len(failing)), "errors": "0", "time": "0.000"}
    suites = ET.Element("testsuites", {"name": "salesplay-mock compare", **totals})
    suite = _sub(suites, "testsuite", name="salesplay-mock compare " + " ".join(report.inputs), skipped="0", **totals)
    props = _sub(suite, "properties")
    for name, value in (("inputs", " ".join(report.inputs)), ("requests", str(report.requests))):
        _sub(props, "property", name=name, value=value)
    for area in names:
        case = _sub(suite, "testcase", name=area, classname="salesplay-mock.compare", time="0.000")
        groups = report.in_area(area)
        if groups:
            details = "\n".join(line for g in groups for line in group_lines(g)) + "\n"
            _sub(case, "failure", details, message=f"{len(groups)} difference(s) from what the mock sends",
                 type="difference")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
