"""``record``, ``compare`` and ``replay`` as a user runs them: the ready line, Ctrl-C, the
exit statuses, the report's three forms, and one line (never a traceback) for each bad
flag, each recording that cannot be read and each receiver that is not there."""

from __future__ import annotations

import asyncio
import gzip
import json
import signal
import socket
import sys
from pathlib import Path

import pytest
import xmlschema

from mockserver.cli import main
from mockserver.fidelity import sources
from mockserver.fidelity.recording import RecordedRequest
from mockserver.fidelity.session import SessionWriter
from mockserver.shop.generate import generate_payloads
from tests.helpers import _free_port
from tests.recordings import START, encoded, post_chunked, post_with_curl, real_headers, real_receipt

SCHEMA = xmlschema.XMLSchema(str(Path(__file__).with_name("junit.xsd")))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``salesplay-mock ARGV`` in this process: its exit status, stdout and stderr."""
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def recording(path: Path, bodies: list[bytes], *, headers: tuple[tuple[str, str], ...] = ()) -> Path:
    writer = SessionWriter(path, limit=2**30, settings={}, started_at=START)
    for n, body in enumerate(bodies, start=1):
        writer.add(RecordedRequest(n=n, received_at=START + n * 100, method="POST", path="/hook",
                                   headers=(("Content-Type", "application/json"), *headers), body=body, answered=200))
    writer.close(requests=len(bodies), not_kept=0, stopped_at=START + len(bodies) * 100)
    return path


def one_line_error(code: int, err: str, expected: int, *words: str) -> None:
    assert code == expected, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    for word in words:
        assert word in err, err


async def test_record_keeps_requests_until_ctrl_c(tmp_path: Path) -> None:
    """Started as a user starts it: the ready line, curl, a chunked body cut off, Ctrl-C."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "mockserver", "record", "--port", "0", "--out", str(tmp_path / "rec"),
        stderr=asyncio.subprocess.PIPE)
    assert proc.stderr is not None
    try:
        ready = (await asyncio.wait_for(proc.stderr.readline(), 60)).decode()
        assert ready.startswith("salesplay-mock record on http://127.0.0.1:"), ready
        base = ready.split()[3].rstrip("/")
        port = int(base.rsplit(":", 1)[1])
        assert await post_with_curl(base + "/salesplay", encoded(real_receipt()), real_headers(), tmp_path) == "200"
        await post_chunked("127.0.0.1", port, "/salesplay", {}, [b'{"type": "rec'], finish=False)
        lines: list[str] = []
        while len([line for line in lines if line.startswith("#")]) < 2:
            lines.append((await asyncio.wait_for(proc.stderr.readline(), 30)).decode())
        assert "#2 POST /salesplay" in lines[-1] and "no answer (the connection closed)" in lines[-1]
        assert "receipts.update -> 200" in "".join(lines)
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"\x16\x03\x01 not HTTP at all\r\n\r\n")  # a TLS hello, say: answered 400, not kept
        await writer.drain()
        writer.close()
        assert await post_with_curl(base + "/again", b"{}", {}, tmp_path) == "200"  # and it goes on
        assert "#3 POST /again" in (await asyncio.wait_for(proc.stderr.readline(), 30)).decode()
        proc.send_signal(signal.SIGINT)
        rest = (await asyncio.wait_for(proc.stderr.read(), 30)).decode()
        assert await asyncio.wait_for(proc.wait(), 30) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert "3 request(s) arrived, kept in" in rest and "Traceback" not in rest
    [session] = (tmp_path / "rec").iterdir()
    items = list(sources.read(session))
    assert [r.state for r in items if isinstance(r, RecordedRequest)] == ["complete", "incomplete", "complete"]
    assert isinstance(items[-1], sources.SessionEnd)


@pytest.mark.parametrize(("argv", "code", "words"), [
    (["--status", "100"], 2, ("--status", "from 200 to 599")),
    (["--max-request-size", "lots"], 2, ("--max-request-size", "not a size")),
    (["--max-request-size", "2MiB", "--max-session-size", "1MiB"], 2, ("at most --max-session-size",)),
    (["--forward", "ftp://x"], 2, ("--forward ftp://x", "must start with http:// or https://")),
    (["--forward", "http://127.0.0.1:9", "--status", "500"], 2, ("leave out --status",)),
    (["--from", "x.jsonl"], 2, ("--from", "--as-fixtures DIR")),
    (["--prot", "1"], 2, ("did you mean --port?",)),
])
def test_record_says_what_is_wrong_with_its_flags(capsys: pytest.CaptureFixture[str], argv: list[str], code: int,
                                                  words: tuple[str, ...]) -> None:
    one_line_error(*run(capsys, "record", *argv)[::2], code, *words)


def test_record_refuses_an_out_file_that_exists_and_a_port_in_use(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "old.jsonl").write_text("")
    code, _, err = run(capsys, "record", "--out", str(tmp_path / "old.jsonl"), "--port", "0")
    one_line_error(code, err, 1, "exists already")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", _free_port()))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = run(capsys, "record", "--out", str(tmp_path), "--port", str(port))
        one_line_error(code, err, 1, f"--port {port}", "already listening")


def test_record_from_a_recording_writes_fixtures(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    payloads = generate_payloads("products.update", 2, seed=3)
    path = recording(tmp_path / "s.jsonl", [encoded(p) for p in payloads] + [b"oops"])
    code, _, err = run(capsys, "record", "--as-fixtures", str(tmp_path / "fx"), "--from", str(path))
    assert code == 0, err
    assert "wrote 2 fixture(s)" in err and "skipped 1: not a payload (not JSON" in err
    assert json.loads((tmp_path / "fx" / "products.update" / "recorded-0002.json").read_text()) == payloads[1]


def test_compare_exits_0_when_all_is_as_the_mock_sends_it(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = recording(tmp_path / "s.jsonl", [encoded(p) for p in generate_payloads("receipts.update", 3, seed=1)],
                     headers=(("User-Agent", "SalesPlay-Webhooks (salesplay-mock)"),))
    code, out, err = run(capsys, "compare", str(path))
    assert code == 0, out + err
    assert out.endswith("no difference: what was recorded is what the mock sends, and every payload meets the "
                        "receiver schema of its type\n")


def test_compare_exits_1_with_text_json_and_junit(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = recording(tmp_path / "s.jsonl", [encoded(real_receipt())], headers=(("User-Agent", "Real/1"),))
    code, out, _ = run(capsys, "compare", str(path), "--junit", str(tmp_path / "c.xml"))
    assert code == 1
    assert "DIFF  field the mock lacks    $.receipts[*].loyalty_points" in out
    assert "change:    mockserver/schemas/receipts.update.json:22 #/properties/receipts/items/properties" in out
    assert "4 difference(s)" in out
    SCHEMA.validate(str(tmp_path / "c.xml"))
    xml = (tmp_path / "c.xml").read_text()
    assert 'name="receipts.update"' in xml and 'name="headers"' in xml and xml.count("<failure") == 3
    assert '<testcase name="receipts.update (receiver schema)"' in xml
    assert 'message="1 of 1 payload(s) break the receiver schema' in xml
    code, out, _ = run(capsys, "compare", str(path), "--json")
    report = json.loads(out)
    assert code == 1 and report["ok"] is False and report["receiver_ok"] is False
    assert [d["schema"] for d in report["differences"]].count("receiver") == 2 and len(report["differences"]) == 6
    [payload] = report["payloads"]
    assert payload == {"where": "s.jsonl #1", "type": "receipts.update", "strict": "differs", "receiver": "breaks",
                       "receiver_breaks": ["$.created_at", "$.receipts[*].total"]}


def test_compare_reads_a_gzipped_and_a_utf16_recording(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = recording(tmp_path / "s.jsonl", [encoded(real_receipt())])
    (tmp_path / "s.jsonl.gz").write_bytes(gzip.compress(path.read_bytes()))
    (tmp_path / "w.txt").write_bytes(path.read_text().encode("utf-16"))  # PowerShell's > saves UTF-16
    for name in ("s.jsonl.gz", "w.txt"):
        code, out, err = run(capsys, "compare", str(tmp_path / name))
        assert code == 1 and "$.receipts[*].loyalty_points" in out, err


def test_a_last_line_cut_off_is_skipped_and_said(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = recording(tmp_path / "s.jsonl", [encoded(p) for p in generate_payloads("receipts.update", 2, seed=1)])
    text = path.read_text().splitlines(keepends=True)
    path.write_text("".join(text[:2]) + text[2][:50])  # killed while writing the second request
    code, out, _ = run(capsys, "compare", str(path))
    assert "line 3: the last line is cut off" in out and "1 request(s)" in out


@pytest.mark.parametrize(("content", "words"), [
    (b"\x00\x01binary", ("line 1: not JSON",)),
    (b"<html>request bin page</html>\n", ("line 1: not JSON", "each line of a recording is one JSON object")),
    (b'{"kind": "session", "format": "salesplay-mock recording", "version": 1, "started_at": "x"}\n'
     b'{"kind": "request", "n": 1, "received_at": "2025-06-30T12:00:00Z", "method": "POST", "path": "/",'
     b' "headers": "oops", "body": "{}"}\n', ("line 2", "'headers' must be a list of [name, value] pairs")),
    (b'{"kind": "request", "n": "one"}\n', ("line 1", "'n' must be a whole number")),
    (b'{"kind": "request", "n": 1, "received_at": "yesterday", "method": "POST", "path": "/", "headers": [],'
     b' "body": ""}\n', ("'received_at' must be an ISO 8601 time",)),
    (b'{"kind": "end", "stopped_at": "2025-06-30T12:00:00Z"}\n{"kind": broken\n{"kind": "end"}\n',
     ("line 2: not JSON",)),
    (b'{"kind": "session", "format": "salesplay-mock recording", "version": 9}\n', ("format version 9",)),
    (b'{"kind": "end", "stopped_at": "2025-06-30T12:00:00Z"}\n' + '{"kind": "caf\xe9"}'.encode("latin-1"),
     ("line 2: not UTF-8 text (byte 0xe9)",)),
    (b'{"kind": "x"}\n', ("line 1", "'kind' must be session, request or end")),
    (gzip.compress(b'{"kind": "end", "stopped_at": "2025-06-30T12:00:00Z"}\n')[:20], ("damaged or cut-off gzip",)),
])
def test_a_recording_that_cannot_be_read_is_one_line_and_exit_2(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes, words: tuple[str, ...]) -> None:
    (tmp_path / "r.jsonl").write_bytes(content)
    code, _, err = run(capsys, "compare", str(tmp_path / "r.jsonl"))
    one_line_error(code, err, 2, "salesplay-mock compare: error:", *words)


def test_a_file_that_is_no_recording_at_all_is_named(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "bin.html").write_bytes(b"<html>a request bin's page</html>")
    code, _, err = run(capsys, "compare", str(tmp_path / "bin.html"))
    one_line_error(code, err, 2, "bin.html: not JSON", "not a recording (.jsonl), a HAR file or a payload")


def test_a_line_too_long_for_a_recording_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "MAX_LINE", 1000)
    (tmp_path / "r.jsonl").write_text('{"kind": "request", "body": "' + "x" * 2000 + '"}\n')
    code, _, err = run(capsys, "compare", str(tmp_path / "r.jsonl"))
    one_line_error(code, err, 2, "over 0 MiB on one line")


@pytest.mark.parametrize(("argv", "words"), [
    (["nowhere.jsonl"], ("nowhere.jsonl: no such file or folder",)),
    (["--time-scale", "0", "X"], ("--time-scale", "more than 0")),
    (["--retry-window", "soon", "X"], ("--retry-window", "not a duration")),
    (["--max-attempts", "0", "X"], ("--max-attempts", "from 1 to 1000")),
])
def test_compare_says_what_is_wrong_with_its_flags(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                   argv: list[str], words: tuple[str, ...]) -> None:
    argv = [str(recording(tmp_path / "X.jsonl", [b"{}"])) if a == "X" else a for a in argv]
    one_line_error(*run(capsys, "compare", *argv)[::2], 2, *words)


def test_replay_to_a_url_nothing_listens_on_is_one_line_and_exit_1(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = recording(tmp_path / "s.jsonl", [encoded(real_receipt())])
    port = _free_port()
    code, out, err = run(capsys, "replay", str(path), "--to", f"http://127.0.0.1:{port}/hook", "--clock", "manual")
    one_line_error(code, err, 1, f"--to http://127.0.0.1:{port}/hook", "connection refused",
                   "is the receiver running there?")
    assert [line.split()[:2] for line in out.splitlines() if line.startswith("attempt")] == [["attempt", "1"]]
    # one try, not 200 retries of a typo


@pytest.mark.parametrize(("argv", "words"), [
    (["--to", "localhost:8000"], ("--to localhost:8000", "must start with http:// or https://")),
    (["--to", "http://127.0.0.1:1/h"], ("--request", "holds 2 requests", "from 1 to 2")),
    (["--to", "http://127.0.0.1:1/h", "--request", "7"], ("--request 7", "has no request 7")),
    (["--to", "http://127.0.0.1:1/h", "--request", "1", "--time-scale", "0"], ("--time-scale", "more than 0")),
    (["--to", "http://127.0.0.1:1/h", "--request", "1", "--clock", "sundial"], ("--clock", "invalid choice")),
])
def test_replay_says_what_is_wrong_with_its_flags(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                  argv: list[str], words: tuple[str, ...]) -> None:
    path = recording(tmp_path / "s.jsonl", [b"{}", b"[]"])
    one_line_error(*run(capsys, "replay", str(path), *argv)[::2], 2, *words)


def test_replay_will_not_send_a_body_that_was_not_kept_whole(capsys: pytest.CaptureFixture[str],
                                                            tmp_path: Path) -> None:
    writer = SessionWriter(tmp_path / "s.jsonl", limit=2**20, settings={}, started_at=START)
    writer.add(RecordedRequest(n=1, received_at=START, method="POST", path="/", headers=(), body=b"",
                               body_size=9_000_000, state="refused", answered=413, note="over --max-request-size"))
    writer.close(requests=1, not_kept=0)
    code, _, err = run(capsys, "replay", str(tmp_path / "s.jsonl"), "--to", "http://127.0.0.1:1/h")
    one_line_error(code, err, 2, "was not kept whole")


def test_every_new_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("record", "compare", "replay"):
        code, out, _ = run(capsys, command, "--help")
        assert code == 0 and out.startswith(f"usage: salesplay-mock {command}")
