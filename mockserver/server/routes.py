"""Every route, in one flat table, each to the handler it names."""

from __future__ import annotations

from aiohttp import web

from mockserver.api import acts, api_faults, control, faults, fixtures, health, meta, rest, sink, webhooks
from mockserver.rest.resources import RESOURCES
from mockserver.ui import actions, delivery_pages, event_pages, pages
from mockserver.ui.static_files import static_file


def setup_routes(app: web.Application) -> None:
    app.router.add_routes([
        web.get("/healthz", health.healthz),
        web.get("/openapi.json", meta.openapi),
        web.get("/_mock/postman.json", meta.postman),
        web.post("/v1.0/webhook", webhooks.create_webhook),
        web.get("/v1.0/webhook", webhooks.list_webhooks),
        web.get("/v1.0/webhook/{id}", webhooks.get_webhook),
        web.put("/v1.0/webhook/{id}", webhooks.update_webhook),
        web.delete("/v1.0/webhook/{id}", webhooks.delete_webhook),
        # SalesPlay's REST API, read side: a list and a record by id of each resource.
        *(web.get(f"/v1.0/{name}", rest.lister(name)) for name in RESOURCES),
        *(web.get(f"/v1.0/{name}/{{id}}", rest.getter(name)) for name in RESOURCES),
        web.get("/_mock/api-faults", api_faults.get_api_faults),
        web.put("/_mock/api-faults", api_faults.put_api_faults),
        web.get("/_mock/webhooks/{id}/faults", faults.get_faults),
        web.put("/_mock/webhooks/{id}/faults", faults.put_faults),
        web.get("/_mock/clock", control.clock_state),
        web.post("/_mock/clock/advance", control.clock_advance),
        web.get("/_mock/schedule", control.retry_schedule),
        web.post("/_mock/events", acts.trigger),
        web.post("/_mock/scenarios", acts.scenario),
        web.get("/_mock/operations", acts.operations),
        web.get("/_mock/events", control.list_events),
        web.get("/_mock/deliveries", control.list_deliveries),
        web.get("/_mock/stats", control.stats),
        web.get("/_mock/deliveries/{id}", control.get_delivery),
        web.post("/_mock/deliveries/{id}/redeliver", control.redeliver),
        web.post("/_mock/webhooks/{id}/redeliver-skipped", control.redeliver_skipped),
        web.post("/_mock/reset", control.reset),
        web.get("/_mock/schemas/{type}", control.schema),
        web.get("/_mock/payloads/{type}", control.payloads),
        web.get("/_mock/fixtures/{type}", fixtures.get_fixtures),
        web.post("/_mock/sink/{name}", sink.receive),
        web.put("/_mock/sink/{name}", sink.receive),
        web.get("/_mock/sink/{name}", sink.show),
        web.delete("/_mock/sink/{name}", sink.clear),
        # The web page.
        web.get("/", pages.home),
        web.get("/webhooks_setup", pages.setup_screen),
        web.get("/ui/live/home", pages.home_live),
        web.get("/ui/deliveries/{id}", delivery_pages.delivery_page),
        web.get("/ui/live/deliveries/{id}", delivery_pages.delivery_live),
        web.get("/ui/deliveries/{id}/attempts/{number}", delivery_pages.attempt_page),
        web.get("/ui/deliveries/{id}/har", delivery_pages.delivery_har),
        web.get("/ui/events", event_pages.events_page),
        web.get("/ui/live/events", event_pages.events_live),
        web.get("/ui/events/{id}", event_pages.event_page),
        web.get("/ui/live/events/{id}", event_pages.event_live),
        web.get("/ui/stream", pages.stream),
        web.post("/ui/login", actions.login),
        web.post("/ui/logout", actions.logout),
        web.post("/ui/browser", actions.browser_check),
        web.post("/ui/webhooks", actions.create_webhook),
        web.post("/ui/webhooks/{id}/status", actions.set_status),
        web.post("/ui/webhooks/{id}/delete", actions.delete_webhook),
        web.post("/ui/webhooks/{id}/redeliver-skipped", actions.redeliver_skipped),
        web.get("/ui/webhooks/{id}/faults", pages.faults_page),
        web.post("/ui/webhooks/{id}/faults", actions.set_faults),
        web.get("/ui/api-faults", pages.api_faults_page),
        web.post("/ui/api-faults", actions.set_api_faults),
        web.post("/ui/events", actions.trigger),
        web.post("/ui/deliveries/{id}/redeliver", actions.redeliver),
        web.post("/ui/clock/advance", actions.advance),
        web.post("/ui/reset", actions.reset),
        web.get("/favicon.ico", pages.favicon),
        web.get("/ui/check", pages.check_page),
        web.post("/ui/check", actions.check),
        web.get("/static/{name}", static_file),
    ])
