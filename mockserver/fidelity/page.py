"""The page's view of a recording session and its log lines: what arrived, newest first.
Everything in them came from strangers on the internet, so the page is rendered with
autoescape and served with a policy that runs no script, and a log line prints no
control character (a terminal would obey an escape sequence)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

import jinja2
from aiohttp import web

from mockserver.domain.models import iso
from mockserver.fidelity.body import Decoded, media_type
from mockserver.fidelity.recording import RecordedRequest
from mockserver.fidelity.report import printable
from mockserver.fidelity.session import SessionWriter

PREVIEW = 8 * 1024  # characters of a body the page shows
HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
           "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


@dataclass(frozen=True)
class Row:
    n: int
    at: str
    method: str
    path: str
    size: int
    content_type: str
    what: str  # the event type, or why there is none
    answered: str
    note: str | None
    headers: tuple[tuple[str, str], ...]
    preview: str
    cut: bool


def row(entry: RecordedRequest, decoded: Decoded) -> Row:
    text = decoded.text if decoded.text is not None else entry.body.decode("utf-8", errors="replace")
    payload = decoded.payload
    what = (entry.state if entry.state != "complete"  # the note says why
            else str(payload.get("type")) if isinstance(payload, dict) and "type" in payload
            else decoded.problem or "JSON without a type")
    return Row(entry.n, iso(entry.received_at) or "", entry.method, entry.path, entry.body_size,
               media_type(entry.header("Content-Type"))[0], what,
               str(entry.answered) if entry.answered is not None else "no answer", entry.note, entry.headers,
               text[:PREVIEW], len(text) > PREVIEW)


@cache
def _template() -> jinja2.Template:
    source = resources.files("mockserver.fidelity").joinpath("page.html").read_text("utf-8")
    return jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string(source)


def response(recent: Iterable[Row], writer: SessionWriter, requests: int, not_kept: int) -> web.Response:
    html = _template().render(rows=list(reversed(list(recent))), file=str(writer.path), size=writer.size,
                              limit=writer.limit, requests=requests, not_kept=not_kept)
    return web.Response(text=html, content_type="text/html", headers=HEADERS)


def log_line(entry: RecordedRequest, what: str, problem: str | None) -> str:
    """``#3 POST /salesplay 1234 B application/json receipts.update -> 200``."""
    kind = media_type(entry.header("Content-Type"))[0] or "no Content-Type"
    answer = "no answer (the connection closed)" if entry.answered is None else str(entry.answered)
    line = (f"#{entry.n} {printable(entry.method, 16)} {printable(entry.path)} {entry.body_size} B "
            f"{printable(kind, 40)}{' ' + printable(what, 60) if what else ''} -> {answer}")
    if entry.forwarded is not None:
        line += f" (forwarded: {entry.forwarded.get('status') or entry.forwarded.get('error_kind')})"
    note = problem or entry.note
    return line + (f": {printable(note, 200)}" if note else "")
