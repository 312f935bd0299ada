"""Faker for a shop: a locale checked against Faker's, and a Faker seeded for it. Faker
itself is imported at the first call (about 100 ms), never at start."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from faker import Faker


def check_locale(locale: str) -> str:
    from faker.config import AVAILABLE_LOCALES

    if locale not in AVAILABLE_LOCALES:
        raise ValueError(f"unknown locale {locale!r}; use one of Faker's, such as en_US, de_DE, fr_FR")
    return locale


def make_faker(locale: str, seed: int) -> Faker:
    from faker import Faker

    fake = Faker(check_locale(locale))
    fake.seed_instance(seed)
    return fake
