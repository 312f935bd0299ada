"""The committed fixtures/ and the generator must agree."""

from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path
from typing import Any

import pytest

from mockserver.shop.generate import generate_payloads
from mockserver.vocabulary import EVENT_TYPES

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
MANIFEST = json.loads((FIXTURES / "MANIFEST.json").read_text())
# Strings Faker makes: they may differ between Faker releases, everything else may not.
# Product names are ours; a customer's name is Faker's.
FAKER_FIELDS = {"email", "phone", "address", "city", "shop_name", "cashier_name", "country_code"}


def _faker_made(key: str, record: dict[str, Any]) -> bool:
    return key in FAKER_FIELDS or (key == "name" and "customer_id" in record)


def _mask(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: "<faker>" if _faker_made(k, value) else _mask(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    return value


@pytest.mark.parametrize("type_", EVENT_TYPES)
def test_committed_fixtures_match_the_generator(type_: str) -> None:
    files = sorted((FIXTURES / type_).glob("*.json"))
    assert len(files) == MANIFEST["count"]
    generated = generate_payloads(type_, MANIFEST["count"], seed=MANIFEST["seed"], locale=MANIFEST["locale"])
    same_faker = importlib.metadata.version("faker") == MANIFEST["faker"]
    for path, payload in zip(files, generated):
        if same_faker:
            assert path.read_text() == json.dumps(payload, indent=2) + "\n", f"{path} is stale: regenerate fixtures/"
        else:
            assert _mask(json.loads(path.read_text())) == _mask(payload), f"{path} is stale: regenerate fixtures/"
