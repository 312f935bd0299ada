"""The state of one simulated merchant, built once from a seed.

Faker's providers are slow (about 100 us a call), so they run here, once, and never per
event. Operations draw only from ``World.rng``, a plain ``random.Random``, so the
numbers in every event stay reproducible whatever Faker release is installed.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from typing import TYPE_CHECKING, Any

from mockserver.shop import catalogue, ids
from mockserver.shop.backoffice import build_backoffice
from mockserver.shop.locales import make_faker

if TYPE_CHECKING:  # Faker loads when a world is first built (a server warms it in the background)
    from faker import Faker

CURRENCIES = {
    "US": "USD", "GB": "GBP", "AU": "AUD", "CA": "CAD", "NZ": "NZD", "IN": "INR", "JP": "JPY",
    "CH": "CHF", "SE": "SEK", "NO": "NOK", "DK": "DKK", "PL": "PLN", "BR": "BRL", "MX": "MXN",
    "LK": "LKR", "ZA": "ZAR", "DE": "EUR", "FR": "EUR", "ES": "EUR", "IT": "EUR", "NL": "EUR",
    "AT": "EUR", "IE": "EUR", "FI": "EUR", "PT": "EUR", "BE": "EUR",
}


@dataclass
class Product:
    product_id: str
    product_code: str
    name: str
    category: str
    price: int  # cents, before tax
    cost: int
    tax_rate: float
    barcode: str
    unit: str
    created_at: str
    updated_at: str
    deleted: bool = False
    deleted_at: str | None = None


@dataclass
class Customer:
    customer_id: str
    name: str
    email: str
    phone: str
    address: str
    city: str
    country_code: str
    loyalty_points: int
    created_at: str
    updated_at: str
    deleted: bool = False
    deleted_at: str | None = None


@dataclass
class Shop:
    shop_id: str
    name: str
    cashiers: list[dict[str, str]]


@dataclass
class World:
    merchant_id: str
    shops: list[Shop]
    products: list[Product]
    customers: list[Customer]
    stock: dict[str, int]  # "shop_id/product_id" -> units
    receipts: list[dict[str, Any]] = field(default_factory=list)  # recent, with refund counts
    counters: dict[str, int] = field(default_factory=dict)
    seed: int = 0
    locale: str = "en_US"
    backoffice: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # shop/backoffice.py
    rng: random.Random = field(default_factory=random.Random, repr=False)
    faker: Faker | None = field(default=None, repr=False)
    # What the REST API keeps that the world forgets (receipts past the recent ones, goods
    # received notes): records logged by operations until the shop is saved. None: not kept
    # (payloads made offline, the sample POST's shop).
    journal: list[tuple[str, dict[str, Any]]] | None = field(default=None, repr=False)
    cache: dict[str, Any] = field(default_factory=dict, repr=False)  # lookups derived from the rest

    def currency(self) -> str:
        return CURRENCIES.get(self.locale.rpartition("_")[2], "USD")

    def next_number(self, name: str) -> int:
        self.counters[name] = self.counters.get(name, 0) + 1
        return self.counters[name]

    def live_products(self) -> list[Product]:
        return [p for p in self.products if not p.deleted]

    def live_customers(self) -> list[Customer]:
        return [c for c in self.customers if not c.deleted]

    def log(self, kind: str, record: dict[str, Any]) -> None:
        """Keep ``record`` for the REST API's ledger (``kind``: receipts, grns)."""
        if self.journal is not None:
            self.journal.append((kind, record))

    def fake(self) -> Faker:
        """Faker for the rare new customer, seeded from the world's own sequence."""
        if self.faker is None:
            self.faker = make_faker(self.locale, self.seed)
        self.faker.seed_instance(self.rng.getrandbits(64))
        return self.faker

    def to_json(self) -> str:
        data: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in TRANSIENT}
        data["rng_state"] = _encode_state(self.rng.getstate())
        return json.dumps(data, separators=(",", ":"), default=_plain)

    @classmethod
    def from_json(cls, text: str) -> World:
        data = json.loads(text)
        rng = random.Random()
        rng.setstate(_decode_state(data.pop("rng_state")))
        world = cls(
            merchant_id=data["merchant_id"],
            shops=[Shop(**s) for s in data["shops"]],
            products=[Product(**p) for p in data["products"]],
            customers=[Customer(**c) for c in data["customers"]],
            stock=data["stock"],
            receipts=data["receipts"],
            counters=data["counters"],
            seed=data["seed"],
            locale=data["locale"],
            backoffice=data.get("backoffice", {}),
            rng=rng,
        )
        if not world.backoffice:  # saved before the shop had a back office
            build_backoffice(world, min((p.created_at for p in world.products), default="2025-06-01 08:00:00"))
        return world


TRANSIENT = ("rng", "faker", "journal", "cache")


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def _encode_state(state: tuple[Any, ...]) -> list[Any]:
    return [state[0], list(state[1]), state[2]]


def _decode_state(raw: list[Any]) -> tuple[Any, ...]:
    return (raw[0], tuple(raw[1]), raw[2])


NUMBERED = ("receipt", "credit_note", "product_code")


def build(seed: int, *, locale: str = "en_US", created_at: str = "2025-06-01 08:00:00",
          products: int = 40, customers: int = 25, numbers_from: int = 0) -> World:
    """The same seed and locale give the same world. Receipt, credit note and product
    numbers count on from ``numbers_from``."""
    rng = random.Random(seed)
    fake = make_faker(locale, seed)
    world = World(ids.merchant_id(rng), [], [], [], {}, seed=seed, locale=locale, rng=rng, faker=fake,
                  counters=dict.fromkeys(NUMBERED, numbers_from) if numbers_from else {})
    for _ in range(rng.randint(1, 3)):
        cashiers = [{"id": ids.entity_id(rng), "name": fake.name()} for _ in range(rng.randint(2, 4))]
        world.shops.append(Shop(ids.entity_id(rng), f"{fake.city()} store", cashiers))
    for _ in range(products):
        world.products.append(new_product(world, created_at))
    for _ in range(customers):
        world.customers.append(new_customer(world, created_at, fake))
    for shop in world.shops:
        for product in world.products:
            world.stock[f"{shop.shop_id}/{product.product_id}"] = rng.randint(5, 60)
    build_backoffice(world, created_at)
    return world


def new_product(world: World, now: str, *, category: str | None = None, code: str | None = None) -> Product:
    """A product drawn from the catalogue; ``category`` and ``code`` when a test gives them."""
    rng = world.rng
    category = category or rng.choice(sorted(catalogue.CATEGORIES))
    names, (lo, hi), tax = catalogue.CATEGORIES[category]
    price = rng.randint(lo, hi)
    if code is None:
        code = _next_code(world)
    else:  # later codes the shop picks step over it
        world.counters[CODES_GIVEN] = world.counters.get(CODES_GIVEN, 0) + 1
    return Product(
        product_id=ids.entity_id(rng),
        product_code=code,
        name=f"{rng.choice(catalogue.VARIANTS)} {rng.choice(names)}",
        category=category,
        price=price,
        cost=price * rng.randint(40, 70) // 100,
        tax_rate=tax,
        barcode=_ean13(rng),
        unit=rng.choice(catalogue.UNITS),
        created_at=now,
        updated_at=now,
    )


CODES_GIVEN = "product_codes_given"  # codes a test chose: the shop's own numbering looks out for them


def _next_code(world: World) -> str:
    while True:
        code = str(10000 + world.next_number("product_code"))
        if CODES_GIVEN not in world.counters or all(p.product_code != code for p in world.products):
            return code


def new_customer(world: World, now: str, fake: Faker | None = None) -> Customer:
    rng = world.rng
    fake = fake or world.fake()
    return Customer(
        customer_id=ids.entity_id(rng),
        name=fake.name(),
        email=fake.email(),
        phone=fake.phone_number(),
        address=fake.street_address(),
        city=fake.city(),
        country_code=fake.current_country_code() if hasattr(fake, "current_country_code") else "US",
        loyalty_points=rng.randint(0, 500),
        created_at=now,
        updated_at=now,
    )


def _ean13(rng: random.Random) -> str:
    digits = [rng.randint(0, 9) for _ in range(12)]
    check = (10 - sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10) % 10
    return "".join(map(str, digits)) + str(check)
