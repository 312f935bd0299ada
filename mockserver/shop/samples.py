"""The sample POST's payload from the merchant's own shop (``--sample-from shop``): records
the REST API knows, as they are now, so a receiver that looks them up finds them. Made on a
copy of the world: the shop itself does not change, and its random sequence is not used.

A stock level, a product or a customer is the shop's own record, unchanged. A receipt is
the latest one; a credit note refunds it. When the shop has sold nothing yet, the receipt
(or the sale refunded) is made up on the copy, with a number past 100,000,000 that the
shop's own numbering never reaches and an id the REST API does not know.
"""

from __future__ import annotations

from typing import Any

from mockserver.shop import records
from mockserver.shop.generate import SAMPLE_NUMBERS
from mockserver.shop.ops import sale
from mockserver.shop.refunds import refund
from mockserver.shop.simulator import Simulator, salesplay_time
from mockserver.shop.world import World

MAX_LEVELS = 5


def sample_from_shop(world: World, type_: str, now: float) -> dict[str, Any]:
    """A payload of ``type_`` made of the shop's own records."""
    copy = World.from_json(world.to_json())  # no journal: nothing reaches the REST API's ledger
    copy.rng.seed(f"sample:{world.seed}:{now}")  # never the draws the shop's next operations take
    for name in ("receipt", "credit_note"):
        copy.counters[name] = SAMPLE_NUMBERS + copy.counters.get(name, 0)
    stamp = salesplay_time(now)
    return Simulator(copy).envelope(type_, _records(copy, type_, stamp), stamp)


def _records(world: World, type_: str, stamp: str) -> list[dict[str, Any]]:
    rng = world.rng
    if type_ == "inventory_levels.update":
        shop = rng.choice(world.shops)
        live = world.live_products()
        return [records.level(world, shop.shop_id, p) for p in rng.sample(live, k=min(MAX_LEVELS, len(live)))]
    if type_ == "products.update":
        return [records.product(rng.choice(world.live_products()))]
    if type_ == "customers.update":
        return [records.customer(rng.choice(world.live_customers() or world.customers))]
    completed = [r for r in world.receipts if r["status"] == "completed"]
    if type_ == "receipts.update":
        if world.receipts:
            return [records.receipt(world, world.receipts[-1])]
        for _ in range(len(world.shops) + 1):  # a shop with empty shelves restocks first
            made = [recs for t, recs in sale(world, stamp, paid=True) if t == type_]
            if made:
                return made[0]
        raise RuntimeError("the shop could not sell")  # pragma: no cover - a restocked shop always sells
    receipt_id = completed[-1]["receipt_id"] if completed else None
    return next(recs for t, recs in refund(world, stamp, receipt_id=receipt_id) if t == type_)
