"""Each merchant's simulated shop, saved as JSON so a restart goes on with the same shop."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mockserver.store import Store


class ShopStates:
    def __init__(self, store: Store) -> None:
        self._store = store

    def load(self, owner: str) -> str | None:
        row = self._store.conn.execute("SELECT state FROM shops WHERE owner = ?", (owner,)).fetchone()
        return None if row is None else str(row[0])

    def save(self, owner: str, state: str) -> None:
        with self._store.tx() as c:
            c.execute(
                "INSERT INTO shops (owner, state) VALUES (?, ?) ON CONFLICT (owner) DO UPDATE SET state = excluded.state",
                (owner, state),
            )

    def forget_owner(self, owner: str) -> None:
        with self._store.tx() as c:
            c.execute("DELETE FROM shops WHERE owner = ?", (owner,))
