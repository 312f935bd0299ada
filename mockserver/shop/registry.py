"""One shop per merchant (token), built at first use and kept in the database."""

from __future__ import annotations

import hashlib
from typing import Any

from mockserver.shop.simulator import Simulator
from mockserver.shop.world import World, build
from mockserver.store import Store


def world_seed(seed: int, owner: str) -> int:
    """Each token gets its own shop; the same seed and token always the same one."""
    return int.from_bytes(hashlib.sha256(f"{seed}:{owner}".encode()).digest()[:8], "big")


class Shops:
    def __init__(self, store: Store, *, seed: int, locale: str) -> None:
        self._store = store
        self._seed = seed
        self._locale = locale
        self._cache: dict[str, Simulator] = {}

    def get(self, owner: str) -> Simulator:
        sim = self._cache.get(owner)
        if sim is None:
            saved = self._store.load_shop(owner)
            world = World.from_json(saved) if saved else build(world_seed(self._seed, owner), locale=self._locale)
            sim = self._cache[owner] = Simulator(world)
        return sim

    def save(self, owner: str) -> None:
        self._store.save_shop(owner, self._cache[owner].world.to_json())

    def forget(self, owner: str) -> None:
        self._cache.pop(owner, None)

    def sample(self, owner: str, type_: str, now: float) -> dict[str, Any]:
        return self.get(owner).sample(type_, now)
