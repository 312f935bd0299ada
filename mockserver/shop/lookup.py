"""The records an operation's parameters name, found in the world: a 404 naming the field
when there is no such record, a 422 when there is one that cannot take part (a deleted
product, a cashier of another shop)."""

from __future__ import annotations

from typing import Any

from mockserver.domain.errors import InvalidField, NotFound
from mockserver.shop.world import Customer, Product, Shop, World

Given = dict[str, Any]
RECENT = "the shop's 50 most recent receipts"


def shop(world: World, shop_id: str, field: str) -> Shop:
    found = next((s for s in world.shops if s.shop_id == shop_id), None)
    if found is None:
        raise NotFound(f"no shop {shop_id} in this merchant's shop; GET /v1.0/shops lists them", field=field)
    return found


def cashier(where: Shop, cashier_id: str, field: str) -> dict[str, str]:
    found = next((c for c in where.cashiers if c["id"] == cashier_id), None)
    if found is None:
        raise NotFound(f"no cashier {cashier_id} at {where.name} (shop {where.shop_id}); GET /v1.0/shops lists "
                       "each shop's cashiers", field=field)
    return found


def product(world: World, item: Given, field: str) -> Product:
    """The live product an item names by ``product_id`` or ``product_code``; ``field`` is
    the item's place (``params.lines[0]``) or the parameters' (``params``)."""
    key = "product_id" if "product_id" in item else "product_code"
    value = item[key]
    found = next((p for p in world.products if getattr(p, key) == value), None)
    if found is None:
        raise NotFound(f"no product with {key} {value} in this merchant's shop; GET /v1.0/products lists them",
                       field=f"{field}.{key}")
    if found.deleted:
        raise InvalidField(f"product {found.product_code} ({found.product_id}) was deleted at {found.deleted_at}; "
                           "choose a product that is not deleted", field=f"{field}.{key}", code="deleted_record")
    return found


def customer(world: World, customer_id: str, field: str) -> Customer:
    found = next((c for c in world.customers if c.customer_id == customer_id), None)
    if found is None:
        raise NotFound(f"no customer {customer_id} in this merchant's shop; GET /v1.0/customers lists them",
                       field=field)
    if found.deleted:
        raise InvalidField(f"customer {customer_id} was deleted at {found.deleted_at}; choose one who is not",
                           field=field, code="deleted_record")
    return found


def receipt(world: World, given: Given, field: str) -> dict[str, Any]:
    """The receipt ``given`` names by ``receipt_id`` or ``receipt_number``, among those the
    shop can still change."""
    key = "receipt_id" if "receipt_id" in given else "receipt_number"
    value = given[key]
    found = next((r for r in world.receipts if r[key] == value), None)
    if found is None:
        raise NotFound(f"no receipt with {key} {value} among {RECENT} (only those can be changed); "
                       "GET /v1.0/receipts lists them", field=f"{field}.{key}")
    return found


def receipt_field(given: Given, field: str) -> str:
    """Where the parameters name the receipt: the place an error about it points to."""
    return f"{field}.{'receipt_id' if 'receipt_id' in given else 'receipt_number'}"


def once(seen: dict[str, int], key: str, n: int, field: str, what: str) -> None:
    """Each record once in a list: a second line of it is a 422 naming the first."""
    if key in seen:
        raise InvalidField(f"{what} is already on line {seen[key] + 1} of this list; give each once, with its "
                           "whole quantity", field=field, code="duplicate_item")
    seen[key] = n


def listed(world: World, items: list[Given], name: str, amount: str) -> list[tuple[Product, int]]:
    """The live products a list parameter names (``params.{name}``), each once, with each
    item's ``amount`` field."""
    out: list[tuple[Product, int]] = []
    seen: dict[str, int] = {}
    for n, item in enumerate(items):
        where = f"params.{name}[{n}]"
        found = product(world, item, where)
        key = "product_id" if "product_id" in item else "product_code"
        once(seen, found.product_id, n, f"{where}.{key}", f"product {found.product_code}")
        out.append((found, item[amount]))
    return out
