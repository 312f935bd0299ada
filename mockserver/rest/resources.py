"""SalesPlay's REST API read side as this mock serves it: the thirteen resources, and the
one convention they all follow for paths, ids, paging and filters (the vendor publishes
none; docs/rest-api.md documents ours). Pure rules: checked input in, domain errors out."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from mockserver.domain import paging
from mockserver.domain.errors import InvalidField

DEFAULT_LIMIT, MAX_LIMIT = 50, 250
ENTITY_ID = re.compile(r"^[A-Za-z0-9+/]{28}(QT09|UT09|Zz09|dz09)$")


@dataclass(frozen=True)
class ListFilter:
    """A filter of a list: ``kind`` is ``id`` or ``text`` (the field equals it), ``enum``,
    ``bool`` (include_deleted), ``min`` or ``max`` (a time bound on ``field``)."""

    name: str
    kind: str
    field: str
    help: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Resource:
    name: str  # the path segment: /v1.0/{name}
    id_field: str  # the records' id, and what /v1.0/{name}/{id} takes
    title: str  # the record's name in the OpenAPI document
    about: str
    params: tuple[ListFilter, ...] = ()
    ledger: bool = False  # kept in the database (it grows), not in the shop's world
    label: str = ""  # what one record is called, when its id's name does not say

    @property
    def noun(self) -> str:
        return self.label or self.id_field.removesuffix("_id").replace("_", " ")


def _id(name: str, what: str) -> ListFilter:
    return ListFilter(name, "id", name, f"only the records of this {what}")


def _times(field_: str, what: str) -> tuple[ListFilter, ListFilter]:
    return (ListFilter(f"{field_}_min", "min", field_, f"{what} at or after this time"),
            ListFilter(f"{field_}_max", "max", field_, f"{what} at or before this time"))


INCLUDE_DELETED = ListFilter("include_deleted", "bool", "deleted", "true: deleted ones too, as their deletion event sent them")

RESOURCES: dict[str, Resource] = {r.name: r for r in (
    Resource("categories", "category_id", "Category", "Product categories."),
    Resource("subcategories", "subcategory_id", "Subcategory", "Subcategories, each in one category.",
             (_id("category_id", "category"),)),
    Resource("measurements", "measurement_id", "Measurement", "Units products are sold in; `unit` is the "
             "product's `unit`."),
    Resource("taxes", "tax_id", "Tax", "Tax rates; `tax_rate` is the products' and receipt lines' `tax_rate`."),
    Resource("customers", "customer_id", "Customer", "Customers, as `customers.update` sends them.",
             (INCLUDE_DELETED, *_times("updated_at", "changed"))),
    Resource("suppliers", "supplier_id", "Supplier", "Suppliers, with the categories they supply."),
    Resource("products", "product_id", "Product", "Products as `products.update` sends them, with the ids "
             "of their category, subcategory, measurement, tax and supplier.",
             (_id("category_id", "category"), _id("subcategory_id", "subcategory"), _id("supplier_id", "supplier"),
              ListFilter("product_code", "text", "product_code", "only the product with this code"),
              INCLUDE_DELETED, *_times("updated_at", "changed"))),
    Resource("receipts", "receipt_id", "Receipt", "Sales receipts as `receipts.update` last sent them, with "
             "the credit notes that refunded them since.",
             (*_times("created_at", "made"), _id("shop_id", "shop"), _id("customer_id", "customer"),
              ListFilter("status", "enum", "status", "only receipts in this state", ("open", "completed", "voided"))),
             ledger=True),
    Resource("orders", "order_id", "Order", "Purchase orders the shops placed with suppliers.",
             (_id("shop_id", "shop"), _id("supplier_id", "supplier"),
              ListFilter("status", "enum", "status", "only orders in this state", ("open", "received", "cancelled")))),
    Resource("shops", "shop_id", "Shop", "The merchant's shops and their cashiers."),
    Resource("payment_types", "payment_type_id", "PaymentType", "Ways to pay; `payment_type` is the receipts' "
             "`payment_type`."),
    Resource("grns", "grn_id", "Grn", "Goods received notes: stock delivered by a supplier to a shop "
             "(the goods receipt operation makes one per supplier).",
             (*_times("created_at", "received"), _id("shop_id", "shop"), _id("supplier_id", "supplier")),
             ledger=True, label="goods received note"),
    Resource("inventory", "product_id", "InventoryLevel", "Stock levels per product and shop, each as "
             "`inventory_levels.update` sends it; by id, one product's levels in every shop.",
             (_id("product_id", "product"), _id("shop_id", "shop")), label="inventory for the product"),
)}


@dataclass(frozen=True)
class ListQuery:
    limit: int = DEFAULT_LIMIT
    after: int = 0  # where the page starts: an offset, or a ledger position
    equals: dict[str, str] = field(default_factory=dict)  # field -> value
    bounds: tuple[tuple[str, str, str], ...] = ()  # (field, "min" or "max", time)
    include_deleted: bool = False

    def matches(self, record: Mapping[str, Any]) -> bool:
        if any(record.get(f) != v for f, v in self.equals.items()):
            return False
        return all(record[f] >= t if side == "min" else record[f] <= t for f, side, t in self.bounds)


def parse_list_query(resource: Resource, query: Mapping[str, str]) -> ListQuery:
    """A list's query string, checked: ``limit``, ``cursor`` and the resource's filters."""
    params = {p.name: p for p in resource.params}
    for name in query:
        if name not in params and name not in ("limit", "cursor"):
            allowed = ", ".join(["limit", "cursor", *params])
            raise InvalidField(f"unknown parameter {name!r} for /v1.0/{resource.name}; use {allowed}", field=name)
    equals: dict[str, str] = {}
    bounds: list[tuple[str, str, str]] = []
    include_deleted = False
    for name, raw in query.items():
        p = params.get(name)
        if p is None:
            continue
        if p.kind == "id":
            equals[p.field] = check_id(raw, field=name)
        elif p.kind == "text":
            equals[p.field] = raw
        elif p.kind == "enum":
            if raw not in p.choices:
                raise InvalidField(f"'{name}' must be one of " + ", ".join(p.choices), field=name)
            equals[p.field] = raw
        elif p.kind == "bool":
            include_deleted = parse_bool(raw, field=name)
        else:
            bounds.append((p.field, p.kind, parse_time(raw, field=name, end_of_day=p.kind == "max")))
    for f in {f for f, _, _ in bounds}:
        low = [t for g, side, t in bounds if g == f and side == "min"]
        high = [t for g, side, t in bounds if g == f and side == "max"]
        if low and high and low[0] > high[0]:
            raise InvalidField(f"'{f}_min' is after '{f}_max'; nothing can match", field=f"{f}_min")
    return ListQuery(parse_limit(query.get("limit")), paging.position(resource.name, query.get("cursor")) or 0,
                     equals, tuple(bounds), include_deleted)


def parse_limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_LIMIT
    if not re.fullmatch(r"[0-9]{1,9}", raw) or not 1 <= int(raw) <= MAX_LIMIT:
        raise InvalidField(f"'limit' must be a whole number from 1 to {MAX_LIMIT}", field="limit")
    return int(raw)


def parse_bool(raw: str, *, field: str) -> bool:
    if raw.lower() in ("true", "1"):
        return True
    if raw.lower() in ("false", "0"):
        return False
    raise InvalidField(f"'{field}' must be true or false", field=field)


def parse_time(raw: str, *, field: str, end_of_day: bool = False) -> str:
    """A time bound as the records write times (``YYYY-MM-DD HH:MM:SS``, UTC). Takes that
    form, ISO 8601 with a zone, or a date (the whole day, at either end)."""
    try:
        stamp = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
        if stamp.tzinfo is not None:
            stamp = stamp.astimezone(timezone.utc).replace(tzinfo=None)
    except (ValueError, OverflowError):
        hint = " (a '+' in a query string must be sent as %2B)" if " " in raw.strip()[10:] else ""
        raise InvalidField(f"'{field}' must be a time such as 2025-06-30 12:00:00, 2025-06-30T12:00:00Z "
                           f"or 2025-06-30{hint}", field=field) from None
    if end_of_day and len(raw.strip()) == 10:
        stamp = stamp.replace(hour=23, minute=59, second=59)
    return stamp.isoformat(sep=" ", timespec="seconds")


def check_id(raw: str, *, field: str) -> str:
    if not ENTITY_ID.match(raw):
        raise InvalidField(f"'{field}' must be a SalesPlay id: 32 characters ending in QT09, UT09, Zz09 or dz09 "
                           f"(not a code or a number)", field=field)
    return raw
