"""What the sinks received: a few receivers inside the mock, kept in memory, by name."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

KEEP = 1000
MAX_SINKS = 1000


@dataclass
class Sink:
    requests: int = 0
    received: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=KEEP))


class Sinks:
    def __init__(self) -> None:
        self._sinks: dict[str, Sink] = {}

    def get(self, name: str) -> Sink:
        if name not in self._sinks:
            if len(self._sinks) >= MAX_SINKS:
                self._sinks.pop(next(iter(self._sinks)))  # forget the oldest
            self._sinks[name] = Sink()
        return self._sinks[name]

    def clear(self, name: str) -> None:
        self._sinks.pop(name, None)
