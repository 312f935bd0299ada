"""A delivery's timeline picture: its attempts on the retry window, where each mark, tick
and line goes, in percent of the window's width (the picture is drawn at the page's width,
its text at its own size, so it reads as well on a phone as on a laptop).

Attempts closer together than a finger's width are one mark, a group with its count: the
first retries come seconds apart, and 200 marks at 390 px would be one bar. A phone gets
coarser groups than a laptop (both are drawn; the page's style shows the one that fits)."""

from __future__ import annotations

from dataclasses import dataclass, field

from mockserver.domain.models import Attempt, Delivery
from mockserver.ui.present import Stretch, outcome, span

FINE, COARSE = 3.5, 8.0  # the least distance between two marks, in percent: 24 px at 690 px and at 300 px


@dataclass
class Mark(Stretch):
    """One attempt, or a group of attempts of one state close together."""

    x: float
    state: str
    attempts: list[Attempt] = field(default_factory=list)

    def label(self, origin: float) -> str:
        """What the mark is, in words (its accessible name and its hover)."""
        at = f"+{span(self.first.started_at - origin)}"
        if len(self.attempts) == 1:
            a = self.first
            return f"attempt {a.number}: {outcome(a.response_status, a.error_kind, a.state)}, at {at}"
        until = f"+{span(self.last.started_at - origin)}"
        # The count comes first: it is what the mark shows, and its name says what it shows.
        return (f"{len(self.attempts)} attempts, {self.first.number} to {self.last.number}: {self.state}, "
                f"from {at} to {until}")


@dataclass(frozen=True)
class Picture:
    """A delivery's attempts on its retry window, in percent of the width."""

    origin: float  # the first attempt's moment (or the delivery's making): 0 on the axis
    fine: list[Mark]  # the marks at a laptop's width
    coarse: list[Mark]  # at a phone's
    ticks: list[tuple[float, str]]
    now_x: float | None
    disable_x: float | None  # if every attempt still to come fails, the webhook is disabled here
    disabled_x: float | None = None  # the delivery failed for good here, which disabled the webhook

    @property
    def states(self) -> set[str]:
        return {m.state for m in self.fine}

    @property
    def has_groups(self) -> bool:
        return any(len(m.attempts) > 1 for m in self.coarse)


def grouped(attempts: list[Attempt], where: list[float], gap: float) -> list[Mark]:
    """Attempts at ``where`` (percent), as marks at least ``gap`` apart: an attempt within
    ``gap`` of the mark before, and of its state, joins it; a mark of another state that
    comes too close is moved right, and all are kept inside the picture."""
    marks: list[Mark] = []
    for a, x in zip(attempts, where):
        if marks and marks[-1].state == a.state and x - marks[-1].x < gap:
            marks[-1].attempts.append(a)
        else:
            marks.append(Mark(x, a.state, [a]))
    for before, mark in zip(marks, marks[1:]):
        mark.x = max(mark.x, before.x + gap)
    for i in range(len(marks) - 1, -1, -1):  # and back from the right edge
        room = 100.0 if i == len(marks) - 1 else marks[i + 1].x - gap
        marks[i].x = round(max(0.0, min(marks[i].x, room)), 2)
    return marks


def picture(delivery: Delivery, attempts: list[Attempt], now: float, disable_at: float | None) -> Picture:
    origin = attempts[0].scheduled_at if attempts else delivery.created_at
    width = max(delivery.deadline - origin, 1.0)

    def x(t: float) -> float:
        return round(max(0.0, min(100.0, 100 * (t - origin) / width)), 2)

    where = [x(a.started_at) for a in attempts]
    ticks = [(25.0 * k, span(width * k / 4) if k else "0") for k in range(5)]
    inside = origin <= now <= delivery.deadline
    # SalesPlay's rule: the last failure of a delivery (not of a sample POST) disables its webhook.
    disabled = attempts[-1].started_at if delivery.status == "failed" and delivery.kind != "sample" and attempts else None
    return Picture(origin, grouped(attempts, where, FINE), grouped(attempts, where, COARSE), ticks,
                   x(now) if inside else None, None if disable_at is None else x(disable_at),
                   None if disabled is None else x(disabled))
