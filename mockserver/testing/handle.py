"""The test's handle on the mock (async form): register, make the shop act, move time,
switch faults on, serve the receiver; reading, assertions and the receiver check come
from its bases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp

from mockserver.domain.durations import parse_duration
from mockserver.testing.checking import CheckingClient
from mockserver.testing.client import DEFAULT_TOKEN
from mockserver.testing.receivers import Receiver, start_receiver


class AsyncSalesPlay(CheckingClient):
    """A test's handle on the mock, for async tests (the ``salesplay_async`` fixture): every
    method of the sync ``salesplay`` fixture, awaited, and ``serve_async`` for ``serve``."""

    def __init__(self, url: str, session: aiohttp.ClientSession, *, token: str = DEFAULT_TOKEN) -> None:
        super().__init__(url, session, token=token)
        self._receivers: list[Receiver] = []

    async def register(self, url: str, events: str | list[str] = "receipts.update") -> dict[str, Any]:
        """Register a webhook for one event type or a list, as ``POST /v1.0/webhook`` does;
        returns it, with ``warnings`` (SalesPlay's recommendations) and ``verification``
        (the sample POST's outcome, when ``salesplay_verify`` is on).

        Example::

            hook = salesplay.register(url + "/salesplay", ["receipts.update", "inventory_levels.update"])
        """
        body = {"url": url, "event": events} if isinstance(events, str) else {"url": url, "events": events}
        result: dict[str, Any] = await self._call("POST", "/v1.0/webhook", body)
        return result

    async def enable(self, webhook_id: str) -> dict[str, Any]:
        """Re-enable a webhook (after SalesPlay's rule disabled it); it receives new events again.

        Example::

            salesplay.enable(hook["id"])
        """
        result: dict[str, Any] = await self._call("PUT", f"/v1.0/webhook/{webhook_id}", {"status": "enabled"})
        return result

    async def trigger(self, type_: str | None = None, *, count: int = 1, operation: str | None = None,
                      payload: dict[str, Any] | None = None, params: dict[str, Any] | None = None,
                      advance: str | float | None = None) -> list[dict[str, Any]]:
        """Make the shop act until it emits ``type_`` (``count`` times), run a named
        ``operation`` (sale, refund, product_edit, stock_count...) with its ``params``, or
        send ``payload`` as an event of ``type_``; ``advance`` moves the clock before each
        time ("1s": every event its own ``created_at``). Returns every event sent, each with
        its ``deliveries``; on the manual clock each delivery's first attempt is made before
        this returns. ``operate`` returns the records made as well.

        Example::

            events = salesplay.trigger("receipts.update")
            receipt = next(e for e in events if e["type"] == "receipts.update")
            delivery = receipt["deliveries"][0]
        """
        body: dict[str, Any] = {"count": count}
        for key, value in (("type", type_), ("operation", operation), ("payload", payload), ("params", params),
                           ("advance", advance)):
            if value is not None:
                body[key] = value
        events: list[dict[str, Any]] = (await self._call("POST", "/_mock/events", body))["events"]
        return events

    async def operate(self, operation: str, *, count: int = 1, advance: str | float | None = None,
                      **params: Any) -> dict[str, Any]:
        """Run one operation of the shop with the parameters given (``operations()`` lists
        each one's; what is left out the shop chooses), ``count`` times, the clock moving
        ``advance`` before each. All or nothing: a parameter the shop refuses raises
        ``MockError`` (422 naming it, 404 naming the missing record) and changes nothing.
        Returns ``{"made": [...], "events": [...]}``: per run, the ids of the records made
        (``receipt_id``, ``receipt_number``, ``credit_note_id``, ``product_ids``...), and
        every event sent with its ``deliveries``.

        Example::

            sold = salesplay.operate("sale", lines=[{"product_code": "10003", "quantity": 2}], payment_type="card")
            receipt_id = sold["made"][0]["receipt_id"]
            salesplay.operate("refund", receipt_id=receipt_id, lines=[{"product_code": "10003", "quantity": 1}])
        """
        body: dict[str, Any] = {"operation": operation, "count": count, "params": params}
        if advance is not None:
            body["advance"] = advance
        result: dict[str, Any] = await self._call("POST", "/_mock/events", body)
        return result

    async def scenario(self, steps: list[dict[str, Any]] | dict[str, Any] | str | Path) -> list[dict[str, Any]]:
        """Run a scenario, all or nothing: a list of steps (triggers with a ``name``, and
        ``{"advance": "7s"}``), ``{"steps": [...]}``, or a JSON or YAML file of either (the
        file ``salesplay-mock scenario run`` takes). A later step refers to what a named one
        made as ``"${sold.receipt_id}"``. Returns what each step did: ``made`` and ``events``,
        or ``advanced`` and ``attempts_made``.

        Example::

            done = salesplay.scenario([
                {"name": "sold", "operation": "sale", "params": {"lines": [{"product_code": "10003", "quantity": 2}]}},
                {"advance": "7s"},
                {"operation": "refund", "params": {"receipt_id": "${sold.receipt_id}", "full": True}},
            ])
            credit_note = done[2]["made"][0]["credit_note_id"]
        """
        if isinstance(steps, (str, Path)):
            from mockserver.domain.scenario import load_file

            steps = load_file(Path(steps))
        body = steps if isinstance(steps, dict) else {"steps": steps}
        result: list[dict[str, Any]] = (await self._call("POST", "/_mock/scenarios", body))["steps"]
        return result

    async def sell(self, count: int = 1) -> list[dict[str, Any]]:
        """``count`` sales: each sends a ``receipts.update`` and the ``inventory_levels.update``
        of the products sold, with the same ``group_id``. Returns the events.

        Example::

            [receipt, stock] = salesplay.sell()
        """
        return await self.trigger(operation="sale", count=count)

    async def refund(self, count: int = 1) -> list[dict[str, Any]]:
        """``count`` refunds: each sends a ``credit_note.update`` (selling first when there is
        nothing to refund) and the stock it puts back. Returns the events.

        Example::

            events = salesplay.refund()
            assert "credit_note.update" in [e["type"] for e in events]
        """
        return await self.trigger(operation="refund", count=count)

    async def advance(self, duration: str | float) -> int:
        """Move the manual clock by ``duration`` (``"48h"``, ``"90s"``, ``"1h30m"`` or seconds);
        every attempt due on the way is made before this returns. Returns how many attempts
        this advance made: a delivery's first attempt was made by the trigger, so after a
        trigger and ``advance("48h")`` against a receiver that always fails this says 199
        and the delivery's ``attempt_count`` 200.

        Example::

            salesplay.advance("30s")     # the retries at 5 s and 15 s are made
        """
        made: int = (await self._call("POST", "/_mock/clock/advance", {"seconds": parse_duration(duration)}))[
            "attempts_made"]
        return made

    async def set_faults(self, webhook_id: str, **settings: Any) -> dict[str, Any]:
        """Faults on purpose for one webhook: ``duplicate=1`` (with ``duplicate_mode`` =
        ``back_to_back``, ``concurrent`` or ``after_success``), ``reorder=0.5``, ``delay=1,
        delay_max="30s"``, ``outage={"in": 0, "duration": "10m", "rate": 5}``, ``seed=7``.
        No settings: back to the server's. Returns the settings in force.

        Example::

            salesplay.set_faults(hook["id"], duplicate=1, duplicate_mode="concurrent", seed=3)
        """
        result: dict[str, Any] = await self._call("PUT", f"/_mock/webhooks/{webhook_id}/faults", settings)
        return result

    async def set_api_faults(self, **settings: Any) -> dict[str, Any]:
        """Faults on purpose for this token's REST API reads: ``rate_limit=60`` (requests per
        simulated minute, then 429 with ``Retry-After``), ``errors=0.2`` (a share answered
        ``error_status``, 500 by default), ``slow=0.5, slow_by="1s"``, ``seed=7``. No settings:
        none. Returns the settings in force.

        Example::

            salesplay.set_api_faults(rate_limit=1)
            salesplay.get("/shops")
            with pytest.raises(MockError) as refused:
                salesplay.get("/shops")
            assert refused.value.status == 429
        """
        result: dict[str, Any] = await self._call("PUT", "/_mock/api-faults", settings)
        return result

    async def redeliver(self, delivery_id: str) -> dict[str, Any]:
        """Send a delivery's event again, as a new delivery of kind ``redelivery``; returns it.

        Example::

            again = salesplay.redeliver(delivery["id"])
            salesplay.assert_delivered(again["id"])
        """
        result: dict[str, Any] = await self._call("POST", f"/_mock/deliveries/{delivery_id}/redeliver")
        return result

    async def reset(self) -> None:
        """Forget this token's webhooks, events, deliveries and shop, as at the test's start.

        Example::

            salesplay.reset()
            assert salesplay.webhooks() == []
        """
        await self._call("POST", "/_mock/reset")

    async def serve_async(self, app: object, *, host: str = "127.0.0.1", port: int = 0,
                          interface: str | None = None) -> str:
        """Serve the receiver under test for this test, and return its base URL: an ASGI app
        (FastAPI, Starlette: needs uvicorn), a WSGI app (Flask, Django) or an aiohttp
        ``web.Application`` (on this test's loop). ``interface`` ("asgi", "wsgi",
        "aiohttp") overrides the guess. Stopped after the test.

        Example::

            url = await salesplay_async.serve_async(app)       # http://127.0.0.1:PORT
            await salesplay_async.register(url + "/webhooks/salesplay")
        """
        receiver = await start_receiver(app, host=host, port=port, interface=interface)
        self._receivers.append(receiver)
        return receiver.url

    async def stop_receivers(self) -> None:
        """Stop every receiver ``serve_async`` started (the fixture does it after the test).

        Example::

            await salesplay_async.stop_receivers()     # the receiver is gone: attempts fail
        """
        while self._receivers:
            await self._receivers.pop().stop()
