"""The handle's reading side: the mock over HTTP, as a receiver's own code would call it,
every list followed to its last page, and the shipped JSON Schemas."""

from __future__ import annotations

from typing import Any

import aiohttp

DEFAULT_TOKEN = "pytest-token"
PAGE = 1000  # items asked for per page when following a list to its end


class MockError(AssertionError):
    """The mock refused a call: carries its status, JSON error and headers (``Retry-After``)."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"salesplay-mock answered {status}: {body}")
        self.status = status
        self.body = body
        self.headers = headers or {}


class MissingExtra(ImportError):
    """A feature needs a package that is not installed; the message says what to install."""


class Client:
    """HTTP to the mock, and what a test reads: webhooks, events, deliveries, schemas."""

    def __init__(self, url: str, session: aiohttp.ClientSession, *, token: str = DEFAULT_TOKEN) -> None:
        self.url = url
        self.token = token
        self._session = session
        self._schemas: dict[str, dict[str, Any]] = {}

    @property
    def api_url(self) -> str:
        """The base URL to give a receiver's integration code instead of SalesPlay's
        (``https://api.salesplaypos.com/v1.0``).

        Example::

            settings.SALESPLAY_API = salesplay.api_url   # http://127.0.0.1:PORT/v1.0
        """
        return self.url + "/v1.0"

    async def _call(self, method: str, path: str, body: Any = None, params: dict[str, str] | None = None) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"}
        async with self._session.request(method, self.url + path, json=body, params=params, headers=headers) as resp:
            data = await resp.json() if resp.status != 204 else None
            if resp.status >= 400:
                raise MockError(resp.status, data, dict(resp.headers))
            return data

    async def _every_page(self, path: str, params: dict[str, str | None], limit: int | None) -> list[dict[str, Any]]:
        """A list followed through its ``next`` cursors, to its end or ``limit`` items."""
        items: list[dict[str, Any]] = []
        query = {k: v for k, v in params.items() if v is not None}  # aiohttp refuses None values
        while limit is None or len(items) < limit:
            want = PAGE if limit is None else min(PAGE, limit - len(items))
            page = await self._call("GET", path, params={**query, "limit": str(want)})
            items += page["data"]
            if page["next"] is None:
                break
            query["cursor"] = page["next"]
        return items

    async def webhook(self, webhook_id: str) -> dict[str, Any]:
        """One webhook: ``id``, ``url``, ``events``, ``status`` (``enabled`` or ``disabled``),
        ``disabled_reason``, ``warnings``, ``faults``, ``created_at``, ``updated_at``.

        Example::

            assert salesplay.webhook(hook["id"])["status"] == "enabled"
        """
        result: dict[str, Any] = await self._call("GET", f"/v1.0/webhook/{webhook_id}")
        return result

    async def webhooks(self) -> list[dict[str, Any]]:
        """This token's webhooks, oldest first.

        Example::

            assert [h["url"] for h in salesplay.webhooks()] == [receiver_url]
        """
        data: list[dict[str, Any]] = (await self._call("GET", "/v1.0/webhook"))["data"]
        return data

    async def events(self, *, type: str | None = None, kind: str | None = None,
                     limit: int | None = None) -> list[dict[str, Any]]:
        """Every event the shop sent (or ``limit`` of them), newest first: ``id``, ``type``,
        ``kind`` (``event``, or ``sample``: a sample POST's payload), ``created_at`` (with
        milliseconds), ``group_id`` (shared by the events of one sale), ``payload``. Pages
        are followed for you.

        Example::

            [receipt] = salesplay.events(type="receipts.update", kind="event")
            assert receipt["payload"]["receipts"][0]["status"] == "completed"
        """
        return await self._every_page("/_mock/events", {"type": type, "kind": kind}, limit)

    async def deliveries(self, *, webhook_id: str | None = None, status: str | None = None,
                         event_type: str | None = None, kind: str | None = None, event_id: str | None = None,
                         limit: int | None = None) -> list[dict[str, Any]]:
        """Every delivery (or ``limit`` of them), newest first, narrowed by the filters given:
        ``status`` pending, succeeded, failed, cancelled or skipped; ``kind`` event, sample,
        redelivery or duplicate. Each has ``id``, ``event_id``, ``webhook_id``, ``kind``,
        ``status``, ``attempt_count``, ``last_status``, ``last_error``, ``next_attempt_at``...
        (docs/api.md lists them all). Pages are followed for you.

        Example::

            copies = salesplay.deliveries(kind="duplicate", status="succeeded")
            assert len(copies) == 1
        """
        params = {"webhook_id": webhook_id, "status": status, "event_type": event_type, "kind": kind,
                  "event_id": event_id}
        return await self._every_page("/_mock/deliveries", params, limit)

    async def stats(self) -> dict[str, Any]:
        """How many events and deliveries this token has, as ``GET /_mock/stats`` counts them:
        ``events`` (``total``, ``by_kind``) and ``deliveries`` (``total``, ``by_status``,
        ``by_kind``), each with the same counts ``by_type``. Every key is there, 0 when none.

        Example::

            stats = salesplay.stats()
            assert stats["deliveries"]["by_status"]["failed"] == 0
            assert stats["events"]["by_type"]["receipts.update"]["by_kind"]["event"] == 3
        """
        result: dict[str, Any] = await self._call("GET", "/_mock/stats")
        return result

    async def delivery(self, delivery_id: str) -> dict[str, Any]:
        """A delivery with its ``event`` and every one of its ``attempts`` (each with
        ``number``, ``state``, ``response_status``, ``error_kind``, ``error_message``,
        ``started_at``, ``duration_ms``, request and response headers and bodies).

        Example::

            attempts = salesplay.delivery(delivery_id)["attempts"]
            assert [a["response_status"] for a in attempts] == [500, 500, 200]
        """
        result: dict[str, Any] = await self._call("GET", f"/_mock/deliveries/{delivery_id}")
        return result

    async def get(self, path: str, **params: Any) -> Any:
        """GET from SalesPlay's REST API, as a receiver's integration code would: the answer's
        JSON (a list's page is ``{"data": [...], "next": ...}``). ``path`` is relative to
        ``api_url``, or from the server's root when it starts with /v1.0/ or /_mock/. A 4xx
        or 5xx raises ``MockError`` with ``status``, ``body`` and ``headers``.

        Example::

            product = salesplay.get(f"/products/{level['product_id']}")
            assert product["product_code"] == level["product_code"]
            completed = salesplay.get("/receipts", status="completed", created_at_min="2025-06-30")["data"]
        """
        relative = path if path.startswith(("/v1.0/", "/_mock/")) else "/v1.0/" + path.lstrip("/")
        query = {k: ("true" if v is True else "false" if v is False else str(v)) for k, v in params.items()}
        return await self._call("GET", relative, params=query)

    async def now(self) -> float:
        """The mock's simulated time (this token's, on the manual clock), in epoch seconds.

        Example::

            before = salesplay.now()
            salesplay.advance("90s")
            assert salesplay.now() == before + 90
        """
        seconds: float = (await self._call("GET", "/_mock/clock"))["now_epoch"]
        return seconds

    async def operations(self) -> list[dict[str, Any]]:
        """The shop's operations, as ``GET /_mock/operations`` lists them: each one's ``params``
        (name, type, description, what the shop does without it), the events it ``emits`` and
        when, and what it ``returns`` in ``made``.

        Example::

            sale = next(op for op in salesplay.operations() if op["name"] == "sale")
            assert "lines" in [p["name"] for p in sale["params"]]
        """
        data: list[dict[str, Any]] = (await self._call("GET", "/_mock/operations"))["data"]
        return data

    async def schema(self, type: str, variant: str = "strict") -> dict[str, Any]:
        """The JSON Schema (2020-12) of event ``type``, as ``GET /_mock/schemas/{type}`` serves
        it (files in the package: ``mockserver/schemas/``): ``variant="strict"``, exactly what
        the mock sends; ``"receiver"``, what a receiver may rely on (unknown fields allowed).

        Example::

            schema = salesplay.schema("receipts.update")
            assert "receipts" in schema["required"]
        """
        key = f"{type}/{variant}"
        if key not in self._schemas:
            self._schemas[key] = await self._call("GET", f"/_mock/schemas/{type}", params={"variant": variant})
        return self._schemas[key]

    async def validate(self, payload: dict[str, Any], type: str | None = None,
                       variant: str = "strict") -> dict[str, Any]:
        """Check ``payload`` against the JSON Schema of its event type (``payload["type"]``,
        or ``type``): ``variant="strict"`` (no field more than the mock sends) or
        ``"receiver"`` (what your receiver may rely on). An AssertionError lists every field
        that breaks it. Returns the payload. Needs jsonschema (``pip install jsonschema``).

        Example::

            [receipt, stock] = salesplay.sell()
            salesplay.validate(receipt["payload"])       # or what your receiver kept of it
        """
        from mockserver.testing.validation import problems

        name = type or payload.get("type")
        if not isinstance(name, str):
            raise AssertionError("the payload has no 'type'; pass the event type: validate(payload, type=...)")
        found = problems(await self.schema(name, variant), payload)
        if found:  # raised, not asserted: pytest's rewriting of asserts would append its own text
            raise AssertionError(f"the payload is not a valid {name}:\n  " + "\n  ".join(found))
        return payload
