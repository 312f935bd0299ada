"""Payloads made offline, for fixtures and unit tests: ``salesplay-mock generate``."""

from __future__ import annotations

from typing import Any

from mockserver.shop.simulator import Simulator
from mockserver.shop.world import World, build

# Generated files carry times from this day on, so the same seed gives the same bytes.
GENERATE_START = 1751273671.0  # 2025-06-30 08:54:31 UTC

# The sample POST's numbers start far past any a merchant's shop reaches, so a receiver
# that stores the sample never takes a real receipt for a duplicate of it.
SAMPLE_NUMBERS = 10**8


def generate_payloads(type_: str, count: int, *, seed: int, locale: str = "en_US") -> list[dict[str, Any]]:
    """``count`` payloads of ``type_`` from a fresh world built from ``seed``."""
    return Simulator(build(seed, locale=locale)).generate(type_, count, GENERATE_START)


def sample_world(seed: int, *, merchant_id: str, locale: str = "en_US") -> World:
    """The small shop SalesPlay's sample POST comes from: the merchant's id, but no other
    id or number in common with the merchant's own shop."""
    world = build(seed, locale=locale, products=5, customers=3, numbers_from=SAMPLE_NUMBERS)
    world.merchant_id = merchant_id
    return world
