"""A session file being written: created new (never over another), one line per request,
flushed as it comes, within the size the session may take."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from mockserver.fidelity.recording import RecordedRequest, end_line, session_line


class SessionFull(Exception):
    """The session has taken all the room it may; the request was not kept."""


def session_path(out: Path, started_at: float) -> Path:
    """``out`` itself when it names a ``.jsonl`` file, else a new file in the folder ``out``
    (made when missing)."""
    if out.suffix == ".jsonl":
        return out
    out.mkdir(parents=True, exist_ok=True)
    name = datetime.fromtimestamp(started_at, tz=timezone.utc).strftime("session-%Y%m%dT%H%M%SZ")
    path, n = out / f"{name}.jsonl", 1
    while path.exists():
        n += 1
        path = out / f"{name}-{n}.jsonl"
    return path


class SessionWriter:
    def __init__(self, path: Path, *, limit: int, settings: dict[str, Any], started_at: float | None = None) -> None:
        """OSError (FileExistsError among them) when the file cannot be made."""
        self.path, self.limit = path, limit
        self.size = 0
        self._file = path.open("xb")
        self._file.write(line := session_line(time.time() if started_at is None else started_at, **settings).encode())
        self._file.flush()
        self.size = len(line)

    def add(self, request: RecordedRequest) -> None:
        """Keep one request; SessionFull past the limit, OSError when the disk refuses."""
        line = request.to_line().encode("utf-8", errors="surrogatepass")
        if self.size + len(line) > self.limit:
            raise SessionFull
        self._file.write(line)
        self._file.flush()
        self.size += len(line)

    def close(self, *, requests: int, not_kept: int, stopped_at: float | None = None) -> None:
        """The end line says the recorder stopped on purpose, and when: no retry came after."""
        try:
            self._file.write(end_line(time.time() if stopped_at is None else stopped_at, requests=requests,
                                      not_kept=not_kept).encode())
        except OSError:
            pass  # a full disk: the file is still a recording, only without its end
        finally:
            self._file.close()
