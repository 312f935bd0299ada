"""The catalogue of the shop's operations: each one's parameters and the events it sends,
with the conditions. One table for everything that describes them: the checks of a
trigger's ``params``, ``GET /_mock/operations``, the OpenAPI document, the docs' table
and the CLI's help. Plain data, no imports of the project, so the CLI loads it at no cost."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mockserver.domain.vocabulary import OPERATION_EVENTS

MAX_LINES = 200  # items of a list parameter (a receipt's lines, a stock count's levels)
MAX_MONEY = 10_000_000  # a money amount, in the currency's units
MAX_UNITS = 1_000_000  # units of one product in one line, level or delivery
CATEGORIES = ("Bakery", "Coffee", "Electronics", "Grocery", "Household", "Stationery")  # shop/catalogue.py's
PAYMENT_TYPES = ("cash", "card", "mobile", "gift_card")
TAX_RATES = (0.05, 0.08, 0.2)  # the back office's taxes: a product's tax_rate is one of them
UNITS = ("pcs", "kg", "pack")


@dataclass(frozen=True)
class Param:
    """One parameter. ``kind``: id (a SalesPlay id), code (a product code, digits), barcode
    (EAN-13), number
    (a receipt number such as 1-000004), text, email, country, money (an amount with at
    most two decimals), int (from ``lo`` to ``hi``), percent, choice (one of ``choices``),
    flag (true or false), list (of objects made of ``fields``)."""

    name: str
    kind: str
    about: str
    default: str = ""  # what the shop does when it is not given
    choices: tuple[Any, ...] = ()
    fields: tuple[Param, ...] = ()  # a list's items
    lo: int = 0
    hi: int = MAX_UNITS
    nullable: bool = False  # null is a value of its own (customer_id: null, no customer)
    required: bool = False  # in a list's items
    pick: tuple[str, ...] = ()  # a list's items name their record by exactly one of these fields
    one_of: tuple[tuple[str, ...], ...] = ()  # a list's items give at most one field of each group


@dataclass(frozen=True)
class Emit:
    type: str
    when: str  # the conditions, in words


@dataclass(frozen=True)
class Operation:
    name: str
    about: str
    params: tuple[Param, ...]
    emits: tuple[Emit, ...]
    returns: tuple[str, ...]  # the keys of its entry in a trigger's "made"
    one_of: tuple[tuple[str, ...], ...] = ()  # parameters given together, at most one of each group
    note: str = ""

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


def _product_ref(who: str) -> tuple[Param, Param]:
    return (Param("product_id", "id", f"{who}, by its product_id"),
            Param("product_code", "code", f"{who}, by its product_code (10003)"))


PRODUCT_PICK = ("product_id", "product_code")
ONE_PRODUCT = (PRODUCT_PICK,)
SHOP = Param("shop_id", "id", "the shop (GET /v1.0/shops lists them)", "one of the merchant's shops, at random")
RECEIPT = (Param("receipt_id", "id", "the receipt, by its receipt_id (one of the shop's 50 most recent)"),
           Param("receipt_number", "number", "the receipt, by its receipt_number (1-000004)"))
PAYMENT_TYPE = Param("payment_type", "choice", "paid in full this way: one payment of the receipt's total",
                     "cash, card (3 times in 6), mobile or gift_card, at random", PAYMENT_TYPES)
PAYMENTS = Param("payments", "list", "a split payment: the amounts add up to the receipt's total",
                 "one payment of the total", fields=(
                     Param("payment_type", "choice", "how", choices=PAYMENT_TYPES, required=True),
                     Param("amount", "money", "how much", required=True)))
PRODUCT_FIELDS = (
    Param("name", "text", "the product's name", "a name from its category"),
    Param("category", "choice", "its category", "at random", CATEGORIES),
    Param("price", "money", "the unit price before tax", "in the category's range"),
    Param("cost", "money", "what the merchant pays for it", "40% to 70% of the price"),
    Param("tax_rate", "choice", "its tax rate (a tax of the back office)", "the category's", TAX_RATES),
    Param("barcode", "barcode", "its EAN-13 barcode (13 digits, the last a check digit)", "a valid EAN-13 at random"),
    Param("unit", "choice", "the unit it is sold in", "at random", UNITS),
)
CUSTOMER_FIELDS = (
    Param("name", "text", "the customer's name", "from Faker"),
    Param("email", "email", "an email address", "from Faker"),
    Param("phone", "text", "a phone number", "from Faker"),
    Param("address", "text", "a street address", "from Faker"),
    Param("city", "text", "a city", "from Faker"),
    Param("country_code", "country", "an ISO 3166 country code (LK)", "the locale's"),
    Param("loyalty_points", "int", "loyalty points", "0 to 500 at random", hi=10_000_000),
)

CATALOGUE: tuple[Operation, ...] = (
    Operation(
        "sale", "A customer buys: a receipt, and the stock it lowers.",
        (SHOP, Param("cashier_id", "id", "the cashier, one of the shop's (GET /v1.0/shops)",
                     "one of the shop's cashiers, at random"),
         Param("customer_id", "id", "the customer; null for none", "4 sales in 10 have a customer, at random",
               nullable=True),
         Param("lines", "list", "what is sold: each product once, at most what the shop has in stock",
               "1 to 5 products the shop has in stock, 1 to 3 of each, 1 line in 5 discounted", fields=(
                   *_product_ref("the product"),
                   Param("quantity", "int", "units sold", lo=1, required=True),
                   Param("discount", "money", "the line's discount, an amount off"),
                   Param("discount_percent", "percent", "the line's discount, a share of its price")),
               pick=PRODUCT_PICK, one_of=(("discount", "discount_percent"),)),
         Param("status", "choice", "open: not paid yet (receipt_update completes it)",
               "completed 9 times in 10 (always, when payments are given), else open", ("completed", "open")),
         PAYMENT_TYPE, PAYMENTS),
        (Emit("receipts.update", "always; an open receipt has payments: []"),
         Emit("inventory_levels.update", "always: the levels of the products sold, in the sale's shop")),
        ("receipt_id", "receipt_number", "shop_id", "product_ids"),
        (("payment_type", "payments"),),
        "Without lines, when the shop drawn has nothing in stock, it receives goods instead (as goods_receipt: "
        "inventory_levels.update only)."),
    Operation(
        "receipt_update", "A receipt is completed (paid) or voided (its stock goes back).",
        (*RECEIPT, Param("action", "choice", "complete an open receipt, or void an open or completed one with no "
                         "refunds", "complete when it is open, else void", ("complete", "void")),
         Param("payment_type", "choice", PAYMENT_TYPE.about, "the one drawn at the sale", PAYMENT_TYPES), PAYMENTS),
        (Emit("receipts.update", "always: the receipt, completed (with its payments) or voided"),
         Emit("inventory_levels.update", "on a void only: the stock it puts back")),
        ("receipt_id", "receipt_number"),
        (("receipt_id", "receipt_number"), ("payment_type", "payments")),
        "Without a receipt: an open one if there is one, else a completed one with no refunds; when there is "
        "neither, it sells instead (as sale)."),
    Operation(
        "refund", "A credit note or cash refund for some or all of a completed sale; the stock goes back.",
        (*RECEIPT,
         Param("lines", "list", "what is refunded", "some lines of the receipt, some units of each, at random",
               fields=(*_product_ref("the receipt's line"),
                       Param("line_number", "int", "the receipt's line, by its line_number", lo=1, hi=MAX_LINES),
                       Param("quantity", "int", "units refunded", "every unit left on the line", lo=1)),
               pick=(*PRODUCT_PICK, "line_number")),
         Param("full", "flag", "refund every unit left on the receipt"),
         Param("credit_note_type", "choice", "a credit note, or a cash refund", "either, at random",
               ("credit_note", "cash_refund")),
         Param("reason", "text", "why", "damaged, wrong item, customer changed mind, expired or overcharged")),
        (Emit("credit_note.update", "always; refund_method is cash for a cash refund, else the sale's payment type"),
         Emit("inventory_levels.update", "always: the stock it puts back")),
        ("credit_note_id", "credit_note_number", "receipt_id", "shop_id", "product_ids"),
        (("receipt_id", "receipt_number"), ("lines", "full")),
        "Without a receipt, when no completed sale has units left to refund, a paid sale is made first (its "
        "receipts.update and inventory_levels.update are sent before the credit note); when the shop has no "
        "products either, the answer is 409 nothing_to_refund and nothing changes."),
    Operation(
        "product_create", "A product is added to the catalogue.",
        (Param("product_code", "code", "its code, unused by any other product", "the next free code"),
         *PRODUCT_FIELDS),
        (Emit("products.update", "always: the new product"),), ("product_id", "product_code"),
        note="A new product has no stock until goods are received (goods_receipt)."),
    Operation(
        "product_edit", "A product is changed: the fields given, or else its price.",
        (*_product_ref("the product"), *PRODUCT_FIELDS),
        (Emit("products.update", "always: the product as it is now, updated_at moved"),),
        ("product_id", "product_code"), ONE_PRODUCT,
        "Without fields, the price moves by -10% to +15%. Without a product, one at random."),
    Operation(
        "product_delete", "A product is deleted: its last record, with deleted: true.",
        _product_ref("the product"),
        (Emit("products.update", "always: the product with deleted: true and deleted_at"),),
        ("product_id", "product_code"), ONE_PRODUCT,
        "Without a product, one at random; then, when 5 or fewer products are left, one is created instead."),
    Operation(
        "customer_create", "A customer is added.", CUSTOMER_FIELDS,
        (Emit("customers.update", "always: the new customer"),), ("customer_id",)),
    Operation(
        "customer_edit", "A customer is changed: the fields given, or else their loyalty points.",
        (Param("customer_id", "id", "the customer", "one at random"), *CUSTOMER_FIELDS),
        (Emit("customers.update", "always: the customer as they are now, updated_at moved"),), ("customer_id",),
        note="Without fields, 1 to 50 loyalty points are added."),
    Operation(
        "customer_delete", "A customer is deleted: their last record, with deleted: true.",
        (Param("customer_id", "id", "the customer", "one at random"),),
        (Emit("customers.update", "always: the customer with deleted: true and deleted_at"),), ("customer_id",),
        note="Without a customer, one at random; then, when 5 or fewer are left, one is created instead."),
    Operation(
        "stock_count", "A stock take sets the levels counted in one shop.",
        (SHOP, Param("levels", "list", "the levels counted", "1 to 4 products, each within 3 units of the system's",
                     fields=(*_product_ref("the product"),
                             Param("in_stock", "int", "units counted", required=True)), pick=PRODUCT_PICK)),
        (Emit("inventory_levels.update", "always: every level counted, changed or not"),), ("shop_id", "product_ids")),
    Operation(
        "goods_receipt", "A delivery from suppliers raises stock in one shop.",
        (SHOP, Param("lines", "list", "what is received", "the 1 to 6 products lowest in stock, 10 to 40 of each",
                     fields=(*_product_ref("the product"),
                             Param("quantity", "int", "units received", lo=1, required=True)), pick=PRODUCT_PICK)),
        (Emit("inventory_levels.update", "always: the levels raised"),), ("shop_id", "product_ids"),
        note="The REST API gets a goods received note per supplier (GET /v1.0/grns)."),
)
OPERATIONS = {op.name: op for op in CATALOGUE}
assert {name: tuple(e.type for e in op.emits) for name, op in OPERATIONS.items()} == OPERATION_EVENTS
