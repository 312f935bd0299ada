"""A change feed per merchant: a version that moves on every change of theirs, for the
live page (only a merchant's own changes reach their pages)."""

from __future__ import annotations

import asyncio
import secrets


class Changes:
    def __init__(self) -> None:
        self.boot = secrets.token_hex(4)  # versions start again with each server run
        self.closed = False
        self._versions: dict[str, int] = {}
        self._moved: dict[str, asyncio.Event] = {}  # replaced on every change: wakes every waiter

    def bump(self, owner: str) -> None:
        """Something of ``owner``'s changed (and is committed, or about to be)."""
        self._versions[owner] = self._versions.get(owner, 0) + 1
        moved = self._moved.pop(owner, None)
        if moved is not None:
            moved.set()

    def version(self, owner: str) -> int:
        return self._versions.get(owner, 0)

    def close(self) -> None:
        """The server is stopping: let every waiting stream end."""
        self.closed = True
        for moved in self._moved.values():
            moved.set()

    async def wait_past(self, owner: str, version: int, timeout: float) -> int:
        """Wait until ``owner``'s version is past ``version`` (or ``timeout`` seconds pass)."""
        while self.version(owner) <= version and not self.closed:
            moved = self._moved.setdefault(owner, asyncio.Event())
            try:
                await asyncio.wait_for(moved.wait(), timeout)
            except asyncio.TimeoutError:
                break
        return self.version(owner)
