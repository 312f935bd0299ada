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


BUSINESS_CASE = '''
import json
from decimal import ROUND_HALF_UP, Decimal

def cents(x):
    return int(Decimal(str(x)) * 100)

def out(c):
    return float(Decimal(c) / 100)

def line(product, qty, tax):
    net = qty * cents(product["price"])
    return {"line_number": 1, "product_id": product["product_id"], "product_code": "10003",
            "product_name": product["name"], "quantity": qty, "unit_price": product["price"], "discount": 0.0,
            "tax_rate": product["tax_rate"], "tax": out(tax), "line_total": out(net + tax)}

def totals(product, qty, tax):
    net = qty * cents(product["price"])
    return {"subtotal": out(net), "discount_total": 0.0, "tax_total": out(tax), "total": out(net + tax)}

def test_two_sold_by_card_then_one_refunded(salesplay, receiver, steps):
    url, handler = receiver
    salesplay.register(url, ["receipts.update", "credit_note.update", "inventory_levels.update"])
    shop = salesplay.get("/shops")["data"][0]
    cashier = shop["cashiers"][0]
    customer = salesplay.get("/customers")["data"][0]
    [product] = salesplay.get("/products", product_code="10003")["data"]
    before = next(lv["in_stock"] for lv in salesplay.get(f"/inventory/{product['product_id']}")["inventory_levels"]
                  if lv["shop_id"] == shop["shop_id"])
    done = steps(shop, cashier, customer)
    made = {"sale": done[0]["made"][0], "refund": done[2]["made"][0]}
    tax = int((Decimal(2 * cents(product["price"])) * Decimal(str(product["tax_rate"]))).quantize(
        Decimal(1), rounding=ROUND_HALF_UP))
    who = {"shop_id": shop["shop_id"], "cashier_id": cashier["cashier_id"], "cashier_name": cashier["name"],
           "customer_id": customer["customer_id"]}
    merchant = done[0]["events"][0]["payload"]["merchant_id"]
    sold_at, refunded_at = "2025-06-30 12:00:00", "2025-06-30 12:00:07"
    receipt = {"receipt_id": made["sale"]["receipt_id"], "receipt_number": made["sale"]["receipt_number"],
               "receipt_type": "sale", "status": "completed", "shop_id": shop["shop_id"], "shop_name": shop["name"],
               "cashier_id": cashier["cashier_id"], "cashier_name": cashier["name"],
               "customer_id": customer["customer_id"], "created_at": sold_at, "updated_at": sold_at,
               "line_items": [line(product, 2, tax)], **totals(product, 2, tax), "currency": "USD",
               "payment_type": "card", "payments": [{"payment_type": "card", "amount": totals(product, 2, tax)["total"]}]}
    note = {"credit_note_id": made["refund"]["credit_note_id"], "credit_note_number": made["refund"]["credit_note_number"],
            "credit_note_type": "credit_note", "status": "completed", "receipt_id": receipt["receipt_id"],
            "receipt_number": receipt["receipt_number"], **{k: v for k, v in who.items()}, "reason": "damaged",
            "created_at": refunded_at, "updated_at": refunded_at, "line_items": [line(product, 1, tax // 2)],
            **totals(product, 1, tax // 2), "currency": "USD", "refund_method": "card"}
    def level(at, n):
        return {"merchant_id": merchant, "type": "inventory_levels.update", "created_at": at, "inventory_levels": [
            {"product_id": product["product_id"], "shop_id": shop["shop_id"], "product_code": "10003", "in_stock": n}]}
    # Deliveries to one webhook run concurrently: a sale's two events arrive in either order.
    assert sorted(json.dumps(b, sort_keys=True) for b in handler.got) == sorted(json.dumps(b, sort_keys=True) for b in [
        {"merchant_id": merchant, "type": "receipts.update", "created_at": sold_at, "receipts": [receipt]},
        level(sold_at, before - 2),
        {"merchant_id": merchant, "type": "credit_note.update", "created_at": refunded_at, "credit_notes": [note]},
        level(refunded_at, before - 1)])
    for event in handler.got:
        salesplay.validate(event, variant="receiver")
'''


def test_the_business_case_through_the_handle_by_operations_and_by_a_yaml_scenario(suite: pytest.Pytester) -> None:
    """The issue's case, exactly: once with operate() and advance(), once with a scenario file."""
    suite.makepyfile(test_case=BUSINESS_CASE + '''
import pytest, textwrap

@pytest.fixture(params=["operate", "scenario"])
def steps(request, salesplay, tmp_path):
    def by_operations(shop, cashier, customer):
        sold = salesplay.operate("sale", shop_id=shop["shop_id"], cashier_id=cashier["cashier_id"],
                                 customer_id=customer["customer_id"], payment_type="card",
                                 lines=[{"product_code": "10003", "quantity": 2}])
        assert salesplay.advance("7s") == 0
        refunded = salesplay.operate("refund", receipt_id=sold["made"][0]["receipt_id"], reason="damaged",
                                     credit_note_type="credit_note", lines=[{"product_code": "10003", "quantity": 1}])
        return [sold, {}, refunded]

    def by_scenario(shop, cashier, customer):
        path = tmp_path / "case.yaml"
        path.write_text(textwrap.dedent(f"""
            steps:
              - name: sold
                operation: sale
                params:
                  shop_id: {shop["shop_id"]}
                  cashier_id: {cashier["cashier_id"]}
                  customer_id: {customer["customer_id"]}
                  payment_type: card
                  lines: [{{product_code: "10003", quantity: 2}}]
              - advance: 7s
              - operation: refund
                params:
                  receipt_id: ${{sold.receipt_id}}
                  credit_note_type: credit_note
                  reason: damaged
                  lines: [{{product_code: "10003", quantity: 1}}]
        """))
        return salesplay.scenario(path)

    return by_operations if request.param == "operate" else by_scenario
''')
    suite.runpytest_inprocess().assert_outcomes(passed=2)


def test_operate_refuses_a_bad_parameter_with_the_mocks_error(suite: pytest.Pytester) -> None:
    suite.makepyfile('''
import pytest
from mockserver.testing import MockError

def test_bad(salesplay):
    with pytest.raises(MockError) as exc:
        salesplay.operate("sale", lines=[{"product_code": "99999", "quantity": 1}])
    assert exc.value.status == 404 and exc.value.body["error"]["field"] == "params.lines[0].product_code"
    assert salesplay.events() == []
    assert "sale" in [op["name"] for op in salesplay.operations()]

async def test_async(salesplay_async):
    done = await salesplay_async.scenario({"steps": [{"operation": "customer_create", "params": {"name": "Ada"}}]})
    assert done[0]["events"][0]["payload"]["customers"][0]["name"] == "Ada"
''')
    suite.runpytest_inprocess().assert_outcomes(passed=2)
