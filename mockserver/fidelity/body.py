"""A recorded body made a JSON document, as a receiver would: undo its Content-Encoding
(gzip, deflate), read it in the charset its Content-Type names, parse it; or say, in words,
why it cannot be (cut off, not JSON, a charset that does not fit, a bomb of a gzip)."""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass
from typing import Any

from mockserver.fidelity.recording import RecordedRequest

MAX_DECODED = 64 * 1024 * 1024  # bytes a compressed body may expand to


@dataclass(frozen=True)
class Decoded:
    payload: Any = None  # the JSON document, when there is one
    text: str | None = None  # its JSON text, as sent (decoded): a fixture keeps it as it is
    problem: str | None = None  # why there is no document: "what: in detail", one "what" for each kind


def digest(raw: bytes) -> bytes:
    """What tells two bodies apart: the same payload again is the same delivery's retry."""
    return hashlib.sha256(raw).digest()


def media_type(content_type: str | None) -> tuple[str, str | None]:
    """``application/json; charset=ISO-8859-1`` -> (``application/json``, ``iso-8859-1``)."""
    if not content_type:
        return "", None
    kind, *params = content_type.split(";")
    charset = next((p.split("=", 1)[1].strip().strip('"').lower() for p in params
                    if p.strip().lower().startswith("charset=")), None)
    return kind.strip().lower(), charset


def decode(request: RecordedRequest) -> Decoded:
    if request.state == "refused":
        return Decoded(problem=f"not kept: {request.note or 'the recorder refused it'}")
    raw = request.body
    if request.state == "incomplete":
        return Decoded(problem=f"cut off by the connection: {len(raw)} byte(s) arrived before it closed"
                               + (f" ({request.note})" if request.note else ""))
    try:
        raw = _undo_encoding(raw, request.header("Content-Encoding"))
    except ValueError as exc:
        return Decoded(problem=str(exc))
    _, charset = media_type(request.header("Content-Type"))
    try:
        text = raw.decode(charset or "utf-8")
    except LookupError:
        return Decoded(problem=f"unknown charset: its Content-Type names {charset!r}, which is not one")
    except UnicodeDecodeError as exc:
        named = f"its Content-Type says {charset}" if charset else "JSON is UTF-8 and its Content-Type names no charset"
        return Decoded(problem=f"not {charset or 'UTF-8'} text: byte {exc.start} is 0x{raw[exc.start]:02x} ({named})")
    return parse(text)


def parse(text: str) -> Decoded:
    try:
        return Decoded(payload=json.loads(text), text=text)
    except RecursionError:
        return Decoded(problem="nested too deeply: the JSON cannot be read")
    except json.JSONDecodeError as exc:
        where = f"{exc.msg} at line {exc.lineno} column {exc.colno}"
        if text.strip() and (exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")):
            return Decoded(problem=f"JSON cut off: it ends early ({where})")
        return Decoded(problem=f"not JSON: {where}")


def _undo_encoding(raw: bytes, encoding: str | None) -> bytes:
    """The body before its Content-Encoding(s), the last applied undone first."""
    codings = [c.strip().lower() for c in (encoding or "").split(",") if c.strip()]
    for coding in reversed(codings):
        if coding in ("gzip", "x-gzip"):
            raw = _inflate(raw, zlib.MAX_WBITS | 16, coding)
        elif coding == "deflate":
            try:
                raw = _inflate(raw, zlib.MAX_WBITS, coding)
            except ValueError:  # some senders mean raw deflate, without the zlib wrapper
                raw = _inflate(raw, -zlib.MAX_WBITS, coding)
        elif coding != "identity":
            raise ValueError(f"encoding not read: Content-Encoding {coding!r} (compare reads gzip and deflate)")
    return raw


def _inflate(raw: bytes, wbits: int, coding: str) -> bytes:
    inflater = zlib.decompressobj(wbits)
    try:
        out = inflater.decompress(raw, MAX_DECODED + 1)
    except zlib.error as exc:
        raise ValueError(f"not {coding}: its Content-Encoding says {coding}, but the body is not ({exc})") from None
    if len(out) > MAX_DECODED:
        raise ValueError(f"{coding} too large: it expands past {MAX_DECODED // 2**20} MiB (a bomb?)")
    if not inflater.eof:
        raise ValueError(f"{coding} cut off: the compressed body ends early")
    return out
