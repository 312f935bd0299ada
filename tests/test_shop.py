"""The simulated shop: id shapes, reproducibility, schemas, and facts that hold across events."""

from __future__ import annotations

import json
import random
from collections import defaultdict
from typing import Any

import jsonschema
import pytest

from mockserver.domain.vocabulary import EVENT_TYPES, OPERATION_EVENTS
from mockserver.service.shops import Shops
from mockserver.shop import catalogue, ids
from mockserver.shop.generate import generate_payloads
from mockserver.shop.ops import NothingToRefund
from mockserver.shop.schemas import load_schema
from mockserver.shop.simulator import OPERATIONS, Simulator
from mockserver.shop.world import World, build
from mockserver.store import Store

NOW = 1751284800.0


def cents(x: float) -> int:
    return round(x * 100)


def test_entity_ids_have_salesplays_shape() -> None:
    rng = random.Random(3)
    for _ in range(500):
        value = ids.entity_id(rng)
        assert len(value) == 32 and value[-4:] in ("QT09", "UT09", "Zz09", "dz09")
        assert ids.decoded_size(value) == 16


def test_merchant_ids_have_salesplays_shape() -> None:
    rng = random.Random(3)
    for _ in range(500):
        value = ids.merchant_id(rng)
        assert len(value) == 40 and value.endswith("=")
        assert ids.decoded_size(value) == 21


def test_the_documented_sample_ids_decode_like_ours() -> None:
    assert ids.decoded_size("QWhxek54UkQ3eTArdml2d1NkSDVnUT09") == 16
    assert ids.decoded_size("WFpYWmQwMkJGVWtDT3RHY1NHYjdBT0YzZE5xOD0=") == 21


def test_same_seed_same_world_byte_for_byte() -> None:
    assert build(11).to_json() == build(11).to_json()
    assert build(11).to_json() != build(12).to_json()


def test_world_has_one_to_three_shops_and_stock_for_every_product() -> None:
    for seed in range(20):
        world = build(seed)
        assert 1 <= len(world.shops) <= 3
        assert len(world.stock) == len(world.shops) * len(world.products)
        assert all(p.product_code.isdigit() for p in world.products)


def test_world_survives_a_save_and_load_mid_run() -> None:
    sim = Simulator(build(5))
    for _ in range(30):
        sim.traffic(NOW)
    copy = Simulator(World.from_json(sim.world.to_json()))
    assert [sim.traffic(NOW) for _ in range(30)] == [copy.traffic(NOW) for _ in range(30)]


@pytest.mark.parametrize("type_", EVENT_TYPES)
def test_thousands_of_payloads_match_their_schema(type_: str) -> None:
    validator = jsonschema.Draft202012Validator(load_schema(type_), format_checker=jsonschema.FormatChecker())
    jsonschema.Draft202012Validator.check_schema(load_schema(type_))
    for payload in generate_payloads(type_, 1500, seed=9):
        validator.validate(payload)


def test_traffic_payloads_match_their_schemas_for_many_seeds() -> None:
    validators = {t: jsonschema.Draft202012Validator(load_schema(t)) for t in EVENT_TYPES}
    for seed in range(10):
        sim = Simulator(build(seed, locale=random.Random(seed).choice(["en_US", "de_DE", "fr_FR", "ja_JP"])))
        for _ in range(300):
            for payload in sim.traffic(NOW):
                validators[payload["type"]].validate(payload)


def test_inventory_levels_are_exactly_the_documented_shape() -> None:
    [payload] = generate_payloads("inventory_levels.update", 1, seed=1)
    assert list(payload) == ["merchant_id", "type", "created_at", "inventory_levels"]
    assert set(payload["inventory_levels"][0]) == {"product_id", "shop_id", "product_code", "in_stock"}


def _check_totals(record: dict[str, Any]) -> None:
    lines = record["line_items"]
    amounts = [record[k] for k in ("subtotal", "discount_total", "tax_total", "total")]
    amounts += [ln[k] for ln in lines for k in ("unit_price", "discount", "tax", "line_total")]
    assert all(round(x, 2) == x for x in amounts), "money has at most 2 decimals"
    for ln in lines:
        assert cents(ln["line_total"]) == ln["quantity"] * cents(ln["unit_price"]) - cents(ln["discount"]) + cents(ln["tax"])
    assert cents(record["subtotal"]) == sum(ln["quantity"] * cents(ln["unit_price"]) for ln in lines)
    assert cents(record["discount_total"]) == sum(cents(ln["discount"]) for ln in lines)
    assert cents(record["tax_total"]) == sum(cents(ln["tax"]) for ln in lines)
    assert cents(record["total"]) == sum(cents(ln["line_total"]) for ln in lines)
    assert cents(record["total"]) == cents(record["subtotal"]) - cents(record["discount_total"]) + cents(record["tax_total"])


def test_cross_event_facts_hold_over_a_long_day() -> None:
    """Totals add up; stock never negative and agrees with sales; refunds never exceed receipts."""
    sim = Simulator(build(21))
    world = sim.world
    stock = {k: v for k, v in world.stock.items()}
    products = {p.product_id for p in world.products}
    receipts: dict[str, dict[str, Any]] = {}
    refunded: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    refunded_cents: dict[str, int] = defaultdict(int)
    for _ in range(3000):
        payloads = sim.traffic(NOW)
        expected: dict[str, int] = {}
        for p in payloads:
            if p["type"] == "products.update":
                products.update(r["product_id"] for r in p["products"])
            if p["type"] == "receipts.update":
                [r] = p["receipts"]
                _check_totals(r)
                assert all(ln["product_id"] in products for ln in r["line_items"])
                previous = receipts.get(r["receipt_id"])
                if previous is None:
                    for ln in r["line_items"]:
                        key = f"{r['shop_id']}/{ln['product_id']}"
                        expected[key] = expected.get(key, stock.get(key, 0)) - ln["quantity"]
                elif r["status"] == "voided":
                    for ln in r["line_items"]:
                        key = f"{r['shop_id']}/{ln['product_id']}"
                        expected[key] = expected.get(key, stock.get(key, 0)) + ln["quantity"]
                receipts[r["receipt_id"]] = r
            if p["type"] == "credit_note.update":
                [cn] = p["credit_notes"]
                _check_totals(cn)
                receipt = receipts[cn["receipt_id"]]
                assert receipt["status"] == "completed"
                sold = {ln["product_id"]: ln["quantity"] for ln in receipt["line_items"]}
                for ln in cn["line_items"]:
                    refunded[cn["receipt_id"]][ln["product_id"]] += ln["quantity"]
                    assert refunded[cn["receipt_id"]][ln["product_id"]] <= sold[ln["product_id"]]
                    key = f"{cn['shop_id']}/{ln['product_id']}"
                    expected[key] = expected.get(key, stock.get(key, 0)) + ln["quantity"]
                refunded_cents[cn["receipt_id"]] += cents(cn["total"])
                assert refunded_cents[cn["receipt_id"]] <= cents(receipt["total"])
            if p["type"] == "inventory_levels.update":
                for level in p["inventory_levels"]:
                    key = f"{level['shop_id']}/{level['product_id']}"
                    assert level["in_stock"] >= 0
                    if key in expected:  # caused by this operation's sale or refund
                        assert level["in_stock"] == expected.pop(key)
                    stock[key] = level["in_stock"]
        assert expected == {}, "a sale or refund changed stock without an inventory event"
    assert all(v >= 0 for v in world.stock.values())


def test_every_operation_emits_payloads_with_the_envelope() -> None:
    sim = Simulator(build(4))
    for name in OPERATIONS:
        for payload in sim.run(name, NOW):
            assert payload["merchant_id"] == sim.world.merchant_id
            assert payload["created_at"] == "2025-06-30 12:00:00"


def test_every_operation_sends_only_the_types_the_vocabulary_says() -> None:
    """What a trigger's 'type' beside an 'operation' is checked against."""
    sim = Simulator(build(5))
    for _ in range(30):
        for name in OPERATIONS:
            types = [p["type"] for p in sim.run(name, NOW)]
            if name == "refund":  # with nothing left to refund it buys first: that sale's own events
                assert types[-2:] == list(OPERATION_EVENTS["refund"])
                types = types[-2:]
            assert set(types) <= set(OPERATION_EVENTS[name]), name


def test_deletions_are_records_with_deleted_true() -> None:
    sim = Simulator(build(4))
    [p] = sim.run("product_delete", NOW)
    [c] = sim.run("customer_delete", NOW)
    assert p["products"][0]["deleted"] is True and p["products"][0]["deleted_at"] == "2025-06-30 12:00:00"
    assert c["customers"][0]["deleted"] is True


def _ids_and_numbers(value: Any) -> set[str]:
    """Every id, number and code in a payload (the values a receiver might key on)."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and (key.endswith(("_id", "_number", "_code")) and key not in ("merchant_id", "country_code")):
                found.add(item)
            found |= _ids_and_numbers(item)
    elif isinstance(value, list):
        for item in value:
            found |= _ids_and_numbers(item)
    return found


@pytest.mark.parametrize("type_", EVENT_TYPES)
def test_the_sample_post_shares_no_id_or_number_with_the_shop_and_changes_nothing(type_: str) -> None:
    shops = Shops(Store(":memory:"), seed=1, locale="en_US")
    before = shops.get("m").world.to_json()
    sample = shops.sample("m", type_, NOW)
    assert shops.get("m").world.to_json() == before, "the sample POST consumed something of the shop"
    jsonschema.validate(sample, load_schema(type_))
    assert sample["merchant_id"] == shops.get("m").world.merchant_id
    real = [p for _ in range(30) for p in shops.get("m").run("refund", NOW) + shops.get("m").run("sale", NOW)]
    real += [p for name in OPERATIONS for p in shops.get("m").run(name, NOW)]
    shared = _ids_and_numbers(sample) & set().union(*(_ids_and_numbers(p) for p in real))
    assert not shared, f"the sample POST shares {shared} with the shop's own events"


def test_a_refund_always_refunds() -> None:
    for seed in range(40):  # a fresh shop has nothing to refund: someone buys first, and pays
        emitted = Simulator(build(seed)).run("refund", NOW)
        assert [p["type"] for p in emitted].count("credit_note.update") == 1, seed


def test_a_refund_with_nothing_to_refund_changes_nothing() -> None:
    sim = Simulator(build(3))
    for product in sim.world.products:  # nothing on any shelf, nothing ever delivered
        product.deleted = True
    before = sim.world.to_json()
    with pytest.raises(NothingToRefund):
        sim.run("refund", NOW)
    assert sim.world.to_json() == before


def test_generated_payload_files_are_json_round_trippable() -> None:
    for payload in generate_payloads("receipts.update", 20, seed=1):
        assert json.loads(json.dumps(payload)) == payload


def test_the_back_office_is_the_same_for_the_same_seed_and_every_id_has_salesplays_shape() -> None:
    first, again = build(11), build(11)
    assert first.backoffice == again.backoffice and first.backoffice != build(12).backoffice
    for name, records in first.backoffice.items():
        assert records, name
        for record in records:
            for key, value in record.items():
                if key.endswith("_id"):
                    assert ids.decoded_size(value) == 16, (name, key)


def test_every_product_links_to_back_office_records_that_exist() -> None:
    from mockserver.shop.backoffice import links

    for seed in range(5):
        sim = Simulator(build(seed))
        for _ in range(20):
            sim.run("product_create", NOW)
        office = sim.world.backoffice
        by_id = {key: {r[key]: r for r in office[name]} for key, name in (
            ("category_id", "categories"), ("subcategory_id", "subcategories"), ("measurement_id", "measurements"),
            ("tax_id", "taxes"), ("supplier_id", "suppliers"))}
        for product in sim.world.products:
            linked = {key: by_id[key][value] for key, value in links(sim.world, product).items()}
            assert linked["category_id"]["name"] == product.category
            assert linked["subcategory_id"]["category_id"] == linked["category_id"]["category_id"]
            assert product.name.endswith(tuple(catalogue.SUBCATEGORIES[product.category][
                linked["subcategory_id"]["name"]]))
            assert linked["measurement_id"]["unit"] == product.unit
            assert linked["tax_id"]["tax_rate"] == product.tax_rate
            assert linked["category_id"]["category_id"] in linked["supplier_id"]["category_ids"]


def test_a_world_saved_before_the_back_office_gets_the_same_one_on_load() -> None:
    world = build(8)
    data = json.loads(world.to_json())
    del data["backoffice"]
    assert World.from_json(json.dumps(data)).backoffice["categories"] == world.backoffice["categories"]


def test_operations_log_for_the_rest_api_only_when_asked() -> None:
    quiet = Simulator(build(6))
    quiet.run("goods_receipt", NOW)
    assert quiet.world.journal is None and "grn" not in quiet.world.counters
    kept = Simulator(build(6))
    kept.world.journal = []
    [stock] = kept.run("goods_receipt", NOW)
    notes = [record for kind, record in kept.world.journal if kind == "grns"]
    assert notes and {ln["product_id"] for n in notes for ln in n["line_items"]} == {
        lv["product_id"] for lv in stock["inventory_levels"]}


def test_the_ledger_keeps_the_newest_records(monkeypatch: pytest.MonkeyPatch) -> None:
    import mockserver.service.shops as shops_module

    monkeypatch.setattr(shops_module, "KEEP_LEDGER", 5)
    monkeypatch.setattr(shops_module, "TRIM_EVERY", 1)
    store = Store(":memory:")
    shops = Shops(store, seed=1, locale="en_US")
    sim = shops.get("m")
    for _ in range(12):
        sim.run("sale", NOW)
        shops.save("m")
    kept = store.shop_records.page("m", "receipts", after=0, limit=100, equals={})
    numbers = [json.loads(body)["receipt_number"].split("-")[1] for _, body in kept]
    assert numbers == ["000008", "000009", "000010", "000011", "000012"]
