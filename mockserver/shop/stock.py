"""Stock that changes without a sale: a stock take, and goods received from suppliers.
Each takes the shop and the products a test names (``given``), or draws them."""

from __future__ import annotations

from typing import Any

from mockserver.shop import backoffice, lookup, records
from mockserver.shop.world import Shop, World

Emitted = list[tuple[str, list[dict[str, Any]]]]
Given = dict[str, Any]


def _shop(world: World, given: Given) -> Shop:
    if "shop_id" in given:
        return lookup.shop(world, given["shop_id"], "params.shop_id")
    return world.rng.choice(world.shops)


def stock_count(world: World, now: str, *, levels: int | None = None, given: Given | None = None) -> Emitted:
    """A stock take sets the levels it counts: ``given["levels"]``, or a few levels found
    within 3 units of the system's; ``levels``: that many products (as many as the shop
    has), for the largest stock counts."""
    g = given or {}
    rng = world.rng
    shop = _shop(world, g)
    if "levels" in g:
        found = lookup.listed(world, g["levels"], "levels", "in_stock")
        for product, units in found:
            world.stock[f"{shop.shop_id}/{product.product_id}"] = units
        return [records.inventory(world, shop.shop_id, [p.product_id for p, _ in found])]
    live = world.live_products()
    counted = rng.sample(live, k=min(len(live), levels or rng.randint(1, 4)))
    for product in counted:
        key = f"{shop.shop_id}/{product.product_id}"
        world.stock[key] = max(0, world.stock.get(key, 0) + rng.randint(-3, 3))
    return [records.inventory(world, shop.shop_id, [p.product_id for p in counted])]


def goods_receipt(world: World, now: str, shop: Shop | None = None, *, given: Given | None = None) -> Emitted:
    """A delivery from suppliers raises stock: ``given["lines"]``, or the products lowest
    in stock first."""
    g = given or {}
    rng = world.rng
    shop = shop or _shop(world, g)
    if "lines" in g:
        quantities = lookup.listed(world, g["lines"], "lines", "quantity")
    else:
        live = sorted(world.live_products(), key=lambda p: world.stock.get(f"{shop.shop_id}/{p.product_id}", 0))
        quantities = [(product, rng.randint(10, 40)) for product in live[: rng.randint(1, 6)]]
    for product, units in quantities:
        key = f"{shop.shop_id}/{product.product_id}"
        world.stock[key] = world.stock.get(key, 0) + units
    if world.journal is not None:
        for note in backoffice.goods_received(world, shop, quantities, now):
            world.log("grns", note)
    return [records.inventory(world, shop.shop_id, [p.product_id for p, _ in quantities])]
