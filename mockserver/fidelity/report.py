"""What ``compare`` found: each difference once, with how often it was seen, where first,
and the line to change; grouped by area (an event type, the headers, the bodies, the retry
timeline), which is what a JUnit report makes a test case of. Each payload also gets two
verdicts: does it differ from what the mock sends (the strict schema), and does it break
what a receiver may rely on (the receiver schema, the stronger finding)."""

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
SchemaName = Literal["strict", "receiver"]
MAX_LISTED = 10_000  # payload verdicts kept for the JSON report; the counts cover every payload


@dataclass(frozen=True)
class Finding:
    kind: Kind
    area: str  # an event type, HEADERS, BODIES or TIMELINE
    subject: str  # what differs, with list indexes as [*]: "$.receipts[*].total", "User-Agent"
    salesplay: str  # what SalesPlay sent (an example)
    mock: str  # what the mock does
    change: str  # the file and line to change, and how
    schema: SchemaName | None = None  # the mock's schema a payload broke; None: not a rule of a schema


@dataclass(frozen=True)
class PayloadVerdict:
    """One payload: the places it differs from the strict schema, and those where it breaks
    the receiver schema (None: not checked, its type has no schema)."""

    where: str
    type: str | None
    strict: tuple[str, ...]
    receiver: tuple[str, ...] | None

    def to_json(self) -> dict[str, Any]:
        receiver = None if self.receiver is None else "breaks" if self.receiver else "meets"
        return {"where": self.where, "type": self.type, "strict": "differs" if self.strict else "same",
                "receiver": receiver, "receiver_breaks": list(self.receiver or ())}


@dataclass
class Group:
    finding: Finding
    first: str  # where it was seen first: "session.jsonl #3"
    count: int = 1

    def to_json(self) -> dict[str, Any]:
        f = self.finding
        return {"kind": f.kind, "area": f.area, "schema": f.schema, "subject": f.subject, "salesplay": f.salesplay,
                "mock": f.mock, "change": f.change, "count": self.count, "first": self.first}


@dataclass
class FidelityReport:
    inputs: list[str]
    requests: int = 0
    types: Counter[str] = field(default_factory=Counter)  # requests per event type
    deliveries: int = 0  # deliveries seen on the timeline
    retried: int = 0  # of which retried at least once
    groups: dict[tuple[str, ...], Group] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    areas: set[str] = field(default_factory=set)  # what was compared, differing or not
    checked: Counter[str] = field(default_factory=Counter)  # payloads per type checked against both schemas
    differing: Counter[str] = field(default_factory=Counter)  # of which differ from the strict schema
    breaking: Counter[str] = field(default_factory=Counter)  # of which break the receiver schema
    verdicts: list[PayloadVerdict] = field(default_factory=list)  # the first MAX_LISTED payloads'

    def add(self, finding: Finding, where: str) -> None:
        key = (finding.kind, finding.area, finding.subject, finding.change, finding.schema or "")
        group = self.groups.get(key)
        if group is None:
            self.groups[key] = Group(finding, where)
        else:
            group.count += 1

    def judge(self, verdict: PayloadVerdict) -> None:
        if verdict.receiver is not None and verdict.type is not None:
            self.checked[verdict.type] += 1
            if verdict.strict:
                self.differing[verdict.type] += 1
            if verdict.receiver:
                self.breaking[verdict.type] += 1
        if len(self.verdicts) < MAX_LISTED:
            self.verdicts.append(verdict)
        else:
            self.note(f"the JSON report lists the verdicts of the first {MAX_LISTED} payloads; the counts cover all")

    def note(self, text: str) -> None:
        if text not in self.notes and len(self.notes) < 100:
            self.notes.append(text)

    @property
    def ok(self) -> bool:
        return not self.groups

    @property
    def receiver_ok(self) -> bool:
        """No payload breaks the receiver schema (it may still differ from what the mock sends)."""
        return not any(self.breaking.values())

    def in_area(self, area: str) -> list[Group]:
        return [g for g in self.groups.values() if g.finding.area == area]

    def to_json(self) -> dict[str, Any]:
        schemas = {t: {"payloads": n, "strict_differs": self.differing[t], "receiver_breaks": self.breaking[t]}
                   for t, n in sorted(self.checked.items())}
        return {"inputs": self.inputs, "requests": self.requests, "types": dict(sorted(self.types.items())),
                "deliveries": self.deliveries, "retried": self.retried, "ok": self.ok, "receiver_ok": self.receiver_ok,
                "schemas": schemas, "differences": [g.to_json() for g in self.groups.values()],
                "payloads": [v.to_json() for v in self.verdicts], "notes": self.notes}


def printable(text: str, limit: int = 120) -> str:
    """Text safe to print on a terminal: no control characters, one line, bounded."""
    clean = "".join(c if c.isprintable() else "?" for c in text)
    return clean if limit <= 0 or len(clean) <= limit else clean[:limit - 3] + "..."
