"""What a running server is made of: the store, opened at start-up, and the engine and
service, wired in the background once the server answers (so /healthz answers at once)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mockserver.engine import Engine
    from mockserver.server.traffic import TrafficStatus
    from mockserver.service import Service
    from mockserver.store import Store


@dataclass
class Running:
    store: Store | None = None
    service: Service | None = None
    engine: Engine | None = None
    traffic: TrafficStatus | None = None
    templates: Any = None  # the page's jinja2 environment, made at its first use
    stop: Callable[[], Awaitable[None]] | None = None  # undoes the wiring
    failure: BaseException | None = None  # the wiring failed: nothing but /healthz answers
    booted: asyncio.Event = field(default_factory=asyncio.Event)
    release_asked: bool = False  # the server listens: deliveries may start once wired

    def ping(self) -> None:
        """The database answers (raises if it does not)."""
        if self.store is not None:
            self.store.ping()

    def release(self) -> None:
        """Deliveries may start (the server listens): now, or as soon as the engine is wired."""
        self.release_asked = True
        if self.engine is not None:
            self.engine.scheduler.release()
