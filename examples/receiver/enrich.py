"""A receiver that enriches SalesPlay's stock events with the product behind them.

The documented ``inventory_levels.update`` carries only product_id, shop_id, product_code
and in_stock; this receiver fetches each product's name and price from SalesPlay's REST
API (``GET {api_url}/products/{product_id}`` with the Bearer token). A WSGI app, standard
library only.

When the API says no (429 over its rate limit, a 5xx, a timeout), the receiver answers
503 at once: SalesPlay retries the event on its own schedule, instead of the receiver
holding the connection while it waits. Products already fetched are kept, so every retry
needs fewer calls than the one before.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from typing import Any


class ApiRefused(Exception):
    """The REST API did not answer 200 (rate limit, error, timeout): try the event later."""


class Shelf:
    """What the receiver keeps: products by id, and stock by (shop, product)."""

    def __init__(self, api_url: str, token: str) -> None:
        self.api_url, self.token = api_url.rstrip("/"), token
        self.products: dict[str, dict[str, Any]] = {}
        self.stock: dict[tuple[str, str], int] = {}
        self.calls = 0
        self.lock = threading.Lock()

    def product(self, product_id: str) -> dict[str, Any]:
        """GET {api_url}/products/{id}, once per product."""
        if product_id not in self.products:
            request = urllib.request.Request(f"{self.api_url}/products/{product_id}", headers={
                "Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
            self.calls += 1
            try:
                with urllib.request.urlopen(request, timeout=5) as resp:
                    self.products[product_id] = json.loads(resp.read())
            except (urllib.error.URLError, TimeoutError) as exc:  # HTTPError (429, 5xx) is a URLError
                raise ApiRefused(str(exc)) from None
        return self.products[product_id]

    def store(self, event: dict[str, Any]) -> None:
        with self.lock:
            for level in event.get("inventory_levels", []):
                self.product(level["product_id"])  # every product known before any level is stored
            for level in event.get("inventory_levels", []):
                self.stock[(level["shop_id"], level["product_id"])] = level["in_stock"]


def make_app(shelf: Shelf) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    """The receiver as a WSGI app: 200 once the event is stored, 503 while the API refuses."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        event = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
        try:
            shelf.store(event)
            status = "200 OK"
        except ApiRefused:
            status = "503 Service Unavailable"  # SalesPlay retries later; nothing is half-stored
        start_response(status, [("Content-Length", "0")])
        return []

    return app
