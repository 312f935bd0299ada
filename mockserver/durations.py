"""Durations as people write them: ``90``, ``90s``, ``15m``, ``48h``, ``2d``, ``1h30m``."""

from __future__ import annotations

import re

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")


def parse_duration(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError("a duration is a number of seconds or text such as '90s', '48h'")
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
