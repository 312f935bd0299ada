"""How the page shows things: times relative to the merchant's clock, outcomes in words,
runs of identical attempts, and the geometry of a delivery's timeline picture."""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus

from mockserver.models import Attempt, Delivery


def _span(seconds: float) -> str:
    if seconds < 60:
        return f"{round(seconds)} s"
    if seconds < 3600:
        return f"{round(seconds / 60)} min"
    if seconds <= 48 * 3600:  # the retry window reads best in hours
        return f"{seconds / 3600:.1f} h".replace(".0 h", " h")
    return f"{seconds / 86400:.1f} d".replace(".0 d", " d")


def relative(t: float, now: float) -> str:
    """``in 14 min``, ``3 h ago``, ``now``."""
    delta = t - now
    if abs(delta) < 1:
        return "now"
    return f"in {_span(delta)}" if delta > 0 else f"{_span(-delta)} ago"


def real_equivalent(t: float, now: float, scale: float, since: float | None = None) -> str | None:
    """On a compressed clock, the same moment in real time: ``about 3 min from now``. Not
    for a moment before ``since`` (this run's start): the server was stopped in between
    for a time the clock does not know."""
    if scale <= 1 or abs(t - now) < 1 or (since is not None and t < since):
        return None
    real = abs(t - now) / scale
    if real < 1:
        return "in under a second" if t > now else "under a second ago"
    return f"about {_span(real)} from now" if t > now else f"about {_span(real)} ago"


def outcome(status: int | None, error_kind: str | None, state: str) -> str:
    """An attempt's outcome in words: ``500 Internal Server Error``, ``timeout``."""
    if status is not None:
        try:
            return f"{status} {HTTPStatus(status).phrase}"
        except ValueError:
            return str(status)
    return error_kind or state


@dataclass(frozen=True)
class Run:
    """Consecutive attempts that came to the same thing."""

    attempts: list[Attempt]

    @property
    def first(self) -> Attempt:
        return self.attempts[0]

    @property
    def last(self) -> Attempt:
        return self.attempts[-1]

    @property
    def label(self) -> str:
        return outcome(self.first.response_status, self.first.error_kind, self.first.state)


def runs(attempts: list[Attempt]) -> list[Run]:
    out: list[list[Attempt]] = []
    for a in attempts:
        key = (a.state, a.response_status, a.error_kind)
        if out and (out[-1][-1].state, out[-1][-1].response_status, out[-1][-1].error_kind) == key:
            out[-1].append(a)
        else:
            out.append([a])
    return [Run(group) for group in out]


WIDTH = 1000.0  # the picture's coordinate width


@dataclass(frozen=True)
class Mark:
    x: float
    number: int
    state: str
    label: str
    started_at: float


@dataclass(frozen=True)
class Picture:
    """A delivery's attempts on its retry window: where each mark, tick and line goes."""

    marks: list[Mark]
    ticks: list[tuple[float, str]]
    deadline_x: float
    now_x: float | None
    disable_x: float | None  # if every attempt still to come fails, the webhook is disabled here
    disabled_x: float | None = None  # the delivery failed for good here, which disabled the webhook


def picture(delivery: Delivery, attempts: list[Attempt], now: float, disable_at: float | None) -> Picture:
    origin = attempts[0].scheduled_at if attempts else delivery.created_at
    span = max(delivery.deadline - origin, 1.0)

    def x(t: float) -> float:
        return round(max(0.0, min(WIDTH, WIDTH * (t - origin) / span)), 1)

    marks = [Mark(x(a.started_at), a.number, a.state, outcome(a.response_status, a.error_kind, a.state), a.started_at)
             for a in attempts]
    ticks = [(x(origin + span * k / 4), _span(span * k / 4) if k else "0") for k in range(5)]
    inside = origin <= now <= delivery.deadline
    # SalesPlay's rule: the last failure of a delivery (not of a sample POST) disables its webhook.
    disabled = attempts[-1].started_at if delivery.status == "failed" and delivery.kind != "sample" and attempts else None
    return Picture(marks, ticks, WIDTH, x(now) if inside else None, None if disable_at is None else x(disable_at),
                   None if disabled is None else x(disabled))
