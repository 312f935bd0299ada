"""A tiny receiver for the compose example: registers itself with the mock at start-up,
then answers every webhook POST with 200 (and every 5th with 500, to show retries).

Standard library only. Environment:
  MOCK_URL       the mock's base URL            (default http://mock:8080)
  RECEIVER_URL   this receiver's URL as the mock sees it (default http://receiver:9000/hook)
  TOKEN          the merchant's access token     (default compose)
  PORT           port to listen on               (default 9000)
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MOCK_URL = os.environ.get("MOCK_URL", "http://mock:8080")
RECEIVER_URL = os.environ.get("RECEIVER_URL", "http://receiver:9000/hook")
TOKEN = os.environ.get("TOKEN", "compose")
PORT = int(os.environ.get("PORT", "9000"))
EVENTS = ["receipts.update", "inventory_levels.update", "credit_note.update"]


def register() -> None:
    """Wait for the mock, then register (once: an existing registration is kept)."""
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    for _ in range(120):
        try:
            req = urllib.request.Request(f"{MOCK_URL}/v1.0/webhook", headers=headers)
            hooks = json.load(urllib.request.urlopen(req, timeout=5))["data"]
            break
        except (urllib.error.URLError, OSError):
            time.sleep(1)
    else:
        sys.exit(f"the mock at {MOCK_URL} never answered")
    if any(h["url"] == RECEIVER_URL for h in hooks):
        print("already registered", flush=True)
        return
    body = json.dumps({"url": RECEIVER_URL, "events": EVENTS}).encode()
    req = urllib.request.Request(f"{MOCK_URL}/v1.0/webhook", data=body, headers=headers, method="POST")
    hook = json.load(urllib.request.urlopen(req, timeout=30))
    print(f"registered {hook['id']} for {', '.join(EVENTS)}", flush=True)


class Handler(BaseHTTPRequestHandler):
    count = 0

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        Handler.count += 1
        event = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        status = 500 if Handler.count % 5 == 0 else 200
        print(f"{status} {event.get('type')} attempt {self.headers.get('X-Mock-Attempt')}", flush=True)
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


if __name__ == "__main__":
    server = ThreadingHTTPServer(("0.0.0.0", PORT), Handler)
    register()  # the mock's sample POST reaches us, so listen first
    server.serve_forever()
