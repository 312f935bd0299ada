"""Configuration: one frozen dataclass, built by tests directly or by the CLI from flags
and ``SALESPLAY_MOCK_*`` environment variables."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from mockserver.fault_settings import FaultSettings
from mockserver.schedule import Schedule

HOURS = 3600.0

# 48 simulated hours in 4 real minutes: the whole retry story fits in a coffee break.
DEFAULT_TIME_SCALE = 720.0


@dataclass(frozen=True)
class Config:
    host: str = "127.0.0.1"
    port: int = 8080
    db: str = "salesplay-mock.sqlite3"
    tokens: tuple[str, ...] = ()
    public_urls_only: bool = False
    max_body_bytes: int = 64 * 1024
    sink_memory: int = 64 * 1024 * 1024  # bytes the sinks' kept requests may take together

    clock: str = "scaled"
    time_scale: float = DEFAULT_TIME_SCALE
    clock_start: float | None = None

    max_attempts: int = 200
    retry_window: float = 48 * HOURS
    retry_jitter: bool = False
    delivery_timeout: float = 10.0
    max_in_flight: int = 64
    stop_grace: float = 5.0  # real seconds in-flight attempts get to finish on a clean stop
    mock_headers: bool = True
    verify: str = "report"
    response_body_limit: int = 64 * 1024
    keep_deliveries: int = 10_000
    deliver_only_to: tuple[str, ...] = ()  # host names; empty: any host

    seed: int = 1
    locale: str = "en_US"
    traffic: float = 0.0
    ui_token: str | None = None
    faults: FaultSettings = FaultSettings()

    def __post_init__(self) -> None:
        if self.clock not in ("scaled", "real", "manual"):
            raise ValueError(f"clock must be scaled, real or manual, not {self.clock!r}")
        if self.verify not in ("off", "report", "strict"):
            raise ValueError(f"verify must be off, report or strict, not {self.verify!r}")
        if not 1 <= self.max_attempts <= 1000:
            raise ValueError("max_attempts must be between 1 and 1000")
        if not 60 <= self.retry_window <= 30 * 24 * HOURS:
            raise ValueError("retry_window must be between 60 seconds and 30 days")
        if self.time_scale <= 0:
            raise ValueError("time_scale must be positive")
        if self.delivery_timeout <= 0:
            raise ValueError("delivery_timeout must be positive")
        if self.max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        if self.sink_memory < 0:
            raise ValueError("sink_memory must not be negative")
        if not 0 <= self.stop_grace <= 600:
            raise ValueError("stop_grace must be between 0 and 600 seconds")

    @cached_property
    def schedule(self) -> Schedule:
        return Schedule(self.max_attempts, self.retry_window, self.retry_jitter)
