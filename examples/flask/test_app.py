"""The Flask receiver's tests, against a fake SalesPlay from salesplay-mock's pytest plugin."""

import pytest
from app import create_app


@pytest.fixture
def receipts():
    return {}


@pytest.fixture
def app(receipts):
    return create_app(receipts)


def test_a_sale_is_stored_once(salesplay, app, receipts):
    url = salesplay.serve(app)  # the Flask app on 127.0.0.1, for this test
    salesplay.register(url + "/webhooks/salesplay", "receipts.update")
    [receipt, stock] = salesplay.sell()  # a sale sends a receipt and the stock it changed
    salesplay.assert_delivered_once(receipt)
    salesplay.validate(receipt["payload"])  # a valid receipts.update, by the shipped schema
    assert list(receipts) == [receipt["payload"]["receipts"][0]["receipt_id"]]


def test_retries_until_the_database_is_back(salesplay, app, receipts):
    hook = salesplay.register(salesplay.serve(app) + "/webhooks/salesplay", "receipts.update")
    app.config["DATABASE_DOWN"] = True
    [receipt, stock] = salesplay.sell()
    salesplay.advance("30s")  # the attempts at 0 s, 5 s and 15 s fail
    app.config["DATABASE_DOWN"] = False
    salesplay.advance("20s")  # the 4th, at 35 s, succeeds
    salesplay.assert_delivered(receipt["deliveries"][0]["id"], attempts=4)
    salesplay.assert_enabled(hook["id"])
    assert len(receipts) == 1


def test_disabled_after_48_hours_of_failures(salesplay, app):
    hook = salesplay.register(salesplay.serve(app) + "/webhooks/salesplay", "receipts.update")
    app.config["DATABASE_DOWN"] = True
    salesplay.sell()
    salesplay.advance("48h")  # 200 attempts, in milliseconds
    salesplay.assert_disabled(hook["id"])
    salesplay.enable(hook["id"])


def test_each_receipt_is_stored_once_when_sent_twice(salesplay, app, receipts):
    hook = salesplay.register(salesplay.serve(app) + "/webhooks/salesplay", "receipts.update")
    salesplay.set_faults(hook["id"], duplicate=1, duplicate_mode="concurrent", seed=3)
    salesplay.sell(count=5)
    assert len(salesplay.deliveries(kind="duplicate", status="succeeded")) == 5  # each sent twice
    assert len(receipts) == 5  # and stored once


def test_salesplay_would_keep_the_webhook_enabled(salesplay, app):
    url = salesplay.serve(app) + "/webhooks/salesplay"
    report = salesplay.check(url, events=["receipts.update"])  # salesplay-mock check, from the test
    assert report.result("duplicate_concurrent").status == "pass"
    salesplay.assert_check_passes(report)  # or (url, allow_warnings=False)
