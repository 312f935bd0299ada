"""What happens on the wire and in time: the scheduler (due work, slots, wake-ups), one
attempt and its record, the HTTP POST, faults on purpose, and time kept between runs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for the types only: the parts import this package (engine.tasks) themselves
    from mockserver.domain.clock import Clock
    from mockserver.engine.scheduler import Scheduler
    from mockserver.store import Store


@dataclass(frozen=True)
class Engine:
    """The running engine's parts, for the wiring that stops it (and for tests and
    benchmarks that look inside); adapters go through the service."""

    clock: Clock
    store: Store
    scheduler: Scheduler
