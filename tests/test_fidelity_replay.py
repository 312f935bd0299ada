"""``replay``: a failure recorded from "SalesPlay" happens again against the example
receiver, attempt after attempt on the published schedule, until the rule gives up or the
receiver recovers; a fixture or an attempt of the mock's HAR export is sent the same way."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import aiohttp
import pytest

from mockserver.domain.clock import ManualClock, ScaledClock
from mockserver.domain.config import Config
from mockserver.engine.attempt import DELIVERY_HEADERS
from mockserver.fidelity.replay import load, replay
from mockserver.shop.generate import generate_payloads
from tests.helpers import advance, register, sign_in, trigger
from tests.recordings import REAL_AGENT, encoded, post_chunked, real_headers, start_recorder

RECEIVER = Path(__file__).parent.parent / "examples" / "receiver" / "receiver.py"


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("example_receiver", RECEIVER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Example:
    """examples/receiver/receiver.py, served in a thread as its own __main__ serves it,
    counting what reaches it."""

    def __init__(self) -> None:
        module = _example()
        self.ledger = module.Ledger()
        self.seen: list[dict[str, str]] = []
        app = module.make_app(self.ledger)

        def counting(environ: dict[str, Any], start_response: Any) -> Any:
            self.seen.append({k: v for k, v in environ.items() if k.startswith("HTTP_")})
            return app(environ, start_response)

        from wsgiref.simple_server import make_server
        self.httpd = make_server("127.0.0.1", 0, counting, server_class=module.Server, handler_class=module.QuietHandler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/salesplay"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def example() -> Iterator[Example]:
    """The example receiver, running until the test ends."""
    served = Example()
    yield served
    served.close()


def receipt_without_updated_at() -> bytes:
    """A receipt as the real SalesPlay might send it, without the updated_at the example
    receiver keys on: in production it answered 400, again and again."""
    payload = generate_payloads("receipts.update", 1, seed=11)[0]
    del payload["receipts"][0]["updated_at"]
    return encoded(payload)


async def recorded_failure(aiohttp_server: Any, tmp_path: Path) -> Path:
    rec = await start_recorder(aiohttp_server, tmp_path, status=400)
    assert rec.server.port is not None
    answer = await post_chunked("127.0.0.1", rec.server.port, "/salesplay", real_headers(
        **{"X-Forwarded-For": "203.0.113.9"}), [receipt_without_updated_at()])
    assert answer.startswith(b"HTTP/1.1 400")
    return rec.file


async def test_a_recorded_failure_happens_again_with_its_retries_until_the_rule_gives_up(
        aiohttp_server: Any, tmp_path: Path, example: Example) -> None:
    request = load(await recorded_failure(aiohttp_server, tmp_path), None)
    config = Config(db=":memory:", clock="manual", max_attempts=5)
    result = await replay(request, example.url, config, ManualClock(start=0.0))
    assert not result.delivered
    assert [(a.number, a.offset, a.outcome.response_status) for a in result.attempts] == [
        (1, 0.0, 400), (2, 5.0, 400), (3, 15.0, 400), (4, 35.0, 400), (5, 75.0, 400)]
    assert len(example.seen) == 5
    assert example.ledger.receipts() == []
    sent = example.seen[0]
    assert sent["HTTP_USER_AGENT"] == REAL_AGENT and sent["HTTP_X_MOCK_KIND"] == "replay"
    assert "HTTP_X_FORWARDED_FOR" not in sent  # added by the tunnel on the way in, not SalesPlay's
    assert [s["HTTP_X_MOCK_ATTEMPT"] for s in example.seen] == ["1", "2", "3", "4", "5"]


async def test_a_receiver_that_recovers_gets_the_delivery_at_the_attempt_after(
        aiohttp_server: Any, tmp_path: Path, example: Example) -> None:
    rec = await start_recorder(aiohttp_server, tmp_path, status=500)
    async with aiohttp.ClientSession() as session:
        async with session.post(rec.url(), data=encoded(generate_payloads("receipts.update", 1, seed=5)[0]),
                                headers=real_headers()) as resp:
            assert resp.status == 500
    example.ledger.down = True  # its database is down, as it was in production

    def after(attempt: Any) -> None:
        if attempt.number == 2:
            example.ledger.down = False

    result = await replay(load(rec.file, 1), example.url, Config(db=":memory:", clock="manual"),
                          ManualClock(start=0.0), on_attempt=after)
    assert result.delivered
    assert [(a.offset, a.outcome.response_status) for a in result.attempts] == [(0.0, 500), (5.0, 500), (15.0, 200)]
    assert len(example.ledger.receipts()) == 1


async def test_on_a_scaled_clock_each_attempt_waits_for_its_moment(example: Example, tmp_path: Path) -> None:
    (tmp_path / "payload.json").write_bytes(receipt_without_updated_at())
    config = Config(db=":memory:", time_scale=100_000, max_attempts=4)
    result = await replay(load(tmp_path / "payload.json", None), example.url, config, ScaledClock(100_000))
    offsets = [a.offset for a in result.attempts]
    assert len(offsets) == 4 and not result.delivered
    assert all(made >= due for made, due in zip(offsets, (0, 5, 15, 35)))  # never early; late only by the load


async def test_a_fixture_is_sent_with_the_mocks_headers(receiver: Any, tmp_path: Path) -> None:
    rec = await receiver()
    payload = generate_payloads("customers.update", 1, seed=2)[0]
    (tmp_path / "0001.json").write_text(json.dumps(payload, indent=2))
    result = await replay(load(tmp_path / "0001.json", None), rec.url, Config(db=":memory:", clock="manual"),
                          ManualClock(start=0.0), mock_headers=False)
    assert result.delivered and rec.requests[0]["body"] == payload
    sent = rec.requests[0]["headers"]
    assert sent["User-Agent"] == DELIVERY_HEADERS["User-Agent"] and "X-Mock-Kind" not in sent


async def test_an_attempt_of_the_mocks_har_export_is_sent_again(client: Any, receiver: Any, tmp_path: Path) -> None:
    first = await receiver([500, 500], default=200)
    await register(client, first.url)
    sent = await trigger(client)
    await advance(client, 60)
    await sign_in(client)
    resp = await client.get(f"/ui/deliveries/{sent['events'][0]['deliveries'][0]['id']}/har")
    (tmp_path / "d.har").write_text(await resp.text())
    again = await receiver()
    result = await replay(load(tmp_path / "d.har", 2), again.url, Config(db=":memory:", clock="manual"),
                          ManualClock(start=0.0))
    assert result.delivered and again.requests[0]["body"] == sent["events"][0]["payload"]
    assert again.requests[0]["headers"]["X-Mock-Kind"] == "replay"


async def test_the_cli_reproduces_it_against_the_example_receiver_run_as_a_program(
        aiohttp_server: Any, tmp_path: Path) -> None:
    recording = await recorded_failure(aiohttp_server, tmp_path)
    receiver = await asyncio.create_subprocess_exec(sys.executable, str(RECEIVER), "0",
                                                    stdout=asyncio.subprocess.PIPE)
    try:
        assert receiver.stdout is not None
        url = (await asyncio.wait_for(receiver.stdout.readline(), 30)).decode().strip()
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "mockserver", "replay", str(recording), "--to", url, "--clock", "manual",
            "--max-attempts", "4", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(proc.communicate(), 60)
    finally:
        receiver.kill()
        await receiver.wait()
    text = out.decode()
    assert proc.returncode == 1, text + err.decode()
    assert [line.split()[:5] for line in text.splitlines() if line.startswith("attempt")] == [
        ["attempt", "1", "+0s", "->", "400"], ["attempt", "2", "+5s", "->", "400"],
        ["attempt", "3", "+15s", "->", "400"], ["attempt", "4", "+35s", "->", "400"]]
    assert text.rstrip().splitlines()[-1].startswith("failed for good: 4 attempt(s) within 48h00m00s")
