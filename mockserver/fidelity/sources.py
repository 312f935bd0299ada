"""Read what was recorded: a session file (plain or gzipped, UTF-8 or UTF-16), a folder of
them, a HAR export (the mock's own, or a request bin's) or one payload file.

Each is read as a stream of ``RecordedRequest`` (with ``SessionEnd`` and ``Notice`` between
them); anything that cannot be read is a ``RecordingError`` naming the file and the line.
"""

from __future__ import annotations

import gzip
import io
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from mockserver.domain.durations import parse_instant
from mockserver.fidelity.recording import RecordedRequest, RecordingError, parse_line

MAX_LINE = 64 * 1024 * 1024  # characters of one line; a recorder keeps far less per request
MAX_DOCUMENT = 64 * 1024 * 1024  # bytes of a HAR or payload file, read whole


@dataclass(frozen=True)
class SessionEnd:
    at: float  # when the recorder stopped: a retry that would have come before it did not


@dataclass(frozen=True)
class Notice:
    text: str  # something skipped, said in the report


Item = RecordedRequest | SessionEnd | Notice


def files_of(paths: list[Path]) -> list[Path]:
    """The files to read: each file given, and a folder's recordings and HAR files."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix in (".jsonl", ".har", ".gz") and p.is_file())
            if not found:
                raise RecordingError(f"{path}: a folder with no recordings (*.jsonl) or HAR files (*.har) in it")
            out += found
        elif path.is_file():
            out.append(path)
        else:
            raise RecordingError(f"{path}: no such file or folder")
    return out


def read(path: Path) -> Iterator[Item]:
    """Everything in one file, in order."""
    try:
        if _is_recording(path):
            yield from _lines(path)
            return
        yield from _document(path)
    except (OSError, EOFError, zlib.error) as exc:
        raise RecordingError(f"{path}: cannot read it: {_reason(exc)}") from None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, gzip.BadGzipFile) or isinstance(exc, (EOFError, zlib.error)):
        return "a damaged or cut-off gzip file"
    return (getattr(exc, "strerror", None) or str(exc) or type(exc).__name__).lower()


def _gzipped(path: Path) -> bool:
    with path.open("rb") as raw:
        return raw.read(2) == b"\x1f\x8b"


def _binary(path: Path) -> gzip.GzipFile | io.BufferedReader:
    return gzip.GzipFile(path, "rb") if _gzipped(path) else path.open("rb")


def _is_recording(path: Path) -> bool:
    """A ``.jsonl`` file, or one whose first line is a JSON object with a ``kind``."""
    if path.name.endswith((".jsonl", ".jsonl.gz")):
        return True
    try:
        with _text(path) as text:
            first = json.loads(text.readline(MAX_LINE))
    except (ValueError, UnicodeDecodeError):
        return False
    return isinstance(first, dict) and "kind" in first


def _head(path: Path) -> bytes:
    with _binary(path) as stream:
        return stream.read(64)


def _text(path: Path) -> TextIO:
    """The file as text: UTF-8 (with or without a byte-order mark) or UTF-16 with its mark,
    as an editor on Windows may save it."""
    head = _head(path)
    encoding = "utf-16" if head[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
    return io.TextIOWrapper(_binary(path), encoding=encoding, errors="strict", newline="\n")


def _numbered(path: Path) -> Iterator[tuple[str, str, bool]]:
    """Each line as text, with where it is and whether it is the file's last; a line that
    is not UTF-8 is named (UTF-16, found by its mark, is read as a whole, so less exactly)."""
    utf16 = _head(path)[:2] in (b"\xff\xfe", b"\xfe\xff")
    with (_text(path) if utf16 else _binary(path)) as stream:
        number, line = 0, stream.readline(MAX_LINE + 1)
        while line:
            number += 1
            where = f"{path.name} line {number}"
            following = stream.readline(MAX_LINE + 1)
            if len(line) > MAX_LINE:
                raise RecordingError(f"{where}: over {MAX_LINE // 2**20} MiB on one line: not a recording")
            try:
                text = line if isinstance(line, str) else line.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise RecordingError(f"{where}: not UTF-8 text (byte 0x{line[exc.start]:02x}); a recording is "
                                     "UTF-8 (was it saved again in another charset?)") from None
            yield where, text, not following
            line = following


def _lines(path: Path) -> Iterator[Item]:
    read_one = False
    for where, line, last in _numbered(path):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except ValueError as exc:
            if last and read_one and not line.endswith("\n"):
                yield Notice(f"{where}: the last line is cut off (the recorder stopped while writing it?); "
                             "it was skipped")
                return
            raise RecordingError(f"{where}: not JSON ({exc}); each line of a recording is one JSON object") from None
        if not isinstance(data, dict):
            raise RecordingError(f"{where}: a JSON {type(data).__name__}, not an object; is this a recording?")
        read_one = True
        item = parse_line(data, where)
        if isinstance(item, float):
            yield SessionEnd(item)
        elif item is not None:
            yield replace(item, where=f"{where.split(' line ')[0]} #{item.n}")


def _document(path: Path) -> Iterator[Item]:
    """A HAR file (each entry a request) or one payload (a fixture, a request bin's copy)."""
    with _binary(path) as stream:
        raw = stream.read(MAX_DOCUMENT + 1)
    if len(raw) > MAX_DOCUMENT:
        raise RecordingError(f"{path}: over {MAX_DOCUMENT // 2**20} MiB; a HAR file or a payload is far smaller "
                             "(a recording is read line by line: give it the .jsonl suffix)")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise RecordingError(f"{path}: not UTF-8 text, so neither a recording, a HAR file nor a JSON payload") from None
    except ValueError as exc:
        raise RecordingError(f"{path}: not JSON ({exc}): not a recording (.jsonl), a HAR file or a payload") from None
    if isinstance(data, dict) and isinstance(data.get("log"), dict) and "entries" in data["log"]:
        yield from _har(path, data["log"]["entries"])
        return
    yield RecordedRequest(n=1, received_at=0.0, method="POST", path="", headers=(), body=raw,
                          where=path.name, origin="payload")


def _har(path: Path, entries: Any) -> Iterator[Item]:
    if not isinstance(entries, list):
        raise RecordingError(f"{path}: log.entries must be a list of HAR entries")
    for index, entry in enumerate(entries, start=1):
        where = f"{path.name} entry {index}"
        try:
            yield _har_entry(entry, index, where)
        except (KeyError, TypeError, ValueError, AttributeError):
            raise RecordingError(f"{where}: not a HAR 1.2 entry with request.method, request.url, "
                                 "request.headers and startedDateTime") from None


def _har_entry(entry: dict[str, Any], index: int, where: str) -> RecordedRequest:
    request = entry["request"]
    url = urlsplit(request["url"])
    text = (request.get("postData") or {}).get("text", "")
    status = (entry.get("response") or {}).get("status") or None
    # The mock's own export carries the simulated time of each attempt: its retry gaps.
    when = parse_instant(entry.get("_simulatedTime") or entry["startedDateTime"])
    return RecordedRequest(
        n=index, received_at=when, method=str(request["method"]), path=url.path + (f"?{url.query}" if url.query else ""),
        headers=tuple((str(h["name"]), str(h["value"])) for h in request["headers"]), body=str(text).encode("utf-8"),
        answered=int(status) if isinstance(status, int) and 100 <= status <= 599 else None, where=where, origin="har")
