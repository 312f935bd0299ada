"""Products and customers created, edited or deleted (a deletion is the last record, with
``deleted: true``): with the fields a test gives (``given``), the rest drawn as ever."""

from __future__ import annotations

from typing import Any

from mockserver.domain.errors import InvalidField
from mockserver.shop import catalogue, lookup, records
from mockserver.shop.world import Customer, Product, World, new_customer, new_product

Emitted = list[tuple[str, list[dict[str, Any]]]]
Given = dict[str, Any]

MAX_PRODUCTS = 200
MAX_CUSTOMERS = 200
PRODUCT_FIELDS = ("name", "category", "price", "cost", "tax_rate", "barcode", "unit")
CUSTOMER_FIELDS = ("name", "email", "phone", "address", "city", "country_code", "loyalty_points")


def product_change(world: World, now: str, action: str | None = None, *, given: Given | None = None) -> Emitted:
    """A product is created, edited or deleted (a deletion is the record with deleted=true)."""
    g = given or {}
    rng = world.rng
    named = "product_id" in g or "product_code" in g
    live = world.live_products()
    action = action or rng.choices(("create", "edit", "delete"), (2, 7, 1))[0]
    if action == "create" or (not named and (not live or (action == "delete" and len(live) <= 5))):
        product = _created(world, now, g)
    elif action == "edit":
        product = lookup.product(world, g, "params") if named else rng.choice(live)
        _edit(product, g, rng.randint(90, 115) if not set(g) & set(PRODUCT_FIELDS) else None)
        product.updated_at = now
    else:
        product = lookup.product(world, g, "params") if named else rng.choice(live)
        if len(live) == 1:
            raise InvalidField("the shop keeps at least one product that is not deleted; create another first",
                               field="params.product_id" if "product_id" in g else "params.product_code",
                               code="last_product")
        product.deleted, product.deleted_at, product.updated_at = True, now, now
    return [("products.update", [records.product(product)])]


def _created(world: World, now: str, g: Given) -> Product:
    code = g.get("product_code")
    if code is not None:
        used = next((p for p in world.products if p.product_code == code), None)
        if used is not None:
            raise InvalidField(f"product code {code} is already product {used.product_id}'s; choose another, or "
                               "leave it out for the next free one", field="params.product_code", code="code_in_use")
    product = new_product(world, now, category=g.get("category"), code=code)
    _edit(product, g, None)
    if len(world.products) >= MAX_PRODUCTS:
        world.products.remove(_forgettable(world))
    world.products.append(product)
    return product


def _forgettable(world: World) -> Product:
    """The product the shop forgets to make room: the oldest deleted one, else the oldest, but
    never one a recent receipt sold while another will do (its refund or void needs it)."""
    sold = {ln["product_id"] for r in world.receipts for ln in r["lines"]}
    deleted = [p for p in world.products if p.deleted]
    return (next((p for p in deleted if p.product_id not in sold), None)
            or next((p for p in world.products if p.product_id not in sold), None)
            or (deleted or world.products)[0])


def _edit(product: Product, g: Given, percent: int | None) -> None:
    """The fields given (money in cents); with none, the price moves by ``percent``."""
    if percent is not None:
        product.price = max(1, product.price * percent // 100)
        return
    for name in PRODUCT_FIELDS:
        if name in g:
            setattr(product, name, g[name])
    if "category" in g and "tax_rate" not in g:  # a product's tax follows its category unless given
        product.tax_rate = catalogue.CATEGORIES[g["category"]][2]


def customer_change(world: World, now: str, action: str | None = None, *, given: Given | None = None) -> Emitted:
    """A customer is created, edited or deleted (a deletion is the record with deleted=true)."""
    g = given or {}
    rng = world.rng
    named = "customer_id" in g
    live = world.live_customers()
    action = action or rng.choices(("create", "edit", "delete"), (3, 6, 1))[0]
    customer: Customer
    if action == "create" or (not named and (not live or (action == "delete" and len(live) <= 5))):
        customer = new_customer(world, now)
        _set(customer, g)
        world.customers.append(customer)
        del world.customers[:-MAX_CUSTOMERS]
    elif action == "edit":
        customer = lookup.customer(world, g["customer_id"], "params.customer_id") if named else rng.choice(live)
        if set(g) & set(CUSTOMER_FIELDS):
            _set(customer, g)
        else:
            customer.loyalty_points += rng.randint(1, 50)
        customer.updated_at = now
    else:
        customer = lookup.customer(world, g["customer_id"], "params.customer_id") if named else rng.choice(live)
        customer.deleted, customer.deleted_at, customer.updated_at = True, now, now
    return [("customers.update", [records.customer(customer)])]


def _set(customer: Customer, g: Given) -> None:
    for name in CUSTOMER_FIELDS:
        if name in g:
            setattr(customer, name, g[name])
