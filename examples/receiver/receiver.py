"""A small SalesPlay webhook receiver: keeps receipts and stock levels, idempotently.

Standard library only: a WSGI app, served by any WSGI server (in its tests, by
salesplay-mock's ``salesplay.serve``). It answers 200 once an event is stored, and 500
while its database is "down", so SalesPlay (or salesplay-mock) retries. The same event
delivered twice is stored once: receipts are keyed by receipt id and only a newer
``updated_at`` replaces one; stock levels by shop and product, newest event wins.

``python receiver.py [PORT]`` serves it on its own until stopped (the standard library's
WSGI server), and prints its URL first.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


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


def make_app(ledger: Ledger) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    """The receiver as a WSGI app: POST an event anywhere, get 200 once it is stored."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        try:
            ledger.store(raw)
            status = "200 OK"
        except ConnectionError:
            status = "500 Internal Server Error"
        except (ValueError, KeyError):
            status = "400 Bad Request"
        start_response(status, [("Content-Length", "0")])
        return []

    return app


class Server(ThreadingMixIn, WSGIServer):
    # SalesPlay may deliver a backlog all at once. With the standard listen queue of 5,
    # the rest of such a burst waits a second for the kernel to retry its connections:
    # `salesplay-mock check` reported this receiver slow under a burst until this line.
    request_queue_size = 128
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # one line of output: the URL
        pass


if __name__ == "__main__":
    ledger = Ledger()
    httpd = make_server("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 8000, make_app(ledger),
                        server_class=Server, handler_class=QuietHandler)
    print(f"http://127.0.0.1:{httpd.server_address[1]}/salesplay", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        httpd.server_close()
