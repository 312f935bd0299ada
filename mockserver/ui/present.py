"""How the page shows things: times relative to the merchant's clock, outcomes in words,
and runs of identical attempts."""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus

from mockserver.domain.models import Attempt


def span(seconds: float) -> str:
    """A length of time in the unit that reads best: ``35 s``, ``14 min``, ``2.5 h``, ``3 d``."""
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
    return f"in {span(delta)}" if delta > 0 else f"{span(-delta)} ago"


def real_equivalent(t: float, now: float, scale: float, since: float | None = None) -> str | None:
    """On a compressed clock, the same moment in real time: ``about 3 min from now``. Not
    for a moment before ``since`` (this run's start): the server was stopped in between
    for a time the clock does not know."""
    if scale <= 1 or abs(t - now) < 1 or (since is not None and t < since):
        return None
    real = abs(t - now) / scale
    if real < 1:
        return "in under a second" if t > now else "under a second ago"
    return f"about {span(real)} from now" if t > now else f"about {span(real)} ago"


def outcome(status: int | None, error_kind: str | None, state: str) -> str:
    """An attempt's outcome in words: ``500 Internal Server Error``, ``timeout``."""
    if status is not None:
        try:
            return f"{status} {HTTPStatus(status).phrase}"
        except ValueError:
            return str(status)
    return error_kind or state


class Stretch:
    """Consecutive attempts, the first and the last at hand."""

    attempts: list[Attempt]

    @property
    def first(self) -> Attempt:
        return self.attempts[0]

    @property
    def last(self) -> Attempt:
        return self.attempts[-1]


@dataclass(frozen=True)
class Run(Stretch):
    """Consecutive attempts that came to the same thing."""

    attempts: list[Attempt]

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
