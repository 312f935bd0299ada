"""The command line speaks to people: every --help works, and every mistake ends in one
line naming the flag and the problem, with a non-zero exit and no traceback."""

from __future__ import annotations

import argparse
import errno
import http.server
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockserver import cli
from mockserver.cli.options import add_server_options, config_from_args
from mockserver.server import serve
from tests.helpers import Server, _call

# Words of Python's and argparse's own that must never reach a user.
INTERNALS = ("Traceback", "invalid literal", "could not convert", "invalid int value", "time_scale",
             "max_in_flight", "ssl:default", "Errno")


def _subcommands() -> list[str]:
    parser = cli.build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sorted(commands.choices)


def _fails(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int | str | None, str]:
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    err = capsys.readouterr().err
    for word in INTERNALS:
        assert word not in err, err
    return exc.value.code, err.strip().splitlines()[-1]


@pytest.fixture
def no_server_start(monkeypatch: pytest.MonkeyPatch) -> None:
    """A check that lets a bad start through fails the test at once, instead of serving."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the server started despite the problem")

    monkeypatch.setattr("mockserver.server.serve.web.run_app", refuse)


@pytest.mark.parametrize("command", ["", *_subcommands()])
def test_every_subcommands_help_works(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _subcommands() == ["check", "compare", "fixtures", "generate", "postman", "record", "replay", "scenario",
                             "schedule", "serve", "trigger"]
    with pytest.raises(SystemExit) as exc:
        cli.main([command, "--help"] if command else ["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: salesplay-mock {command}".rstrip()) and "--help" in out


def test_scenario_runs_help_works(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["scenario", "run", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: salesplay-mock scenario run") and "FILE" in out and "--server" in out


@pytest.mark.parametrize(("argv", "line"), [
    (["serve", "--port", "99999"], "--port: must be from 1 to 65535 (0: any free port), not 99999"),
    (["serve", "--port", "eighty"], "--port: 'eighty' is not a whole number"),
    (["serve", "--time-scale", "0"], "--time-scale: must be more than 0 and at most 100,000, not 0"),
    (["serve", "--time-scale", "1e10"], "--time-scale: must be more than 0 and at most 100,000, not 1e10"),
    (["serve", "--time-scale", "fast"], "--time-scale: 'fast' is not a number"),
    (["serve", "--time-scale", "nan"], "--time-scale: 'nan' is not a finite number"),
    (["serve", "--max-in-flight", "x"], "--max-in-flight: 'x' is not a whole number"),
    (["serve", "--max-in-flight", "0"], "--max-in-flight: must be at least 1, not 0"),
    (["serve", "--clock", "sundial"], "--clock: must be scaled, real or manual, not sundial"),
    (["serve", "--loop", "bogus"], "--loop: must be auto, asyncio or uvloop, not bogus"),
    (["serve", "--loop", "Asyncio"], "--loop: must be auto, asyncio or uvloop, not Asyncio"),
    (["serve", "--retry-window", "1s"], "--retry-window: must be from 60 seconds to 30 days, not 1s"),
    (["serve", "--retry-window", "1e12"], "--retry-window: must be from 60 seconds to 30 days, not 1e12"),
    (["serve", "--retry-window", "1e308"], "--retry-window: must be from 60 seconds to 30 days, not 1e308"),
    (["serve", "--clock-start", "yesterday"], "--clock-start: 'yesterday' is not an ISO 8601 time"),
    (["serve", "--clock-start", "9999-12-31T23:59:59Z"], "--clock-start: must be from 1970-01-01T00:00:00Z to 9989-"),
    (["serve", "--clock-start", "0001-01-01T00:00:00Z"], "--clock-start: must be from 1970-01-01T00:00:00Z to 9989-"),
    (["serve", "--clock-start", "9989-12-23T00:00:00Z"], "to 9989-12-21T23:59:59Z (9989-12-23T23:59:59Z less the --retry-window)"),
    (["serve", "--delivery-timeout", "1e308"], "--delivery-timeout: must be more than 0 and at most 3600 seconds"),
    (["serve", "--traffic", "1000000"], "--traffic: must be 0 (off) to 100,000 events per simulated minute"),
    (["serve", "--token", "a b"], "--token: must be printable ASCII characters without spaces"),
    (["serve", "--token", ""], "--token: '' names nothing; give at least one value"),
    (["serve", "--token", ",,"], "--token: ',,' names nothing; give at least one value"),
    (["serve", "--ui-token", "a b"], "--ui-token: must be printable ASCII characters without spaces"),
    (["serve", "--token", "a", "--ui-token", "b"], "--ui-token: must be one of the accepted tokens (--token)"),
    (["serve", "--faults", "duplicate=x"], "--faults: duplicate='x': it must be a number"),
    (["serve", "--faults", "seed=x"], "--faults: seed='x': it must be a whole number"),
    (["serve", "--locale", "xx_XX"], "--locale: unknown locale 'xx_XX'"),
    (["generate", "all", "--count", "0"], "argument --count: must be from 1 to 10000, not 0"),
    (["generate", "all", "--seed", "seven"], "argument --seed: must be a whole number from 0 to 2**63 - 1, not 'seven'"),
    (["generate", "all", "--locale", "xx"], "--locale: unknown locale 'xx'"),
    (["schedule", "--max-attempts", "0"], "argument --max-attempts: must be from 1 to 1000, not 0"),
    (["schedule", "--retry-window", "forever"], "--retry-window: 'forever' is not a duration"),
    (["schedule", "--retry-window", "1s"], "--retry-window: must be from 60 seconds to 30 days, not 1s"),
    (["trigger", "receipts.update", "--count", "1001"], "argument --count: must be from 1 to 1000, not 1001"),
    (["trigger", "receipts.update", "--server", "ftp://x"], "--server: 'ftp://x' is not the mock's address"),
    (["trigger", "receipts.update", "--server", "x:99999"], "--server: 'x:99999' is not the mock's address"),
    (["trigger", "receipts.update", "--server", "[::1"], "--server: '[::1' is not the mock's address"),
])
def test_a_bad_value_ends_in_one_line_naming_the_flag(argv: list[str], line: str, no_server_start: None,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, last = _fails(argv, capsys)
    assert code == 2
    assert last.startswith(f"salesplay-mock {argv[0]}: error: ") and line in last, last


def test_a_bad_environment_variable_is_named_as_such() -> None:
    parser = argparse.ArgumentParser()
    add_server_options(parser)
    with pytest.raises(ValueError, match=r"^SALESPLAY_MOCK_TIME_SCALE: must be more than 0 and at most 100,000, not -2$"):
        config_from_args(parser.parse_args([]), {"SALESPLAY_MOCK_TIME_SCALE": "-2"})
    with pytest.raises(ValueError, match=r"^SALESPLAY_MOCK_LOOP: must be auto, asyncio or uvloop, not bogus$"):
        config_from_args(parser.parse_args([]), {"SALESPLAY_MOCK_LOOP": "bogus"})
    with pytest.raises(ValueError, match=r"^--time-scale: "):  # the flag wins, and is the one named
        config_from_args(parser.parse_args(["--time-scale", "0"]), {"SALESPLAY_MOCK_TIME_SCALE": "5"})


@pytest.mark.parametrize(("argv", "hint"), [
    (["serve", "--prot", "1"], "did you mean --port?"),
    (["serve", "--prot=1"], "did you mean --port?"),
    (["generate", "--cuont", "3", "all"], "did you mean --count?"),
    (["trigger", "receipts.update", "--tokn", "a"], "did you mean --token?"),
    (["schedule", "now"], "see salesplay-mock schedule --help"),
])
def test_an_unknown_flag_is_one_line_naming_that_subcommand(argv: list[str], hint: str,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    err = capsys.readouterr().err
    assert exc.value.code == 2
    assert len(err.strip().splitlines()) == 1, err  # not argparse's whole usage first
    assert err.startswith(f"salesplay-mock {argv[0]}: error: unrecognized arguments: ") and err.strip().endswith(hint)


@pytest.mark.parametrize("argv", [
    ["serve", "--port"], ["trigger", "bogus"], ["generate", "--count", "0", "all"], ["check", "--color", "x", "u"], [],
])
def test_argparses_own_mistakes_are_one_line_with_the_way_to_the_help(argv: list[str],
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    err = capsys.readouterr().err.strip()
    assert exc.value.code == 2 and len(err.splitlines()) == 1, err
    prog = " ".join(["salesplay-mock", *argv[:1]])
    assert err.startswith(f"{prog}: error: ") and err.endswith(f"see {prog} --help"), err


def test_a_port_in_use_is_named(no_server_start: None, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        code, last = _fails(["serve", "--port", str(port), "--db", ":memory:"], capsys)
    assert code == 1
    assert last == (f"salesplay-mock serve: error: --port {port}: another program is already listening on "
                    f"127.0.0.1:{port}; stop it, or choose another --port")


@pytest.mark.parametrize(("host", "problem"), [
    ("no-such-host.invalid", "--host no-such-host.invalid: no such host or address here"),
    ("192.0.2.1", "--host 192.0.2.1: not an address of this machine"),  # TEST-NET-1: bound to, never sent to
])
def test_a_host_that_cannot_be_listened_on_is_named(host: str, problem: str, no_server_start: None,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    code, last = _fails(["serve", "--host", host, "--db", ":memory:"], capsys)
    assert code == 1 and problem in last


def test_a_port_taken_between_the_check_and_the_start_is_named(monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    def taken(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EADDRINUSE, "address already in use")

    monkeypatch.setattr("mockserver.server.serve.web.run_app", taken)
    code, last = _fails(["serve", "--port", "0", "--db", ":memory:"], capsys)
    assert code == 1 and "--port 0: another program is already listening" in last


@pytest.mark.parametrize(("err", "words"), [
    (OSError(errno.EACCES, "permission denied"), "--port 80: not allowed to listen on it (ports below 1024 need root)"),
    (OSError(errno.ENETDOWN, "Network is down"), "--host h --port 80: cannot listen there: network is down"),
])
def test_other_listening_problems_are_said_in_words(err: OSError, words: str) -> None:
    assert serve.bind_problem("h", 80, err).startswith(words)


@pytest.mark.parametrize(("make", "problem"), [
    (lambda tmp: tmp, "is a folder; give a file in it, such as"),
    (lambda tmp: tmp / "missing" / "mock.sqlite3", "the folder {tmp}/missing does not exist; create it first"),
    (lambda tmp: tmp / "file.txt" / "mock.sqlite3", "the folder {tmp}/file.txt is not a folder"),
    (lambda tmp: tmp / "file.txt", "is not a salesplay-mock database (file is not a database)"),
    (lambda tmp: Path(os.devnull), "is not a regular file"),  # and no /dev/null.lock is left behind
])
def test_an_unusable_database_path_is_named(tmp_path: Path, make: object, problem: str) -> None:
    (tmp_path / "file.txt").write_text("not sqlite, but long enough to have a header page " * 10)
    db = make(tmp_path)  # type: ignore[operator]
    out = subprocess.run([sys.executable, "-m", "mockserver", "serve", "--port", "0", "--db", str(db)],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    assert out.stderr.strip().splitlines()[-1].startswith("salesplay-mock serve: error: --db: ")
    assert problem.format(tmp=tmp_path) in out.stderr


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="needs Linux's /sys")
def test_a_folder_that_refuses_new_files_is_named_as_the_databases_problem_not_the_ports() -> None:
    out = subprocess.run([sys.executable, "-m", "mockserver", "serve", "--port", "0",
                          "--db", "/sys/kernel/salesplay-mock.sqlite3"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith("salesplay-mock serve: error: --db: ") and "/sys/kernel" in last, last


def test_port_0_serves_on_a_free_port_and_says_which(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "mockserver", "serve", "--port", "0", "--db", ":memory:",
                             "--retry-window", "20h"], cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        banner = proc.stderr.readline()
        found = re.search(r"salesplay-mock on http://127\.0\.0\.1:(\d+)/", banner)
        assert found, banner
        assert "(20h of retries in 1m40s)" in banner, banner  # the window asked for, at 720x
        assert _call(int(found.group(1)), "GET", "/healthz")[0] == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
        assert proc.stderr is not None
        proc.stderr.close()


def test_generate_out_on_an_existing_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "payloads.json").write_text("{}")
    code, last = _fails(["generate", "all", "--out", str(tmp_path / "payloads.json")], capsys)
    assert code == 1
    assert last.startswith(f"salesplay-mock generate: error: --out {tmp_path}/payloads.json: is a file; give a folder")
    assert (tmp_path / "payloads.json").read_text() == "{}"


def test_generate_out_where_nothing_can_be_written_is_refused(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "file").write_text("")
    code, last = _fails(["generate", "all", "--count", "1", "--out", str(tmp_path / "file" / "sub")], capsys)
    assert code == 1 and "--out " in last and "cannot write there: not a directory" in last


def test_ctrl_c_stops_quietly(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def interrupted(*args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "generate", interrupted)
    code, last = _fails(["generate", "all"], capsys)
    assert (code, last) == (130, "salesplay-mock generate: stopped")


def test_trigger_takes_host_and_port_without_a_scheme(tmp_path: Path, served: list[Server],
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    server = Server(tmp_path, "--clock", "manual", "--verify", "off", "--db", ":memory:", "--token", "good")
    served.append(server.start())
    assert cli.main(["trigger", "products.update", "--server", f"127.0.0.1:{server.port}", "--token", "good"]) == 0
    assert "products.update" in capsys.readouterr().out
    code, last = _fails(["trigger", "products.update", "--server", f"localhost:{server.port}/", "--token", "bad"],
                        capsys)
    assert code == 1
    assert last.startswith(f"salesplay-mock trigger: error: --server http://localhost:{server.port}: the mock "
                           "refused: 401 invalid_token: this access token is not accepted")


@pytest.fixture
def not_the_mock() -> Iterator[int]:
    """Some other web server, answering a POST with a page (a 502 one on /bad/...)."""

    class Page(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
            self.send_response(502 if self.path.startswith("/bad/") else 200)
            self.send_header("Content-Length", "6")
            self.end_headers()
            self.wfile.write(b"<html>")

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def test_trigger_at_something_that_is_not_the_mock_says_so(not_the_mock: int,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, last = _fails(["trigger", "products.update", "--server", f"127.0.0.1:{not_the_mock}"], capsys)
    assert code == 1 and last.endswith("what answered is not salesplay-mock; check the address")


def test_trigger_at_a_server_refusing_in_its_own_words_says_its_status(not_the_mock: int,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    code, last = _fails(["trigger", "products.update", "--server", f"http://127.0.0.1:{not_the_mock}/bad"], capsys)
    assert code == 1 and last.endswith("the mock refused: 502 Bad Gateway")


def test_trigger_at_a_host_that_does_not_exist_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    code, last = _fails(["trigger", "products.update", "--server", "no-such-host.invalid:8080"], capsys)
    assert code == 1 and "cannot reach it (no such host); is 'salesplay-mock serve' running?" in last


def _serve_on(db: str, cwd: Path) -> tuple[int, str]:
    """Start a server on the database ``db``: its exit code and its last line."""
    out = subprocess.run([sys.executable, "-m", "mockserver", "serve", "--port", "0", "--db", db],
                         capture_output=True, text=True, timeout=30, cwd=cwd)
    assert "Traceback" not in out.stderr, out.stderr
    return out.returncode, out.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize(("target", "words"), [
    ("/nonexistent/x", "is a symbolic link to /nonexistent/x, which points nowhere (the folder /nonexistent does not exist)"),
    ("d.sqlite3", "is a symbolic link to d.sqlite3, which points nowhere (too many levels of symbolic links)"),
])
def test_a_database_path_that_is_a_link_to_nowhere_is_named(tmp_path: Path, target: str, words: str) -> None:
    (tmp_path / "d.sqlite3").symlink_to(target)
    code, last = _serve_on("d.sqlite3", tmp_path)
    assert code == 1 and last == f"salesplay-mock serve: error: --db: d.sqlite3 {words}; " + (
        "create it, or give another path" if "folder" in words else "give another path"), last
    assert not (tmp_path / "d.sqlite3.lock").exists()


def test_a_link_to_a_database_not_made_yet_is_followed(tmp_path: Path) -> None:
    from mockserver.store import Store

    (tmp_path / "d.sqlite3").symlink_to("real.sqlite3")
    Store(str(tmp_path / "d.sqlite3")).close()  # SQLite makes the file the link names
    assert (tmp_path / "real.sqlite3").is_file()


@pytest.mark.parametrize("name", ["a" * 300, "a" * 252])  # the database's own name; only its .lock file's
def test_a_database_name_too_long_is_the_databases_problem_not_the_ports(tmp_path: Path, name: str) -> None:
    code, last = _serve_on(str(tmp_path / name), tmp_path)
    assert code == 1 and last.startswith("salesplay-mock serve: error: --db: "), last
    assert last.endswith("(file name too long); give a shorter path") and "--port" not in last, last


def test_an_empty_database_path_is_named_as_empty(tmp_path: Path) -> None:
    code, last = _serve_on("", tmp_path)
    assert code == 1 and last == ("salesplay-mock serve: error: --db: the path is empty; "
                                  "give a file, such as ./salesplay-mock.sqlite3"), last


def test_a_refused_database_leaves_no_lock_file_behind_but_never_removes_anothers(tmp_path: Path) -> None:
    from mockserver.store import Store
    from mockserver.store.db import UnusableDatabase

    not_sqlite = tmp_path / "file.txt"
    not_sqlite.write_text("not sqlite, but long enough to have a header page " * 10)
    with pytest.raises(UnusableDatabase, match="is not a salesplay-mock database"):
        Store(str(not_sqlite))
    assert not (tmp_path / "file.txt.lock").exists()  # this start made it: gone with it
    (tmp_path / "file.txt.lock").write_text("12345")  # there before: not this start's to remove
    with pytest.raises(UnusableDatabase, match="is not a salesplay-mock database"):
        Store(str(not_sqlite))
    assert (tmp_path / "file.txt.lock").exists()


@pytest.mark.parametrize("version", [0, 3, 42])  # many programs keep their own user_version
def test_another_programs_sqlite_database_is_left_alone(tmp_path: Path, version: int) -> None:
    import sqlite3

    theirs = tmp_path / "app.sqlite3"
    with sqlite3.connect(theirs) as conn:
        conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY)")
        conn.execute(f"PRAGMA user_version = {version}")
    conn.close()
    out = subprocess.run([sys.executable, "-m", "mockserver", "serve", "--port", "0", "--db", str(theirs)],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "is another program's SQLite database (it has tables such as 'orders'" in out.stderr
    with sqlite3.connect(theirs) as conn:  # untouched: no table of ours was added, its journal as it was
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["orders"]
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()
