"""The enriching receiver against salesplay-mock: its webhook events and its REST API are
one shop, and the API's faults (rate limit, errors) make SalesPlay retry the event."""

from __future__ import annotations

import pytest
from enrich import Shelf, make_app


@pytest.fixture
def shelf(salesplay) -> Shelf:
    return Shelf(salesplay.api_url, salesplay.token)  # the mock's REST API, as SalesPlay's


@pytest.fixture
def url(salesplay, shelf) -> str:
    return salesplay.serve(make_app(shelf)) + "/salesplay"


def stock_event(events):
    return next(e for e in events if e["type"] == "inventory_levels.update")


def test_each_stock_level_is_stored_with_its_product(salesplay, shelf, url):
    salesplay.register(url, "inventory_levels.update")
    event = stock_event(salesplay.sell())
    salesplay.assert_delivered(event["deliveries"][0]["id"], attempts=1)
    for level in event["payload"]["inventory_levels"]:
        assert shelf.products[level["product_id"]] == salesplay.get(f"/products/{level['product_id']}")
        assert shelf.stock[(level["shop_id"], level["product_id"])] == level["in_stock"]


def test_over_the_rate_limit_the_event_is_retried_until_every_product_is_fetched(salesplay, shelf, url):
    salesplay.register(url, "inventory_levels.update")
    salesplay.set_api_faults(rate_limit=1)  # one call per simulated minute, then 429
    event = stock_event(salesplay.trigger(operation="goods_receipt"))
    levels = event["payload"]["inventory_levels"]
    salesplay.advance("30m")  # retried on SalesPlay's schedule: one more product each minute
    detail = salesplay.assert_delivered(event["deliveries"][0]["id"])
    assert {a["response_status"] for a in detail["attempts"][:-1]} == {503}
    # Each refused attempt stopped at its first 429; no product was fetched twice.
    assert shelf.calls == len(levels) + detail["attempt_count"] - 1
    assert len(shelf.stock) == len(levels)


def test_while_the_api_fails_nothing_is_stored_and_then_everything_is(salesplay, shelf, url):
    salesplay.register(url, "inventory_levels.update")
    salesplay.set_api_faults(errors=1, error_status=503)
    event = stock_event(salesplay.sell())
    salesplay.advance("1m")
    assert shelf.stock == {}
    salesplay.set_api_faults()  # the API is back
    salesplay.advance("5m")
    salesplay.assert_delivered(event["deliveries"][0]["id"])
    assert len(shelf.stock) == len(event["payload"]["inventory_levels"])
