"""The mock from a shell, as a PHP or bash integrator drives it: ``salesplay-mock serve`` and
``trigger`` as processes, and the curl and jq session of docs/getting-started.md."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import Server, _call

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server on the manual clock for the module; each test keeps to a token of its own."""
    server = Server(tmp_path_factory.mktemp("shell"), "--clock", "manual", "--db", ":memory:").start()
    yield server
    server.stop()


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """``salesplay-mock ARGS`` in a process of its own, as a shell runs it."""
    return subprocess.run([sys.executable, "-m", "mockserver", *args], input=stdin, capture_output=True, text=True,
                          timeout=60)


def trigger(mock: Server, token: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return cli("trigger", *args, "--server", f"127.0.0.1:{mock.port}", "--token", token, stdin=stdin)


def sink(mock: Server, name: str) -> str:
    return f"http://127.0.0.1:{mock.port}/_mock/sink/{name}"


def stats(mock: Server, token: str) -> dict[str, Any]:
    status, body = _call(mock.port, "GET", "/_mock/stats", token=token)
    assert status == 200
    result: dict[str, Any] = body
    return result


def test_trigger_an_operation_prints_every_id_made_as_json(mock: Server) -> None:
    _call(mock.port, "POST", "/v1.0/webhook", {"url": sink(mock, "op"), "event": "receipts.update"}, token="op")
    done = trigger(mock, "op", "--operation", "sale", "--count", "2", "--json")
    assert done.returncode == 0, done.stderr
    events = json.loads(done.stdout)["events"]
    assert [e["type"] for e in events] == ["receipts.update", "inventory_levels.update"] * 2
    status, listed = _call(mock.port, "GET", "/_mock/events?kind=event", token="op")  # not the sample POST's
    assert {e["id"] for e in events} == {e["id"] for e in listed["data"]}
    [delivery] = events[0]["deliveries"]
    assert delivery["id"].startswith("dlv_") and delivery["status"] == "succeeded"


def test_trigger_a_type_with_the_operation_that_sends_it(mock: Server) -> None:
    done = trigger(mock, "refund", "credit_note.update", "--operation", "refund")
    assert done.returncode == 0, done.stderr
    assert "credit_note.update" in done.stdout
    assert stats(mock, "refund")["events"]["by_type"]["credit_note.update"]["total"] == 1


@pytest.mark.parametrize(("args", "words"), [
    (["receipts.update", "--operation", "refund"],
     "TYPE receipts.update: --operation refund sends credit_note.update and inventory_levels.update; leave TYPE "
     "out, or use an --operation that sends it (sale, receipt_update)"),
    ([], "give an event TYPE, or --operation"),
    (["--operation", "sale", "--payload", "-"], "give one of them"),
    (["--payload", "-"], "--payload needs the event TYPE"),
    (["--operation", "rob"], "argument --operation: invalid choice: 'rob'"),
])
def test_a_contradictory_trigger_is_one_line_and_exit_2_and_the_shop_does_not_act(
        mock: Server, args: list[str], words: str) -> None:
    done = trigger(mock, "contradiction", *args, stdin="{}")
    assert done.returncode == 2
    assert done.stderr.startswith("salesplay-mock trigger: error: ") and words in done.stderr
    assert done.stderr.count("\n") == 1 and done.stdout == ""
    assert stats(mock, "contradiction")["events"]["total"] == 0


def test_trigger_sends_a_payload_from_standard_input(mock: Server) -> None:
    payload = {"merchant_id": "mine", "customers": [{"customer_id": "c1"}]}
    done = trigger(mock, "payload", "customers.update", "--payload", "-", "--json", stdin=json.dumps(payload))
    assert done.returncode == 0, done.stderr
    [event] = json.loads(done.stdout)["events"]
    assert event["payload"] == {**payload, "type": "customers.update"} and event["kind"] == "event"


@pytest.mark.parametrize(("text", "words"), [("{nope", "is not JSON"), ("[1, 2]", "must be a JSON object")])
def test_a_payload_that_is_not_a_json_object_is_exit_2(mock: Server, text: str, words: str) -> None:
    done = trigger(mock, "bad-payload", "customers.update", "--payload", "-", stdin=text)
    assert done.returncode == 2 and f"--payload -: {words}" in done.stderr


def test_a_payload_file_that_cannot_be_read_is_exit_2(mock: Server, tmp_path: Path) -> None:
    done = trigger(mock, "bad-payload", "customers.update", "--payload", str(tmp_path / "missing.json"))
    assert done.returncode == 2 and "cannot read it (no such file or directory)" in done.stderr


def test_strict_serve_refuses_the_same_url_and_event_twice(tmp_path: Path, served: list[Server]) -> None:
    server = Server(tmp_path, "--strict", "--verify", "off", "--db", ":memory:")
    served.append(server.start())
    hook = {"url": "https://receiver.example/hook", "event": "receipts.update"}
    assert _call(server.port, "POST", "/v1.0/webhook", hook)[0] == 201
    status, body = _call(server.port, "POST", "/v1.0/webhook", hook)
    assert status == 409 and body["error"]["code"] == "duplicate_webhook"
    assert len(_call(server.port, "GET", "/v1.0/webhook")[1]["data"]) == 1


needs = [tool for tool in ("curl", "jq") if shutil.which(tool) is None]


@pytest.mark.skipif(bool(needs) and not os.environ.get("CI"),
                    reason=f"no {' or '.join(needs)} here (apt-get install curl jq); CI installs them")
def test_the_readmes_curl_and_jq_session_runs_and_counts(mock: Server) -> None:
    env = {**os.environ, "MOCK": f"http://127.0.0.1:{mock.port}"}
    script = ROOT / "examples" / "shell" / "session.sh"
    checks = script.read_text(encoding="utf-8").count("\nexpect ")
    for _ in range(2):  # it starts clean: a second run counts the same
        done = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "FAIL" not in done.stdout + done.stderr
        assert done.stdout.count("ok: ") == checks >= 9  # every check ran
        assert "ok: deliveries succeeded = 3" in done.stdout
