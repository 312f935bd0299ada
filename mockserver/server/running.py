"""What a running server is made of: its store, opened at start-up, and the parts the
wiring makes in the background once the server answers (so /healthz answers at once)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mockserver.engine import Engine
    from mockserver.server.traffic import TrafficStatus
    from mockserver.service import Service
    from mockserver.store import Store


@dataclass(frozen=True)
class Parts:
    """What the wiring made, all at once: a server is never half wired."""

    service: Service
    engine: Engine
    traffic: TrafficStatus | None  # with --traffic only
    stop: Callable[[], Awaitable[None]]  # undoes the wiring


class Running:
    """A server from start-up to stop: wiring (``booted`` not set yet), then wired, or failed."""

    def __init__(self, store: Store, *, hold: bool) -> None:
        self.store = store
        self.booted = asyncio.Event()
        self.failure: BaseException | None = None  # the wiring failed: nothing but /healthz answers
        self._parts: Parts | None = None
        self._released = not hold  # deliveries may start (the server listens)

    @property
    def parts(self) -> Parts:
        """The wired parts; requests reach them only once wired (they wait at the door)."""
        if self._parts is None:
            raise RuntimeError("the server is still starting" if self.failure is None else "the server failed to start")
        return self._parts

    @property
    def ready(self) -> bool:
        return self._parts is not None

    def ping(self) -> None:
        """The database answers (raises if it does not)."""
        self.store.ping()

    def wired(self, parts: Parts) -> None:
        """The wiring is done; its scheduler was started held, and is let go if the server listens."""
        self._parts = parts
        if self._released:
            parts.engine.scheduler.release()
        self.booted.set()

    def failed(self, exc: BaseException) -> None:
        self.failure = exc
        self.booted.set()

    def release(self) -> None:
        """Deliveries may start (the server listens): now, or as soon as the engine is wired."""
        self._released = True
        if self._parts is not None:
            self._parts.engine.scheduler.release()

    async def stop(self) -> None:
        """Undo the wiring, if it was done."""
        if self._parts is not None:
            await self._parts.stop()
