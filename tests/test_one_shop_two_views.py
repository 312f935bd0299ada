"""One shop, two views: what a receiver got in each webhook payload agrees with what the
REST API answers for the same records, through sales, refunds, voids, edits, deletions
and deliveries from suppliers."""

from __future__ import annotations

from typing import Any

from mockserver.domain.vocabulary import EVENT_TYPES
from tests.helpers import AUTH, register


async def api(client: Any, path: str, **params: str) -> Any:
    resp = await client.get(f"/v1.0{path}", params=params, headers=AUTH)
    assert resp.status == 200, await resp.text()
    return await resp.json()


async def act(client: Any, rec: Any, operation: str) -> list[dict[str, Any]]:
    """Run one shop operation; the payloads the receiver got for it, in sending order."""
    before = len(rec.requests)
    resp = await client.post("/_mock/events", json={"operation": operation}, headers=AUTH)
    assert resp.status == 201, await resp.text()
    order = [e["id"] for e in (await resp.json())["events"]]
    got = rec.requests[before:]
    assert len(got) == len(order), "every event reached the receiver"
    got.sort(key=lambda r: order.index(r["headers"]["X-Mock-Event-Id"]))
    return [r["body"] for r in got]


def latest(payloads: list[dict[str, Any]], key: str, ident: Any) -> dict[Any, dict[str, Any]]:
    """The last record of each id in these payloads: the one the API must now agree with."""
    out: dict[Any, dict[str, Any]] = {}
    for p in payloads:
        for record in p.get(key, []):
            out[ident(record)] = record
    return out


async def check(client: Any, payloads: list[dict[str, Any]]) -> set[str]:
    """Each record's last webhook state against the API's answer; which types were checked."""
    notes = latest(payloads, "credit_notes", lambda r: r["credit_note_id"])
    for receipt_id, sent in latest(payloads, "receipts", lambda r: r["receipt_id"]).items():
        answer = await api(client, f"/receipts/{receipt_id}")
        refunds = [n for n in notes.values() if n["receipt_id"] == receipt_id]
        if refunds:  # refunded after it was sent, in the same operation: the API has moved on
            sent = {**sent, "updated_at": refunds[-1]["created_at"]}
        assert {k: answer[k] for k in sent} == sent
    for note in notes.values():
        receipt = await api(client, f"/receipts/{note['receipt_id']}")
        assert {"credit_note_id": note["credit_note_id"], "credit_note_number": note["credit_note_number"],
                "credit_note_type": note["credit_note_type"], "total": note["total"],
                "created_at": note["created_at"]} in receipt["credit_notes"]
        assert receipt["receipt_number"] == note["receipt_number"] and receipt["shop_id"] == note["shop_id"]
        sold = {ln["product_id"]: ln["quantity"] for ln in receipt["line_items"]}
        assert all(ln["quantity"] <= sold[ln["product_id"]] for ln in note["line_items"])
    levels = latest(payloads, "inventory_levels", lambda r: (r["product_id"], r["shop_id"]))
    for (product_id, shop_id), sent in levels.items():
        stock = await api(client, f"/inventory/{product_id}")
        assert sent in stock["inventory_levels"]
        assert (await api(client, "/inventory", product_id=product_id, shop_id=shop_id))["data"] == [sent]
    for key, path in (("products", "/products"), ("customers", "/customers")):
        for record_id, sent in latest(payloads, key, lambda r, k=key: r[k[:-1] + "_id"]).items():
            answer = await api(client, f"{path}/{record_id}")
            assert {k: answer[k] for k in sent} == sent
    return {p["type"] for p in payloads}


async def test_every_webhook_payload_agrees_with_the_rest_api(client: Any, receiver: Any) -> None:
    rec = await receiver()
    await register(client, rec.url, list(EVENT_TYPES))
    checked: set[str] = set()
    for operation in ("sale", "refund", "product_edit", "product_delete", "receipt_update", "goods_receipt",
                      "customer_edit", "customer_delete", "stock_count", "product_create"):
        checked |= await check(client, await act(client, rec, operation))
    assert checked == set(EVENT_TYPES)


async def test_a_sale_then_its_refund_seen_from_both_sides(client: Any, receiver: Any) -> None:
    rec = await receiver()
    await register(client, rec.url, list(EVENT_TYPES))
    sale = await act(client, rec, "sale")
    [receipt] = sale[0]["receipts"]
    assert (await api(client, f"/receipts/{receipt['receipt_id']}"))["credit_notes"] == []
    for _ in range(20):  # refunds pick a receipt at random: until this one is refunded
        refund = await act(client, rec, "refund")
        await check(client, refund)
        [note] = next(p for p in refund if p["type"] == "credit_note.update")["credit_notes"]
        if note["receipt_id"] == receipt["receipt_id"]:
            break
    answer = await api(client, f"/receipts/{note['receipt_id']}")
    assert note["credit_note_id"] in {n["credit_note_id"] for n in answer["credit_notes"]}
    assert answer["updated_at"] == note["created_at"]


async def test_a_product_edit_and_delete_seen_from_both_sides(client: Any, receiver: Any) -> None:
    rec = await receiver()
    await register(client, rec.url, "products.update")
    [edit] = await act(client, rec, "product_edit")
    [edited] = edit["products"]
    answer = await api(client, f"/products/{edited['product_id']}")
    assert answer["price"] == edited["price"] and answer["updated_at"] == edited["updated_at"]
    [delete] = await act(client, rec, "product_delete")
    [deleted] = delete["products"]
    answer = await api(client, f"/products/{deleted['product_id']}")
    assert answer["deleted"] is True and answer["deleted_at"] == deleted["deleted_at"]
    listed = await api(client, "/products", limit="250")
    assert deleted["product_id"] not in {p["product_id"] for p in listed["data"]}


async def test_a_delivery_from_suppliers_is_in_goods_received_notes_and_stock(client: Any, receiver: Any) -> None:
    rec = await receiver()
    await register(client, rec.url, "inventory_levels.update")
    before = {(lv["product_id"], lv["shop_id"]): lv["in_stock"]
              for lv in (await api(client, "/inventory", limit="250"))["data"]}
    [stock] = await act(client, rec, "goods_receipt")
    notes = (await api(client, "/grns"))["data"]
    received: dict[tuple[str, str], int] = {}
    for note in notes:
        for ln in note["line_items"]:
            received[(ln["product_id"], note["shop_id"])] = received.get((ln["product_id"], note["shop_id"]), 0) \
                + ln["quantity"]
    assert {(lv["product_id"], lv["shop_id"]) for lv in stock["inventory_levels"]} == set(received)
    for lv in stock["inventory_levels"]:
        key = (lv["product_id"], lv["shop_id"])
        assert lv["in_stock"] == before[key] + received[key]
    suppliers = {s["supplier_id"] for s in (await api(client, "/suppliers"))["data"]}
    assert {n["supplier_id"] for n in notes} <= suppliers
    await check(client, [stock])
