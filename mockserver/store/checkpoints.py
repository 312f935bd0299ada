"""WAL checkpoints on a thread of their own: copying the write-ahead log back into the
database takes milliseconds, and a request that happened to commit the thousandth page
used to wait for it (the slowest trigger-to-receiver times were exactly those)."""

from __future__ import annotations

import logging
import sqlite3
import threading

log = logging.getLogger("salesplay_mock")

INTERVAL = 0.25  # real seconds between checkpoints: the log stays a few megabytes at most


class Checkpoints:
    """Checkpoint the database at ``path`` every ``INTERVAL``, from a connection of its own
    (PASSIVE: it never waits for, nor holds up, the server's own connection). SQLite
    releases the GIL while it copies, so the event loop's thread runs on meanwhile."""

    def __init__(self, path: str) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(path,), name="salesplay-mock checkpoints",
                                        daemon=True)
        self._thread.start()

    def _run(self, path: str) -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            while not self._stop.wait(INTERVAL):
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                except sqlite3.Error as exc:  # the next one tries again; the log only grows meanwhile
                    log.warning("a WAL checkpoint of %s failed: %s", path, exc)
        finally:
            conn.close()

    def close(self) -> None:
        """Stop checkpointing; closing the server's connection last checkpoints what is left."""
        self._stop.set()
        self._thread.join(timeout=10)
