"""Faults on purpose for the REST API's read side, per merchant: whether a request is
refused by the rate limit, answered late, or answered with an error. Decisions draw from
a sequence seeded by the settings, in request order; the rate limit counts the requests
of each simulated minute on the merchant's clock."""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from typing import Any

from mockserver.domain.clock import Clock
from mockserver.domain.errors import InjectedError, RateLimited
from mockserver.domain.notices import Notices
from mockserver.rest.rest_faults import ApiFaultSettings
from mockserver.store import Store

WINDOW = 60.0  # simulated seconds


@dataclass(frozen=True)
class Verdict:
    delay: float = 0.0  # real seconds to hold the answer back
    error: InjectedError | None = None  # answer this instead, after the delay


class ApiFaults:
    def __init__(self, clock: Clock, store: Store, notices: Notices) -> None:
        self.clock, self.store, self.notices = clock, store, notices
        self._settings: dict[str, ApiFaultSettings] = {}
        self._rngs: dict[str, random.Random] = {}
        self._windows: dict[str, tuple[int, int]] = {}  # owner -> (minute, requests in it)

    def settings(self, owner: str) -> ApiFaultSettings:
        if owner not in self._settings:
            saved = self.store.meta.get(_key(owner))
            self._settings[owner] = ApiFaultSettings() if saved is None else ApiFaultSettings.from_json(json.loads(saved))
        return self._settings[owner]

    def configure(self, owner: str, data: dict[str, Any] | None) -> ApiFaultSettings:
        """Set a merchant's API faults (checked); None or ``{}``: none. The seed's sequence
        and the rate limit's count start again."""
        settings = ApiFaultSettings.from_json(data or {})
        if settings == ApiFaultSettings():
            self.store.meta.delete(_key(owner))
        else:
            self.store.meta.set(_key(owner), json.dumps(settings.to_json()))
        self.forget(owner)
        self._settings[owner] = settings
        self.notices.changed(owner)  # the page shows them
        return settings

    def forget(self, owner: str) -> None:
        for state in (self._settings, self._rngs, self._windows):
            state.pop(owner, None)

    def admit(self, owner: str) -> Verdict:
        """What happens to one read request of ``owner``'s; raises ``RateLimited`` if refused."""
        s = self.settings(owner)
        if not s.active:
            return Verdict()
        if s.rate_limit is not None:
            self._count(owner, s.rate_limit)
        rng = self._rngs.setdefault(owner, random.Random(s.seed))
        error = None
        if s.errors and rng.random() < s.errors:
            error = InjectedError(f"a {s.error_status} on purpose: this token's API faults answer "
                                  f"{s.errors:.0%} of requests with an error (GET /_mock/api-faults)",
                                  status=s.error_status)
        delay = s.slow_by if s.slow and rng.random() < s.slow else 0.0
        return Verdict(delay, error)

    def _count(self, owner: str, limit: int) -> None:
        now = self.clock.now(owner)
        minute = int(now // WINDOW)
        seen, count = self._windows.get(owner, (minute, 0))
        if seen != minute:
            count = 0
        if count >= limit:
            left = (minute + 1) * WINDOW - now  # simulated seconds
            if self.clock.runs_itself:
                left /= self.clock.scale
            wait = max(1, math.ceil(left))
            unit = "seconds" if self.clock.runs_itself else "simulated seconds (advance the clock)"
            raise RateLimited(f"more than {limit} requests in this simulated minute (this token's API faults); "
                              f"retry after {wait} {unit}", retry_after=wait, limit=limit)
        self._windows[owner] = (minute, count + 1)


def _key(owner: str) -> str:
    return f"api_faults:{owner}"
