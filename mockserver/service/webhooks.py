"""Webhooks: register one (with SalesPlay's sample POST), change, disable or delete it,
and its faults on purpose; with what follows for its pending deliveries."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from mockserver.domain import webhook_rules
from mockserver.domain.clock import Clock
from mockserver.domain.config import Config
from mockserver.domain.errors import Conflict, InvalidField
from mockserver.domain.fault_settings import FaultSettings
from mockserver.domain.models import Webhook
from mockserver.domain.notices import Notices
from mockserver.engine import rule
from mockserver.engine.address_guard import check_public
from mockserver.engine.attempt import Attempts
from mockserver.engine.fault_injector import SERVER, FaultInjector
from mockserver.engine.scheduler import Scheduler
from mockserver.service.shops import Shops
from mockserver.store import Store

Warnings = list[dict[str, str]]


@dataclass(frozen=True)
class Registered:
    hook: Webhook
    warnings: Warnings
    verification: dict[str, Any] | None  # the sample POST's outcome; None when it is off


@dataclass(frozen=True)
class Faults:
    hook: Webhook
    effective: FaultSettings
    source: str  # "server" (the server's settings) or "webhook" (its own)


class Webhooks:
    def __init__(self, config: Config, clock: Clock, store: Store, shops: Shops, scheduler: Scheduler,
                 attempts: Attempts, faults: FaultInjector, notices: Notices) -> None:
        self.config, self.clock, self.store = config, clock, store
        self.shops, self.scheduler, self.attempts = shops, scheduler, attempts
        self.faults, self.notices = faults, notices

    def of_owner(self, owner: str) -> list[Webhook]:
        return self.store.webhooks.of_owner(owner)

    def owners(self) -> list[str]:
        """Every merchant with a webhook."""
        return self.store.webhooks.owners()

    def get(self, owner: str, webhook_id: str) -> Webhook:
        return self.store.webhooks.get(owner, webhook_id)

    def warnings_of(self, owner: str, hook: Webhook, others: list[Webhook] | None = None) -> Warnings:
        """SalesPlay's recommendations this webhook does not follow, given the merchant's
        other webhooks: what a create or update warned of, said again on every read."""
        if others is None:
            others = self.store.webhooks.of_owner(owner)
        return webhook_rules.warnings_for(hook.url, hook.events, [h for h in others if h.id != hook.id])

    async def register(self, owner: str, spec: webhook_rules.WebhookInput) -> Registered:
        """Create a webhook and send it SalesPlay's sample POST; strict verification refuses
        a URL that does not answer 2xx."""
        assert spec.url is not None and spec.events is not None
        if self.config.public_urls_only:
            await check_public(spec.url)
        others = self.store.webhooks.of_owner(owner)
        if len(others) >= self.config.max_webhooks:  # each event goes to every one: the fan-out is bounded
            raise Conflict(f"this token has {len(others)} webhooks, the most one may have (--max-webhooks); "
                           "delete one first", field="url", code="too_many_webhooks", hint="list_webhooks")
        if self.config.strict:
            webhook_rules.refuse_duplicate(spec.url, spec.events, others)
        warnings = webhook_rules.warnings_for(spec.url, spec.events, others)
        now = self.clock.now(owner)
        hook = self.store.webhooks.create(owner, spec.url, spec.events, now)
        self.notices.changed(owner)
        if self.config.verify == "off":
            return Registered(hook, warnings, None)
        # The sample POST is a delivery like the others (kind "sample", made once): the
        # scheduler makes it, and the answer waits for its record.
        payload = json.dumps(self.shops.sample(owner, spec.events[0], now))
        event = self.store.events.add(owner, spec.events[0], payload, now, None, kind="sample")
        sample = self.store.deliveries.create(event, hook, kind="sample", status="pending", next_at=now,
                                              deadline=now + self.config.retry_window)
        made = self.attempts.outcome_of(sample.id)
        await self.scheduler.kick(owner)
        outcome = await made
        self.store.commit()  # the answer reports the sample POST: it is on disk first
        if outcome.state != "succeeded" and self.config.verify == "strict":
            self.delete(owner, hook.id)
            raise InvalidField(
                f"the sample POST to the URL failed ({outcome.error_message or outcome.response_status}); "
                "SalesPlay needs a URL that answers 2xx. Fix the receiver",
                field="url", code="url_check_failed", hint="verify_strict",
            )
        return Registered(hook, warnings, {"delivery_id": sample.id, "ok": outcome.state == "succeeded",
                                           "status": outcome.response_status, "error": outcome.error_message,
                                           "error_kind": outcome.error_kind})

    async def update(self, owner: str, webhook_id: str, spec: webhook_rules.WebhookInput, *,
                     by: str = "the API") -> tuple[Webhook, Warnings]:
        """Change a webhook's URL (its pending deliveries go there), events or status
        (disabled: its pending deliveries are cancelled, one whose attempt is under way when
        that attempt ends; enabled: it receives again)."""
        hook = self.store.webhooks.get(owner, webhook_id)
        if spec.url is not None and self.config.public_urls_only:
            await check_public(spec.url)
        if self.config.strict and (spec.url is not None or spec.events is not None):
            others = [h for h in self.store.webhooks.of_owner(owner) if h.id != webhook_id]
            webhook_rules.refuse_duplicate(spec.url or hook.url, spec.events or hook.events, others)
        now = self.clock.now(owner)
        reason = None
        if spec.status == "disabled":
            reason = hook.disabled_reason if hook.status == "disabled" else f"disabled through {by}"
        with self.store.tx():
            hook = self.store.webhooks.update(owner, webhook_id, now, url=spec.url, events=spec.events,
                                              status=spec.status, reason=reason)
            if spec.url is not None:
                self.store.deliveries.retarget(webhook_id, hook.url)
            if hook.status == "disabled":
                rule.stop_deliveries(self.attempts, webhook_id, now)
        self.notices.changed(owner)
        return hook, self.warnings_of(owner, hook)

    def delete(self, owner: str, webhook_id: str) -> None:
        """Delete a webhook; its pending deliveries are cancelled (one whose attempt is under
        way, when that attempt ends)."""
        with self.store.tx():
            self.store.webhooks.delete(owner, webhook_id)
            rule.stop_deliveries(self.attempts, webhook_id, self.clock.now(owner))
        self.notices.changed(owner)

    def faults_of(self, owner: str, webhook_id: str) -> Faults:
        hook = self.store.webhooks.get(owner, webhook_id)
        source, settings = self.faults.settings_for(hook)
        return Faults(hook, settings, "server" if source == SERVER else "webhook")

    def configure_faults(self, owner: str, webhook_id: str, data: dict[str, Any] | None) -> Faults:
        """Give a webhook its own fault settings (checked), or None: the server's again."""
        self.store.webhooks.get(owner, webhook_id)  # a 404 before a 422
        now = self.clock.now(owner)
        settings = None if not data else FaultSettings.from_json(data, now=now)
        self.faults.configure(owner, webhook_id, settings, now)
        self.notices.changed(owner)
        return self.faults_of(owner, webhook_id)
