"""Faults on purpose for the REST API's read side, as settings: a rate limit, slow answers
and a share of 5xx, seeded. Off by default; set per token, so a receiver's back-off (the
calls it makes to enrich an event) can be tested reproducibly."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from mockserver.domain.durations import parse_duration
from mockserver.domain.errors import InvalidField
from mockserver.domain.seeds import check_seed

ERROR_STATUSES = (500, 502, 503, 504)
MAX_SLOW_BY = 60.0  # real seconds: longer is a hang, which a client timeout tests as well


@dataclass(frozen=True)
class ApiFaultSettings:
    rate_limit: int | None = None  # requests per simulated minute; more are answered 429
    errors: float = 0.0  # share of requests answered with error_status
    error_status: int = 500
    slow: float = 0.0  # share of answers held back by slow_by
    slow_by: float = 2.0  # real seconds
    seed: int = 0

    @property
    def active(self) -> bool:
        return bool(self.rate_limit or self.errors or self.slow)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ApiFaultSettings:
        """Checked settings from an API body, a form or a stored row."""
        known = {f.name for f in fields(cls)}
        for key in data:
            if key not in known:
                raise InvalidField(f"unknown API fault setting {key!r}; use " + ", ".join(sorted(known)), field=key)
        values: dict[str, Any] = {}
        limit = data.get("rate_limit")
        if limit is not None:
            if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 1_000_000:
                raise InvalidField("'rate_limit' must be requests per simulated minute: a whole number from 1 "
                                   "to 1000000, or null for none", field="rate_limit")
            values["rate_limit"] = limit
        for name in ("errors", "slow"):
            if name in data:
                value = data[name]
                if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                    raise InvalidField(f"'{name}' is a share of requests: a number from 0 to 1", field=name)
                values[name] = float(value)
        if "error_status" in data:
            if data["error_status"] not in ERROR_STATUSES or isinstance(data["error_status"], bool):
                raise InvalidField("'error_status' must be one of " + ", ".join(map(str, ERROR_STATUSES)),
                                   field="error_status")
            values["error_status"] = data["error_status"]
        if "slow_by" in data:
            try:
                values["slow_by"] = parse_duration(data["slow_by"])
            except ValueError:
                values["slow_by"] = -1.0
            if not 0 < values["slow_by"] <= MAX_SLOW_BY:
                raise InvalidField(f"'slow_by' must be a duration above 0 and at most {MAX_SLOW_BY:g} s, "
                                   "such as 2 or '1500ms'", field="slow_by")
        if "seed" in data:
            values["seed"] = check_seed(data["seed"])
        return cls(**values)
