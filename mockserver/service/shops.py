"""One shop per merchant (token), built at first use and kept in the database: its world
as JSON, and the REST API's ledger of what the world forgets (receipts, goods received notes).

In memory, only the ``keep`` most recently used shops are kept (a shop is about 130 KB, and
a server may meet thousands of tokens); the others are read back from the database when
next used. A shop an operation still holds is never loaded twice: until the operation lets
it go, it is found by a weak reference, so its changes are never lost to a stale copy."""

from __future__ import annotations

import hashlib
import json
import weakref
from typing import Any

from mockserver.shop.generate import sample_world
from mockserver.shop.samples import sample_from_shop
from mockserver.shop.simulator import Simulator
from mockserver.shop.world import World, build
from mockserver.store import Store

KEEP_SAMPLE_SHOPS = 100
KEEP_LEDGER = 100_000  # records of each kind per merchant; older ones are forgotten
TRIM_EVERY = 1_000  # new ledger records between two trims
LEDGER_IDS = {"receipts": "receipt_id", "grns": "grn_id"}


def world_seed(seed: int, owner: str) -> int:
    """Each token gets its own shop; the same seed and token always the same one."""
    return int.from_bytes(hashlib.sha256(f"{seed}:{owner}".encode()).digest()[:8], "big")


class Shops:
    def __init__(self, store: Store, *, seed: int, locale: str, keep: int = 500,
                 sample_from: str = "separate") -> None:
        self._store = store
        self._seed = seed
        self._locale = locale
        self._keep = keep
        self._sample_from = sample_from  # separate: a shop of its own; shop: the merchant's own records
        self._cache: dict[str, Simulator] = {}  # the most recently used last
        self._alive: weakref.WeakValueDictionary[str, Simulator] = weakref.WeakValueDictionary()
        self._samples: dict[str, Simulator] = {}  # the sample POSTs' shops, kept in memory only
        self._unpruned: dict[str, int] = {}  # ledger records added since the last trim

    def get(self, owner: str) -> Simulator:
        sim = self._cache.pop(owner, None) or self._alive.get(owner)
        if sim is None:
            saved = self._store.shop_states.load(owner)
            world = World.from_json(saved) if saved else build(world_seed(self._seed, owner), locale=self._locale)
            world.journal = []
            sim = Simulator(world)
        self._remember(owner, sim)
        return sim

    def _remember(self, owner: str, sim: Simulator) -> None:
        self._cache[owner] = self._alive[owner] = sim  # the most recent last
        while len(self._cache) > self._keep:  # the least recently used: saved already, read back when needed
            self._cache.pop(next(iter(self._cache)))

    def save(self, owner: str) -> None:
        """Keep the world, and add what its operations logged to the ledger, in one write."""
        world = self.get(owner).world
        logged = world.journal or []
        world.journal = []
        rows = [(kind, r[LEDGER_IDS[kind]], r["created_at"], json.dumps(r, separators=(",", ":")))
                for kind, r in logged]
        with self._store.tx():
            self._store.shop_states.save(owner, world.to_json())
            if rows:
                self._store.shop_records.put(owner, rows)
        self._unpruned[owner] = self._unpruned.get(owner, 0) + len(rows)
        if self._unpruned[owner] >= TRIM_EVERY:
            self._unpruned[owner] = 0
            for kind in LEDGER_IDS:
                self._store.shop_records.trim(owner, kind, KEEP_LEDGER)

    def restore(self, owner: str, state: str) -> None:
        """Put the merchant's shop back as ``World.to_json`` saved it; what its operations
        logged since is dropped with them."""
        world = World.from_json(state)
        world.journal = []
        self._remember(owner, Simulator(world))

    def forget(self, owner: str) -> None:
        self._cache.pop(owner, None)
        self._alive.pop(owner, None)
        self._unpruned.pop(owner, None)

    def sample(self, owner: str, type_: str, now: float) -> dict[str, Any]:
        """A payload of ``type_`` for SalesPlay's sample POST: shaped as the merchant's own,
        but from a shop of its own, so it shares no id or number with theirs (a receiver
        that stores it never meets it again) and their shop does not change. With
        ``sample_from="shop"``: the merchant's own records, which the REST API knows."""
        if self._sample_from == "shop":
            return sample_from_shop(self.get(owner).world, type_, now)
        sim = self._samples.pop(owner, None)
        if sim is None:
            sim = Simulator(sample_world(world_seed(self._seed, owner + "/sample"), locale=self._locale,
                                         merchant_id=self.get(owner).world.merchant_id))
        self._samples[owner] = sim  # most recent last
        while len(self._samples) > KEEP_SAMPLE_SHOPS:
            self._samples.pop(next(iter(self._samples)))
        return next(p for p in sim.act(type_, now) if p["type"] == type_)
