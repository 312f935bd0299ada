"""The machine-readable start: one JSON line on stdout, and ``--ready-file``, once the server answers.

A parent process (a Node test suite, a shell script, a CI step) reads the line to learn the
port ``--port 0`` chose; a tool that cannot read a pipe waits for the file. Both say the
same, once, only when every request would be answered (``/healthz`` says ``ready: true``).
Human messages stay on stderr, so stdout carries nothing else.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from mockserver import __version__
from mockserver.domain.config import Config


def ready_line(config: Config, port: int) -> dict[str, Any]:
    """What the line says: where to reach the server, and how its clock runs."""
    host = "127.0.0.1" if config.host in ("0.0.0.0", "::", "") else config.host
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}"
    return {"ready": True, "url": url, "api_url": url + "/v1.0", "port": port, "clock": config.clock,
            "time_scale": config.time_scale, "version": __version__, "pid": os.getpid()}


def check_ready_file(path: str) -> str | None:
    """Why the server could not write ``path`` (the flag named), or None; a stale file from an
    earlier run is removed now, so nobody takes it for this run's."""
    if not path:
        return None
    target = Path(path)
    if target.is_dir():
        return f"--ready-file {path}: is a folder; give a file name in it"
    if not target.parent.is_dir():
        return f"--ready-file {path}: the folder {target.parent} does not exist; create it first"
    if not os.access(target.parent, os.W_OK):
        return f"--ready-file {path}: cannot write in {target.parent}; give a folder this user can write to"
    target.unlink(missing_ok=True)
    return None


def announce(config: Config, port: int) -> None:
    """Print the line on stdout and write the ready file, atomically: a reader sees no file
    or the whole of it, never half."""
    text = json.dumps(ready_line(config, port))
    if config.ready_file:
        target = Path(config.ready_file)
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text + "\n")
            os.replace(temp, target)
        except OSError:
            Path(temp).unlink(missing_ok=True)
            raise
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def withdraw(config: Config) -> None:
    """The server stopped: its ready file no longer says the truth."""
    if config.ready_file:
        Path(config.ready_file).unlink(missing_ok=True)
