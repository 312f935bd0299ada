"""The payloads a check sends, from one simulated shop built from the check's seed: they
agree with each other (a refund refers to a receipt that was sent), and the same seed
gives the same bytes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mockserver.shop import ops
from mockserver.shop.generate import GENERATE_START, sample_world
from mockserver.shop.refunds import refund
from mockserver.shop.simulator import LIST_KEYS, Simulator, salesplay_time
from mockserver.shop.world import build

STEP = 61.0  # simulated seconds between two operations: every event has its own created_at
LARGE_RECEIPT_LINES = 200
LARGE_STOCK_COUNT = 1000  # products in the check's shop, so one stock take can count this many
NEW_FIELD = "x_added_later"

# An operation that makes each type without needing an earlier event: what a webhook
# set up in the middle of a shop's life gets. Credit notes need a receipt: see ``refund``.
ON_ITS_OWN = {"inventory_levels.update": "stock_count", "products.update": "product_edit",
              "customers.update": "customer_edit", "receipts.update": "sale"}


@dataclass(frozen=True)
class Payload:
    type: str
    body: bytes
    event_id: str
    about: str  # what it carries, for people: "receipt 1-000004, 3 lines"
    envelope: dict[str, Any] = field(compare=False, repr=False)


class CheckShop:
    """One merchant's shop for the whole check; every call is a new operation of it."""

    def __init__(self, seed: int, *, locale: str = "en_US") -> None:
        self.seed = seed
        self.locale = locale
        self.sim = Simulator(build(seed, locale=locale, products=LARGE_STOCK_COUNT))
        self._now = GENERATE_START
        self._made = 0
        self._receipt_id: str | None = None  # the receipt the single-event scenarios sent

    def _tick(self) -> float:
        self._now += STEP
        return self._now

    def _wrap(self, envelope: dict[str, Any]) -> Payload:
        self._made += 1
        digest = hashlib.sha256(f"check:{self.seed}:{self._made}".encode()).hexdigest()
        return Payload(envelope["type"], json.dumps(envelope).encode(), "evt_" + digest[:16], about(envelope),
                       envelope)

    def _run(self, operation: Callable[..., ops.Emitted], **options: Any) -> list[Payload]:
        stamp = salesplay_time(self._tick())
        return [self._wrap(self.sim.envelope(t, records, stamp))
                for t, records in operation(self.sim.world, stamp, **options)]

    def sample(self, type_: str) -> Payload:
        """SalesPlay's sample POST: the merchant's id, from a small shop of its own."""
        seed = int.from_bytes(hashlib.sha256(f"{self.seed}/sample".encode()).digest()[:8], "big")
        sim = Simulator(sample_world(seed, merchant_id=self.sim.world.merchant_id, locale=self.locale))
        return self._wrap(next(p for p in sim.act(type_, self._tick()) if p["type"] == type_))

    def one(self, type_: str) -> Payload:
        """One event of ``type_`` that refers to nothing the receiver was not sent."""
        if type_ == "credit_note.update":
            return self.refund(None)[0]
        if type_ == "receipts.update":
            return self.sale()[0]
        return next(self._wrap(p) for p in self.sim.run(ON_ITS_OWN[type_], self._tick()) if p["type"] == type_)

    def sale(self, *, line_count: int | None = None) -> list[Payload]:
        """A paid sale: its receipt, then the stock it lowered."""
        sold = self._run(ops.sale, paid=True, line_count=line_count)
        if sold[0].type != "receipts.update":  # pragma: no cover - a shop of 1000 products never runs dry here
            raise RuntimeError("the check's shop ran out of stock")
        return sold

    def refund(self, receipt_id: str | None) -> list[Payload]:
        """A refund of that receipt (without one, of a sale the receiver is never sent): the
        credit note, then the stock it put back."""
        made = self._run(refund, receipt_id=receipt_id)
        return made[next(n for n, p in enumerate(made) if p.type == "credit_note.update"):]

    def event(self, type_: str) -> Payload:
        """The single-event scenarios' event of ``type_``. They run in ``EVENT_TYPES``
        order, receipts before credit notes, so the credit note refunds the receipt sent
        just before it, as in a real shop."""
        if type_ == "credit_note.update":
            return self.refund(self._receipt_id)[0]
        made = self.one(type_)
        if type_ == "receipts.update":
            self._receipt_id = made.envelope["receipts"][0]["receipt_id"]
        return made

    def related(self) -> list[Payload]:
        """A sale and a refund of it, in the order SalesPlay sends them: the receipt, its
        stock, the credit note, the stock it put back."""
        sold = self.sale()
        return sold + self.refund(sold[0].envelope["receipts"][0]["receipt_id"])

    def burst(self, types: tuple[str, ...], count: int) -> list[Payload]:
        """``count`` events that do not refer to each other, the types taken in turn. Credit
        notes refer to receipts, so they are left out unless they are all there is: a
        burst tests load; order has a scenario of its own."""
        independent = [t for t in types if t != "credit_note.update"] or ["credit_note.update"]
        return [self.one(independent[n % len(independent)]) for n in range(count)]

    def with_new_fields(self, type_: str) -> tuple[Payload, str]:
        """An event with a field SalesPlay might add one day, in the envelope, in each
        record and in each item of the records' lists; and where it was put."""
        envelope = json.loads(self.one(type_).body)
        key = LIST_KEYS[type_]
        value = {"note": "a field this receiver has never seen"}
        envelope[NEW_FIELD] = value
        places = ["the envelope", f"each of {key}"]
        for record in envelope[key]:
            record[NEW_FIELD] = value
            for name, items in record.items():
                if isinstance(items, list) and items and all(isinstance(i, dict) for i in items):
                    for item in items:
                        item[NEW_FIELD] = value
                    if f"each of {name}" not in places:
                        places.append(f"each of {name}")
        return self._wrap(envelope), ", ".join(places)

    def large_receipt(self) -> Payload:
        return self.sale(line_count=LARGE_RECEIPT_LINES)[0]

    def large_stock_count(self) -> Payload:
        return self._run(ops.stock_count, levels=LARGE_STOCK_COUNT)[0]


def about(envelope: dict[str, Any]) -> str:
    """What an event carries, in a few words."""
    type_ = envelope["type"]
    records = envelope[LIST_KEYS[type_]]
    first = records[0]
    if type_ == "receipts.update":
        return f"receipt {first['receipt_number']}, {len(first['line_items'])} line(s)"
    if type_ == "credit_note.update":
        return f"credit note {first['credit_note_number']} of receipt {first['receipt_number']}"
    if type_ == "inventory_levels.update":
        return f"{len(records)} stock level(s)"
    if type_ == "products.update":
        return f"product {first['product_code']}" + (" (deleted)" if first.get("deleted") else "")
    return f"customer {first['name']}" + (" (deleted)" if first.get("deleted") else "")
