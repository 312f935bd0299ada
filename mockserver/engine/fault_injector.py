"""Where the fault settings meet the engine: new deliveries are delayed, duplicated, held
behind an outage or reordered before they are stored, and each is marked with what was
done to it; retries and what already waits are held by an outage too."""

from __future__ import annotations

import random
from collections import defaultdict

from mockserver.domain.durations import human
from mockserver.domain.fault_settings import FaultSettings
from mockserver.domain.models import Delivery, Event, Webhook, ms, new_delivery
from mockserver.store import Store

SERVER = "server"  # the key of the server-wide settings


class FaultInjector:
    def __init__(self, store: Store, default: FaultSettings) -> None:
        self.store = store
        self.default = default
        self._rngs: dict[str, random.Random] = {}
        self._backlog: dict[tuple[str, float], int] = defaultdict(int)  # (webhook, outage end) -> queued
        self._own: dict[str, FaultSettings | None] = {}  # a webhook's own settings, read once

    def settings_for(self, hook: Webhook) -> tuple[str, FaultSettings]:
        if hook.id not in self._own:
            self._own[hook.id] = None if hook.faults is None else FaultSettings.from_json(hook.faults, now=0.0)
        own = self._own[hook.id]
        return (SERVER, self.default) if own is None else (hook.id, own)

    def configure(self, owner: str, webhook_id: str, settings: FaultSettings | None, now: float) -> Webhook:
        """Give a webhook its own settings (None: the server's again); a new outage also
        holds what was already waiting."""
        hook = self.store.webhooks.set_faults(owner, webhook_id, None if settings is None else settings.to_json(), now)
        self.forget(webhook_id)
        if settings is not None and settings.outage is not None:
            self.hold_pending(hook, now)
        return hook

    def forget(self, webhook_id: str) -> None:
        """New settings for a webhook: read them again, and its random sequence starts
        again from its seed."""
        self._rngs.pop(webhook_id, None)
        self._own.pop(webhook_id, None)

    def retry_time(self, webhook_id: str, when: float) -> float:
        """When a retry due at ``when`` goes out: later if an outage holds it."""
        if webhook_id not in self._own:  # read the webhook's settings once
            hook = self.store.webhooks.get_any(webhook_id)
            if hook is None:
                return when
            self.settings_for(hook)
        slot = self._slot(webhook_id, self._own[webhook_id] or self.default, when)
        return when if slot is None else slot

    def _rng(self, key: str, settings: FaultSettings) -> random.Random:
        if key not in self._rngs:
            self._rngs[key] = random.Random(settings.seed)
        return self._rngs[key]

    def hold_pending(self, hook: Webhook, now: float) -> int:
        """A new outage also holds what was already waiting to go to the webhook."""
        _, settings = self.settings_for(hook)
        held = 0
        for d in self.store.deliveries.pending_for(hook.id):
            slot = self._slot(hook.id, settings, max(d.next_at or now, now))
            if slot is not None:
                self.store.deliveries.reschedule(
                    d.id, next_at=slot, fault=f"held by an outage until {human(slot - now)} later"
                )
                held += 1
        return held

    def _slot(self, webhook_id: str, settings: FaultSettings, when: float) -> float | None:
        """If an outage covers ``when``, the time this delivery is released in the burst."""
        outage = settings.outage
        if outage is None or not outage.covers(when):
            return None
        queued = self._backlog[(webhook_id, outage.end)]
        self._backlog[(webhook_id, outage.end)] += 1
        return outage.end + queued / outage.rate

    def decide(self, now: float, group: list[tuple[Event, list[Delivery]]], hooks: dict[str, Webhook]) -> list[Delivery]:
        """Faults for the deliveries of one shop operation's events (in sending order, not
        stored yet): each is delayed, held or reordered in place, and the duplicates to send
        as well are returned. ``hooks``: the merchant's webhooks, by id."""
        extra: list[Delivery] = []
        chain: list[Delivery] = []
        chain_settings: tuple[str, FaultSettings] | None = None
        for event, deliveries in group:
            for d in deliveries:
                if d.status != "pending":
                    continue
                hook = hooks[d.webhook_id]
                key, settings = self.settings_for(hook)
                if not settings.active:
                    continue
                extra += self._one(now, event, d, hook, key, settings)
                if settings.reorder:
                    chain.append(d)
                    chain_settings = chain_settings or (key, settings)
        if len(chain) > 1 and chain_settings is not None:
            key, settings = chain_settings
            if self._rng(key, settings).random() < settings.reorder:
                _reverse(chain)
        return extra

    def _one(self, now: float, event: Event, d: Delivery, hook: Webhook, key: str,
             settings: FaultSettings) -> list[Delivery]:
        rng = self._rng(key, settings)
        next_at, notes = now, []
        if settings.delay and rng.random() < settings.delay:
            held = rng.uniform(settings.delay_min, settings.delay_max)
            next_at += held
            notes.append(f"delayed {human(held)}")
        slot = self._slot(hook.id, settings, next_at)
        if slot is not None:
            next_at = slot
            notes.append(f"held by an outage until {human(slot - now)} later")
        if notes:
            d.next_at, d.fault = ms(next_at), "; ".join(notes)
        if settings.duplicate and rng.random() < settings.duplicate:
            return [_duplicate(event, d, hook, settings, next_at)]
        return []


def _duplicate(event: Event, d: Delivery, hook: Webhook, settings: FaultSettings, at: float) -> Delivery:
    mode = settings.duplicate_mode
    note = f"duplicate ({mode.replace('_', ' ')}) of {d.id}"
    if mode == "concurrent":
        return new_delivery(event, hook, kind="duplicate", status="pending", next_at=at, deadline=d.deadline,
                            fault=note)
    twin = new_delivery(event, hook, kind="duplicate", status="pending", next_at=None, deadline=d.deadline,
                        fault=note, hold_for=d.id)
    twin.hold_delay = settings.duplicate_delay if mode == "after_success" else 0.0
    return twin


def _reverse(chain: list[Delivery]) -> None:
    """The last goes first; each earlier one waits until the one after it is done."""
    for earlier, later in zip(chain, chain[1:]):
        earlier.next_at, earlier.hold_for = None, later.id
        earlier.fault = f"reordered: sent after {later.id} ({later.event_type})"
