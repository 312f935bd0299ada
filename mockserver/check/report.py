"""What a check found: each exchange, each scenario's verdict with its reasons, the whole report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mockserver.domain.config import Config

STATUSES = ("pass", "warn", "fail", "skip")

# What SalesPlay does with a delivery that failed, in the words the report uses.
RETRIED = (f"retried up to {Config.max_attempts} times over {Config.retry_window / 3600:g} hours, "
           "then this webhook is disabled and gets no events until it is re-enabled")


@dataclass(frozen=True)
class Exchange:
    """One POST of the check and what came of it."""

    event_type: str
    sent: str  # what it carried, for people: "receipt 1-000004, 3 lines"
    size: int  # bytes of the body
    status: int | None  # the answer's status; None when there was no HTTP answer
    ms: float
    error_kind: str | None = None  # http_post's kinds: http_status, redirect, timeout, connection_refused...
    error: str | None = None
    answer: str = ""  # the start of the answer's body
    location: str | None = None  # where a redirect pointed

    @property
    def ok(self) -> bool:
        return self.error_kind is None and self.status is not None and 200 <= self.status < 300

    @property
    def answered(self) -> bool:
        """The receiver spoke HTTP (whatever the status)."""
        return self.status is not None

    def came_back(self) -> str:
        """The answer in a few words: ``200 in 4 ms``, ``timeout after 2 s``."""
        if self.status is None:
            return f"{self.error_kind} after {duration(self.ms)}"
        return f"{self.status} in {duration(self.ms)}"

    def to_json(self) -> dict[str, Any]:
        return {"event_type": self.event_type, "sent": self.sent, "bytes": self.size, "status": self.status,
                "ms": self.ms, "error_kind": self.error_kind, "error": self.error, "answer": self.answer,
                "location": self.location}


@dataclass(frozen=True)
class Latency:
    p50_ms: float
    p95_ms: float
    max_ms: float

    @classmethod
    def of(cls, times: list[float]) -> Latency:
        ranked = sorted(times)

        def rank(p: int) -> float:  # nearest rank: a time that was measured, never an average
            return ranked[max(0, -(-len(ranked) * p // 100) - 1)]

        return cls(rank(50), rank(95), ranked[-1])

    def __str__(self) -> str:
        return f"p50 {duration(self.p50_ms)}, p95 {duration(self.p95_ms)}, max {duration(self.max_ms)}"


@dataclass(frozen=True)
class Result:
    """One scenario's verdict: what was sent, what came back, and for anything but a pass,
    why, how to fix it, and what SalesPlay would do."""

    id: str
    title: str
    status: str  # pass | warn | fail | skip
    sent: str
    received: str
    reason: str | None = None
    kind: str | None = None  # the error kind behind a fail, "slow" behind a warn
    fix: str | None = None
    salesplay: str | None = None
    exchanges: tuple[Exchange, ...] = ()
    latency: Latency | None = None
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "status": self.status, "sent": self.sent,
                "received": self.received, "reason": self.reason, "kind": self.kind, "fix": self.fix,
                "salesplay": self.salesplay, "seconds": round(self.seconds, 3),
                "latency_ms": None if self.latency is None else {
                    "p50": self.latency.p50_ms, "p95": self.latency.p95_ms, "max": self.latency.max_ms},
                "exchanges": [e.to_json() for e in self.exchanges]}


@dataclass(frozen=True)
class Report:
    url: str
    seed: int
    events: tuple[str, ...]
    delivery_timeout: float
    started_at: str  # ISO 8601, UTC
    seconds: float
    results: tuple[Result, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """Nothing failed (warnings allowed): SalesPlay would keep this webhook enabled."""
        return not self.failures

    @property
    def failures(self) -> list[Result]:
        return [r for r in self.results if r.status == "fail"]

    @property
    def warnings(self) -> list[Result]:
        return [r for r in self.results if r.status == "warn"]

    def counts(self) -> dict[str, int]:
        return {s: sum(r.status == s for r in self.results) for s in STATUSES}

    def result(self, scenario_id: str) -> Result:
        """The result of one scenario, by its id (``duplicate_back_to_back``, ``burst``...)."""
        for r in self.results:
            if r.id == scenario_id:
                return r
        raise LookupError(f"no scenario {scenario_id!r} in this report; its scenarios are "
                          + ", ".join(r.id for r in self.results))

    def to_json(self) -> dict[str, Any]:
        return {"url": self.url, "seed": self.seed, "events": list(self.events),
                "delivery_timeout": self.delivery_timeout, "started_at": self.started_at,
                "seconds": round(self.seconds, 3), "ok": self.ok, "counts": self.counts(),
                "scenarios": [r.to_json() for r in self.results]}


def duration(ms: float) -> str:
    return f"{ms:.1f} ms" if ms < 10 else f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.1f} s"


def size(n: int) -> str:
    return f"{n} B" if n < 1000 else f"{n / 1000:.1f} KB" if n < 100_000 else f"{n / 1000:.0f} KB"
