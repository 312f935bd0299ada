"""Payloads made offline, for fixtures and unit tests: ``salesplay-mock generate``."""

from __future__ import annotations

from typing import Any

from mockserver.shop.simulator import Simulator
from mockserver.shop.world import build

# Generated files carry times from this day on, so the same seed gives the same bytes.
GENERATE_START = 1751273671.0  # 2025-06-30 08:54:31 UTC


def generate_payloads(type_: str, count: int, *, seed: int, locale: str = "en_US") -> list[dict[str, Any]]:
    """``count`` payloads of ``type_`` from a fresh world built from ``seed``."""
    return Simulator(build(seed, locale=locale)).generate(type_, count, GENERATE_START)
