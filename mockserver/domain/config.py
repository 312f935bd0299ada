"""Configuration: one frozen dataclass, built by tests directly or by the CLI from flags
and ``SALESPLAY_MOCK_*`` environment variables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cached_property

from mockserver.domain.durations import LATEST, LATEST_TEXT
from mockserver.domain.fault_settings import FaultSettings
from mockserver.domain.schedule import Schedule
from mockserver.domain.seeds import MAX_SEED, SEED_RULE
from mockserver.domain.tokens import well_formed

HOURS = 3600.0

# 48 simulated hours in 4 real minutes: the whole retry story fits in a coffee break.
DEFAULT_TIME_SCALE = 720.0

MAX_TIME_SCALE = 100_000.0  # 48 hours in under 2 real seconds; far past what a receiver test needs
MAX_TRAFFIC = 100_000.0  # events per simulated minute --traffic may ask for
_TOKEN_RULE = "must be printable ASCII characters without spaces (what an Authorization: Bearer header can carry)"


class InvalidSetting(ValueError):
    """A setting out of its range. ``name`` is the field: each adapter names it its own way
    (a flag, an environment variable, an ini key)."""

    def __init__(self, name: str, rule: str, value: object) -> None:
        super().__init__(f"{name} {rule}, not {value!r}")
        self.name, self.rule = name, rule


def _date(t: float) -> str:
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Config:
    host: str = "127.0.0.1"
    port: int = 8080
    db: str = "salesplay-mock.sqlite3"
    tokens: tuple[str, ...] = ()
    public_urls_only: bool = False
    strict: bool = False  # refuse a webhook that repeats another's URL and event type, rather than warn
    max_body_bytes: int = 64 * 1024
    sink_memory: int = 64 * 1024 * 1024  # bytes the sinks' kept requests may take together

    clock: str = "scaled"
    loop: str = "auto"  # the event loop: auto (uvloop when installed), asyncio or uvloop
    time_scale: float = DEFAULT_TIME_SCALE
    clock_start: float | None = None

    max_attempts: int = 200
    retry_window: float = 48 * HOURS
    retry_jitter: bool = False
    delivery_timeout: float = 10.0
    max_in_flight: int = 64
    one_at_a_time: bool = False  # at most one attempt under way per webhook
    stop_grace: float = 5.0  # real seconds in-flight attempts get to finish on a clean stop
    mock_headers: bool = True
    verify: str = "report"
    sample_from: str = "separate"  # the sample POST's records: a shop of its own, or the merchant's ("shop")
    response_body_limit: int = 64 * 1024
    keep_deliveries: int = 10_000
    attempt_log_size: int = 256 * 1024 * 1024  # bytes of answers (bodies and headers) the attempt log keeps
    keep_shops: int = 500  # simulated shops kept in memory; others are read back from the database
    max_webhooks: int = 100  # webhooks one token may have
    max_deliveries_per_request: int = 10_000  # deliveries one trigger (or redelivery) may make
    deliver_only_to: tuple[str, ...] = ()  # host names; empty: any host

    seed: int = 1
    locale: str = "en_US"
    traffic: float = 0.0
    ui_token: str | None = None
    faults: FaultSettings = FaultSettings()
    ready_file: str = ""  # serve writes its ready line here too, once it answers; empty: no file

    def __post_init__(self) -> None:
        for name, ok, rule in (
            ("port", 0 <= self.port <= 65535, "must be from 1 to 65535 (0: any free port)"),
            ("clock", self.clock in ("scaled", "real", "manual"), "must be scaled, real or manual"),
            ("loop", self.loop in ("auto", "asyncio", "uvloop"), "must be auto, asyncio or uvloop"),
            ("verify", self.verify in ("off", "report", "strict"), "must be off, report or strict"),
            ("sample_from", self.sample_from in ("separate", "shop"), "must be separate or shop"),
            ("max_attempts", 1 <= self.max_attempts <= 1000, "must be from 1 to 1000"),
            ("retry_window", 60 <= self.retry_window <= 30 * 24 * HOURS, "must be from 60 seconds to 30 days"),
            ("time_scale", 0 < self.time_scale <= MAX_TIME_SCALE, f"must be more than 0 and at most {MAX_TIME_SCALE:,.0f}"),
            # Room for a whole retry window before the last date a clock can show.
            ("clock_start", self.clock_start is None or 0 <= self.clock_start <= LATEST - self.retry_window,
             f"must be from 1970-01-01T00:00:00Z to {_date(LATEST - min(self.retry_window, 30 * 24 * HOURS))} "
             f"({LATEST_TEXT} less the --retry-window)"),
            ("delivery_timeout", 0 < self.delivery_timeout <= 3600, "must be more than 0 and at most 3600 seconds"),
            ("seed", 0 <= self.seed <= MAX_SEED, f"must be {SEED_RULE}"),
            ("max_in_flight", self.max_in_flight >= 1, "must be at least 1"),
            ("sink_memory", self.sink_memory >= 0, "must be 0 or more bytes"),
            ("stop_grace", 0 <= self.stop_grace <= 600, "must be from 0 to 600 seconds"),
            ("keep_deliveries", self.keep_deliveries >= 0, "must be 0 or more"),
            ("attempt_log_size", self.attempt_log_size >= 0, "must be 0 or more bytes"),
            ("keep_shops", self.keep_shops >= 1, "must be at least 1"),
            ("max_webhooks", self.max_webhooks >= 1, "must be at least 1"),
            ("max_deliveries_per_request", self.max_deliveries_per_request >= 1, "must be at least 1"),
            ("traffic", 0 <= self.traffic <= MAX_TRAFFIC,
             f"must be 0 (off) to {MAX_TRAFFIC:,.0f} events per simulated minute"),
            ("tokens", all(well_formed(t) for t in self.tokens),
             _TOKEN_RULE),
            ("ui_token", self.ui_token is None or well_formed(self.ui_token),
             _TOKEN_RULE),
            ("ui_token", self.ui_token is None or not self.tokens or self.ui_token in self.tokens,
             "must be one of the accepted tokens (--token) when they are limited"),
        ):
            if not ok:
                raise InvalidSetting(name, rule, getattr(self, name))

    @cached_property
    def schedule(self) -> Schedule:
        return Schedule(self.max_attempts, self.retry_window, self.retry_jitter)
