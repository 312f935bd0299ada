"""The machine-readable start: ``serve --port 0`` prints one JSON line when it answers, and
``--ready-file`` says the same; read here from a parent process, as other languages do."""

from __future__ import annotations

import json
import selectors
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

import pytest

from mockserver import __version__
from mockserver.domain.config import Config
from mockserver.server.ready import check_ready_file, ready_line
from tests.helpers import _call


def _spawn(tmp_path: Path, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "mockserver", "serve", "--db", ":memory:", *extra],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _read_line(stream: IO[bytes], deadline: float) -> bytes:
    """One line of a child's output, or b"" at its end; fails past the deadline."""
    selector = selectors.DefaultSelector()
    selector.register(stream, selectors.EVENT_READ)
    try:
        while time.monotonic() < deadline:
            if selector.select(timeout=0.1):
                return stream.readline()
        raise AssertionError("no line from the server within the deadline")
    finally:
        selector.close()


@pytest.fixture
def started(tmp_path: Path) -> Any:
    procs: list[subprocess.Popen[bytes]] = []

    def start(*extra: str) -> subprocess.Popen[bytes]:
        procs.append(_spawn(tmp_path, *extra))
        return procs[-1]

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=15)
        for stream in (proc.stdout, proc.stderr):
            assert stream is not None
            stream.close()


def test_port_0_prints_one_ready_line_that_a_parent_reads(started: Any) -> None:
    proc = started("--port", "0", "--clock", "manual")
    assert proc.stdout is not None
    line = json.loads(_read_line(proc.stdout, time.monotonic() + 20))
    assert line == {"ready": True, "url": f"http://127.0.0.1:{line['port']}", "port": line["port"],
                    "api_url": f"http://127.0.0.1:{line['port']}/v1.0", "clock": "manual", "time_scale": 720.0,
                    "version": __version__, "pid": proc.pid}
    # Ready means ready: every request is answered, not only /healthz.
    assert _call(line["port"], "GET", "/healthz")[1]["ready"] is True
    assert _call(line["port"], "GET", "/v1.0/webhook")[0] == 200
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=15) == 0
    assert proc.stdout.read() == b""  # the line was printed once, and nothing else on stdout
    assert proc.stderr is not None and b"salesplay-mock on http://" in proc.stderr.read()  # the human line


def test_the_ready_file_says_the_same_and_is_removed_on_stop(started: Any, tmp_path: Path) -> None:
    ready_file = tmp_path / "ready.json"
    ready_file.write_text("{stale from an earlier run")
    proc = started("--port", "0", "--ready-file", str(ready_file))
    assert proc.stdout is not None
    line = json.loads(_read_line(proc.stdout, time.monotonic() + 20))
    assert json.loads(ready_file.read_text()) == line
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".ready")] == []  # no temporary left
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=15) == 0
    assert not ready_file.exists()


def test_a_ready_file_in_a_missing_folder_exits_1_naming_the_flag(started: Any, tmp_path: Path) -> None:
    proc = started("--port", "0", "--ready-file", str(tmp_path / "nowhere" / "ready.json"))
    assert proc.wait(timeout=20) == 1
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read() == b""
    err = proc.stderr.read().decode()
    assert "--ready-file" in err and "does not exist" in err and "Traceback" not in err


def test_a_port_in_use_prints_no_ready_line_and_exits_1(started: Any) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        proc = started("--port", str(taken.getsockname()[1]))
        assert proc.wait(timeout=20) == 1
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read() == b""
    assert "another program is already listening" in proc.stderr.read().decode()


def test_a_ready_file_that_is_a_folder_is_refused(tmp_path: Path) -> None:
    assert check_ready_file(str(tmp_path)) == f"--ready-file {tmp_path}: is a folder; give a file name in it"
    assert check_ready_file("") is None


@pytest.mark.parametrize(("host", "url"), [("0.0.0.0", "http://127.0.0.1:8123"), ("::1", "http://[::1]:8123"),
                                           ("localhost", "http://localhost:8123")])
def test_the_ready_line_gives_a_url_a_client_can_call(host: str, url: str) -> None:
    assert ready_line(Config(host=host, time_scale=60), 8123)["url"] == url
    assert ready_line(Config(host=host, time_scale=60), 8123)["time_scale"] == 60
