"""One shop per merchant (token), built at first use and kept in the database."""

from __future__ import annotations

import hashlib
from typing import Any

from mockserver.shop.generate import sample_world
from mockserver.shop.simulator import Simulator
from mockserver.shop.world import World, build
from mockserver.store import Store

KEEP_SAMPLE_SHOPS = 100


def world_seed(seed: int, owner: str) -> int:
    """Each token gets its own shop; the same seed and token always the same one."""
    return int.from_bytes(hashlib.sha256(f"{seed}:{owner}".encode()).digest()[:8], "big")


class Shops:
    def __init__(self, store: Store, *, seed: int, locale: str) -> None:
        self._store = store
        self._seed = seed
        self._locale = locale
        self._cache: dict[str, Simulator] = {}
        self._samples: dict[str, Simulator] = {}  # the sample POSTs' shops, kept in memory only

    def get(self, owner: str) -> Simulator:
        sim = self._cache.get(owner)
        if sim is None:
            saved = self._store.shop_states.load(owner)
            world = World.from_json(saved) if saved else build(world_seed(self._seed, owner), locale=self._locale)
            sim = self._cache[owner] = Simulator(world)
        return sim

    def save(self, owner: str) -> None:
        self._store.shop_states.save(owner, self._cache[owner].world.to_json())

    def restore(self, owner: str, state: str) -> None:
        """Put the merchant's shop back as ``World.to_json`` saved it."""
        self._cache[owner] = Simulator(World.from_json(state))

    def forget(self, owner: str) -> None:
        self._cache.pop(owner, None)

    def sample(self, owner: str, type_: str, now: float) -> dict[str, Any]:
        """A payload of ``type_`` for SalesPlay's sample POST: shaped as the merchant's own,
        but from a shop of its own, so it shares no id or number with theirs (a receiver
        that stores it never meets it again) and their shop does not change."""
        sim = self._samples.pop(owner, None)
        if sim is None:
            sim = Simulator(sample_world(world_seed(self._seed, owner + "/sample"), locale=self._locale,
                                         merchant_id=self.get(owner).world.merchant_id))
        self._samples[owner] = sim  # most recent last
        while len(self._samples) > KEEP_SAMPLE_SHOPS:
            self._samples.pop(next(iter(self._samples)))
        return next(p for p in sim.act(type_, now) if p["type"] == type_)
