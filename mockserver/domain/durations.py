"""Times as people write them and read them: durations (``90``, ``90s``, ``15m``, ``48h``,
``2d``, ``1h30m``), instants (ISO 8601), and durations shown back (``1h02m05s``)."""

from __future__ import annotations

import re
from datetime import datetime, timezone

# How far one advance may move a clock: far enough for any retry story, near enough that
# every time stays a date (a clock in year 10000 cannot be shown or stored).
MAX_AHEAD = 10 * 366 * 86400.0
LATEST = 253402300799.0 - MAX_AHEAD  # 9999-12-31 23:59:59 UTC, less the longest advance: 9989-12-23
LATEST_TEXT = "9989-12-23T23:59:59Z"

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")


def parse_duration(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError("a duration is a number of seconds or text such as '90s', '48h'")
    if isinstance(value, int) and abs(value) > 2**53:  # float() of a 400-digit number overflows
        raise ValueError(f"{value!r} is not a duration: it is far too long")
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        text = value.strip().lower().replace(" ", "")
        try:
            seconds = float(text)
        except ValueError:
            parts = _PART.findall(text)
            if not parts or "".join(n + u for n, u in parts) != text:
                raise ValueError(
                    f"{value!r} is not a duration; write seconds (90) or 90s, 15m, 48h, 2d, 1h30m"
                ) from None
            seconds = sum(float(n) * _UNITS[u] for n, u in parts)
    if seconds < 0 or seconds != seconds or seconds == float("inf"):
        raise ValueError(f"{value!r} is not a duration: it must be a finite, non-negative time")
    return seconds


def parse_instant(value: object) -> float:
    """An ISO 8601 time (``2025-07-01T12:00:00Z``; no zone means UTC) as epoch seconds."""
    if not isinstance(value, str):
        raise ValueError("a time is ISO 8601 text such as 2025-07-01T12:00:00Z")
    try:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 time such as 2025-07-01T12:00:00Z") from None
    return (stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)).timestamp()


def human(seconds: float) -> str:
    """A duration for people: ``45s``, ``14m00s``, ``44h55m15s``."""
    seconds = round(seconds)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    if h:
        return f"{h}h{m:02d}m{s:02d}s"
    if m:
        return f"{m}m{s:02d}s"
    return f"{s}s"


def compact(seconds: float) -> str:
    """A duration as a flag is written: only the parts there are (``48h``, ``1h30m``, ``1m40s``)."""
    h, rest = divmod(round(seconds), 3600)
    m, s = divmod(rest, 60)
    return "".join(f"{n}{unit}" for n, unit in ((h, "h"), (m, "m"), (s, "s")) if n) or "0s"
