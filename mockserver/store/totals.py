"""Counts of a merchant's events and deliveries, grouped by type, kind and status: one
grouped query per table, over what the database keeps."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mockserver.store import Store

Row = tuple[dict[str, str], int]  # the group's labels, and how many are in it


class Totals:
    def __init__(self, store: Store) -> None:
        self._store = store

    @property
    def _c(self) -> sqlite3.Connection:
        return self._store.conn

    def events(self, owner: str) -> list[Row]:
        """(``type``, ``kind``) groups of the merchant's events."""
        rows = self._c.execute("SELECT type, kind, COUNT(*) AS n FROM events WHERE owner = ? GROUP BY type, kind",
                               (owner,))
        return [({"type": r["type"], "kind": r["kind"]}, r["n"]) for r in rows]

    def deliveries(self, owner: str) -> list[Row]:
        """(``type``, ``kind``, ``status``) groups of the merchant's deliveries."""
        rows = self._c.execute("SELECT event_type, kind, status, COUNT(*) AS n FROM deliveries WHERE owner = ? "
                               "GROUP BY event_type, kind, status", (owner,))
        return [({"type": r["event_type"], "kind": r["kind"], "status": r["status"]}, r["n"]) for r in rows]
