"""Scenarios (POST /_mock/scenarios) and time that orders: steps in order, advances of the
clock between them and with each trigger, references to what an earlier step made, all or
nothing."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from mockserver.domain.config import Config
from mockserver.server.app import create_app
from tests.helpers import AUTH, register

Client = TestClient[Any, Any]
SALE = {"lines": [{"product_code": "10003", "quantity": 2}], "payment_type": "card"}


async def run(client: Client, steps: Any, expect: int = 201) -> Any:
    resp = await client.post("/_mock/scenarios", json=steps if isinstance(steps, dict) else {"steps": steps},
                             headers=AUTH)
    assert resp.status == expect, await resp.text()
    return await resp.json()


async def test_a_sale_then_a_refund_of_it_seven_seconds_later(client: Client, receiver: Any) -> None:
    got = await receiver()
    await register(client, got.url, ["receipts.update", "credit_note.update"])
    done = await run(client, [
        {"name": "sold", "operation": "sale", "params": SALE},
        {"advance": "7s"},
        {"operation": "refund", "params": {"receipt_id": "${sold.receipt_id}",
                                           "lines": [{"product_code": "10003", "quantity": 1}]}},
    ])
    [sold, waited, refunded] = done["steps"]
    assert (sold["name"], waited["advanced"], waited["now"]) == ("sold", 7.0, "2025-06-30T12:00:07.000Z")
    assert refunded["made"][0]["receipt_id"] == sold["made"][0]["receipt_id"]
    bodies = [r["body"] for r in got.requests]
    assert [b["type"] for b in bodies] == ["receipts.update", "credit_note.update"]
    assert [b["created_at"] for b in bodies] == ["2025-06-30 12:00:00", "2025-06-30 12:00:07"]
    assert bodies[1]["credit_notes"][0]["receipt_number"] == sold["made"][0]["receipt_number"]


async def test_a_reference_takes_any_id_an_earlier_step_made(client: Client) -> None:
    done = await run(client, [
        {"name": "tea", "operation": "product_create", "params": {"name": "Ceylon Tea", "category": "Grocery"}},
        {"name": "in", "operation": "goods_receipt", "params": {"lines": [{"product_id": "${tea.product_id}",
                                                                          "quantity": 10}]}},
        {"operation": "sale", "params": {"shop_id": "${in.shop_id}", "lines": [{"product_code": "${tea.product_code}",
                                                                                "quantity": 4}]}},
    ])
    level = done["steps"][2]["events"][1]["payload"]["inventory_levels"][0]
    assert (level["product_id"], level["in_stock"]) == (done["steps"][0]["made"][0]["product_id"], 6)


async def test_a_failing_step_undoes_every_step_before_it_and_sends_nothing(client: Client, receiver: Any) -> None:
    got = await receiver()
    await register(client, got.url, ["receipts.update", "inventory_levels.update"])
    receipts = await (await client.get("/v1.0/receipts", headers=AUTH)).json()
    error = (await run(client, [
        {"name": "sold", "operation": "sale", "params": SALE},
        {"advance": "1m"},
        {"operation": "refund", "params": {"receipt_id": "${sold.receipt_id}",
                                           "lines": [{"product_code": "10003", "quantity": 3}]}},
    ], 422))["error"]
    assert (error["field"], error["code"]) == ("steps[2].params.lines[0].quantity", "too_many_units")
    assert error["message"].startswith("steps[2]: ")
    assert got.requests == []
    assert await (await client.get("/v1.0/receipts", headers=AUTH)).json() == receipts
    clock = await (await client.get("/_mock/clock", headers=AUTH)).json()
    assert clock["now"] == "2025-06-30T12:00:00.000Z"  # the advance did not happen either


async def test_an_advance_step_makes_the_retries_that_fall_due(client: Client, receiver: Any) -> None:
    got = await receiver([500, 500])
    await register(client, got.url)
    done = await run(client, [{"operation": "sale", "params": {"payment_type": "cash"}}, {"advance": "30s"}])
    assert done["steps"][1]["attempts_made"] == 2
    assert len(got.requests) == 3


async def test_each_trigger_with_advance_gets_its_own_time(client: Client) -> None:
    resp = await client.post("/_mock/events", json={"operation": "stock_count", "count": 3, "advance": "1s"},
                             headers=AUTH)
    body = await resp.json()
    assert [e["payload"]["created_at"] for e in body["events"]] == [
        "2025-06-30 12:00:01", "2025-06-30 12:00:02", "2025-06-30 12:00:03"]
    assert (await (await client.get("/_mock/clock", headers=AUTH)).json())["now"] == "2025-06-30T12:00:03.000Z"


async def test_on_the_scaled_clock_an_advance_waits_for_time_to_get_there(aiohttp_client: Any) -> None:
    client = await aiohttp_client(create_app(Config(db=":memory:", clock="scaled", time_scale=720.0, verify="off")))
    body = await (await client.post("/_mock/events", json={"operation": "stock_count", "count": 2, "advance": "2s"},
                                    headers=AUTH)).json()
    first, second = (e["payload"]["created_at"] for e in body["events"])
    assert first < second
    too_long = await client.post("/_mock/events", json={"operation": "sale", "advance": "2h"}, headers=AUTH)
    error = (await too_long.json())["error"]
    assert (too_long.status, error["field"], error["code"]) == (422, "advance", "too_long")


@pytest.mark.parametrize(("steps", "field", "code"), [
    ([], "steps", "invalid_field"),
    ({"steps": [{"advance": "1s"}], "when": "now"}, "when", "invalid_field"),
    ([1], "steps[0]", "invalid_field"),
    ([{"advance": "soon"}], "steps[0].advance", "invalid_field"),
    ([{"operation": "sale", "name": "1st"}], "steps[0].name", "invalid_field"),
    ([{"operation": "sale", "name": "a"}, {"operation": "sale", "name": "a"}], "steps[1].name", "invalid_field"),
    ([{"operation": "rob"}], "steps[0].operation", "invalid_field"),
    ([{"operation": "sale", "count": 600}, {"operation": "sale", "count": 600}], "steps", "invalid_field"),
    ([{"operation": "refund", "params": {"receipt_id": "${sold.receipt_id}"}}], "steps[0].params.receipt_id",
     "unknown_reference"),
    ([{"name": "c", "operation": "customer_create"}, {"operation": "refund", "params": {
        "receipt_id": "${c.receipt_id}"}}], "steps[1].params.receipt_id", "unknown_reference"),
    ([{"operation": "sale", "params": {"lines": [{"product_code": "99999", "quantity": 1}]}}],
     "steps[0].params.lines[0].product_code", "not_found"),
])
async def test_a_bad_scenario_is_refused_naming_the_step_and_field(client: Client, steps: Any, field: str,
                                                                   code: str) -> None:
    body = await run(client, steps, 404 if code == "not_found" else 422)
    assert (body["error"]["field"], body["error"]["code"]) == (field, code)
    assert (await (await client.get("/_mock/events", headers=AUTH)).json())["data"] == []


async def test_the_catalogue_lists_every_operation_its_parameters_and_what_it_sends(client: Client) -> None:
    from mockserver.domain.vocabulary import OPERATION_EVENTS

    resp = await client.get("/_mock/operations")  # no token needed: it is the same for every merchant
    catalogue = (await resp.json())["data"]
    assert {op["name"]: tuple(e["type"] for e in op["emits"]) for op in catalogue} == OPERATION_EVENTS
    sale = next(op for op in catalogue if op["name"] == "sale")
    lines = next(p for p in sale["params"] if p["name"] == "lines")
    assert [f["name"] for f in lines["items"]] == ["product_id", "product_code", "quantity", "discount",
                                                   "discount_percent"]
    assert "payments: []" in sale["emits"][0]["when"]
    void = next(op for op in catalogue if op["name"] == "receipt_update")["emits"][1]
    assert void["when"].startswith("on a void only")
    bad = await client.get("/_mock/operations?name=sale")
    assert (bad.status, (await bad.json())["error"]["field"]) == (422, "name")
