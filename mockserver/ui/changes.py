"""A version number that moves on every committed change, for the live page."""

from __future__ import annotations

import asyncio


class Changes:
    def __init__(self) -> None:
        self.version = 0
        self.closed = False
        self._event = asyncio.Event()

    def close(self) -> None:
        """The server is stopping: let every waiting stream end."""
        self.closed = True
        self._event.set()

    def bump(self) -> None:
        self.version += 1
        self._event.set()

    async def wait_past(self, version: int, timeout: float) -> int:
        """Wait until the version is past ``version`` (or ``timeout`` seconds pass)."""
        while self.version <= version and not self.closed:
            self._event.clear()
            try:
                await asyncio.wait_for(self._event.wait(), timeout)
            except asyncio.TimeoutError:
                break
        return self.version
