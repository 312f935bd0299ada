"""Records as the shop shows them, one function per shape: the webhook payloads and the
REST API both build theirs here, so a field shared by the two views cannot drift apart."""

from __future__ import annotations

from typing import Any

from mockserver.shop import money
from mockserver.shop.world import Customer, Product, Shop, World


def level(world: World, shop_id: str, product: Product) -> dict[str, Any]:
    """A stock level exactly as SalesPlay documents it in ``inventory_levels.update``."""
    return {
        "product_id": product.product_id,
        "shop_id": shop_id,
        "product_code": product.product_code,
        "in_stock": world.stock.get(f"{shop_id}/{product.product_id}", 0),
    }


def inventory(world: World, shop_id: str, product_ids: list[str]) -> tuple[str, list[dict[str, Any]]]:
    """The ``inventory_levels.update`` of the products an operation touched in one shop. A
    product the shop has forgotten (past 200 products) has no level to tell: it is left out."""
    by_id = {p.product_id: p for p in world.products}
    seen = [pid for pid in dict.fromkeys(product_ids) if pid in by_id]  # each product once, in the order touched
    return ("inventory_levels.update", [level(world, shop_id, by_id[pid]) for pid in seen])


def with_levels(emitted: list[tuple[str, list[dict[str, Any]]]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """What an operation sends, without a stock change that has no level left to tell."""
    return [(type_, records) for type_, records in emitted if records]


def shop_of(world: World, shop_id: str) -> Shop:
    return next(s for s in world.shops if s.shop_id == shop_id)


def receipt(world: World, r: dict[str, Any]) -> dict[str, Any]:
    """A receipt as ``receipts.update`` carries it (money in the world is in cents)."""
    return {
        "receipt_id": r["receipt_id"],
        "receipt_number": r["receipt_number"],
        "receipt_type": "sale",
        "status": r["status"],
        "shop_id": r["shop_id"],
        "shop_name": shop_of(world, r["shop_id"]).name,
        "cashier_id": r["cashier"]["id"],
        "cashier_name": r["cashier"]["name"],
        "customer_id": r["customer_id"],
        "created_at": r["created_at"],
        "updated_at": r["updated_at"],
        "line_items": money.public_lines(r["lines"]),
        **money.totals(r["lines"]),
        "currency": world.currency(),
        "payment_type": r["payment_type"],
        "payments": _payments(r) if r["status"] == "completed" else [],
    }


def _payments(r: dict[str, Any]) -> list[dict[str, Any]]:
    """The payments a test gave (a split payment), or one of the whole total."""
    paid = r.get("payments") or [{"payment_type": r["payment_type"], "amount": sum(ln["total"] for ln in r["lines"])}]
    return [{"payment_type": p["payment_type"], "amount": money.out(p["amount"])} for p in paid]


def keep_receipt(world: World, r: dict[str, Any], sent: dict[str, Any] | None = None) -> None:
    """Log a receipt for the REST API: the record ``receipts.update`` carried (``sent``), and
    the credit notes that refunded it since."""
    if world.journal is not None:
        world.log("receipts", {**(sent or receipt(world, r)), "credit_notes": list(r.get("credit_notes", []))})


def product(p: Product) -> dict[str, Any]:
    """A product as ``products.update`` carries it. Its fields in order, copied: every value
    is immutable, so ``dataclasses.asdict``'s deep copy (three times slower) buys nothing."""
    record = dict(vars(p))
    record["price"], record["cost"] = money.out(p.price), money.out(p.cost)
    return record


def customer(c: Customer) -> dict[str, Any]:
    """A customer as ``customers.update`` carries it."""
    return dict(vars(c))
