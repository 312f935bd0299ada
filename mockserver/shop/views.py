"""The shop as SalesPlay's REST API shows what the world holds: each resource's items in a
stable order, each rendered as a record, and a record by its id. Fields shared with the
webhook payloads come from the same functions (``records``), so the two views agree."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from mockserver.shop import backoffice, records
from mockserver.shop.world import Product, Shop, World

Record = dict[str, Any]


@dataclass(frozen=True)
class View:
    items: Callable[[World], Iterable[Any]]  # in list order
    render: Callable[[World, Any], Record]
    key: Callable[[Any], str]  # an item's id
    live: Callable[[Any], bool] | None = None  # lists leave the others out unless asked (deleted ones)


def product(world: World, p: Product) -> Record:
    """The webhook's product, and the back-office records it belongs to."""
    return {**records.product(p), **backoffice.links(world, p)}


def shop(world: World, s: Shop) -> Record:
    return {"shop_id": s.shop_id, "name": s.name, "currency": world.currency(),
            "cashiers": [{"cashier_id": c["id"], "name": c["name"]} for c in s.cashiers]}


def product_inventory(world: World, p: Product) -> Record:
    """One product's stock in every shop, each level as ``inventory_levels.update`` has it."""
    return {"product_id": p.product_id, "product_code": p.product_code,
            "inventory_levels": [records.level(world, s.shop_id, p) for s in world.shops]}


def _levels(world: World) -> Iterator[tuple[Product, Shop]]:
    return ((p, s) for p in world.products for s in world.shops)


def _office(name: str, id_field: str) -> View:
    return View(lambda w: w.backoffice[name], lambda w, r: r, lambda r: str(r[id_field]))


VIEWS: dict[str, View] = {
    "categories": _office("categories", "category_id"),
    "subcategories": _office("subcategories", "subcategory_id"),
    "measurements": _office("measurements", "measurement_id"),
    "taxes": _office("taxes", "tax_id"),
    "suppliers": _office("suppliers", "supplier_id"),
    "payment_types": _office("payment_types", "payment_type_id"),
    "orders": _office("orders", "order_id"),
    "customers": View(lambda w: w.customers, lambda w, c: records.customer(c), lambda c: c.customer_id,
                      lambda c: not c.deleted),
    "products": View(lambda w: w.products, product, lambda p: p.product_id, lambda p: not p.deleted),
    "shops": View(lambda w: w.shops, shop, lambda s: s.shop_id),
    "inventory": View(_levels, lambda w, pair: records.level(w, pair[1].shop_id, pair[0]),
                      lambda pair: pair[0].product_id, lambda pair: not pair[0].deleted),
}


def find(world: World, name: str, record_id: str) -> Record | None:
    """The record of resource ``name`` with this id (a deleted product or customer too: its
    last record, as its deletion event sent it); for inventory, a product's stock."""
    if name == "inventory":
        p = _lookup(world, "products", record_id)
        return None if p is None else product_inventory(world, p)
    item = _lookup(world, name, record_id)
    return None if item is None else VIEWS[name].render(world, item)


def _lookup(world: World, name: str, record_id: str) -> Any:
    """By id through a dict built once per membership: operations change who is in a list
    only by appending (and dropping the oldest in the same step), so its length and last
    item tell whether the dict is still good."""
    view = VIEWS[name]
    items = view.items(world)
    assert isinstance(items, Sequence)
    mark = (id(items), len(items), id(items[-1]) if items else None)
    cached = world.cache.get(f"lookup:{name}")
    if cached is None or cached[0] != mark:
        cached = world.cache[f"lookup:{name}"] = (mark, {view.key(i): i for i in items})
    return cached[1].get(record_id)
