"""Small facts about the server kept between runs, by key (simulated time, for one)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mockserver.store import Store


class Meta:
    def __init__(self, store: Store) -> None:
        self._store = store

    def get(self, key: str) -> str | None:
        row = self._store.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set(self, key: str, value: str) -> None:
        with self._store.tx() as c:
            c.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def delete(self, key: str) -> None:
        with self._store.tx() as c:
            c.execute("DELETE FROM meta WHERE key = ?", (key,))
