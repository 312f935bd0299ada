"""``record``'s server: a receiver to point the real SalesPlay at. Every request, to any
path and of any method, is kept exactly as it arrived and answered as told (200, another
status, 500 to the first attempts of each payload); a request or a session past its size
is refused with 413. Nothing is forwarded unless ``forward`` names a receiver. The page
of the session is at a path only the one who started it knows."""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from mockserver.engine import http_post
from mockserver.fidelity import body, page
from mockserver.fidelity.fixtures import FixtureWriter
from mockserver.fidelity.headers import to_send
from mockserver.fidelity.recording import RecordedRequest, State
from mockserver.fidelity.session import SessionFull, SessionWriter, session_path

PAGE_KEEP = 100  # requests the page shows, the newest
FAIL_MEMORY = 100_000  # payloads whose attempts --fail-first counts, the newest
ANSWER_KEPT = 64 * 1024  # bytes of a forwarded-to receiver's answer read


@dataclass(frozen=True)
class RecordSettings:
    out: Path  # a folder for a new session file, or the new .jsonl file itself
    status: int = 200
    fail_first: int = 0  # the first N attempts of each payload are answered 500
    max_request: int = 4 * 2**20
    max_session: int = 256 * 2**20
    forward: str | None = None  # a receiver to send each request on to; its answer is the answer
    forward_timeout: float = 10.0
    as_fixtures: Path | None = None

    def described(self) -> dict[str, Any]:
        return {"answer": {"status": self.status, "fail_first": self.fail_first}, "forward": self.forward,
                "limits": {"request_bytes": self.max_request, "session_bytes": self.max_session}}


class Recorder:
    def __init__(self, settings: RecordSettings, *, now: Callable[[], float] = time.time,
                 log: Callable[[str], None] = lambda line: None, secret: str | None = None) -> None:
        self.settings, self.now, self.log = settings, now, log
        self.secret = secret or secrets.token_urlsafe(12)
        started = now()
        self.writer = SessionWriter(session_path(settings.out, started), limit=settings.max_session,
                                    settings=settings.described(), started_at=started)
        self.fixtures = (None if settings.as_fixtures is None
                         else FixtureWriter(settings.as_fixtures, limit=settings.max_session))
        self.recent: deque[page.Row] = deque(maxlen=PAGE_KEEP)
        self.requests = 0  # arrived, numbered
        self.not_kept = 0
        self.session: aiohttp.ClientSession | None = None  # only to forward
        self._attempts: OrderedDict[bytes, int] = OrderedDict()

    @property
    def page_path(self) -> str:
        return f"/_record/{self.secret}/"

    def answer(self, payload: bytes) -> int:
        """``status``, or 500 to the first ``fail_first`` attempts of the same payload."""
        if not self.settings.fail_first:
            return self.settings.status
        key = body.digest(payload)
        seen = self._attempts.pop(key, 0) + 1
        self._attempts[key] = seen
        if len(self._attempts) > FAIL_MEMORY:
            self._attempts.popitem(last=False)
        return 500 if seen <= self.settings.fail_first else self.settings.status

    def keep(self, entry: RecordedRequest) -> tuple[int, str] | None:
        """Write it down; when it could not be, the answer to give instead, and why."""
        try:
            self.writer.add(entry)
        except SessionFull:
            return self._not_kept(entry, 413, f"this recording session is full (--max-session-size "
                                              f"{self.settings.max_session} bytes); start a new session")
        except OSError as exc:  # SalesPlay retries a 503: the request may be kept then
            return self._not_kept(entry, 503, f"the recording could not be written "
                                              f"({(exc.strerror or str(exc)).lower()})")
        decoded = body.decode(entry)
        self.recent.append(row := page.row(entry, decoded))
        self.log(page.log_line(entry, row.what, None))
        if self.fixtures is not None and decoded.text is not None:
            try:
                self.fixtures.add(entry)
            except OSError as exc:
                self.log(f"--as-fixtures: cannot write there ({(exc.strerror or str(exc)).lower()})")
        return None

    def _not_kept(self, entry: RecordedRequest, status: int, problem: str) -> tuple[int, str]:
        self.not_kept += 1
        self.log(page.log_line(replace(entry, answered=status), "", problem))
        return status, problem

    def close(self) -> None:
        self.writer.close(requests=self.requests, not_kept=self.not_kept, stopped_at=self.now())


RECORDER = web.AppKey("recorder", Recorder)


async def receive(request: web.Request) -> web.StreamResponse:
    recorder = request.app[RECORDER]
    if request.method in ("GET", "HEAD") and request.path == recorder.page_path:
        return page.response(recorder.recent, recorder.writer, recorder.requests, recorder.not_kept)
    arrived = recorder.now()
    recorder.requests += 1
    raw, size, state, note = await _read(request, recorder.settings.max_request)
    entry = RecordedRequest(
        n=recorder.requests, received_at=arrived, method=request.method, path=request.raw_path,
        headers=tuple((_text(k), _text(v)) for k, v in request.raw_headers), body=raw, body_size=size, state=state,
        http_version=f"{request.version.major}.{request.version.minor}", remote=request.remote or "", note=note)
    status = 413 if state == "refused" else recorder.answer(raw)
    forwarded = None
    if recorder.session is not None and state == "complete":
        forwarded, status = await _forward(recorder, entry)
    entry = replace(entry, answered=None if state == "incomplete" else status, forwarded=forwarded)
    refusal = recorder.keep(entry)
    if refusal is not None or state == "refused":
        status, message = refusal or (413, f"not kept: {note}")
        return web.json_response({"error": {"code": "payload_too_large" if status == 413 else "not_recorded",
                                            "message": message, "field": "body"}}, status=status)
    return web.json_response({"recorded": entry.n}, status=status)


async def _read(request: web.Request, limit: int) -> tuple[bytes, int, State, str | None]:
    """The body, the bytes that arrived, and whether it was whole; past ``limit`` it is
    refused without being kept (said at once when its Content-Length is over)."""
    declared = request.content_length
    if declared is not None and declared > limit:
        return b"", declared, "refused", f"its body ({declared} bytes) is over --max-request-size ({limit} bytes)"
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.content.iter_any():
            size += len(chunk)
            if size > limit:
                return b"", size, "refused", f"its body went past --max-request-size ({limit} bytes)"
            chunks.append(chunk)
    except (ConnectionError, HttpProcessingError) as exc:
        return b"".join(chunks), size, "incomplete", f"the body stopped after {size} bytes: {exc}"
    return b"".join(chunks), size, "complete", None


def _text(raw: bytes) -> str:
    """A header as text: UTF-8 when it is, else byte for byte (Latin-1)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


async def _forward(recorder: Recorder, entry: RecordedRequest) -> tuple[dict[str, Any], int]:
    """Send it on, as it came; the receiver's status is SalesPlay's answer (502 when none)."""
    assert recorder.session is not None and recorder.settings.forward is not None
    outcome = await http_post.post(recorder.session, recorder.settings.forward, entry.body, to_send(entry.headers),
                                   timeout=recorder.settings.forward_timeout, body_limit=ANSWER_KEPT)
    status = outcome.response_status or 502
    return {"url": recorder.settings.forward, "status": outcome.response_status, "error_kind": outcome.error_kind,
            "error": outcome.error_message, "duration_ms": outcome.duration_ms}, status


def create_record_app(settings: RecordSettings, *, now: Callable[[], float] = time.time,
                      log: Callable[[str], None] = lambda line: None, secret: str | None = None) -> web.Application:
    """The recorder as an app; OSError when its session file cannot be made."""
    app = web.Application(client_max_size=settings.max_request)
    recorder = Recorder(settings, now=now, log=log, secret=secret)
    app[RECORDER] = recorder
    app.router.add_route("*", "/{tail:.*}", receive)
    app.cleanup_ctx.append(_lifetime)
    return app


async def _lifetime(app: web.Application) -> AsyncIterator[None]:
    """The forwarding session, opened only when asked for; the session file's end line."""
    recorder = app[RECORDER]
    if recorder.settings.forward is not None:
        recorder.session = aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar(),
                                                 timeout=aiohttp.ClientTimeout(total=None))
    try:
        yield
    finally:
        if recorder.session is not None:
            await recorder.session.close()
        recorder.close()
