"""SalesPlay's REST API read side: every resource listed and read by id, in its schema;
paging and filters; and a clear 4xx for every bad request, never a 500."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from mockserver.domain.paging import cursor as encode_cursor
from mockserver.rest.resources import MAX_LIMIT, RESOURCES
from mockserver.rest.rest_schemas import file_name
from tests.helpers import AUTH

SCHEMAS = Path(__file__).resolve().parent.parent / "mockserver" / "schemas" / "api"
UNKNOWN_ID = "QWhxek54UkQ3eTArdml2d1NkSDVnUT09"  # SalesPlay's documented sample: not in our shops


def validator(title: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMAS / f"{file_name(title)}.json").read_text())
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


async def get(client: Any, path: str, expect: int = 200, /, **params: Any) -> Any:
    resp = await client.get(path, params=params, headers=AUTH)
    assert resp.status == expect, await resp.text()
    assert resp.content_type == "application/json"
    return await resp.json()


async def shop_activity(client: Any) -> None:
    for operation in ("sale", "sale", "goods_receipt", "refund", "receipt_update", "product_delete"):
        resp = await client.post("/_mock/events", json={"operation": operation}, headers=AUTH)
        assert resp.status == 201, await resp.text()


@pytest.mark.parametrize("name", list(RESOURCES))
async def test_every_resource_lists_and_reads_by_id_in_its_schema(client: Any, name: str) -> None:
    await shop_activity(client)
    resource = RESOURCES[name]
    page = await get(client, f"/v1.0/{name}", limit=MAX_LIMIT)
    assert set(page) == {"data", "next"} and page["data"], f"{name} is empty"
    for record in page["data"]:
        validator(resource.title).validate(record)
    first = page["data"][0][resource.id_field]
    one = await get(client, f"/v1.0/{name}/{first}")
    if name == "inventory":
        validator("ProductInventory").validate(one)
        assert page["data"][0] in one["inventory_levels"]
    else:
        assert one == page["data"][0]


async def test_paging_walks_every_record_once(client: Any) -> None:
    everything = (await get(client, "/v1.0/inventory", limit=MAX_LIMIT))["data"]
    assert len(everything) > 30
    seen, cursor = [], None
    while True:
        page = await get(client, "/v1.0/inventory", limit=7, **({"cursor": cursor} if cursor else {}))
        assert len(page["data"]) <= 7
        seen += page["data"]
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == everything


async def test_deleting_products_while_paging_skips_and_repeats_nothing(client: Any) -> None:
    first = await get(client, "/v1.0/products", limit=10)
    for _ in range(4):
        await client.post("/_mock/events", json={"operation": "product_delete"}, headers=AUTH)
    seen, cursor = [p["product_id"] for p in first["data"]], first["next"]
    while cursor is not None:
        page = await get(client, "/v1.0/products", limit=10, cursor=cursor)
        seen += [p["product_id"] for p in page["data"]]
        cursor = page["next"]
    live = {p["product_id"] for p in (await get(client, "/v1.0/products", limit=MAX_LIMIT))["data"]}
    assert len(seen) == len(set(seen)) and live <= set(seen)


async def test_receipts_page_in_the_order_they_were_made_and_pick_up_new_ones(client: Any) -> None:
    for _ in range(5):
        await client.post("/_mock/events", json={"operation": "sale"}, headers=AUTH)
    first = await get(client, "/v1.0/receipts", limit=3)
    second = await get(client, "/v1.0/receipts", limit=3, cursor=first["next"])
    numbers = [r["receipt_number"] for r in first["data"] + second["data"]]
    assert numbers == sorted(numbers) and len(set(numbers)) == 5
    assert second["next"] is None


async def test_a_deleted_product_answers_as_its_deletion_event_and_leaves_the_list(client: Any) -> None:
    resp = await client.post("/_mock/events", json={"operation": "product_delete"}, headers=AUTH)
    [event] = (await resp.json())["events"]
    gone = event["payload"]["products"][0]
    record = await get(client, f"/v1.0/products/{gone['product_id']}")
    assert record["deleted"] is True and record["deleted_at"] == gone["deleted_at"]
    listed = {p["product_id"] for p in (await get(client, "/v1.0/products", limit=MAX_LIMIT))["data"]}
    assert gone["product_id"] not in listed
    everything = (await get(client, "/v1.0/products", limit=MAX_LIMIT, include_deleted="true"))["data"]
    assert gone["product_id"] in {p["product_id"] for p in everything}
    inventory = {lv["product_id"] for lv in (await get(client, "/v1.0/inventory", limit=MAX_LIMIT))["data"]}
    assert gone["product_id"] not in inventory


async def test_filters_narrow_a_list(client: Any) -> None:
    await shop_activity(client)
    category = (await get(client, "/v1.0/categories"))["data"][0]["category_id"]
    products = (await get(client, "/v1.0/products", limit=MAX_LIMIT, category_id=category))["data"]
    assert products and {p["category_id"] for p in products} == {category}
    subs = (await get(client, "/v1.0/subcategories", category_id=category))["data"]
    assert subs and {s["category_id"] for s in subs} == {category}
    shop = (await get(client, "/v1.0/shops"))["data"][0]["shop_id"]
    levels = (await get(client, "/v1.0/inventory", limit=MAX_LIMIT, shop_id=shop))["data"]
    assert levels and {lv["shop_id"] for lv in levels} == {shop}
    code = products[0]["product_code"]
    assert [p["product_code"] for p in (await get(client, "/v1.0/products", product_code=code))["data"]] == [code]
    orders = (await get(client, "/v1.0/orders", status="open"))["data"]
    assert {o["status"] for o in orders} <= {"open"}


async def test_receipts_by_date_range_and_field(client: Any) -> None:
    await client.post("/_mock/events", json={"operation": "sale", "count": 3}, headers=AUTH)
    await client.post("/_mock/clock/advance", json={"seconds": 86400}, headers=AUTH)
    await client.post("/_mock/events", json={"operation": "sale", "count": 2}, headers=AUTH)
    everything = (await get(client, "/v1.0/receipts"))["data"]
    day_one = everything[0]["created_at"][:10]
    assert len((await get(client, "/v1.0/receipts", created_at_max=day_one))["data"]) == 3
    assert len((await get(client, "/v1.0/receipts", created_at_min=f"{day_one}T23:59:59Z"))["data"]) == 2
    later = (await get(client, "/v1.0/receipts", created_at_min=everything[-1]["created_at"]))["data"]
    assert later[-1] == everything[-1]
    shop = everything[0]["shop_id"]
    assert all(r["shop_id"] == shop for r in (await get(client, "/v1.0/receipts", shop_id=shop))["data"])
    assert (await get(client, "/v1.0/receipts", status="voided"))["data"] == []


async def test_each_token_reads_only_its_own_shop(client: Any) -> None:
    await client.post("/_mock/events", json={"operation": "sale"}, headers=AUTH)
    receipt = (await get(client, "/v1.0/receipts"))["data"][0]
    other = {"Authorization": "Bearer someone-else"}
    resp = await client.get(f"/v1.0/receipts/{receipt['receipt_id']}", headers=other)
    assert resp.status == 404
    mine = (await get(client, "/v1.0/products"))["data"][0]["product_id"]
    theirs = (await (await client.get("/v1.0/products", headers=other)).json())["data"][0]["product_id"]
    assert mine != theirs


@pytest.mark.parametrize(("query", "field"), [
    ({"limit": "0"}, "limit"), ({"limit": str(MAX_LIMIT + 1)}, "limit"), ({"limit": "ten"}, "limit"),
    ({"limit": "²"}, "limit"), ({"cursor": "not-a-cursor"}, "cursor"),
    ({"cursor": encode_cursor("customers", 5)}, "cursor"), ({"colour": "red"}, "colour"),
    ({"category_id": "10001"}, "category_id"), ({"include_deleted": "maybe"}, "include_deleted"),
    ({"updated_at_min": "yesterday"}, "updated_at_min"), ({"updated_at_max": "2025-13-01"}, "updated_at_max"),
    ({"updated_at_min": "2025-07-02", "updated_at_max": "2025-07-01"}, "updated_at_min"),
    ({"updated_at_min": "2025-07-01T12:00:00 02:00"}, "updated_at_min"),
    ({"updated_at_min": "0001-01-01T00:00:00+14:00"}, "updated_at_min"),
])
async def test_bad_list_parameters_are_422_naming_the_parameter(client: Any, query: dict[str, str],
                                                                field: str) -> None:
    body = await get(client, "/v1.0/products", 422, **query)
    assert body["error"]["field"] == field and body["error"]["code"] == "invalid_field"


@pytest.mark.parametrize("name", ["products", "receipts"])  # a list of the world's, one of the ledger's
@pytest.mark.parametrize("after", [str(2**63), "9" * 4500, "\u00b2", "-1"])
async def test_a_cursor_past_any_position_is_422_naming_it(client: Any, name: str, after: str) -> None:
    cursor = base64.urlsafe_b64encode(f"{name}:{after}".encode()).decode().rstrip("=")
    body = await get(client, f"/v1.0/{name}", 422, cursor=cursor)
    assert body["error"]["field"] == "cursor"
    assert (await get(client, f"/v1.0/{name}", 422, limit="1" * 4500))["error"]["field"] == "limit"


async def test_a_bad_enum_names_its_choices(client: Any) -> None:
    body = await get(client, "/v1.0/receipts", 422, status="refunded")
    assert body["error"]["field"] == "status" and "completed" in body["error"]["message"]


async def test_a_plus_sign_lost_in_the_query_string_is_explained(client: Any) -> None:
    resp = await client.get("/v1.0/receipts?created_at_min=2025-07-01T12:00:00+02:00", headers=AUTH)
    assert resp.status == 422 and "%2B" in (await resp.json())["error"]["message"]


@pytest.mark.parametrize("name", list(RESOURCES))
async def test_an_id_of_the_wrong_shape_is_422_and_an_unknown_one_404(client: Any, name: str) -> None:
    field = RESOURCES[name].id_field
    shape = await get(client, f"/v1.0/{name}/10001", 422)
    assert shape["error"]["field"] == field and "32 characters" in shape["error"]["message"]
    unknown = await get(client, f"/v1.0/{name}/{UNKNOWN_ID}", 404)
    assert unknown["error"]["field"] == field and f"/v1.0/{name}" in unknown["error"]["message"]


async def test_an_unknown_resource_is_a_json_404_that_lists_the_resources(client: Any) -> None:
    body = await get(client, "/v1.0/invoices", 404)
    assert body["error"]["code"] == "not_found" and "/v1.0/payment_types" in body["error"]["message"]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer "}])
async def test_reads_need_a_bearer_token(client: Any, headers: dict[str, str]) -> None:
    for path in ("/v1.0/products", f"/v1.0/products/{UNKNOWN_ID}"):
        resp = await client.get(path, headers=headers)
        assert resp.status == 401
        assert (await resp.json())["error"]["field"] == "Authorization"


async def test_a_token_outside_the_servers_list_is_refused(make_client: Any, config: Any) -> None:
    client = await make_client(config, tokens=("only-this",))
    resp = await client.get("/v1.0/receipts", headers=AUTH)
    assert resp.status == 401 and (await resp.json())["error"]["code"] == "invalid_token"


async def test_writes_to_a_resource_are_405(client: Any) -> None:
    resp = await client.post("/v1.0/products", json={"name": "x"}, headers=AUTH)
    assert resp.status == 405 and (await resp.json())["error"]["code"] == "method_not_allowed"


async def test_reset_forgets_the_ledger(client: Any) -> None:
    await client.post("/_mock/events", json={"operation": "sale"}, headers=AUTH)
    assert (await get(client, "/v1.0/receipts"))["data"]
    await client.post("/_mock/reset", headers=AUTH)
    assert (await get(client, "/v1.0/receipts"))["data"] == []
