"""What happens in the shop, and the events each happening sends.

Every operation changes the world and returns ``[(event_type, records), ...]`` in the
order a POS would send them; ``Simulator.envelope`` wraps each in SalesPlay's envelope.
"""

from __future__ import annotations

from typing import Any

from mockserver.shop import backoffice, catalogue, ids, money, records
from mockserver.shop.world import Customer, Shop, World, new_customer, new_product

Emitted = list[tuple[str, list[dict[str, Any]]]]


class NothingToRefund(Exception):
    """A refund was asked for, and no sale in the shop has anything left to refund."""


RECENT_RECEIPTS = 50
MAX_PRODUCTS = 200
MAX_CUSTOMERS = 200


def sale(world: World, now: str, *, paid: bool = False, line_count: int | None = None) -> Emitted:
    """A customer buys a few things: a receipt, and the stock it lowered. ``paid``: the
    receipt is completed at once (otherwise one in ten is left open). ``line_count``: that many
    different products (as many as the shop has in stock), for the largest receipts."""
    rng = world.rng
    shop = rng.choice(world.shops)
    in_stock = [p for p in world.live_products() if world.stock.get(f"{shop.shop_id}/{p.product_id}", 0) > 0]
    if not in_stock:
        return goods_receipt(world, now, shop=shop)
    lines = []
    wanted = line_count or rng.choice((1, 1, 2, 2, 3, 4, 5))
    for product in rng.sample(in_stock, k=min(len(in_stock), wanted)):
        key = f"{shop.shop_id}/{product.product_id}"
        qty = rng.randint(1, min(3, world.stock[key]))
        world.stock[key] -= qty
        discount = qty * product.price * rng.choice((5, 10, 15, 20)) // 100 if rng.random() < 0.2 else 0
        ref = {"product_id": product.product_id, "product_code": product.product_code, "product_name": product.name}
        lines.append({**money.line(ref, qty, product.price, discount, product.tax_rate), "refunded": 0,
                      "refunded_discount": 0, "refunded_tax": 0})
    customers = world.live_customers()
    receipt = {
        "receipt_id": ids.entity_id(rng),
        "receipt_number": f"{world.shops.index(shop) + 1}-{world.next_number('receipt'):06d}",
        "shop_id": shop.shop_id,
        "cashier": rng.choice(shop.cashiers),
        "customer_id": rng.choice(customers).customer_id if customers and rng.random() < 0.4 else None,
        "status": "completed" if rng.random() < 0.9 or paid else "open",
        "created_at": now,
        "updated_at": now,
        "payment_type": rng.choice(catalogue.PAYMENT_TYPES),
        "lines": lines,
    }
    world.receipts.append(receipt)
    del world.receipts[:-RECENT_RECEIPTS]
    return [("receipts.update", [_sent(world, receipt)]),
            records.inventory(world, shop.shop_id, [ln["product_id"] for ln in lines])]


def receipt_update(world: World, now: str) -> Emitted:
    """An open receipt is paid, or else an unrefunded one is voided (its stock goes back)."""
    open_ = [r for r in world.receipts if r["status"] == "open"]
    if open_:
        receipt = world.rng.choice(open_)
        receipt["status"] = "completed"
        receipt["updated_at"] = now
        return [("receipts.update", [_sent(world, receipt)])]
    voidable = [r for r in world.receipts if r["status"] == "completed" and not any(ln["refunded"] for ln in r["lines"])]
    if not voidable:
        return sale(world, now)
    receipt = world.rng.choice(voidable)
    receipt["status"] = "voided"
    receipt["updated_at"] = now
    for ln in receipt["lines"]:
        world.stock[f"{receipt['shop_id']}/{ln['product_id']}"] += ln["qty"]
    return [("receipts.update", [_sent(world, receipt)]),
            records.inventory(world, receipt["shop_id"], [ln["product_id"] for ln in receipt["lines"]])]


def _sent(world: World, receipt: dict[str, Any]) -> dict[str, Any]:
    """The receipt as ``receipts.update`` sends it, kept for the REST API too."""
    record = records.receipt(world, receipt)
    records.keep_receipt(world, receipt, record)
    return record


def refund(world: World, now: str, *, receipt_id: str | None = None) -> Emitted:
    """A credit note or cash refund for some lines of an earlier sale, the stock going back.
    ``receipt_id``: that sale's, when it has units left to refund (else as without it)."""
    rng = world.rng
    refundable = [r for r in world.receipts if r["status"] == "completed"
                  and any(ln["qty"] > ln["refunded"] for ln in r["lines"])
                  and receipt_id in (None, r["receipt_id"])]
    if not refundable and not world.live_products():  # nothing sold, nothing to sell: nothing changes
        raise NothingToRefund("nothing in the shop can be refunded: no completed sale has units left to refund")
    before: Emitted = []
    # Nothing to refund yet: someone buys first, and pays. A sale in a shop with empty
    # shelves restocks it instead, so one more try than there are shops always sells.
    for _ in range(len(world.shops) + 1):
        if refundable:
            break
        before += sale(world, now, paid=True)
        refundable = [r for r in world.receipts if r["status"] == "completed"
                      and any(ln["qty"] > ln["refunded"] for ln in r["lines"])]
    assert refundable, "a paid sale always leaves something to refund"
    receipt = rng.choice(refundable)
    open_lines = [ln for ln in receipt["lines"] if ln["qty"] > ln["refunded"]]
    lines = [_refund_line(ln, rng.randint(1, ln["qty"] - ln["refunded"]))
             for ln in rng.sample(open_lines, k=rng.randint(1, len(open_lines)))]
    for ln in lines:
        world.stock[f"{receipt['shop_id']}/{ln['product_id']}"] += ln["qty"]
    kind = rng.choice(("credit_note", "cash_refund"))
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
        "reason": rng.choice(catalogue.REFUND_REASONS),
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
    return before + [("credit_note.update", [note]),
            records.inventory(world, receipt["shop_id"], [ln["product_id"] for ln in lines])]


def _refund_line(ln: dict[str, Any], qty: int) -> dict[str, Any]:
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


def product_change(world: World, now: str, action: str | None = None) -> Emitted:
    """A product is created, edited or deleted (a deletion is the record with deleted=true)."""
    rng = world.rng
    live = world.live_products()
    action = action or rng.choices(("create", "edit", "delete"), (2, 7, 1))[0]
    if action == "create" or not live or (action == "delete" and len(live) <= 5):
        product = new_product(world, now)
        if len(world.products) >= MAX_PRODUCTS:
            world.products.remove(next(p for p in world.products if p.deleted) if any(
                p.deleted for p in world.products) else world.products[0])
        world.products.append(product)
    elif action == "edit":
        product = rng.choice(live)
        product.price = max(1, product.price * rng.randint(90, 115) // 100)
        product.updated_at = now
    else:
        product = rng.choice(live)
        product.deleted, product.deleted_at, product.updated_at = True, now, now
    return [("products.update", [records.product(product)])]


def customer_change(world: World, now: str, action: str | None = None) -> Emitted:
    """A customer is created, edited or deleted (a deletion is the record with deleted=true)."""
    rng = world.rng
    live = world.live_customers()
    action = action or rng.choices(("create", "edit", "delete"), (3, 6, 1))[0]
    customer: Customer
    if action == "create" or not live or (action == "delete" and len(live) <= 5):
        customer = new_customer(world, now)
        world.customers.append(customer)
        del world.customers[:-MAX_CUSTOMERS]
    elif action == "edit":
        customer = rng.choice(live)
        customer.loyalty_points += rng.randint(1, 50)
        customer.updated_at = now
    else:
        customer = rng.choice(live)
        customer.deleted, customer.deleted_at, customer.updated_at = True, now, now
    return [("customers.update", [records.customer(customer)])]


def stock_count(world: World, now: str, *, levels: int | None = None) -> Emitted:
    """A stock take finds a few levels different from the system's; ``levels``: it counts
    that many products (as many as the shop has), for the largest stock counts."""
    rng = world.rng
    shop = rng.choice(world.shops)
    live = world.live_products()
    counted = rng.sample(live, k=min(len(live), levels or rng.randint(1, 4)))
    for product in counted:
        key = f"{shop.shop_id}/{product.product_id}"
        world.stock[key] = max(0, world.stock.get(key, 0) + rng.randint(-3, 3))
    return [records.inventory(world, shop.shop_id, [p.product_id for p in counted])]


def goods_receipt(world: World, now: str, shop: Shop | None = None) -> Emitted:
    """A delivery from a supplier raises stock, lowest first."""
    rng = world.rng
    shop = shop or rng.choice(world.shops)
    live = sorted(world.live_products(), key=lambda p: world.stock.get(f"{shop.shop_id}/{p.product_id}", 0))
    received = live[: rng.randint(1, 6)]
    quantities = []
    for product in received:
        key = f"{shop.shop_id}/{product.product_id}"
        quantities.append((product, rng.randint(10, 40)))
        world.stock[key] = world.stock.get(key, 0) + quantities[-1][1]
    if world.journal is not None:
        for note in backoffice.goods_received(world, shop, quantities, now):
            world.log("grns", note)
    return [records.inventory(world, shop.shop_id, [p.product_id for p in received])]
