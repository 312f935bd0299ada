"""The REST API's ledger: records a shop's world forgets (receipts past the recent ones,
goods received notes), each kept as its JSON body, listed in the order first seen."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mockserver.store import Store

Row = tuple[int, str]  # position in the ledger, JSON body


class ShopRecords:
    def __init__(self, store: Store) -> None:
        self._store = store

    def put(self, owner: str, records: Iterable[tuple[str, str, str, str]]) -> None:
        """Add or replace ``(kind, id, created_at, body)`` records; a replaced one keeps its place."""
        with self._store.tx() as c:
            c.executemany(
                "INSERT INTO shop_records (owner, kind, id, created_at, body) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (owner, kind, id) DO UPDATE SET body = excluded.body",
                [(owner, *record) for record in records],
            )

    def get(self, owner: str, kind: str, record_id: str) -> str | None:
        row = self._store.conn.execute(
            "SELECT body FROM shop_records WHERE owner = ? AND kind = ? AND id = ?", (owner, kind, record_id)
        ).fetchone()
        return None if row is None else str(row[0])

    def page(self, owner: str, kind: str, *, after: int, limit: int, equals: dict[str, str],
             created_min: str | None = None, created_max: str | None = None) -> list[Row]:
        """Up to ``limit`` records after position ``after``, oldest first; ``equals``: fields
        of the body that must have these values."""
        sql = "SELECT rowid, body FROM shop_records WHERE owner = ? AND kind = ? AND rowid > ?"
        args: list[object] = [owner, kind, after]
        if created_min is not None:
            sql += " AND created_at >= ?"
            args.append(created_min)
        if created_max is not None:
            sql += " AND created_at <= ?"
            args.append(created_max)
        for field, value in equals.items():
            sql += " AND json_extract(body, ?) = ?"
            args += ["$." + field, value]
        sql += " ORDER BY rowid LIMIT ?"
        args.append(limit)
        return [(int(r[0]), str(r[1])) for r in self._store.conn.execute(sql, args)]

    def trim(self, owner: str, kind: str, keep: int) -> int:
        """Forget all but the newest ``keep`` records of a kind; how many went."""
        with self._store.tx() as c:
            edge = c.execute(
                "SELECT rowid FROM shop_records WHERE owner = ? AND kind = ? ORDER BY rowid DESC LIMIT 1 OFFSET ?",
                (owner, kind, keep),
            ).fetchone()
            if edge is None:
                return 0
            gone = c.execute("DELETE FROM shop_records WHERE owner = ? AND kind = ? AND rowid <= ?",
                             (owner, kind, edge[0]))
            return gone.rowcount

    def forget_owner(self, owner: str) -> None:
        with self._store.tx() as c:
            c.execute("DELETE FROM shop_records WHERE owner = ?", (owner,))
