"""The receiver's own tests, using only salesplay-mock's pytest plugin: it serves the
receiver (``salesplay.serve``) as well as SalesPlay's side."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from receiver import Ledger, make_app


def receipt_event(events):
    """A trigger answers with everything the shop sent; a sale sends stock levels too."""
    return next(e for e in events if e["type"] == "receipts.update")


class Receiver:
    """The receiver under test: its ``ledger`` and the ``url`` SalesPlay posts to."""

    def __init__(self, ledger: Ledger, base_url: str) -> None:
        self.ledger = ledger
        self.url = base_url + "/salesplay"


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    ledger = Ledger()
    yield ledger
    ledger.db.close()


@pytest.fixture
def receiver(salesplay, ledger: Ledger) -> Receiver:
    return Receiver(ledger, salesplay.serve(make_app(ledger)))


def test_a_sale_is_stored_with_its_stock(salesplay, receiver):
    salesplay.register(receiver.url, ["receipts.update", "inventory_levels.update"])
    events = salesplay.sell()
    for event in events:
        salesplay.assert_delivered_once(event)
    [receipt] = events[0]["payload"]["receipts"]
    assert [r[0] for r in receiver.ledger.receipts()] == [receipt["receipt_id"]]
    for level in events[1]["payload"]["inventory_levels"]:
        assert receiver.ledger.stock()[(level["shop_id"], level["product_id"])] == level["in_stock"]


def test_retries_while_the_database_is_down_then_catches_up(salesplay, receiver):
    salesplay.register(receiver.url, "receipts.update")
    receiver.ledger.down = True
    event = receipt_event(salesplay.trigger("receipts.update"))
    delivery_id = event["deliveries"][0]["id"]
    salesplay.advance("30s")  # attempts at 0 s, 5 s, 15 s: all answered 500
    assert salesplay.delivery(delivery_id)["attempt_count"] == 3
    assert receiver.ledger.receipts() == []
    receiver.ledger.down = False
    salesplay.advance("20s")  # the 4th attempt, 35 s after the event, succeeds
    detail = salesplay.assert_delivered(delivery_id, attempts=4)
    assert [a["response_status"] for a in detail["attempts"]] == [500, 500, 500, 200]
    assert len(receiver.ledger.receipts()) == 1


def test_the_same_event_twice_is_stored_once(salesplay, receiver):
    salesplay.register(receiver.url, "receipts.update")
    event = receipt_event(salesplay.trigger("receipts.update"))
    again = salesplay.redeliver(event["deliveries"][0]["id"])
    salesplay.assert_delivery_succeeded_first_time(again["id"])  # answered 2xx, as it must, to the copy
    assert len(receiver.ledger.receipts()) == 1


def test_disabled_after_200_failures_and_enabled_again(salesplay, receiver):
    hook = salesplay.register(receiver.url, "receipts.update")
    receiver.ledger.down = True
    event = receipt_event(salesplay.trigger("receipts.update"))
    salesplay.advance("48h")
    assert salesplay.delivery(event["deliveries"][0]["id"])["attempt_count"] == 200
    salesplay.assert_disabled(hook["id"])
    skipped = receipt_event(salesplay.trigger("receipts.update"))
    assert skipped["deliveries"][0]["status"] == "skipped"

    receiver.ledger.down = False
    salesplay.enable(hook["id"])
    event = receipt_event(salesplay.trigger("receipts.update"))
    salesplay.assert_delivered_once(event)
    assert len(receiver.ledger.receipts()) == 1


async def test_async_tests_get_the_same_mock(salesplay_async, ledger):
    receiver = Receiver(ledger, await salesplay_async.serve_async(make_app(ledger)))
    await salesplay_async.register(receiver.url, "receipts.update")
    receiver.ledger.down = True
    event = receipt_event(await salesplay_async.trigger("receipts.update"))
    receiver.ledger.down = False
    await salesplay_async.advance(5)
    await salesplay_async.assert_delivered(event["deliveries"][0]["id"], attempts=2)
    assert len(receiver.ledger.receipts()) == 1


def test_with_duplicates_and_reordering_on_each_receipt_is_stored_once(salesplay, receiver):
    hook = salesplay.register(receiver.url, ["receipts.update", "inventory_levels.update"])
    salesplay.set_faults(hook["id"], duplicate=1, duplicate_mode="concurrent", reorder=1, seed=3)
    events = []
    for _ in range(5):  # a sale a second: the ledger keeps the newest stock level by its time
        events += salesplay.sell()
        salesplay.advance("1s")
    sent = [d for d in salesplay.deliveries() if d["status"] == "succeeded"]
    assert len(sent) == 2 * len(events)  # every event arrived twice
    assert any((d["fault"] or "").startswith("reordered") for d in sent)
    receipts = {e["payload"]["receipts"][0]["receipt_id"] for e in events if e["type"] == "receipts.update"}
    assert {r[0] for r in receiver.ledger.receipts()} == receipts
    last_levels = {}
    for e in events:
        for level in e["payload"].get("inventory_levels", []):
            last_levels[(level["shop_id"], level["product_id"])] = level["in_stock"]
    assert receiver.ledger.stock() == last_levels


def test_salesplay_would_keep_the_webhook_enabled(salesplay, receiver):
    """Every kind of delivery SalesPlay sends (the set-up sample, duplicates, related events
    out of order, a burst, new fields, the largest payloads) is answered 2xx, promptly."""
    salesplay.assert_check_passes(receiver.url, allow_warnings=False)
