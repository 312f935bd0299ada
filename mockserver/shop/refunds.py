"""A refund: a credit note or cash refund for some or all of a completed sale, the stock
going back. A test may name the receipt, the lines and units, the kind and the reason."""

from __future__ import annotations

import random
from typing import Any

from mockserver.domain.errors import InvalidField, NotFound
from mockserver.shop import catalogue, ids, lookup, money, records
from mockserver.shop.ops import Emitted, NothingToRefund, sale
from mockserver.shop.world import World

Given = dict[str, Any]
Line = dict[str, Any]


def _refundable(world: World, receipt_id: str | None = None) -> list[dict[str, Any]]:
    return [r for r in world.receipts if r["status"] == "completed" and any(ln["qty"] > ln["refunded"]
                                                                            for ln in r["lines"])
            and receipt_id in (None, r["receipt_id"])]


def refund(world: World, now: str, *, receipt_id: str | None = None, given: Given | None = None) -> Emitted:
    """A credit note or cash refund for some lines of an earlier sale, the stock going back.
    ``receipt_id``: that sale's, when it has units left to refund (else as without it).
    ``given``: the checked parameters (receipt, lines or full, credit_note_type, reason)."""
    g = given or {}
    rng = world.rng
    before: Emitted = []
    if "receipt_id" in g or "receipt_number" in g:
        receipt = _named(world, g)
    elif "lines" in g:
        raise InvalidField("lines are lines of a receipt: name it with receipt_id or receipt_number",
                           field="params.lines")
    else:
        receipt, before = _drawn(world, now, receipt_id)
    lines = [_refund_line(ln, qty) for ln, qty in _what(rng, receipt, g)]
    for ln in lines:
        world.stock[f"{receipt['shop_id']}/{ln['product_id']}"] += ln["qty"]
    kind = g.get("credit_note_type") or rng.choice(("credit_note", "cash_refund"))
    note = {
        "credit_note_id": ids.entity_id(rng),
        "credit_note_number": f"CN{world.shops.index(records.shop_of(world, receipt['shop_id'])) + 1}-"
                              f"{world.next_number('credit_note'):06d}",
        "credit_note_type": kind,
        "status": "completed",
        "receipt_id": receipt["receipt_id"],
        "receipt_number": receipt["receipt_number"],
        "shop_id": receipt["shop_id"],
        "cashier_id": receipt["cashier"]["id"],
        "cashier_name": receipt["cashier"]["name"],
        "customer_id": receipt["customer_id"],
        "reason": g.get("reason") or rng.choice(catalogue.REFUND_REASONS),
        "created_at": now,
        "updated_at": now,
        "line_items": money.public_lines(lines),
        **money.totals(lines),
        "currency": world.currency(),
        "refund_method": "cash" if kind == "cash_refund" else receipt["payment_type"],
    }
    # The receipt now names its credit note: the REST API shows it, though SalesPlay sends
    # no receipts.update for a refund (the credit note is the event).
    receipt.setdefault("credit_notes", []).append({key: note[key] for key in (
        "credit_note_id", "credit_note_number", "credit_note_type", "total", "created_at")})
    receipt["updated_at"] = now
    records.keep_receipt(world, receipt)
    return before + records.with_levels([("credit_note.update", [note]), records.inventory(
        world, receipt["shop_id"], [ln["product_id"] for ln in lines])])


def _named(world: World, g: Given) -> dict[str, Any]:
    receipt = lookup.receipt(world, g, "params")
    field = lookup.receipt_field(g, "params")
    if receipt["status"] != "completed":
        raise InvalidField(f"receipt {receipt['receipt_number']} is {receipt['status']}; only a completed sale can "
                           "be refunded", field=field, code="wrong_state")
    if not _refundable(world, receipt["receipt_id"]):
        raise InvalidField(f"every unit of receipt {receipt['receipt_number']} is refunded already", field=field,
                           code="nothing_to_refund")
    return receipt


def _drawn(world: World, now: str, receipt_id: str | None) -> tuple[dict[str, Any], Emitted]:
    """A sale with units left to refund (``receipt_id``'s when it has some), drawn; someone
    buys first, and pays, when there is none. A sale in a shop with empty shelves restocks
    it instead, so one more try than there are shops always sells."""
    refundable = _refundable(world, receipt_id)
    if not refundable and not world.live_products():  # nothing sold, nothing to sell: nothing changes
        raise NothingToRefund("nothing in the shop can be refunded: no completed sale has units left to refund")
    before: Emitted = []
    for _ in range(len(world.shops) + 1):
        if refundable:
            break
        before += sale(world, now, paid=True)
        refundable = _refundable(world)
    assert refundable, "a paid sale always leaves something to refund"
    return world.rng.choice(refundable), before


def _what(rng: random.Random, receipt: dict[str, Any], g: Given) -> list[tuple[Line, int]]:
    """The receipt's lines refunded, with how many units of each."""
    open_lines = [ln for ln in receipt["lines"] if ln["qty"] > ln["refunded"]]
    if "lines" in g:
        return _named_lines(receipt, g["lines"])
    if g.get("full"):
        return [(ln, ln["qty"] - ln["refunded"]) for ln in open_lines]
    return [(ln, rng.randint(1, ln["qty"] - ln["refunded"]))
            for ln in rng.sample(open_lines, k=rng.randint(1, len(open_lines)))]


def _named_lines(receipt: dict[str, Any], items: list[Given]) -> list[tuple[Line, int]]:
    out: list[tuple[Line, int]] = []
    seen: dict[str, int] = {}
    for n, item in enumerate(items):
        where = f"params.lines[{n}]"
        key = next(k for k in ("line_number", "product_id", "product_code") if k in item)
        if key == "line_number":
            found = receipt["lines"][item[key] - 1] if item[key] <= len(receipt["lines"]) else None
        else:
            found = next((ln for ln in receipt["lines"] if ln[key] == item[key]), None)
        if found is None:
            raise NotFound(f"receipt {receipt['receipt_number']} has no line with {key} {item[key]} (it has "
                           f"{len(receipt['lines'])} line(s))", field=f"{where}.{key}")
        lookup.once(seen, found["product_id"], n, f"{where}.{key}", f"product {found['product_code']}")
        left = found["qty"] - found["refunded"]
        qty = item.get("quantity", left)
        if not 0 < qty <= left:
            raise InvalidField(f"{left} unit(s) of product {found['product_code']} on receipt "
                               f"{receipt['receipt_number']} are left to refund, not {qty}",
                               field=f"{where}.{'quantity' if 'quantity' in item else key}", code="too_many_units")
        out.append((found, qty))
    return out


def _refund_line(ln: Line, qty: int) -> Line:
    """Refund ``qty`` units of a sold line; the last units take what is left, so refunds
    never add up to more than the line."""
    last = ln["refunded"] + qty == ln["qty"]
    discount = ln["discount"] - ln["refunded_discount"] if last else ln["discount"] * qty // ln["qty"]
    tax = ln["tax"] - ln["refunded_tax"] if last else ln["tax"] * qty // ln["qty"]
    ln["refunded"] += qty
    ln["refunded_discount"] += discount
    ln["refunded_tax"] += tax
    return {"product_id": ln["product_id"], "product_code": ln["product_code"], "product_name": ln["product_name"],
            "qty": qty, "unit_price": ln["unit_price"], "discount": discount, "tax_rate": ln["tax_rate"],
            "tax": tax, "total": qty * ln["unit_price"] - discount + tax}
