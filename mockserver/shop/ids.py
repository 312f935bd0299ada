"""Ids of the exact shapes of the ids in SalesPlay's one documented payload (docs/fidelity.md:
what is documented).

Entity ids: base64(base64(16 bytes)), 32 characters ending in QT09, UT09, Zz09 or dz09.
Merchant ids: base64(base64(21 bytes) + "="), 40 characters ending in "=".
"""

from __future__ import annotations

import base64
import hashlib
import random


def entity_id(rng: random.Random) -> str:
    inner = base64.b64encode(rng.getrandbits(128).to_bytes(16, "big"))
    return base64.b64encode(inner).decode("ascii")


def derived_id(key: str) -> str:
    """An entity id that is a digest of ``key``: for records made where drawing from the
    world's random sequence would change every event after them (a goods received note)."""
    inner = base64.b64encode(hashlib.sha256(key.encode()).digest()[:16])
    return base64.b64encode(inner).decode("ascii")


def merchant_id(rng: random.Random) -> str:
    inner = base64.b64encode(rng.getrandbits(168).to_bytes(21, "big")) + b"="
    return base64.b64encode(inner).decode("ascii")


def decoded_size(value: str) -> int:
    """Bytes under the two layers of base64: 16 for an entity id, 21 for a merchant id."""
    inner = base64.b64decode(value, validate=True).rstrip(b"=")
    inner += b"=" * (-len(inner) % 4)
    return len(base64.b64decode(inner, validate=True))
