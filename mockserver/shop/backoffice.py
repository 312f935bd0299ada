"""The back office's own records: categories and subcategories, measurements, taxes,
suppliers, payment types and purchase orders, built once with the world; how a product
links to them; and the goods received notes a delivery from suppliers makes.

They draw from a random sequence of their own (and Faker seeded from it), never from
``World.rng``: a seed's events are the same as before the back office existed.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from mockserver.shop import catalogue, ids, money
from mockserver.shop.locales import make_faker

if TYPE_CHECKING:  # the world builds its back office: only its types are needed here
    from mockserver.shop.world import Product, Shop, World

Record = dict[str, Any]
RESOURCES = ("categories", "subcategories", "measurements", "taxes", "suppliers", "payment_types", "orders")


def build_backoffice(world: World, created_at: str) -> dict[str, list[Record]]:
    """Every back-office record of a fresh world, the same for the same seed and locale."""
    rng = random.Random(f"backoffice:{world.seed}:{world.locale}")
    stamp = {"created_at": created_at, "updated_at": created_at}
    out: dict[str, list[Record]] = {name: [] for name in RESOURCES}
    for category in sorted(catalogue.CATEGORIES):
        category_id = ids.entity_id(rng)
        out["categories"].append({"category_id": category_id, "name": category, **stamp})
        out["subcategories"] += [{"subcategory_id": ids.entity_id(rng), "category_id": category_id, "name": name,
                                  **stamp} for name in catalogue.SUBCATEGORIES[category]]
    out["measurements"] = [{"measurement_id": ids.entity_id(rng), "name": name, "unit": unit,
                            "allows_decimals": decimals, **stamp}
                           for unit, (name, decimals) in catalogue.MEASUREMENTS.items()]
    out["taxes"] = [{"tax_id": ids.entity_id(rng), "name": f"{catalogue.TAX_NAMES[rate]} {rate * 100:g}%",
                     "tax_rate": rate, "inclusive": False, **stamp}
                    for rate in sorted({tax for _, _, tax in catalogue.CATEGORIES.values()})]
    out["payment_types"] = [{"payment_type_id": ids.entity_id(rng), "payment_type": kind,
                             "name": catalogue.PAYMENT_TYPE_NAMES[kind], **stamp}
                            for kind in dict.fromkeys(catalogue.PAYMENT_TYPES)]
    out["suppliers"] = _suppliers(world, rng, out["categories"], stamp)
    world.backoffice = out
    out["orders"] = _orders(world, rng, stamp)
    return out


def _suppliers(world: World, rng: random.Random, categories: list[Record], stamp: Record) -> list[Record]:
    fake = world.faker or make_faker(world.locale, world.seed)
    fake.seed_instance(rng.getrandbits(64))  # the world's Faker reseeds itself before every later use
    suppliers = []
    for category in categories:
        for _ in range(catalogue.SUPPLIERS_PER_CATEGORY):
            suppliers.append({
                "supplier_id": ids.entity_id(rng), "name": fake.company(), "contact_name": fake.name(),
                "email": fake.company_email(), "phone": fake.phone_number(), "address": fake.street_address(),
                "city": fake.city(), "category_ids": [category["category_id"]], **stamp,
            })
    return suppliers


def _orders(world: World, rng: random.Random, stamp: Record) -> list[Record]:
    """Purchase orders each shop has placed with its suppliers."""
    by_supplier: dict[str, list[Product]] = {}
    for product in world.products:
        supplier_id = links(world, product)["supplier_id"]
        if supplier_id is not None:
            by_supplier.setdefault(supplier_id, []).append(product)
    orders: list[Record] = []
    if not by_supplier:  # a world built without products
        return orders
    for number, shop in enumerate(world.shops, start=1):
        for _ in range(rng.randint(2, 4)):
            supplier_id = rng.choice(sorted(by_supplier))
            products = by_supplier[supplier_id]
            chosen = rng.sample(products, k=min(len(products), rng.randint(1, 5)))
            lines = [(p, rng.randint(6, 48)) for p in chosen]
            orders.append({
                "order_id": ids.entity_id(rng),
                "order_number": f"PO{number}-{world.next_number('order'):06d}",
                "order_type": "purchase", "status": rng.choice(catalogue.ORDER_STATUSES),
                "shop_id": shop.shop_id, "supplier_id": supplier_id,
                **_lines_and_total(world, lines), **stamp,
            })
    return orders


def _lines_and_total(world: World, lines: list[tuple[Product, int]]) -> Record:
    items = [{"line_number": n, "product_id": p.product_id, "product_code": p.product_code, "product_name": p.name,
              "quantity": qty, "unit_cost": money.out(p.cost), "line_total": money.out(qty * p.cost)}
             for n, (p, qty) in enumerate(lines, start=1)]
    return {"line_items": items, "total": money.out(sum(qty * p.cost for p, qty in lines)),
            "currency": world.currency()}


def links(world: World, product: Product) -> dict[str, str | None]:
    """The back-office records a product belongs to. Derived, not drawn: a product's
    category, item name, unit, tax rate and code decide them."""
    index = world.cache.get("backoffice_index")
    if index is None:
        index = world.cache["backoffice_index"] = _index(world)
    items = index["items"].get(product.category, ())
    # A name a test gave may name no item of the catalogue: the category's first subcategory.
    item = next((i for i in items if product.name.endswith(" " + i)), items[0] if items else None)
    suppliers = index["suppliers"].get(product.category, [])
    return {
        "category_id": index["categories"].get(product.category),
        "subcategory_id": index["subcategories"].get((product.category, item)),
        "measurement_id": index["measurements"].get(product.unit),
        "tax_id": index["taxes"].get(product.tax_rate),
        "supplier_id": suppliers[int(product.product_code) % len(suppliers)] if suppliers else None,
    }


def _index(world: World) -> dict[str, Any]:
    office = world.backoffice
    category_ids = {c["name"]: c["category_id"] for c in office["categories"]}
    names = {c["category_id"]: c["name"] for c in office["categories"]}
    subcategory_of = {(names[s["category_id"]], s["name"]): s["subcategory_id"] for s in office["subcategories"]}
    suppliers: dict[str, list[str]] = {}
    for s in office["suppliers"]:
        for category_id in s["category_ids"]:
            suppliers.setdefault(names[category_id], []).append(s["supplier_id"])
    return {
        "categories": category_ids,
        "items": {c: [i for items in subs.values() for i in items] for c, subs in catalogue.SUBCATEGORIES.items()},
        "subcategories": {(c, i): subcategory_of[(c, sub)] for c, subs in catalogue.SUBCATEGORIES.items()
                          for sub, items in subs.items() for i in items if (c, sub) in subcategory_of},
        "measurements": {m["unit"]: m["measurement_id"] for m in office["measurements"]},
        "taxes": {t["tax_rate"]: t["tax_id"] for t in office["taxes"]},
        "suppliers": suppliers,
    }


def goods_received(world: World, shop: Shop, received: list[tuple[Product, int]], now: str) -> list[Record]:
    """The goods received notes of one delivery: one per supplier of the products received."""
    by_supplier: dict[str | None, list[tuple[Product, int]]] = {}
    for product, qty in received:
        by_supplier.setdefault(links(world, product)["supplier_id"], []).append((product, qty))
    notes = []
    for supplier_id, lines in by_supplier.items():
        number = world.next_number("grn")
        notes.append({
            "grn_id": ids.derived_id(f"grn:{world.merchant_id}:{world.seed}:{number}"),
            "grn_number": f"GRN{world.shops.index(shop) + 1}-{number:06d}",
            "status": "received", "shop_id": shop.shop_id, "supplier_id": supplier_id,
            **_lines_and_total(world, lines), "created_at": now, "updated_at": now,
        })
    return notes
