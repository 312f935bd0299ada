"""Each merchant's time on the manual clock, kept so a restart resumes it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mockserver.store import Store


class Clocks:
    def __init__(self, store: Store) -> None:
        self._store = store

    def load(self) -> dict[str, float]:
        return {str(owner): float(now) for owner, now in self._store.conn.execute("SELECT owner, now FROM clocks")}

    def save(self, owner: str, now: float) -> None:
        with self._store.tx() as c:
            c.execute(
                "INSERT INTO clocks (owner, now) VALUES (?, ?) ON CONFLICT (owner) DO UPDATE SET now = excluded.now",
                (owner, now),
            )

    def forget_owner(self, owner: str) -> None:
        """One merchant starts again from the clock's start."""
        with self._store.tx() as c:
            c.execute("DELETE FROM clocks WHERE owner = ?", (owner,))

    def clear(self) -> None:
        """Every merchant starts again from the clock's start."""
        with self._store.tx() as c:
            c.execute("DELETE FROM clocks")
