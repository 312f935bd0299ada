"""Faults on purpose, as settings: duplicates, reordering, delays and outage bursts, seeded.

Real senders deliver some events twice, related events out of order, late, and after an
outage all at once. These settings make the mock do the same, reproducibly: every
decision draws from a ``random.Random`` seeded by the settings' seed, in publishing
order, so the same seed and the same test give the same faults. All are off by default:
a plain run is exactly SalesPlay's behaviour.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from mockserver.domain.durations import LATEST, LATEST_TEXT, parse_duration
from mockserver.domain.errors import InvalidField
from mockserver.domain.seeds import check_seed

DUPLICATE_MODES = ("back_to_back", "concurrent", "after_success")
MAX_DURATION = 30 * 86400.0  # the longest delay, wait or outage a setting may name: 30 days
LATEST_START = LATEST  # an outage's absolute start: a time a clock can show
RATES = (0.001, 10_000.0)  # an outage's burst, deliveries per simulated second


@dataclass(frozen=True)
class Outage:
    """Deliveries to the webhook are held from ``start`` for ``duration`` simulated
    seconds, then released as a burst of ``rate`` deliveries per simulated second."""

    start: float
    duration: float
    rate: float

    @property
    def end(self) -> float:
        return self.start + self.duration

    def covers(self, when: float) -> bool:
        return self.start <= when < self.end


@dataclass(frozen=True)
class FaultSettings:
    duplicate: float = 0.0  # probability that a delivery is sent twice
    duplicate_mode: str = "back_to_back"
    duplicate_delay: float = 60.0  # after_success: how long after the success
    reorder: float = 0.0  # probability that a group's events go in the opposite order
    delay: float = 0.0  # probability that a first attempt is held back
    delay_min: float = 0.0
    delay_max: float = 60.0
    outage: Outage | None = None
    seed: int = 0

    @property
    def active(self) -> bool:
        return bool(self.duplicate or self.reorder or self.delay or self.outage)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any], *, now: float) -> FaultSettings:
        """Checked settings from an API body or a stored row. An outage's ``start`` may be
        a duration from ``now`` (``"in": "5m"``) or an absolute epoch (``start``)."""
        known = {f.name for f in fields(cls)}
        for key in data:
            if key not in known:
                raise InvalidField(f"unknown fault setting {key!r}; use " + ", ".join(sorted(known)), field=key)
        values: dict[str, Any] = {}
        for name in ("duplicate", "reorder", "delay"):
            if name in data:
                values[name] = _probability(data[name], name)
        for name in ("duplicate_delay", "delay_min", "delay_max"):
            if name in data:
                values[name] = _duration(data[name], name)
        if "duplicate_mode" in data:
            if data["duplicate_mode"] not in DUPLICATE_MODES:
                raise InvalidField("'duplicate_mode' must be one of " + ", ".join(DUPLICATE_MODES),
                                   field="duplicate_mode")
            values["duplicate_mode"] = data["duplicate_mode"]
        if "seed" in data:
            values["seed"] = check_seed(data["seed"])
        if data.get("outage") is not None:
            values["outage"] = _outage(data["outage"], now)
        settings = cls(**values)
        if settings.delay_min > settings.delay_max:
            raise InvalidField("'delay_min' must not be more than 'delay_max'", field="delay_min")
        return settings

    @classmethod
    def parse(cls, spec: str, *, now: float) -> FaultSettings:
        """The ``--faults`` form: ``duplicate=0.2,duplicate_mode=concurrent,delay=0.5,delay_max=5m``;
        an outage as ``outage=IN+FOR@RATE``, e.g. ``outage=10m+30m@5``."""
        data: dict[str, Any] = {}
        for part in filter(None, (p.strip() for p in spec.split(","))):
            key, sep, value = part.partition("=")
            if not sep:
                raise ValueError(f"{part!r} is not key=value")
            key = key.strip()
            if key == "outage":
                when, _, rest = value.partition("+")
                length, _, rate = rest.partition("@")
                data[key] = {"in": when, "duration": length, "rate": _number(rate or "1", "outage rate", float)}
            elif key in ("duplicate_mode",):
                data[key] = value.strip()
            elif key == "seed":
                data[key] = _number(value, key, int)
            else:
                data[key] = _number(value, key, float) if key in ("duplicate", "reorder", "delay") else value.strip()
        try:
            return cls.from_json(data, now=now)
        except InvalidField as exc:
            raise ValueError(exc.message) from None


def _number(text: str, name: str, kind: type[int] | type[float]) -> float:
    try:
        return kind(text.strip())
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise ValueError(f"{name}={text.strip()!r}: it must be {what}") from None


def _probability(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise InvalidField(f"'{name}' is a probability: a number from 0 to 1", field=name)
    return float(value)


def _duration(value: object, name: str) -> float:
    try:
        seconds = parse_duration(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= MAX_DURATION:
        raise InvalidField(f"'{name}' must be a duration such as 30, '90s', '5m', at most 30 days",
                           field=name)
    return seconds


def _outage(value: object, now: float) -> Outage:
    if isinstance(value, Outage):
        return value
    if not isinstance(value, dict):
        raise InvalidField("'outage' must be an object with duration, rate and in or start", field="outage")
    unknown = set(value) - {"in", "start", "duration", "rate"}
    if unknown:
        raise InvalidField(f"unknown outage setting {sorted(unknown)[0]!r}", field="outage")
    if "start" in value:
        start = value["start"]
        if isinstance(start, bool) or not isinstance(start, (int, float)) or not 0 <= start <= LATEST_START:
            raise InvalidField(f"'outage.start' must be an epoch time in seconds, from 0 to {LATEST_START:.0f} "
                               f"({LATEST_TEXT})", field="outage.start")
    else:
        start = now + _duration(value.get("in", 0), "outage.in")
    duration = _duration(value.get("duration"), "outage.duration")
    rate = value.get("rate", 1)
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not RATES[0] <= rate <= RATES[1]:
        raise InvalidField(f"'outage.rate' must be deliveries per simulated second, from {RATES[0]:g} to "
                           f"{RATES[1]:g}", field="outage.rate")
    if duration <= 0:
        raise InvalidField("'outage.duration' must be more than 0", field="outage.duration")
    return Outage(float(start), duration, float(rate))
