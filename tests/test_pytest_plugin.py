"""The pytest plugin: its fixtures work from sync and async tests and leave nothing behind."""

from __future__ import annotations

import os
import threading

import pytest

pytest_plugins = ["pytester"]

RECEIVER = '''
import json, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

class Handler(BaseHTTPRequestHandler):
    got = []
    answers = []
    def do_POST(self):
        Handler.got.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(Handler.answers.pop(0) if Handler.answers else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass

class Server(ThreadingHTTPServer):
    # The check sends a burst at once: with the standard listen queue of 5, the rest wait
    # for the kernel to retry, and on a loaded machine the check's timeout comes first.
    request_queue_size = 128

@pytest.fixture
def receiver():
    Handler.got, Handler.answers = [], []
    httpd = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/hook", Handler
    httpd.shutdown()
    httpd.server_close()
    thread.join()
'''


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    """A receiver project's test folder with the plugin's strict settings."""
    pytester.makeini("[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"
                     "filterwarnings = error\n")
    pytester.makeconftest(RECEIVER)
    return pytester


def test_sync_fixture_runs_the_retry_story_and_cleans_up(suite: pytest.Pytester) -> None:
    suite.makepyfile('''
def test_story(salesplay, receiver):
    url, handler = receiver
    handler.answers = [500, 500]
    hook = salesplay.register(url)
    events = salesplay.trigger("receipts.update")
    dlv = next(e for e in events if e["type"] == "receipts.update")["deliveries"][0]
    assert salesplay.advance("90s") == 2
    salesplay.assert_delivered(dlv["id"], attempts=3)
    salesplay.assert_enabled(hook["id"])
    assert len(handler.got) == 3

def test_disabled(salesplay, receiver):
    url, handler = receiver
    handler.answers = [500] * 200
    hook = salesplay.register(url, ["products.update"])
    salesplay.trigger("products.update")
    salesplay.advance("48h")
    salesplay.assert_disabled(hook["id"])
''')
    threads, fds = threading.active_count(), _open_fds()
    result = suite.runpytest_inprocess()
    result.assert_outcomes(passed=2)
    assert threading.active_count() == threads, "a thread was left behind"
    assert _open_fds() <= fds, "a socket or file was left open"


def test_async_fixture_runs_in_the_tests_loop(suite: pytest.Pytester) -> None:
    suite.makepyfile('''
async def test_story(salesplay_async, receiver):
    url, handler = receiver
    handler.answers = [503]
    await salesplay_async.register(url)
    events = await salesplay_async.sell()
    dlv = events[0]["deliveries"][0]
    await salesplay_async.advance(5)
    await salesplay_async.assert_delivered(dlv["id"], attempts=2)
    assert salesplay_async.api_url.endswith("/v1.0")
''')
    threads, fds = threading.active_count(), _open_fds()
    result = suite.runpytest_inprocess()
    result.assert_outcomes(passed=1)
    assert threading.active_count() == threads
    assert _open_fds() <= fds


def test_options_reach_the_config(suite: pytest.Pytester) -> None:
    suite.makepyfile('''
def test_config(salesplay_config):
    assert (salesplay_config.seed, salesplay_config.clock, salesplay_config.db) == (7, "manual", ":memory:")
    assert salesplay_config.verify == "report"
''')
    suite.makeini("[pytest]\nsalesplay_verify = report\nasyncio_default_fixture_loop_scope = function\n"
                  "filterwarnings = error\n")
    suite.runpytest_inprocess("--salesplay-seed", "7").assert_outcomes(passed=1)


def test_same_seed_same_payloads_across_runs(suite: pytest.Pytester) -> None:
    suite.makepyfile('''
import json, pathlib
def test_record(salesplay, receiver):
    salesplay.register(receiver[0], "receipts.update")
    events = salesplay.trigger("receipts.update", count=3)
    out = pathlib.Path("payloads.json")
    out.write_text(json.dumps([e["payload"] for e in events]))
''')
    suite.runpytest_inprocess().assert_outcomes(passed=1)
    first = (suite.path / "payloads.json").read_text()
    suite.runpytest_inprocess().assert_outcomes(passed=1)
    assert (suite.path / "payloads.json").read_text() == first


def test_mock_errors_say_what_was_wrong(suite: pytest.Pytester) -> None:
    suite.makepyfile('''
import pytest
from mockserver.testing import MockError
def test_bad(salesplay):
    with pytest.raises(MockError) as exc:
        salesplay.register("ftp://nope")
    assert exc.value.status == 422 and exc.value.body["error"]["field"] == "url"
''')
    suite.runpytest_inprocess().assert_outcomes(passed=1)


def test_faults_from_the_ini_file_reach_every_webhook(suite: pytest.Pytester) -> None:
    suite.makeini("[pytest]\nsalesplay_faults = duplicate=1,duplicate_mode=concurrent\n"
                  "asyncio_default_fixture_loop_scope = function\nfilterwarnings = error\n")
    suite.makepyfile('''
def test_twice(salesplay, receiver):
    url, handler = receiver
    salesplay.register(url, "products.update")
    salesplay.trigger("products.update")
    assert len(handler.got) == 2 and handler.got[0] == handler.got[1]
    assert sorted(d["kind"] for d in salesplay.deliveries()) == ["duplicate", "event"]
''')
    suite.runpytest_inprocess().assert_outcomes(passed=1)


def test_set_faults_switches_a_webhooks_faults(suite: pytest.Pytester) -> None:
    suite.makepyfile('''
def test_delay(salesplay, receiver):
    url, handler = receiver
    hook = salesplay.register(url, "products.update")
    salesplay.set_faults(hook["id"], delay=1, delay_min="1m", delay_max="1m")
    salesplay.trigger("products.update")
    assert handler.got == []
    salesplay.advance("1m")
    assert len(handler.got) == 1
''')
    suite.runpytest_inprocess().assert_outcomes(passed=1)


def test_check_reports_on_a_receiver_and_asserts_with_the_report(suite: pytest.Pytester) -> None:
    suite.makepyfile('''
import pytest

def test_a_receiver_that_takes_everything_passes(salesplay, receiver):
    url, handler = receiver
    report = salesplay.check(url, events="receipts.update", seed=3)
    assert report.ok and report.seed == 3 and report.result("duplicate_concurrent").status == "pass"
    assert salesplay.assert_check_passes(report) is report
    assert {event["type"] for event in handler.got} == {"receipts.update"}

def test_a_409_on_a_duplicate_fails_the_assertion(salesplay, receiver):
    url, handler = receiver
    handler.answers = [200, 200, 200, 409]  # the sample, one receipt, then the same event twice
    with pytest.raises(AssertionError) as exc:
        salesplay.assert_check_passes(url, events="receipts.update")
    assert "duplicate_back_to_back did not pass" in str(exc.value)
    assert "FAIL  duplicate_back_to_back" in str(exc.value) and "was answered 409" in str(exc.value)

async def test_the_async_handle_checks_too(salesplay_async, receiver):
    report = await salesplay_async.check(receiver[0], events=["products.update"], delivery_timeout=5)
    await salesplay_async.assert_check_passes(report)
''')
    suite.runpytest_inprocess().assert_outcomes(passed=3)


def test_get_reads_the_rest_api_and_set_api_faults_breaks_it(suite: pytest.Pytester) -> None:
    suite.makepyfile('''
import pytest
from mockserver.testing import MockError

def test_enrich(salesplay):
    [receipt_event, stock_event] = salesplay.sell()
    level = stock_event["payload"]["inventory_levels"][0]
    product = salesplay.get(f"/products/{level['product_id']}")
    assert product["product_code"] == level["product_code"]
    assert salesplay.get("/v1.0/inventory", product_id=level["product_id"], shop_id=level["shop_id"])["data"] == [level]
    salesplay.set_api_faults(rate_limit=1)
    salesplay.get("/shops")
    with pytest.raises(MockError) as exc:
        salesplay.get("/shops")
    assert exc.value.status == 429 and int(exc.value.headers["Retry-After"]) >= 1
    salesplay.set_api_faults()
    assert salesplay.get("shops", limit=1)["data"]
''')
    suite.runpytest_inprocess().assert_outcomes(passed=1)
