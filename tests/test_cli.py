"""The command line: serve (as a real process), generate, schedule, trigger, and bad input."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from mockserver.cli import main
from mockserver.cli.options import add_server_options, config_from_args
from mockserver.domain.config import Config
from mockserver.server.serve import scale_warning
from tests.helpers import Server, _call, _free_port


def test_serve_registers_and_survives_kill_9(tmp_path: Path, served: list[Server]) -> None:
    server = Server(tmp_path, "--clock", "manual", "--verify", "off")
    served.append(server.start())
    status, hook = _call(server.port, "POST", "/v1.0/webhook", {"url": "https://r.example/h", "event": "products.update"})
    assert status == 201
    assert _call(server.port, "GET", "/v1.0/webhook", token="other")[1] == {"data": []}
    server.stop(signal.SIGKILL)
    assert (tmp_path / "salesplay-mock.sqlite3").exists()  # the default file, in the working directory

    again = Server(tmp_path, "--clock", "manual", "--verify", "off")
    served.append(again.start())
    status, listed = _call(again.port, "GET", "/v1.0/webhook")
    assert [h["id"] for h in listed["data"]] == [hook["id"]]
    assert again.stop(signal.SIGTERM) == 0


def test_serve_takes_its_settings_from_the_environment() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    add_server_options(parser)
    env = {"SALESPLAY_MOCK_PORT": "9999", "SALESPLAY_MOCK_CLOCK": "manual", "SALESPLAY_MOCK_TOKENS": "a, b",
           "SALESPLAY_MOCK_RETRY_WINDOW": "2h", "SALESPLAY_MOCK_NO_MOCK_HEADERS": "true", "SALESPLAY_MOCK_STRICT": "1"}
    config = config_from_args(parser.parse_args(["--port", "7000"]), env)
    assert (config.port, config.clock, config.tokens, config.retry_window, config.mock_headers, config.strict) == (
        7000, "manual", ("a", "b"), 7200.0, False, True)


@pytest.mark.parametrize(
    "argv",
    [
        ["serve", "--port", "eighty"],
        ["serve", "--clock", "sundial"],
        ["serve", "--retry-window", "forever"],
        ["generate", "receipts.update", "--count", "0"],
        ["generate", "receipts.update", "--count", "10001"],
        ["generate", "receipts.update", "--seed", "seven"],
        ["generate", "sales.update"],
        ["generate", "receipts.update", "--locale", "xx_XX"],
        ["schedule", "--max-attempts", "0"],
    ],
)
def test_bad_input_exits_2_with_a_message(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "error" in capsys.readouterr().err


def test_generate_writes_the_same_files_twice(tmp_path: Path) -> None:
    for out in ("a", "b"):
        assert main(["generate", "all", "--count", "3", "--seed", "7", "--out", str(tmp_path / out)]) == 0
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.json"))
    assert len(files) == 15
    assert str(files[0]) == "credit_note.update/0001.json"
    for f in files:
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()


def test_generate_prints_json_lines_without_out(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "products.update", "--count", "4", "--seed", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["type"] for line in lines] == ["products.update"] * 4


def test_schedule_prints_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schedule"]) == 0
    out = capsys.readouterr().out
    assert "200" in out and "14m00s" in out and "44h55m15s" in out


def test_trigger_reaches_a_running_server(tmp_path: Path, served: list[Server], capsys: pytest.CaptureFixture[str]) -> None:
    server = Server(tmp_path, "--clock", "manual", "--verify", "off", "--db", ":memory:")
    served.append(server.start())
    sink = f"http://127.0.0.1:{server.port}/_mock/sink/cli"
    _call(server.port, "POST", "/v1.0/webhook", {"url": sink, "event": "receipts.update"}, token="dev-token")
    code = main(["trigger", "receipts.update", "--count", "2", "--server", f"http://127.0.0.1:{server.port}"])
    assert code == 0
    out = capsys.readouterr().out
    assert out.count("succeeded") == 2
    assert _call(server.port, "GET", "/_mock/sink/cli", token="dev-token")[1]["requests"] == 2  # the sink is its own


def test_trigger_without_a_server_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    port = _free_port()
    with pytest.raises(SystemExit) as exc:
        main(["trigger", "receipts.update", "--server", f"http://127.0.0.1:{port}"])
    assert exc.value.code == 1
    assert capsys.readouterr().err == (f"salesplay-mock trigger: error: --server http://127.0.0.1:{port}: cannot reach "
                                       "it (connection refused); is 'salesplay-mock serve' running?\n")


def test_module_entry_point_prints_help() -> None:
    out = subprocess.run([sys.executable, "-m", "mockserver", "--help"], capture_output=True, text=True,
                         env={**os.environ}, timeout=30)
    assert out.returncode == 0 and "serve" in out.stdout


def test_faults_flag_reaches_the_config() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    add_server_options(parser)
    args = parser.parse_args(["--faults", "duplicate=1,outage=1m+10m@2,seed=4", "--clock-start", "2025-06-30T12:00:00Z"])
    config = config_from_args(args, {})
    assert (config.faults.duplicate, config.faults.seed) == (1.0, 4)
    assert config.faults.outage is not None and config.faults.outage.start == 1751284800.0 + 60
    with pytest.raises(ValueError, match="--faults"):
        config_from_args(parser.parse_args(["--faults", "duplicate=2"]), {})


def test_generate_shows_progress_on_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert main(["generate", "products.update", "--count", "250", "--out", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert "250/250" in err and "#" * 30 in err
    assert len(list((tmp_path / "products.update").glob("*.json"))) == 250


class SlowReceiver:
    """A receiver in a thread of its own that answers 200 after ``delay`` seconds, and
    says when a request has arrived."""

    def __init__(self, delay: float) -> None:
        import http.server
        import threading

        self.arrived = threading.Event()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
                self.rfile.read(int(self.headers["Content-Length"]))
                receiver.arrived.set()
                time.sleep(delay)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _attempts(db: Path) -> list[tuple[str, str | None]]:
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT state, error_kind FROM attempts WHERE delivery_id IN "
                        "(SELECT id FROM deliveries WHERE kind = 'event') ORDER BY number").fetchall()
    conn.close()
    return rows


@pytest.mark.parametrize(("grace", "answer_after", "recorded"), [
    ("5", 1.0, [("succeeded", None)]),  # the receiver answers within the grace: recorded as it was
    ("0.2", 5.0, []),  # cut off by the stop: marked in flight, made again by the next start
])
def test_sigterm_lets_attempts_under_way_finish_within_the_grace(
    tmp_path: Path, served: list[Server], grace: str, answer_after: float, recorded: list[Any]
) -> None:
    receiver = SlowReceiver(answer_after)
    try:
        server = Server(tmp_path, "--clock", "scaled", "--verify", "off", "--stop-grace", grace)
        served.append(server.start())
        assert _call(server.port, "POST", "/v1.0/webhook", {"url": receiver.url, "event": "receipts.update"})[0] == 201
        assert _call(server.port, "POST", "/_mock/events", {"type": "receipts.update"})[0] == 201
        assert receiver.arrived.wait(10), "the attempt never reached the receiver"
        started = time.monotonic()
        assert server.stop(signal.SIGTERM) == 0
        assert time.monotonic() - started < float(grace) + 5
        assert _attempts(tmp_path / "salesplay-mock.sqlite3") == recorded
        if not recorded:  # the next start records the cut-off attempt as interrupted, and makes it again
            again = Server(tmp_path, "--clock", "scaled", "--verify", "off")
            served.append(again.start())
            assert again.stop(signal.SIGTERM) == 0
            assert _attempts(tmp_path / "salesplay-mock.sqlite3")[0] == ("failed", "interrupted")
    finally:
        receiver.close()


def test_a_second_server_on_the_same_database_refuses_to_start(tmp_path: Path, served: list[Server]) -> None:
    first = Server(tmp_path, "--clock", "manual")
    served.append(first.start())
    second = subprocess.run([sys.executable, "-m", "mockserver", "serve", "--port", str(_free_port())],
                            cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert second.returncode == 1
    lines = second.stderr.strip().splitlines()
    assert lines[-1].startswith("salesplay-mock serve: error: the database salesplay-mock.sqlite3 is in use by another "
                                f"salesplay-mock server (pid {first.proc.pid})"), second.stderr  # type: ignore[union-attr]
    assert "Traceback" not in second.stderr
    assert first.stop(signal.SIGKILL) == -signal.SIGKILL
    again = Server(tmp_path, "--clock", "manual")  # a crash releases the lock
    served.append(again.start())
    assert again.stop() == 0


def test_a_timeout_longer_than_the_largest_gap_at_this_scale_is_warned_about() -> None:
    warning = scale_warning(Config())
    assert warning is not None and "2h00m00s of simulated time per attempt" in warning and "(14m00s)" in warning
    assert scale_warning(Config(delivery_timeout=1.0)) is None  # 12 minutes: within the largest gap
    assert scale_warning(Config(clock="manual")) is None



@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
def test_serve_runs_on_the_loop_asked_for(tmp_path: Path, served: list[Server], loop: str) -> None:
    pytest.importorskip(loop)
    server = Server(tmp_path, "--clock", "manual", "--db", ":memory:", "--loop", loop)
    served.append(server.start())
    assert _call(server.port, "POST", "/v1.0/webhook", {"url": "https://r.example/h", "event": "products.update"})[0] == 201
    assert server.stop() == 0


def test_loop_uvloop_without_uvloop_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    from mockserver.server.serve import CannotStart, event_loop

    real_import = builtins.__import__

    def no_uvloop(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "uvloop":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_uvloop)
    with pytest.raises(CannotStart, match=r"pip install 'salesplay-mock\[fast\]'"):
        event_loop("uvloop")
    loop, name = event_loop("auto")
    assert name == "asyncio"
    loop.close()
