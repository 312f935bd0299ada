"""``salesplay-mock check`` as a user runs it: the report, the exit status, the files for CI,
and one line (never a traceback) for every bad flag."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import pytest
import xmlschema

from mockserver.cli import main
from tests import receivers
from tests.helpers import _free_port

SCHEMA = xmlschema.XMLSchema(str(Path(__file__).with_name("junit.xsd")))


async def run_cli(*args: str) -> tuple[int, str, str]:
    """``python -m mockserver check ...`` in a process of its own, while this loop serves the receiver."""
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "mockserver", "check", *args,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def serve(aiohttp_server: Any, handler: receivers.Handler) -> str:
    application, _ = receivers.app(handler)
    return str((await aiohttp_server(application)).make_url("/hook"))


async def test_a_good_receiver_exits_0_with_a_line_a_scenario(aiohttp_server: Any) -> None:
    url = await serve(aiohttp_server, receivers.good)
    code, out, err = await run_cli(url, "--seed", "5")
    assert code == 0, out + err
    assert out.startswith(f"salesplay-mock check {url}\nseed 5 ")
    assert out.count("\nPASS  ") == 14 and "FAIL" not in out
    assert out.rstrip().endswith("PASS: SalesPlay would keep this webhook enabled")
    assert "\x1b[" not in out  # not a terminal: no colour


async def test_a_failing_receiver_exits_1_and_writes_junit_and_json(aiohttp_server: Any, tmp_path: Path) -> None:
    url = await serve(aiohttp_server, receivers.conflict_on_duplicates())
    junit = tmp_path / "check.xml"
    code, out, _ = await run_cli(url, "--seed", "5", "--junit", str(junit), "--events", "receipts.update")
    assert code == 1
    assert "FAIL  duplicate_back_to_back" in out and "was answered 409" in out
    assert "SalesPlay: retried up to 200 times over 48 hours, then this webhook is disabled" in out
    SCHEMA.validate(str(junit))

    code, out, _ = await run_cli(url, "--seed", "6", "--json", "--events", "receipts.update")  # new events
    assert code == 1
    report = json.loads(out)
    assert report["ok"] is False
    assert {s["id"] for s in report["scenarios"] if s["status"] == "fail"} == {
        "duplicate_back_to_back", "duplicate_concurrent"}


async def test_nothing_listening_exits_1_with_the_reason() -> None:
    code, out, err = await run_cli(f"http://127.0.0.1:{_free_port()}/hook")
    assert code == 1 and err == ""
    assert "FAIL  sample_post" in out and "was refused: nothing is listening there" in out
    assert "Traceback" not in out + err


@pytest.mark.parametrize(("argv", "words"), [
    (["check"], "the following arguments are required: URL"),
    (["check", "ftp://receiver.example/hook"], "'url' must start with http:// or https://"),
    (["check", "localhost:8000/hook"], "(did you mean http://localhost:8000/hook?)"),
    (["check", "not a url"], "'url' must not contain spaces"),
    (["check", "http://r.example/h", "--events", "sales.update"], "unknown event type 'sales.update'"),
    (["check", "http://r.example/h", "--events", ","], "name at least one event type"),
    (["check", "http://r.example/h", "--delivery-timeout", "0"], "--delivery-timeout must be more than 0"),
    (["check", "http://r.example/h", "--delivery-timeout", "soon"], "argument --delivery-timeout: 'soon' is not a number"),
    (["check", "http://r.example/h", "--seed", "seven"], "argument --seed: must be a whole number from 0 to 2**63 - 1, not 'seven'"),
    (["check", "http://r.example/h", "--seed", "-1"], "--seed: must be a whole number from 0 to 2**63 - 1"),
    (["check", "http://r.example/h", "--locale", "xx_XX"], "unknown locale 'xx_XX'"),
    (["check", "http://r.example/h", "--color", "purple"], "invalid choice: 'purple'"),
    (["check", "http://r.example/h", "--junit", "/no/such/folder/check.xml"], "give a file in a folder that exists"),
])
def test_a_bad_flag_ends_in_one_line_and_exit_2(argv: list[str], words: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    last = err.rstrip().splitlines()[-1]
    assert last.startswith(("salesplay-mock: error: ", "salesplay-mock check: error: ")) and words in last, err
    assert "Traceback" not in err


def test_a_junit_file_that_cannot_be_written_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "report.xml"
    folder.mkdir()
    with pytest.raises(SystemExit) as exc:
        main(["check", f"http://127.0.0.1:{_free_port()}/h", "--junit", str(folder)])
    assert exc.value.code == 2 and "give a file in a folder that exists" in capsys.readouterr().err


def test_colour_on_a_terminal_unless_no_color(monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{_free_port()}/hook"
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert main(["check", url]) == 1
    assert "\x1b[31mFAIL\x1b[0m  sample_post" in capsys.readouterr().out
    monkeypatch.setenv("NO_COLOR", "1")
    assert main(["check", url]) == 1
    assert "\x1b[" not in capsys.readouterr().out
    assert main(["check", url, "--color", "always"]) == 1
    assert "\x1b[31m" in capsys.readouterr().out
