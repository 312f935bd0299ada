"""What happens at the till, and the events each happening sends: a sale, a receipt
completed or voided (refunds are in ``refunds.py``; products, customers and stock change
in ``edits.py`` and ``stock.py``).

Every operation changes the world and returns ``[(event_type, records), ...]`` in the
order a POS would send them; ``Simulator.envelope`` wraps each in SalesPlay's envelope.
What a test names (``given``: checked parameters, money in cents) is taken as given and
checked against the shop; the rest is drawn from the world's random sequence as ever.
"""

from __future__ import annotations

from typing import Any

from mockserver.domain.errors import InvalidField, NotFound
from mockserver.shop import catalogue, ids, lookup, money, records
from mockserver.shop.edits import MAX_CUSTOMERS, MAX_PRODUCTS, customer_change, product_change
from mockserver.shop.stock import goods_receipt, stock_count
from mockserver.shop.world import Product, Shop, World

__all__ = ["MAX_CUSTOMERS", "MAX_PRODUCTS", "NothingToRefund", "customer_change", "goods_receipt", "product_change",
           "receipt_update", "sale", "stock_count"]

Emitted = list[tuple[str, list[dict[str, Any]]]]
Given = dict[str, Any]
RECENT_RECEIPTS = 50


class NothingToRefund(Exception):
    """A refund was asked for, and no sale in the shop has anything left to refund."""


def sale(world: World, now: str, *, paid: bool = False, line_count: int | None = None,
         given: Given | None = None) -> Emitted:
    """A customer buys a few things: a receipt, and the stock it lowered. ``paid``: the
    receipt is completed at once (otherwise one in ten is left open). ``line_count``: that many
    different products (as many as the shop has in stock), for the largest receipts."""
    g = given or {}
    rng = world.rng
    shop = lookup.shop(world, g["shop_id"], "params.shop_id") if "shop_id" in g else rng.choice(world.shops)
    if "lines" in g:
        lines = _chosen_lines(world, shop, g["lines"])
    else:
        drawn = _drawn_lines(world, shop, line_count)
        if drawn is None:
            return goods_receipt(world, now, shop=shop)
        lines = drawn
    receipt = {
        "receipt_id": ids.entity_id(rng),
        "receipt_number": f"{world.shops.index(shop) + 1}-{world.next_number('receipt'):06d}",
        "shop_id": shop.shop_id,
        "cashier": lookup.cashier(shop, g["cashier_id"], "params.cashier_id") if "cashier_id" in g
        else rng.choice(shop.cashiers),
        "customer_id": _customer(world, g),
        "status": _status(world, g, paid),
        "created_at": now,
        "updated_at": now,
        "payment_type": g["payments"][0]["payment_type"] if "payments" in g
        else g.get("payment_type") or rng.choice(catalogue.PAYMENT_TYPES),
        "lines": lines,
    }
    if "payments" in g:
        _pay(receipt, g["payments"])
    world.receipts.append(receipt)
    del world.receipts[:-RECENT_RECEIPTS]
    return [("receipts.update", [_sent(world, receipt)]),
            records.inventory(world, shop.shop_id, [ln["product_id"] for ln in lines])]


def _line(product: Product, qty: int, discount: int) -> dict[str, Any]:
    ref = {"product_id": product.product_id, "product_code": product.product_code, "product_name": product.name}
    return {**money.line(ref, qty, product.price, discount, product.tax_rate), "refunded": 0,
            "refunded_discount": 0, "refunded_tax": 0}


def _drawn_lines(world: World, shop: Shop, line_count: int | None) -> list[dict[str, Any]] | None:
    """A few products the shop has in stock, a few units each; None when it has none."""
    rng = world.rng
    in_stock = [p for p in world.live_products() if world.stock.get(f"{shop.shop_id}/{p.product_id}", 0) > 0]
    if not in_stock:
        return None
    lines = []
    wanted = line_count or rng.choice((1, 1, 2, 2, 3, 4, 5))
    for product in rng.sample(in_stock, k=min(len(in_stock), wanted)):
        key = f"{shop.shop_id}/{product.product_id}"
        qty = rng.randint(1, min(3, world.stock[key]))
        world.stock[key] -= qty
        discount = qty * product.price * rng.choice((5, 10, 15, 20)) // 100 if rng.random() < 0.2 else 0
        lines.append(_line(product, qty, discount))
    return lines


def _chosen_lines(world: World, shop: Shop, items: list[Given]) -> list[dict[str, Any]]:
    """The lines a test gave: each product once, in stock at the shop, its discount at most its price."""
    lines: list[dict[str, Any]] = []
    for n, (item, (product, qty)) in enumerate(zip(items, lookup.listed(world, items, "lines", "quantity"))):
        where = f"params.lines[{n}]"
        have = world.stock.get(f"{shop.shop_id}/{product.product_id}", 0)
        if qty > have:
            raise InvalidField(f"only {have} of product {product.product_code} in stock at {shop.name}; sell at "
                               "most that, or receive goods first (goods_receipt)", field=f"{where}.quantity",
                               code="insufficient_stock")
        gross = qty * product.price
        discount = item.get("discount", round(gross * item.get("discount_percent", 0) / 100))
        if discount > gross:
            raise InvalidField(f"a discount of {money.out(discount)} is more than the line's price "
                               f"({qty} x {money.out(product.price)})", field=f"{where}.discount")
        lines.append(_line(product, qty, discount))
    for ln in lines:
        world.stock[f"{shop.shop_id}/{ln['product_id']}"] -= ln["qty"]
    return lines


def _customer(world: World, g: Given) -> str | None:
    if "customer_id" in g:
        named = g["customer_id"]
        return None if named is None else lookup.customer(world, named, "params.customer_id").customer_id
    customers = world.live_customers()
    return world.rng.choice(customers).customer_id if customers and world.rng.random() < 0.4 else None


def _status(world: World, g: Given, paid: bool) -> str:
    pays = "payments" in g or "payment_type" in g
    if g.get("status") == "open" and pays:
        raise InvalidField("an open receipt is not paid yet: leave out payment_type and payments, or make it "
                           "completed", field="params.status")
    if "status" in g:
        return str(g["status"])
    return "completed" if pays or world.rng.random() < 0.9 or paid else "open"


def _pay(receipt: dict[str, Any], payments: list[Given]) -> None:
    """Payments a test gave: they add up to the receipt's total."""
    total = sum(ln["total"] for ln in receipt["lines"])
    paid = sum(p["amount"] for p in payments)
    if paid != total:
        raise InvalidField(f"the payments add up to {money.out(paid):.2f}; the receipt's total is "
                           f"{money.out(total):.2f}", field="params.payments", code="payments_do_not_add_up")
    receipt["payments"] = [{"payment_type": p["payment_type"], "amount": p["amount"]} for p in payments]
    receipt["payment_type"] = payments[0]["payment_type"]


def _sent(world: World, receipt: dict[str, Any]) -> dict[str, Any]:
    """The receipt as ``receipts.update`` sends it, kept for the REST API too."""
    record = records.receipt(world, receipt)
    records.keep_receipt(world, receipt, record)
    return record


def receipt_update(world: World, now: str, *, given: Given | None = None) -> Emitted:
    """An open receipt is paid, or else an unrefunded one is voided (its stock goes back);
    ``given`` names the receipt, the action or the payments."""
    g = given or {}
    if g:
        receipt = lookup.receipt(world, g, "params") if "receipt_id" in g or "receipt_number" in g \
            else _waiting(world, g)
        action = g.get("action") or ("complete" if receipt["status"] == "open" else "void")
        return _complete(world, receipt, now, g) if action == "complete" else _void(world, receipt, now, g)
    open_ = [r for r in world.receipts if r["status"] == "open"]
    if open_:
        return _complete(world, world.rng.choice(open_), now, g)
    voidable = [r for r in world.receipts if r["status"] == "completed" and not _refunded(r)]
    if not voidable:
        return sale(world, now)
    return _void(world, world.rng.choice(voidable), now, g)


def _refunded(r: dict[str, Any]) -> bool:
    return any(ln["refunded"] for ln in r["lines"])


def _waiting(world: World, g: Given) -> dict[str, Any]:
    """A receipt the action can apply to, drawn: an open one to complete, one to void."""
    complete = g.get("action", "complete") == "complete"
    fits = [r for r in world.receipts if (r["status"] == "open" if complete
                                          else r["status"] in ("open", "completed") and not _refunded(r))]
    if not fits:
        what = "open receipt to complete (sell with status open first)" if complete else "receipt to void"
        raise NotFound(f"the shop has no {what}", field="params.action" if "action" in g else "params.receipt_id")
    return world.rng.choice(fits)


def _complete(world: World, receipt: dict[str, Any], now: str, g: Given) -> Emitted:
    if receipt["status"] != "open":
        raise InvalidField(f"receipt {receipt['receipt_number']} is {receipt['status']}; only an open receipt can "
                           "be completed", field="params.action" if "action" in g else lookup.receipt_field(g, "params"),
                           code="wrong_state")
    receipt["status"] = "completed"
    receipt["updated_at"] = now
    if "payments" in g:
        _pay(receipt, g["payments"])
    elif "payment_type" in g:
        receipt["payment_type"] = g["payment_type"]
    return [("receipts.update", [_sent(world, receipt)])]


def _void(world: World, receipt: dict[str, Any], now: str, g: Given) -> Emitted:
    if "payments" in g or "payment_type" in g:
        raise InvalidField("a void takes no payment; leave out payment_type and payments",
                           field="params.payments" if "payments" in g else "params.payment_type")
    if receipt["status"] == "voided" or _refunded(receipt):
        why = "voided already" if receipt["status"] == "voided" else "refunded in part; refund the rest instead"
        raise InvalidField(f"receipt {receipt['receipt_number']} cannot be voided: it is {why}",
                           field=lookup.receipt_field(g, "params") if g else "params", code="wrong_state")
    receipt["status"] = "voided"
    receipt["updated_at"] = now
    for ln in receipt["lines"]:
        world.stock[f"{receipt['shop_id']}/{ln['product_id']}"] += ln["qty"]
    return records.with_levels([("receipts.update", [_sent(world, receipt)]), records.inventory(
        world, receipt["shop_id"], [ln["product_id"] for ln in receipt["lines"]])])
