"""The handle's assertions: what SalesPlay did, and what the receiver answered, checked
with a message that says what happened instead."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mockserver.testing.client import Client


def _summary(d: dict[str, Any]) -> str:
    return (f"{d['id']} ({d['kind']}) {d['status']} after {d['attempt_count']} attempt(s)"
            + (f", last: {d['last_error']}" if d["last_error"] else ""))


class Assertions(Client):
    # Failures are raised, not asserted: pytest rewrites this package's asserts (it is a
    # plugin's) and would append its own explanation to ours.

    async def assert_delivered(self, delivery_id: str, *, attempts: int | None = None) -> dict[str, Any]:
        """One delivery succeeded (after exactly ``attempts`` attempts, if given); returns it
        with its attempts. About a delivery: for an event, see ``assert_delivered_once``.

        Example::

            salesplay.advance("60s")
            salesplay.assert_delivered(delivery["id"], attempts=4)   # 3 failures, then a 2xx
        """
        d = await self.delivery(delivery_id)
        if d["status"] != "succeeded":
            raise AssertionError(f"delivery {delivery_id} is {d['status']}: {d['last_error']}")
        if attempts is not None and d["attempt_count"] != attempts:
            raise AssertionError(f"delivery {delivery_id} took {d['attempt_count']} attempt(s), not {attempts}")
        return d

    async def assert_delivery_succeeded_first_time(self, delivery_id: str) -> dict[str, Any]:
        """One delivery succeeded at its first attempt: the receiver's first answer to it was
        a 2xx. About that delivery only (a duplicate or a redelivery is another delivery).

        Example::

            [delivery] = salesplay.sell()[0]["deliveries"]
            salesplay.assert_delivery_succeeded_first_time(delivery["id"])
        """
        return await self.assert_delivered(delivery_id, attempts=1)

    async def assert_delivered_once(self, event: str | Mapping[str, Any], *,
                                    webhook_id: str | None = None) -> list[dict[str, Any]]:
        """The receiver answered 2xx to this event exactly once, counting every delivery of
        it: the original, duplicates (faults on purpose) and redeliveries. With several
        webhooks subscribed, each must have had it exactly once (or only ``webhook_id``).
        Takes the event or its id; returns the event's deliveries.

        Example::

            [receipt, stock] = salesplay.sell()
            salesplay.assert_delivered_once(receipt)          # or receipt["id"]
        """
        event_id = event if isinstance(event, str) else str(event["id"])
        if event_id.startswith("dlv_"):
            raise ValueError(f"assert_delivered_once takes an event (or its id, evt_...), not the delivery "
                             f"{event_id}; for one delivery use assert_delivery_succeeded_first_time")
        sent = await self.deliveries(event_id=event_id, webhook_id=webhook_id)
        if not sent:
            raise AssertionError(f"event {event_id} was sent to no webhook"
                                 + (f" {webhook_id}" if webhook_id else " (is one subscribed to its type?)"))
        for hook in sorted({d["webhook_id"] for d in sent}):
            mine = [d for d in sent if d["webhook_id"] == hook]
            ok = [d for d in mine if d["status"] == "succeeded"]  # a delivery stops at its first 2xx
            if len(ok) != 1:
                raise AssertionError(f"event {event_id} got {len(ok)} 2xx answer(s) from webhook {hook}, not 1; "
                                     "its deliveries: " + "; ".join(_summary(d) for d in reversed(mine)))
        return sent

    async def assert_disabled(self, webhook_id: str) -> dict[str, Any]:
        """The webhook is disabled (SalesPlay's rule, after the last failed attempt, or by a
        PUT); returns it, with ``disabled_reason``.

        Example::

            salesplay.advance("48h")
            salesplay.assert_disabled(hook["id"])
        """
        hook = await self.webhook(webhook_id)
        if hook["status"] != "disabled":
            raise AssertionError(f"webhook {webhook_id} is {hook['status']}")
        return hook

    async def assert_enabled(self, webhook_id: str) -> dict[str, Any]:
        """The webhook is enabled: it receives events. Returns it.

        Example::

            salesplay.assert_enabled(hook["id"])
        """
        hook = await self.webhook(webhook_id)
        if hook["status"] != "enabled":
            raise AssertionError(f"webhook {webhook_id} is disabled: {hook['disabled_reason']}")
        return hook
