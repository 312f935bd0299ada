"""The sample POST's ids: by default from a shop of its own (the REST API knows none of
them); with --sample-from shop, the merchant's own records as they are, the shop unchanged,
so a receiver that looks them up can register under --verify strict."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from mockserver.domain.vocabulary import EVENT_TYPES
from mockserver.service.shops import Shops
from mockserver.shop.simulator import LIST_KEYS
from mockserver.store import Store
from tests.helpers import AUTH, START

IDS = {"inventory_levels.update": ("products", "product_id"), "products.update": ("products", "product_id"),
       "customers.update": ("customers", "customer_id"), "receipts.update": ("receipts", "receipt_id"),
       "credit_note.update": ("receipts", "receipt_id")}


async def enriching_receiver(aiohttp_server: Any, api: str) -> str:
    """A receiver that fetches each stock level's product from the REST API, as
    examples/receiver/enrich.py (shown in docs/pytest-plugin.md) does, and answers 500 when
    it cannot."""
    async def hook(request: web.Request) -> web.Response:
        event = await request.json()
        async with aiohttp.ClientSession() as session:
            for level in event.get("inventory_levels", []):
                async with session.get(f"{api}/products/{level['product_id']}", headers=AUTH) as resp:
                    if resp.status != 200:
                        return web.json_response({"error": f"product {resp.status}"}, status=500)
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/hook", hook)
    return str((await aiohttp_server(app)).make_url("/hook"))


@pytest.mark.parametrize(("sample_from", "status"), [("separate", 422), ("shop", 201)])
async def test_a_receiver_that_fetches_the_product_registers_under_strict_only_with_samples_from_the_shop(
        make_client: Any, config: Any, aiohttp_server: Any, sample_from: str, status: int) -> None:
    client: TestClient[Any, Any] = await make_client(config, verify="strict", sample_from=sample_from)
    url = await enriching_receiver(aiohttp_server, str(client.make_url("/v1.0")))
    resp = await client.post("/v1.0/webhook", json={"url": url, "event": "inventory_levels.update"}, headers=AUTH)
    assert resp.status == status, await resp.text()
    if status == 422:
        assert (await resp.json())["error"]["code"] == "url_check_failed"


@pytest.mark.parametrize("type_", EVENT_TYPES)
def test_a_sample_from_the_shop_names_records_the_rest_api_knows_and_changes_nothing(type_: str) -> None:
    shops = Shops(Store(":memory:"), seed=1, locale="en_US", sample_from="shop")
    sim = shops.get("m")
    sim.run("sale", START, {"payment_type": "card"})  # a completed receipt for the receipt and credit note samples
    before = sim.world.to_json()
    sample = shops.sample("m", type_, START + 60)
    assert sim.world.to_json() == before, "the sample changed the shop"
    record = sample[LIST_KEYS[type_]][0]
    collection, key = IDS[type_]
    known = {"products": [p.product_id for p in sim.world.products],
             "customers": [c.customer_id for c in sim.world.customers],
             "receipts": [r["receipt_id"] for r in sim.world.receipts]}[collection]
    assert record[key] in known
    assert sample["merchant_id"] == sim.world.merchant_id


def test_before_the_first_sale_a_sample_receipt_has_a_number_the_shop_never_reaches() -> None:
    shops = Shops(Store(":memory:"), seed=1, locale="en_US", sample_from="shop")
    sample = shops.sample("m", "receipts.update", START)
    assert int(sample["receipts"][0]["receipt_number"].split("-")[1]) > 100_000_000
    assert shops.get("m").run("sale", START, {"payment_type": "card"})[0]["receipts"][0]["receipt_number"].endswith("-000001")
