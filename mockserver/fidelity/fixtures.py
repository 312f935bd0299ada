"""Recorded payloads as fixtures, in the layout ``salesplay-mock generate --out`` writes
(``DIR/TYPE/NNNN.json``), named ``recorded-NNNN.json`` so they sit beside generated ones
without replacing any. Each is the JSON text exactly as SalesPlay sent it (decompressed,
and made UTF-8 when it came in another charset)."""

from __future__ import annotations

import re
from pathlib import Path

from mockserver.fidelity import body
from mockserver.fidelity.recording import RecordedRequest

# A type becomes a folder name: only names shaped like SalesPlay's (receipts.update) do.
SAFE_TYPE = re.compile(r"^[a-z][a-z0-9_]{0,40}(\.[a-z][a-z0-9_]{0,40}){0,3}$")


class FixtureWriter:
    def __init__(self, folder: Path, *, limit: int) -> None:
        self.folder, self.limit = folder, limit
        self.written = 0  # bytes
        self.files: list[Path] = []
        self._next: dict[str, int] = {}

    def add(self, request: RecordedRequest) -> Path | str:
        """The file written, or why the request is not a fixture. OSError when the folder
        cannot be written."""
        decoded = body.decode(request)
        if decoded.text is None:
            return f"not a payload ({decoded.problem})"
        type_ = decoded.payload.get("type") if isinstance(decoded.payload, dict) else None
        if not isinstance(type_, str) or not SAFE_TYPE.match(type_):
            return "not an event payload (no 'type' shaped like receipts.update)"
        data = decoded.text.encode("utf-8")
        if self.written + len(data) > self.limit:
            return f"the fixtures have reached the session's size ({self.limit} bytes)"
        folder = self.folder / type_
        folder.mkdir(parents=True, exist_ok=True)
        number = self._next.get(type_) or _first_free(folder)
        while True:
            path = folder / f"recorded-{number:04d}.json"
            try:
                with path.open("xb") as out:
                    out.write(data)
                break
            except FileExistsError:
                number += 1
        self._next[type_] = number + 1
        self.written += len(data)
        self.files.append(path)
        return path


def _first_free(folder: Path) -> int:
    taken = [int(p.stem.split("-")[1]) for p in folder.glob("recorded-*.json") if p.stem.split("-")[1].isdigit()]
    return max(taken, default=0) + 1
