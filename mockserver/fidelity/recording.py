"""The recording format: one JSON line per request exactly as it arrived, in a session file.

A session file starts with a ``session`` line, has a ``request`` line per request and, when
the recorder stopped cleanly, an ``end`` line. A request keeps its method, path (with the
query), HTTP version, headers as arrived (a list of name/value pairs, in order, repeats
kept), the raw body bytes (``body`` as text when they are UTF-8, else ``body_base64``), the
arrival time (ISO 8601 UTC, microseconds) and what the recorder answered. Files are written
and read line by line, so a session of any length is never held in memory.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal

from mockserver import __version__
from mockserver.domain.durations import parse_instant

FORMAT = "salesplay-mock recording"
VERSION = 1
State = Literal["complete", "incomplete", "refused"]
STATES: tuple[State, ...] = ("complete", "incomplete", "refused")
Origin = Literal["recording", "har", "payload"]


class RecordingError(ValueError):
    """A file that cannot be read as a recording; the message names the file, the line and
    what is wrong with it."""


def stamp(t: float) -> str:
    """An arrival time as the file keeps it: ISO 8601 UTC with microseconds."""
    return datetime.fromtimestamp(t, tz=timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class RecordedRequest:
    n: int
    received_at: float  # epoch seconds
    method: str
    path: str  # with the query, as it arrived
    headers: tuple[tuple[str, str], ...]
    body: bytes
    body_size: int = -1  # bytes that arrived; more than len(body) when refused or cut off
    state: State = "complete"
    answered: int | None = None  # the status the recorder answered (None: no answer got through)
    http_version: str = "1.1"
    remote: str = ""
    note: str | None = None  # why it was refused or is incomplete
    forwarded: dict[str, Any] | None = field(default=None, compare=False)
    where: str = field(default="", compare=False)  # "file.jsonl #3", for reports
    # What it was read from: a recording has it all; a HAR export its wire; a payload file
    # (a fixture, a copy from a request bin) only its body.
    origin: Origin = field(default="recording", compare=False)

    def header(self, name: str) -> str | None:
        """The first header of that name, in any case."""
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)

    def to_line(self) -> str:
        line: dict[str, Any] = {
            "kind": "request", "n": self.n, "received_at": stamp(self.received_at), "remote": self.remote,
            "method": self.method, "path": self.path, "http_version": self.http_version,
            "headers": [list(h) for h in self.headers],
        }
        try:
            line["body"] = self.body.decode("utf-8")
        except UnicodeDecodeError:
            line["body_base64"] = base64.b64encode(self.body).decode("ascii")
        line.update(body_size=len(self.body) if self.body_size < 0 else self.body_size, state=self.state,
                    answered=self.answered)
        if self.note:
            line["note"] = self.note
        if self.forwarded is not None:
            line["forwarded"] = self.forwarded
        return json.dumps(line, ensure_ascii=False) + "\n"


def session_line(started_at: float, **settings: Any) -> str:
    return json.dumps({"kind": "session", "format": FORMAT, "version": VERSION, "started_at": stamp(started_at),
                       "recorder": f"salesplay-mock {__version__}", **settings}, ensure_ascii=False) + "\n"


def end_line(stopped_at: float, *, requests: int, not_kept: int) -> str:
    return json.dumps({"kind": "end", "stopped_at": stamp(stopped_at), "requests": requests,
                       "not_kept": not_kept}) + "\n"


def parse_line(data: dict[str, Any], where: str) -> RecordedRequest | float | None:
    """A request line as a RecordedRequest; an end line as its time; a session line as None.
    RecordingError when a field is missing or of the wrong kind (a file edited by hand)."""
    kind = data.get("kind")
    if kind == "session":
        if data.get("format") != FORMAT or not isinstance(data.get("version"), int):
            raise RecordingError(f"{where}: a session line of another format; is this a salesplay-mock recording?")
        if data["version"] > VERSION:
            raise RecordingError(f"{where}: a recording of format version {data['version']}; this salesplay-mock "
                                 f"reads version {VERSION}: upgrade salesplay-mock")
        return None
    if kind == "end":
        return _time(data, "stopped_at", where)
    if kind != "request":
        raise RecordingError(f"{where}: 'kind' must be session, request or end, not {kind!r}")
    return _request(data, where)


def _request(data: dict[str, Any], where: str) -> RecordedRequest:
    n = _field(data, "n", int, where)
    headers = data.get("headers")
    if not isinstance(headers, list) or not all(
            isinstance(h, list) and len(h) == 2 and all(isinstance(x, str) for x in h) for h in headers):
        raise RecordingError(f"{where}: 'headers' must be a list of [name, value] pairs of text")
    state = data.get("state", "complete")
    if state not in STATES:
        raise RecordingError(f"{where}: 'state' must be one of {', '.join(STATES)}, not {state!r}")
    answered = data.get("answered")
    if answered is not None and (not isinstance(answered, int) or isinstance(answered, bool)
                                 or not 100 <= answered <= 599):
        raise RecordingError(f"{where}: 'answered' must be an HTTP status from 100 to 599, or null")
    body = _body(data, where)
    size = data.get("body_size", len(body))
    if not isinstance(size, int) or isinstance(size, bool) or size < len(body):
        raise RecordingError(f"{where}: 'body_size' must be a whole number of bytes, at least the body's {len(body)}")
    forwarded = data.get("forwarded")
    return RecordedRequest(
        n=n, received_at=_time(data, "received_at", where), method=_field(data, "method", str, where),
        path=_field(data, "path", str, where), headers=tuple((k, v) for k, v in headers), body=body,
        body_size=size, state=state, answered=answered, http_version=str(data.get("http_version", "1.1")),
        remote=str(data.get("remote", "")), note=data.get("note") if isinstance(data.get("note"), str) else None,
        forwarded=forwarded if isinstance(forwarded, dict) else None, where=where)


def _body(data: dict[str, Any], where: str) -> bytes:
    text, coded = data.get("body"), data.get("body_base64")
    if text is not None and coded is not None:
        raise RecordingError(f"{where}: give 'body' (text) or 'body_base64', not both")
    if isinstance(text, str):
        return text.encode("utf-8", errors="surrogatepass")
    if isinstance(coded, str):
        try:
            return base64.b64decode(coded, validate=True)
        except (binascii.Error, ValueError):
            raise RecordingError(f"{where}: 'body_base64' is not valid base64") from None
    if text is None and coded is None and data.get("state") == "refused":
        return b""
    raise RecordingError(f"{where}: 'body' must be the body as text (or 'body_base64' for bytes that are not UTF-8)")


def _field(data: dict[str, Any], name: str, kind: type, where: str) -> Any:
    value = data.get(name)
    if not isinstance(value, kind) or isinstance(value, bool):
        what = "a whole number" if kind is int else "text"
        raise RecordingError(f"{where}: {name!r} must be {what}, not {json.dumps(value)[:40]}")
    return value


def _time(data: dict[str, Any], name: str, where: str) -> float:
    try:
        return parse_instant(data.get(name))
    except ValueError:
        raise RecordingError(f"{where}: {name!r} must be an ISO 8601 time such as 2025-06-30T12:54:31.250000Z, "
                             f"not {json.dumps(data.get(name))[:40]}") from None
