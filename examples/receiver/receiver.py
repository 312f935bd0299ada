"""A small SalesPlay webhook receiver: keeps receipts and stock levels, idempotently.

Standard library only. It answers 200 once an event is stored, and 500 while its
database is "down", so SalesPlay (or salesplay-mock) retries. The same event delivered
twice is stored once: receipts are keyed by receipt id and only a newer ``updated_at``
replaces one; stock levels by shop and product, newest event wins.

``python receiver.py [PORT]`` serves it until stopped, and prints its URL first.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Ledger:
    def __init__(self) -> None:
        self.db = sqlite3.connect(":memory:", check_same_thread=False)
        self.lock = threading.Lock()
        self.down = False
        self.db.executescript(
            """
            CREATE TABLE seen (digest TEXT PRIMARY KEY);
            CREATE TABLE receipts (receipt_id TEXT PRIMARY KEY, number TEXT, status TEXT,
                                   total REAL, updated_at TEXT);
            CREATE TABLE stock (shop_id TEXT, product_id TEXT, in_stock INTEGER, as_of TEXT,
                                PRIMARY KEY (shop_id, product_id));
            """
        )

    def store(self, raw: bytes) -> bool:
        """Store one event; False when it was seen before (a duplicate, stored once)."""
        if self.down:
            raise ConnectionError("the ledger database is down")
        event: dict[str, Any] = json.loads(raw)
        digest = hashlib.sha256(raw).hexdigest()
        with self.lock, self.db:
            if self.db.execute("SELECT 1 FROM seen WHERE digest = ?", (digest,)).fetchone():
                return False
            self.db.execute("INSERT INTO seen VALUES (?)", (digest,))
            for r in event.get("receipts", []):
                self.db.execute(
                    "INSERT INTO receipts VALUES (?, ?, ?, ?, ?) ON CONFLICT (receipt_id) DO UPDATE SET "
                    "status = excluded.status, total = excluded.total, updated_at = excluded.updated_at "
                    "WHERE excluded.updated_at >= receipts.updated_at",
                    (r["receipt_id"], r["receipt_number"], r["status"], r["total"], r["updated_at"]),
                )
            for level in event.get("inventory_levels", []):
                self.db.execute(
                    "INSERT INTO stock VALUES (?, ?, ?, ?) ON CONFLICT (shop_id, product_id) DO UPDATE SET "
                    "in_stock = excluded.in_stock, as_of = excluded.as_of WHERE excluded.as_of >= stock.as_of",
                    (level["shop_id"], level["product_id"], level["in_stock"], event["created_at"]),
                )
        return True

    def receipts(self) -> list[tuple[Any, ...]]:
        with self.lock:
            return self.db.execute("SELECT receipt_id, number, status, total FROM receipts").fetchall()

    def stock(self) -> dict[tuple[str, str], int]:
        with self.lock:
            return {(s, p): n for s, p, n in self.db.execute("SELECT shop_id, product_id, in_stock FROM stock")}


def make_handler(ledger: Ledger) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            try:
                ledger.store(raw)
                status = 200
            except ConnectionError:
                status = 500
            except (ValueError, KeyError):
                status = 400
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            pass

    return Handler


class Server(ThreadingHTTPServer):
    # SalesPlay may deliver a backlog all at once. With http.server's listen queue of 5,
    # the rest of such a burst waits a second for the kernel to retry its connections:
    # `salesplay-mock check` reported this receiver slow under a burst until this line.
    request_queue_size = 128


class Receiver:
    """The receiver served on 127.0.0.1 in a thread: ``url``, ``ledger``, ``close()``."""

    def __init__(self, port: int = 0) -> None:
        self.ledger = Ledger()
        self.httpd = Server(("127.0.0.1", port), make_handler(self.ledger))
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/salesplay"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()
        self.ledger.db.close()


if __name__ == "__main__":
    receiver = Receiver(int(sys.argv[1]) if len(sys.argv) > 1 else 8000)
    print(receiver.url, flush=True)
    try:
        receiver.thread.join()
    except KeyboardInterrupt:
        receiver.close()
