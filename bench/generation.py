"""Payloads generated per second, per type, against bare Faker calls making a receipt-sized
record in the same run."""

from __future__ import annotations

import json
import time

from faker import Faker

from bench.common import Row
from mockserver.domain.vocabulary import EVENT_TYPES
from mockserver.shop.generate import generate_payloads


def bare_faker_receipts(count: int) -> float:
    """The naive way: a Faker call for every field of every receipt."""
    fake = Faker("en_US")
    fake.seed_instance(1)
    started = time.perf_counter()
    for _ in range(count):
        lines = [{"product_id": fake.uuid4(), "name": fake.word(), "quantity": fake.random_int(1, 3),
                  "price": float(fake.pricetag().replace("$", "").replace(",", ""))} for _ in range(3)]
        json.dumps({"receipt_id": fake.uuid4(), "cashier": fake.name(), "customer": fake.name(),
                    "created_at": fake.date_time().isoformat(), "lines": lines})
    return count / (time.perf_counter() - started)


def ours(type_: str, count: int) -> float:
    started = time.perf_counter()
    for payload in generate_payloads(type_, count, seed=7):
        json.dumps(payload)
    return count / (time.perf_counter() - started)


def run(scale: float) -> list[Row]:
    count = max(200, int(20_000 * scale))
    baseline = bare_faker_receipts(max(100, count // 10))
    rows = []
    for type_ in EVENT_TYPES:
        rate = ours(type_, count)
        goal_met = rate >= 5000 if type_ == "receipts.update" else None
        rows.append(Row(f"generate {type_}", f"{rate:,.0f}/s", f"{baseline:,.0f}/s bare Faker",
                        rate / baseline, ">= 5,000 receipts/s" if goal_met is not None else "", goal_met))
    return rows
