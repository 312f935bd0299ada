"""Operations with parameters through POST /_mock/events: the shop does what the test says,
the answer names the records made, and every bad parameter is a 4xx naming it, with
nothing changed."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from aiohttp.test_utils import TestClient

from tests.helpers import AUTH, register

Client = TestClient[Any, Any]


async def act(client: Client, operation: str, expect: int = 201, /, **params: Any) -> dict[str, Any]:
    resp = await client.post("/_mock/events", json={"operation": operation, "params": params}, headers=AUTH)
    assert resp.status == expect, await resp.text()
    body: dict[str, Any] = await resp.json()
    return body


async def get(client: Client, path: str, **query: str) -> Any:
    resp = await client.get(path, params=query, headers=AUTH)
    assert resp.status == 200, await resp.text()
    return await resp.json()


def sorted_bodies(bodies: list[dict[str, Any]]) -> list[str]:
    return sorted(json.dumps(b, sort_keys=True) for b in bodies)


def cents(amount: float) -> int:
    return int((Decimal(str(amount)) * 100).to_integral_value())


def money(value: int) -> float:
    return float(Decimal(value) / 100)


def tax_of(net: int, rate: float) -> int:
    """Tax in cents on ``net`` cents, half up: what a till prints."""
    return int((Decimal(net) * Decimal(str(rate))).quantize(Decimal(1), rounding=ROUND_HALF_UP))


async def the_case(client: Client) -> dict[str, Any]:
    """The records a test of "two of 10003 sold at the first shop to a customer, by card"
    names, read from the REST API as a receiver's integration code would."""
    shop = (await get(client, "/v1.0/shops"))["data"][0]
    [product] = (await get(client, "/v1.0/products", product_code="10003"))["data"]
    levels = (await get(client, f"/v1.0/inventory/{product['product_id']}"))["inventory_levels"]
    return {"shop": shop, "cashier": shop["cashiers"][1 % len(shop["cashiers"])],
            "customer": (await get(client, "/v1.0/customers"))["data"][0], "product": product,
            "in_stock": next(lv["in_stock"] for lv in levels if lv["shop_id"] == shop["shop_id"])}


def expected_receipt(case: dict[str, Any], made: dict[str, Any], merchant: str, at: str) -> dict[str, Any]:
    p = case["product"]
    net = 2 * cents(p["price"])
    tax = tax_of(net, p["tax_rate"])
    return {"merchant_id": merchant, "type": "receipts.update", "created_at": at, "receipts": [{
        "receipt_id": made["receipt_id"], "receipt_number": made["receipt_number"], "receipt_type": "sale",
        "status": "completed", "shop_id": case["shop"]["shop_id"], "shop_name": case["shop"]["name"],
        "cashier_id": case["cashier"]["cashier_id"], "cashier_name": case["cashier"]["name"],
        "customer_id": case["customer"]["customer_id"], "created_at": at, "updated_at": at,
        "line_items": [{"line_number": 1, "product_id": p["product_id"], "product_code": "10003",
                        "product_name": p["name"], "quantity": 2, "unit_price": p["price"], "discount": 0.0,
                        "tax_rate": p["tax_rate"], "tax": money(tax), "line_total": money(net + tax)}],
        "subtotal": money(net), "discount_total": 0.0, "tax_total": money(tax), "total": money(net + tax),
        "currency": "USD", "payment_type": "card", "payments": [{"payment_type": "card", "amount": money(net + tax)}],
    }]}


def expected_credit_note(case: dict[str, Any], sold: dict[str, Any], made: dict[str, Any], merchant: str,
                         at: str) -> dict[str, Any]:
    """One of the two units back: half the line's tax, rounded down (the last unit refunded
    takes what is left, so refunds never add up to more than the sale)."""
    p, line = case["product"], sold["receipts"][0]["line_items"][0]
    net, tax = cents(p["price"]), cents(line["tax"]) // 2
    return {"merchant_id": merchant, "type": "credit_note.update", "created_at": at, "credit_notes": [{
        "credit_note_id": made["credit_note_id"], "credit_note_number": made["credit_note_number"],
        "credit_note_type": "credit_note", "status": "completed", "receipt_id": sold["receipts"][0]["receipt_id"],
        "receipt_number": sold["receipts"][0]["receipt_number"], "shop_id": case["shop"]["shop_id"],
        "cashier_id": case["cashier"]["cashier_id"], "cashier_name": case["cashier"]["name"],
        "customer_id": case["customer"]["customer_id"], "reason": "damaged", "created_at": at, "updated_at": at,
        "line_items": [{"line_number": 1, "product_id": p["product_id"], "product_code": "10003",
                        "product_name": p["name"], "quantity": 1, "unit_price": p["price"], "discount": 0.0,
                        "tax_rate": p["tax_rate"], "tax": money(tax), "line_total": money(net + tax)}],
        "subtotal": money(net), "discount_total": 0.0, "tax_total": money(tax), "total": money(net + tax),
        "currency": "USD", "refund_method": "card"}]}


def expected_level(case: dict[str, Any], merchant: str, at: str, in_stock: int) -> dict[str, Any]:
    return {"merchant_id": merchant, "type": "inventory_levels.update", "created_at": at, "inventory_levels": [{
        "product_id": case["product"]["product_id"], "shop_id": case["shop"]["shop_id"], "product_code": "10003",
        "in_stock": in_stock}]}


async def test_two_sold_by_card_then_one_refunded_sends_exactly_these_payloads(client: Client, receiver: Any) -> None:
    case = await the_case(client)
    got = await receiver()
    await register(client, got.url, ["receipts.update", "credit_note.update", "inventory_levels.update"])
    sold = await act(client, "sale", shop_id=case["shop"]["shop_id"], cashier_id=case["cashier"]["cashier_id"],
                     customer_id=case["customer"]["customer_id"], payment_type="card",
                     lines=[{"product_code": "10003", "quantity": 2}])
    await client.post("/_mock/clock/advance", json={"seconds": 7}, headers=AUTH)
    refunded = await act(client, "refund", receipt_id=sold["made"][0]["receipt_id"], credit_note_type="credit_note",
                         reason="damaged", lines=[{"product_code": "10003", "quantity": 1}])
    merchant = sold["events"][0]["payload"]["merchant_id"]
    receipt = expected_receipt(case, sold["made"][0], merchant, "2025-06-30 12:00:00")
    note = expected_credit_note(case, receipt, refunded["made"][0], merchant, "2025-06-30 12:00:07")
    # Deliveries to one webhook run concurrently: a sale's two events arrive in either order.
    assert sorted_bodies([r["body"] for r in got.requests]) == sorted_bodies([
        receipt, expected_level(case, merchant, "2025-06-30 12:00:00", case["in_stock"] - 2),
        note, expected_level(case, merchant, "2025-06-30 12:00:07", case["in_stock"] - 1)])
    assert sold["made"] == [{"operation": "sale", "receipt_id": receipt["receipts"][0]["receipt_id"],
                             "receipt_number": receipt["receipts"][0]["receipt_number"],
                             "shop_id": case["shop"]["shop_id"], "product_ids": [case["product"]["product_id"]]}]
    # The REST API tells the same story.
    after = await get(client, f"/v1.0/receipts/{sold['made'][0]['receipt_id']}")
    assert [n["credit_note_id"] for n in after["credit_notes"]] == [refunded["made"][0]["credit_note_id"]]


async def test_every_operation_answers_with_the_ids_the_catalogue_says_it_returns(client: Client) -> None:
    catalogue = (await get(client, "/_mock/operations"))["data"]
    for op in catalogue:
        made = (await act(client, op["name"]))["made"]
        assert made and set(op["returns"]) <= set(made[0]), (op["name"], made)
        assert made[0]["operation"] == op["name"]


async def test_a_sale_takes_its_lines_discounts_customer_and_an_open_status(client: Client) -> None:
    body = await act(client, "sale", customer_id=None, status="open", lines=[
        {"product_code": "10001", "quantity": 3, "discount": 1.5}, {"product_code": "10002", "quantity": 1,
                                                                     "discount_percent": 50}])
    receipt = body["events"][0]["payload"]["receipts"][0]
    assert (receipt["status"], receipt["payments"], receipt["customer_id"]) == ("open", [], None)
    assert [ln["product_code"] for ln in receipt["line_items"]] == ["10001", "10002"]
    assert receipt["line_items"][0]["discount"] == 1.5
    assert cents(receipt["line_items"][1]["discount"]) == round(cents(receipt["line_items"][1]["unit_price"]) / 2)


async def test_a_split_payment_is_kept_and_must_add_up(client: Client) -> None:
    [product] = (await get(client, "/v1.0/products", product_code="10004"))["data"]
    total = 2 * cents(product["price"]) + tax_of(2 * cents(product["price"]), product["tax_rate"])
    payments = [{"payment_type": "gift_card", "amount": 5}, {"payment_type": "card", "amount": money(total - 500)}]
    body = await act(client, "sale", lines=[{"product_code": "10004", "quantity": 2}], payments=payments)
    receipt = body["events"][0]["payload"]["receipts"][0]
    assert receipt["payments"] == [{"payment_type": "gift_card", "amount": 5.0},
                                   {"payment_type": "card", "amount": money(total - 500)}]
    assert receipt["payment_type"] == "gift_card"
    short = [{"payment_type": "cash", "amount": 1}]
    error = (await act(client, "sale", 422, lines=[{"product_code": "10004", "quantity": 1}], payments=short))["error"]
    assert (error["field"], error["code"]) == ("params.payments", "payments_do_not_add_up")


async def test_an_open_receipt_is_completed_with_its_payment_then_voided_and_its_stock_goes_back(
        client: Client) -> None:
    sold = await act(client, "sale", status="open", lines=[{"product_code": "10005", "quantity": 2}])
    number = sold["made"][0]["receipt_number"]
    level = sold["events"][1]["payload"]["inventory_levels"][0]["in_stock"]
    done = await act(client, "receipt_update", receipt_number=number, payment_type="mobile")
    assert [e["type"] for e in done["events"]] == ["receipts.update"]
    paid = done["events"][0]["payload"]["receipts"][0]
    assert (paid["status"], paid["payments"][0]["payment_type"]) == ("completed", "mobile")
    voided = await act(client, "receipt_update", receipt_number=number, action="void")
    assert [e["type"] for e in voided["events"]] == ["receipts.update", "inventory_levels.update"]
    assert voided["events"][0]["payload"]["receipts"][0]["status"] == "voided"
    assert voided["events"][1]["payload"]["inventory_levels"][0]["in_stock"] == level + 2


async def test_a_full_cash_refund_by_receipt_number_refunds_every_unit_left(client: Client) -> None:
    sold = await act(client, "sale", payment_type="cash",
                     lines=[{"product_code": "10006", "quantity": 3}, {"product_code": "10007", "quantity": 1}])
    number = sold["made"][0]["receipt_number"]
    await act(client, "refund", receipt_number=number, lines=[{"line_number": 1, "quantity": 1}])
    body = await act(client, "refund", receipt_number=number, full=True, credit_note_type="cash_refund",
                     reason="wrong size")
    note = body["events"][0]["payload"]["credit_notes"][0]
    assert [(ln["product_code"], ln["quantity"]) for ln in note["line_items"]] == [("10006", 2), ("10007", 1)]
    assert (note["refund_method"], note["reason"]) == ("cash", "wrong size")
    error = (await act(client, "refund", 422, receipt_number=number, full=True))["error"]
    assert (error["field"], error["code"]) == ("params.receipt_number", "nothing_to_refund")


async def test_products_and_customers_take_the_fields_given_and_the_rest_api_agrees(client: Client) -> None:
    made = (await act(client, "product_create", product_code="77001", name="Ceylon Tea", category="Grocery",
                      price=4.5, unit="pack", barcode="4006381333931"))["made"][0]
    product = await get(client, f"/v1.0/products/{made['product_id']}")
    assert (product["product_code"], product["name"], product["price"], product["tax_rate"]) == (
        "77001", "Ceylon Tea", 4.5, 0.05)
    assert product["subcategory_id"] is not None  # a name of its own still has a place in the back office
    edited = await act(client, "product_edit", product_code="77001", price=4.75)
    assert edited["events"][0]["payload"]["products"][0]["price"] == 4.75
    deleted = await act(client, "product_delete", product_id=made["product_id"])
    assert deleted["events"][0]["payload"]["products"][0]["deleted"] is True
    customer = (await act(client, "customer_create", name="Ada Perera", email="ada@example.lk", country_code="LK",
                          loyalty_points=0))["made"][0]["customer_id"]
    record = await get(client, f"/v1.0/customers/{customer}")
    assert (record["name"], record["email"], record["country_code"]) == ("Ada Perera", "ada@example.lk", "LK")
    edited = await act(client, "customer_edit", customer_id=customer, loyalty_points=120)
    assert edited["events"][0]["payload"]["customers"][0]["loyalty_points"] == 120
    await act(client, "customer_delete", customer_id=customer)
    assert (await get(client, f"/v1.0/customers/{customer}"))["deleted"] is True


async def test_a_product_code_the_shop_picks_never_takes_one_a_test_gave(client: Client) -> None:
    await act(client, "product_create", product_code="10041")  # the shop's next code
    made = (await act(client, "product_create"))["made"][0]
    assert made["product_code"] == "10042"


async def test_stock_counts_and_goods_received_set_the_levels_given(client: Client) -> None:
    shop = (await get(client, "/v1.0/shops"))["data"][0]["shop_id"]
    counted = await act(client, "stock_count", shop_id=shop, levels=[{"product_code": "10008", "in_stock": 0},
                                                                     {"product_code": "10009", "in_stock": 4}])
    levels = counted["events"][0]["payload"]["inventory_levels"]
    assert [(lv["product_code"], lv["shop_id"], lv["in_stock"]) for lv in levels] == [
        ("10008", shop, 0), ("10009", shop, 4)]
    received = await act(client, "goods_receipt", shop_id=shop, lines=[{"product_code": "10008", "quantity": 12}])
    assert received["events"][0]["payload"]["inventory_levels"][0]["in_stock"] == 12
    grns = (await get(client, "/v1.0/grns", shop_id=shop))["data"]
    assert [ln["quantity"] for g in grns for ln in g["line_items"]] == [12]


async def test_empty_params_are_the_same_as_none(client: Client, make_client: Any, config: Any) -> None:
    other = await make_client(config)
    with_params = await act(client, "sale")
    without = await (await other.post("/_mock/events", json={"operation": "sale"}, headers=AUTH)).json()
    assert [e["payload"] for e in with_params["events"]] == [e["payload"] for e in without["events"]]


async def test_a_sale_can_be_refunded_after_the_shop_made_room_for_new_products(client: Client) -> None:
    """The shop forgets its oldest products past 200, but not one a recent receipt sold."""
    sold = await act(client, "sale", payment_type="card", lines=[{"product_code": "10001", "quantity": 2}])
    resp = await client.post("/_mock/events", json={"operation": "product_create", "count": 200}, headers=AUTH)
    assert resp.status == 201
    refunded = await act(client, "refund", receipt_id=sold["made"][0]["receipt_id"], full=True)
    assert [e["type"] for e in refunded["events"]] == ["credit_note.update", "inventory_levels.update"]
    codes = {p["product_code"] for p in (await get(client, "/v1.0/products", limit="250"))["data"]}
    assert "10001" in codes and "10002" not in codes
