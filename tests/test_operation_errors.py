"""Every bad parameter of every operation: a 422 naming the field and the rule, or a 404
naming the missing record; and nothing changed (no event, the shop as it was)."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from mockserver.domain.operations import CATALOGUE, Param
from tests.helpers import AUTH

Client = TestClient[Any, Any]
WELL_FORMED = "QUJDREVGR0hJSktMTU5PUFFSU1RVVg=="[:28] + "QT09"  # the shape of an id no record has
BAD = {"id": "nope", "code": "ten", "barcode": "123", "number": "x-1", "text": "", "email": "no-at-sign",
       "country": "lk", "money": -1, "int": "1", "percent": 101, "choice": "nope", "flag": "yes", "list": []}


def _good_item(p: Param) -> dict[str, Any]:
    """A list item that is well formed, for the one field a case breaks."""
    item: dict[str, Any] = {"product_code": "10003"} if p.pick else {}
    for f in p.fields:
        if f.required:
            item[f.name] = "card" if f.kind == "choice" else 1
    return item


def _shape_cases() -> list[tuple[str, dict[str, Any], str]]:
    """For each parameter (and each field of a list's items), a value of the wrong kind."""
    cases = []
    for op in CATALOGUE:
        for p in op.params:
            cases.append((op.name, {p.name: BAD[p.kind]}, f"params.{p.name}"))
            for f in p.fields:
                item = {k: v for k, v in _good_item(p).items() if k != f.name or f.required}
                if f.name in p.pick:
                    item = {k: v for k, v in item.items() if k not in p.pick}
                item[f.name] = BAD[f.kind]
                cases.append((op.name, {p.name: [item]}, f"params.{p.name}[0].{f.name}"))
    return cases


async def _nothing_changed(client: Client, before: dict[str, Any]) -> None:
    assert await _state(client) == before


async def _state(client: Client) -> dict[str, Any]:
    out = {}
    for path in ("/_mock/events", "/v1.0/receipts", "/v1.0/products?include_deleted=true", "/v1.0/inventory",
                 "/v1.0/customers?include_deleted=true"):
        out[path] = await (await client.get(path, headers=AUTH)).json()
    return out


@pytest.mark.parametrize(("operation", "params", "field"), _shape_cases(), ids=lambda v: str(v)[:60])
async def test_a_parameter_of_the_wrong_kind_is_422_naming_it(client: Client, operation: str,
                                                              params: dict[str, Any], field: str) -> None:
    resp = await client.post("/_mock/events", json={"operation": operation, "params": params}, headers=AUTH)
    assert resp.status == 422, await resp.text()
    error = (await resp.json())["error"]
    assert error["field"] == field, error
    assert error["message"]


@pytest.fixture
async def shop(client: Client) -> dict[str, Any]:
    """A shop with a completed sale, an open one, a refunded one, a deleted product and customer."""
    async def made(operation: str, **params: Any) -> dict[str, Any]:
        resp = await client.post("/_mock/events", json={"operation": operation, "params": params}, headers=AUTH)
        assert resp.status == 201, await resp.text()
        found: dict[str, Any] = (await resp.json())["made"][0]
        return found

    shops = (await (await client.get("/v1.0/shops", headers=AUTH)).json())["data"]
    customers = (await (await client.get("/v1.0/customers", headers=AUTH)).json())["data"]
    refunded = await made("sale", payment_type="card", lines=[{"product_code": "10011", "quantity": 2}])
    await made("refund", receipt_id=refunded["receipt_id"], lines=[{"product_code": "10011", "quantity": 1}])
    return {
        "shop": shops[0]["shop_id"], "other_cashier": shops[-1]["cashiers"][0]["cashier_id"] if len(shops) > 1
        else WELL_FORMED, "completed": await made("sale", payment_type="card", lines=[
            {"product_code": "10010", "quantity": 1}]), "open": await made("sale", status="open"),
        "refunded": refunded, "deleted_product": (await made("product_delete", product_code="10012"))["product_id"],
        "deleted_customer": (await made("customer_delete", customer_id=customers[0]["customer_id"]))["customer_id"],
    }


def _cases() -> list[tuple[str, Any, int, str, str]]:
    """(operation, params or a function of the shop fixture, status, field, code)."""
    line = [{"product_code": "10003", "quantity": 1}]
    return [
        ("sale", {"shop_id": WELL_FORMED}, 404, "params.shop_id", "not_found"),
        ("sale", lambda s: {"shop_id": s["shop"], "cashier_id": s["other_cashier"]}, 404, "params.cashier_id",
         "not_found"),
        ("sale", {"customer_id": WELL_FORMED}, 404, "params.customer_id", "not_found"),
        ("sale", lambda s: {"customer_id": s["deleted_customer"]}, 422, "params.customer_id", "deleted_record"),
        ("sale", {"lines": [{"product_code": "99999", "quantity": 1}]}, 404, "params.lines[0].product_code",
         "not_found"),
        ("sale", {"lines": [{"product_id": WELL_FORMED, "quantity": 1}]}, 404, "params.lines[0].product_id",
         "not_found"),
        ("sale", {"lines": [{"product_code": "10012", "quantity": 1}]}, 422, "params.lines[0].product_code",
         "deleted_record"),
        ("sale", {"lines": [{"product_code": "10003", "quantity": 999_999}]}, 422, "params.lines[0].quantity",
         "insufficient_stock"),
        ("sale", {"lines": line * 2}, 422, "params.lines[1].product_code", "duplicate_item"),
        ("sale", {"lines": [{"product_code": "10003", "product_id": WELL_FORMED, "quantity": 1}]}, 422,
         "params.lines[0].product_id", "exclusive_parameters"),
        ("sale", {"lines": [{"product_code": "10003", "quantity": 1, "discount": 1_000_000}]}, 422,
         "params.lines[0].discount", "invalid_field"),
        ("sale", {"lines": [{"product_code": "10003", "quantity": 1, "discount": 1, "discount_percent": 5}]}, 422,
         "params.lines[0].discount_percent", "exclusive_parameters"),
        ("sale", {"lines": [{"product_code": "10003", "quantity": 1, "discount": 0.001}]}, 422,
         "params.lines[0].discount", "invalid_field"),
        ("sale", {"status": "open", "payment_type": "card"}, 422, "params.status", "invalid_field"),
        ("sale", {"payment_type": "card", "payments": [{"payment_type": "card", "amount": 1}]}, 422,
         "params.payments", "exclusive_parameters"),
        ("sale", {"lines": line, "payments": [{"payment_type": "card", "amount": 0.01}]}, 422, "params.payments",
         "payments_do_not_add_up"),
        ("sale", {"discount": 5}, 422, "params.discount", "unknown_parameter"),
        ("receipt_update", {"receipt_id": WELL_FORMED}, 404, "params.receipt_id", "not_found"),
        ("receipt_update", {"receipt_number": "9-999999"}, 404, "params.receipt_number", "not_found"),
        ("receipt_update", lambda s: {"receipt_id": s["completed"]["receipt_id"], "action": "complete"}, 422,
         "params.action", "wrong_state"),
        ("receipt_update", lambda s: {"receipt_id": s["refunded"]["receipt_id"], "action": "void"}, 422,
         "params.receipt_id", "wrong_state"),
        ("receipt_update", lambda s: {"receipt_id": s["completed"]["receipt_id"], "action": "void",
                                      "payment_type": "card"}, 422, "params.payment_type", "invalid_field"),
        ("receipt_update", lambda s: {"receipt_id": s["open"]["receipt_id"],
                                      "receipt_number": s["open"]["receipt_number"]}, 422, "params.receipt_number",
         "exclusive_parameters"),
        ("refund", {"lines": line}, 422, "params.lines", "invalid_field"),
        ("refund", lambda s: {"receipt_id": s["completed"]["receipt_id"], "lines": line, "full": True}, 422,
         "params.full", "exclusive_parameters"),
        ("refund", lambda s: {"receipt_id": s["open"]["receipt_id"]}, 422, "params.receipt_id", "wrong_state"),
        ("refund", lambda s: {"receipt_id": s["completed"]["receipt_id"], "lines": [
            {"product_code": "10003", "quantity": 1}]}, 404, "params.lines[0].product_code", "not_found"),
        ("refund", lambda s: {"receipt_id": s["completed"]["receipt_id"], "lines": [{"line_number": 9}]}, 404,
         "params.lines[0].line_number", "not_found"),
        ("refund", lambda s: {"receipt_id": s["refunded"]["receipt_id"], "lines": [
            {"product_code": "10011", "quantity": 2}]}, 422, "params.lines[0].quantity", "too_many_units"),
        ("product_create", {"product_code": "10003"}, 422, "params.product_code", "code_in_use"),
        ("product_create", {"barcode": "4006381333932"}, 422, "params.barcode", "invalid_field"),
        ("product_edit", {"product_code": "99999", "price": 1}, 404, "params.product_code", "not_found"),
        ("product_edit", {"product_code": "10012", "price": 1}, 422, "params.product_code", "deleted_record"),
        ("product_delete", {"product_id": WELL_FORMED}, 404, "params.product_id", "not_found"),
        ("customer_edit", {"customer_id": WELL_FORMED}, 404, "params.customer_id", "not_found"),
        ("customer_delete", lambda s: {"customer_id": s["deleted_customer"]}, 422, "params.customer_id",
         "deleted_record"),
        ("stock_count", {"shop_id": WELL_FORMED}, 404, "params.shop_id", "not_found"),
        ("stock_count", {"levels": [{"product_code": "10003", "in_stock": 1}] * 2}, 422,
         "params.levels[1].product_code", "duplicate_item"),
        ("goods_receipt", {"lines": [{"product_code": "99999", "quantity": 1}]}, 404, "params.lines[0].product_code",
         "not_found"),
    ]


@pytest.mark.parametrize(("operation", "params", "status", "field", "code"), _cases(),
                         ids=[f"{c[0]}-{c[3]}-{c[4]}" for c in _cases()])
async def test_a_parameter_the_shop_cannot_take_is_refused_naming_it_and_nothing_changes(
        client: Client, shop: dict[str, Any], operation: str, params: Any, status: int, field: str,
        code: str) -> None:
    given = params(shop) if callable(params) else params
    before = await _state(client)
    resp = await client.post("/_mock/events", json={"operation": operation, "params": given, "count": 2},
                             headers=AUTH)
    assert resp.status == status, await resp.text()
    error = (await resp.json())["error"]
    assert (error["field"], error["code"]) == (field, code), error
    await _nothing_changed(client, before)


@pytest.mark.parametrize(("body", "field"), [
    ({"operation": "sale", "params": []}, "params"),
    ({"type": "receipts.update", "params": {}}, "params"),
    ({"type": "receipts.update", "payload": {}, "params": {}}, "params"),
    ({"operation": "sale", "advance": "soon"}, "advance"),
    ({"operation": "sale", "advance": -1}, "advance"),
    ({"operation": "sale", "advance": "3661d"}, "advance"),
])
async def test_a_trigger_with_params_or_advance_in_the_wrong_place_is_422(client: Client, body: dict[str, Any],
                                                                         field: str) -> None:
    resp = await client.post("/_mock/events", json=body, headers=AUTH)
    assert resp.status == 422
    assert (await resp.json())["error"]["field"] == field


async def test_the_second_run_failing_undoes_the_first(client: Client) -> None:
    before = await _state(client)
    body = {"operation": "product_create", "count": 2, "params": {"product_code": "55555"}}
    resp = await client.post("/_mock/events", json=body, headers=AUTH)
    assert (resp.status, (await resp.json())["error"]["code"]) == (422, "code_in_use")
    await _nothing_changed(client, before)
