"""What ``compare`` found: each difference once, with how often it was seen, where first,
and the line to change; grouped by area (an event type, the headers, the bodies, the retry
timeline), which is what a JUnit report makes a test case of."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal[
    "field_mock_lacks", "field_salesplay_lacks", "type", "format", "value", "event_type", "body",
    "header", "header_mock_lacks", "header_salesplay_lacks", "retry_gap", "retry_count", "resent",
]
LABELS: dict[str, str] = {
    "field_mock_lacks": "field the mock lacks", "field_salesplay_lacks": "field SalesPlay lacks",
    "type": "type", "format": "format", "value": "value", "event_type": "event type", "body": "body",
    "header": "header value", "header_mock_lacks": "header the mock lacks",
    "header_salesplay_lacks": "header SalesPlay lacks", "retry_gap": "retry gap", "retry_count": "retry count",
    "resent": "sent again",
}
HEADERS, BODIES, TIMELINE = "headers", "bodies", "retry timeline"


@dataclass(frozen=True)
class Finding:
    kind: Kind
    area: str  # an event type, HEADERS, BODIES or TIMELINE
    subject: str  # what differs, with list indexes as [*]: "$.receipts[*].total", "User-Agent"
    salesplay: str  # what SalesPlay sent (an example)
    mock: str  # what the mock does
    change: str  # the file and line to change, and how


@dataclass
class Group:
    finding: Finding
    first: str  # where it was seen first: "session.jsonl #3"
    count: int = 1

    def to_json(self) -> dict[str, Any]:
        f = self.finding
        return {"kind": f.kind, "area": f.area, "subject": f.subject, "salesplay": f.salesplay, "mock": f.mock,
                "change": f.change, "count": self.count, "first": self.first}


@dataclass
class Report:
    inputs: list[str]
    requests: int = 0
    types: Counter[str] = field(default_factory=Counter)  # requests per event type
    deliveries: int = 0  # deliveries seen on the timeline
    retried: int = 0  # of which retried at least once
    groups: dict[tuple[str, str, str, str], Group] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    areas: set[str] = field(default_factory=set)  # what was compared, differing or not

    def add(self, finding: Finding, where: str) -> None:
        key = (finding.kind, finding.area, finding.subject, finding.change)
        group = self.groups.get(key)
        if group is None:
            self.groups[key] = Group(finding, where)
        else:
            group.count += 1

    def note(self, text: str) -> None:
        if text not in self.notes and len(self.notes) < 100:
            self.notes.append(text)

    @property
    def ok(self) -> bool:
        return not self.groups

    def in_area(self, area: str) -> list[Group]:
        return [g for g in self.groups.values() if g.finding.area == area]

    def to_json(self) -> dict[str, Any]:
        return {"inputs": self.inputs, "requests": self.requests, "types": dict(sorted(self.types.items())),
                "deliveries": self.deliveries, "retried": self.retried, "ok": self.ok,
                "differences": [g.to_json() for g in self.groups.values()], "notes": self.notes}


def printable(text: str, limit: int = 120) -> str:
    """Text safe to print on a terminal: no control characters, one line, bounded."""
    clean = "".join(c if c.isprintable() else "?" for c in text)
    return clean if limit <= 0 or len(clean) <= limit else clean[:limit - 3] + "..."
