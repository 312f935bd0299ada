"""The command line: serve (as a real process), generate, schedule, trigger, and bad input."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from mockserver.cli import main
from mockserver.options import add_server_options, config_from_args
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
           "SALESPLAY_MOCK_RETRY_WINDOW": "2h", "SALESPLAY_MOCK_NO_MOCK_HEADERS": "true"}
    config = config_from_args(parser.parse_args(["--port", "7000"]), env)
    assert (config.port, config.clock, config.tokens, config.retry_window, config.mock_headers) == (
        7000, "manual", ("a", "b"), 7200.0, False)


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
    assert _call(server.port, "GET", "/_mock/sink/cli")[1]["requests"] == 2


def test_trigger_without_a_server_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["trigger", "receipts.update", "--server", f"http://127.0.0.1:{_free_port()}"])
    assert code == 1
    assert "is 'salesplay-mock serve' running?" in capsys.readouterr().err


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
