"""Drive a world: pick operations by event type or as everyday traffic, and wrap what
they emit in SalesPlay's envelope."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any

from mockserver.domain.vocabulary import EVENT_TYPES, OPERATION_EVENTS
from mockserver.shop import ops
from mockserver.shop.refunds import refund
from mockserver.shop.world import World

Operation = Callable[..., ops.Emitted]  # (world, now, given=None): what a test named, checked

OPERATIONS: dict[str, Operation] = {
    "sale": ops.sale,
    "receipt_update": ops.receipt_update,
    "refund": refund,
    "product_create": partial(ops.product_change, action="create"),
    "product_edit": partial(ops.product_change, action="edit"),
    "product_delete": partial(ops.product_change, action="delete"),
    "customer_create": partial(ops.customer_change, action="create"),
    "customer_edit": partial(ops.customer_change, action="edit"),
    "customer_delete": partial(ops.customer_change, action="delete"),
    "stock_count": ops.stock_count,
    "goods_receipt": ops.goods_receipt,
}
assert list(OPERATIONS) == list(OPERATION_EVENTS)

# Which operations make an event of each type, and how often each is picked.
TYPE_MIX: dict[str, tuple[tuple[str, int], ...]] = {
    "receipts.update": (("sale", 8), ("receipt_update", 2)),
    "inventory_levels.update": (("sale", 5), ("refund", 1), ("stock_count", 2), ("goods_receipt", 2)),
    "products.update": (("product_create", 2), ("product_edit", 7), ("product_delete", 1)),
    "customers.update": (("customer_create", 3), ("customer_edit", 6), ("customer_delete", 1)),
    "credit_note.update": (("refund", 1),),
}

# A day in a shop: mostly sales, some of everything else.
TRAFFIC_MIX: tuple[tuple[str, int], ...] = (
    ("sale", 60), ("receipt_update", 5), ("refund", 8), ("product_edit", 4), ("product_create", 1),
    ("product_delete", 1), ("customer_create", 4), ("customer_edit", 3), ("stock_count", 4),
    ("goods_receipt", 10),
)

LIST_KEYS = {
    "inventory_levels.update": "inventory_levels",
    "products.update": "products",
    "customers.update": "customers",
    "receipts.update": "receipts",
    "credit_note.update": "credit_notes",
}
assert set(LIST_KEYS) == set(EVENT_TYPES)
assert all(t in OPERATION_EVENTS[name] for t, mix in TYPE_MIX.items() for name, _ in mix)


# What a trigger's answer says an operation made, taken from what it sent: the ids a test
# asserts on, or refers to in a later step of a scenario (later payloads win).
MADE_FIELDS = {
    "receipts.update": ("receipt_id", "receipt_number"),
    "credit_note.update": ("credit_note_id", "credit_note_number", "receipt_id"),
    "products.update": ("product_id", "product_code"),
    "customers.update": ("customer_id",),
}


def made_of(payloads: list[dict[str, Any]]) -> dict[str, Any]:
    """The ids of the records one operation made or changed: the receipt, the credit note,
    the product or customer; for stock, the shop and the products whose levels were sent."""
    made: dict[str, Any] = {}
    for p in payloads:
        records = p[LIST_KEYS[p["type"]]]
        if p["type"] == "inventory_levels.update":
            made["shop_id"] = records[0]["shop_id"] if records else None
            made["product_ids"] = [level["product_id"] for level in records]
        else:
            made.update({key: records[0][key] for key in MADE_FIELDS[p["type"]]})
    return made


def salesplay_time(t: float) -> str:
    """SalesPlay's timestamp format: ``YYYY-MM-DD HH:MM:SS``, no zone, no ``T``."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t))


class Simulator:
    def __init__(self, world: World) -> None:
        self.world = world

    def envelope(self, type_: str, records: list[dict[str, Any]], created_at: str) -> dict[str, Any]:
        return {"merchant_id": self.world.merchant_id, "type": type_, "created_at": created_at,
                LIST_KEYS[type_]: records}

    def run(self, operation: str, now: float, given: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """One named operation, with the parameters a test gave (checked by
        ``shop.params``); its events as payloads, in sending order."""
        stamp = salesplay_time(now)
        emitted = OPERATIONS[operation](self.world, stamp, given=given) if given else OPERATIONS[operation](
            self.world, stamp)
        return [self.envelope(t, records, stamp) for t, records in emitted]

    def act(self, type_: str, now: float) -> list[dict[str, Any]]:
        """Operations picked for ``type_`` until one emits it (a sale on empty shelves
        restocks instead); returns everything they emitted."""
        names, weights = zip(*TYPE_MIX[type_])
        emitted: list[dict[str, Any]] = []
        for _ in range(20):
            try:
                emitted += self.run(self.world.rng.choices(names, weights)[0], now)
            except ops.NothingToRefund:  # the shop changed nothing; pick again
                continue
            if any(p["type"] == type_ for p in emitted):
                return emitted
        raise RuntimeError(f"the shop could not produce {type_}")  # pragma: no cover

    def traffic(self, now: float) -> list[dict[str, Any]]:
        """One everyday operation, picked by how often shops do it."""
        names, weights = zip(*TRAFFIC_MIX)
        while True:
            try:
                return self.run(self.world.rng.choices(names, weights)[0], now)
            except ops.NothingToRefund:  # the shop changed nothing; pick again
                continue

    def generate(self, type_: str, count: int, start: float, step: float = 97.0) -> list[dict[str, Any]]:
        """``count`` payloads of one type at simulated times ``start``, ``start + step``..."""
        out: list[dict[str, Any]] = []
        now = start
        while len(out) < count:
            out += [p for p in self.act(type_, now) if p["type"] == type_]
            now += step
        return out[:count]
