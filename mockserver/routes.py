"""Every route, in one flat table. Handlers are named, not imported: each module loads at
its first request, so the server answers /healthz without loading what it does not need."""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from mockserver.api import health
from mockserver.static_files import static_file

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# SalesPlay's REST API resources (mockserver.resources has their rules; the paths are here
# so the route table needs none of it).
RESOURCE_NAMES = ("categories", "subcategories", "measurements", "taxes", "customers", "suppliers", "products",
                  "receipts", "orders", "shops", "payment_types", "grns", "inventory")


def L(target: str, *args: Any) -> Handler:  # noqa: N802 - reads as a table entry
    """The handler ``module:function`` (or what ``function(*args)`` makes), loaded on first use."""
    module_name, _, name = target.partition(":")
    loaded: list[Handler] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        if not loaded:
            found = getattr(importlib.import_module(module_name), name)
            loaded.append(found(*args) if args else found)
        return await loaded[0](request)

    handler.__name__ = name
    return handler


def setup_routes(app: web.Application) -> None:
    app.router.add_routes([
        web.get("/healthz", health.healthz),
        web.get("/openapi.json", L("mockserver.api.meta:openapi")),
        web.get("/_mock/postman.json", L("mockserver.api.meta:postman")),
        web.post("/v1.0/webhook", L("mockserver.api.webhooks:create_webhook")),
        web.get("/v1.0/webhook", L("mockserver.api.webhooks:list_webhooks")),
        web.get("/v1.0/webhook/{id}", L("mockserver.api.webhooks:get_webhook")),
        web.put("/v1.0/webhook/{id}", L("mockserver.api.webhooks:update_webhook")),
        web.delete("/v1.0/webhook/{id}", L("mockserver.api.webhooks:delete_webhook")),
        # SalesPlay's REST API, read side: a list and a record by id of each resource.
        *(web.get(f"/v1.0/{name}", L("mockserver.api.rest:lister", name)) for name in RESOURCE_NAMES),
        *(web.get(f"/v1.0/{name}/{{id}}", L("mockserver.api.rest:getter", name)) for name in RESOURCE_NAMES),
        web.get("/_mock/api-faults", L("mockserver.api.api_faults:get_api_faults")),
        web.put("/_mock/api-faults", L("mockserver.api.api_faults:put_api_faults")),
        web.get("/_mock/webhooks/{id}/faults", L("mockserver.api.faults:get_faults")),
        web.put("/_mock/webhooks/{id}/faults", L("mockserver.api.faults:put_faults")),
        web.get("/_mock/clock", L("mockserver.api.control:clock_state")),
        web.post("/_mock/clock/advance", L("mockserver.api.control:clock_advance")),
        web.get("/_mock/schedule", L("mockserver.api.control:retry_schedule")),
        web.post("/_mock/events", L("mockserver.api.control:trigger")),
        web.get("/_mock/events", L("mockserver.api.control:list_events")),
        web.get("/_mock/deliveries", L("mockserver.api.control:list_deliveries")),
        web.get("/_mock/deliveries/{id}", L("mockserver.api.control:get_delivery")),
        web.post("/_mock/deliveries/{id}/redeliver", L("mockserver.api.control:redeliver")),
        web.post("/_mock/webhooks/{id}/redeliver-skipped", L("mockserver.api.control:redeliver_skipped")),
        web.post("/_mock/reset", L("mockserver.api.control:reset")),
        web.get("/_mock/schemas/{type}", L("mockserver.api.control:schema")),
        web.get("/_mock/payloads/{type}", L("mockserver.api.control:payloads")),
        web.post("/_mock/sink/{name}", L("mockserver.api.sink:receive")),
        web.put("/_mock/sink/{name}", L("mockserver.api.sink:receive")),
        web.get("/_mock/sink/{name}", L("mockserver.api.sink:show")),
        web.delete("/_mock/sink/{name}", L("mockserver.api.sink:clear")),
        # The web page.
        web.get("/", L("mockserver.ui.pages:home")),
        web.get("/webhooks_setup", L("mockserver.ui.pages:setup_screen")),
        web.get("/ui/live/home", L("mockserver.ui.pages:home_live")),
        web.get("/ui/deliveries/{id}", L("mockserver.ui.delivery_pages:delivery_page")),
        web.get("/ui/live/deliveries/{id}", L("mockserver.ui.delivery_pages:delivery_live")),
        web.get("/ui/deliveries/{id}/attempts/{number}", L("mockserver.ui.delivery_pages:attempt_page")),
        web.get("/ui/deliveries/{id}/har", L("mockserver.ui.delivery_pages:delivery_har")),
        web.get("/ui/events", L("mockserver.ui.event_pages:events_page")),
        web.get("/ui/live/events", L("mockserver.ui.event_pages:events_live")),
        web.get("/ui/events/{id}", L("mockserver.ui.event_pages:event_page")),
        web.get("/ui/live/events/{id}", L("mockserver.ui.event_pages:event_live")),
        web.get("/ui/stream", L("mockserver.ui.pages:stream")),
        web.post("/ui/login", L("mockserver.ui.actions:login")),
        web.post("/ui/logout", L("mockserver.ui.actions:logout")),
        web.post("/ui/webhooks", L("mockserver.ui.actions:create_webhook")),
        web.post("/ui/webhooks/{id}/status", L("mockserver.ui.actions:set_status")),
        web.post("/ui/webhooks/{id}/delete", L("mockserver.ui.actions:delete_webhook")),
        web.post("/ui/webhooks/{id}/redeliver-skipped", L("mockserver.ui.actions:redeliver_skipped")),
        web.get("/ui/webhooks/{id}/faults", L("mockserver.ui.pages:faults_page")),
        web.post("/ui/webhooks/{id}/faults", L("mockserver.ui.actions:set_faults")),
        web.get("/ui/api-faults", L("mockserver.ui.pages:api_faults_page")),
        web.post("/ui/api-faults", L("mockserver.ui.actions:set_api_faults")),
        web.post("/ui/events", L("mockserver.ui.actions:trigger")),
        web.post("/ui/deliveries/{id}/redeliver", L("mockserver.ui.actions:redeliver")),
        web.post("/ui/clock/advance", L("mockserver.ui.actions:advance")),
        web.post("/ui/reset", L("mockserver.ui.actions:reset")),
        web.get("/favicon.ico", L("mockserver.ui.pages:favicon")),
        web.get("/ui/check", L("mockserver.ui.pages:check_page")),
        web.post("/ui/check", L("mockserver.ui.actions:check")),
        web.get("/static/{name}", static_file),
    ])
