"""The one range of every seed (the shops, payloads, faults, the receiver check): a whole
number from 0 to 2**63 - 1, said the same way wherever one is refused."""

from __future__ import annotations

from mockserver.domain.errors import InvalidField

MAX_SEED = 2**63 - 1
SEED_RULE = "a whole number from 0 to 2**63 - 1"


def check_seed(value: object, field: str = "seed") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SEED:
        raise InvalidField(f"'{field}' must be {SEED_RULE}", field=field)
    return value
