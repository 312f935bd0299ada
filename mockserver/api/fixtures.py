"""``GET /_mock/fixtures/{type}``: the committed fixture payloads of an event type, as shipped."""

from __future__ import annotations

from aiohttp import web

from mockserver.domain.webhook_rules import check_event_type
from mockserver.shop.fixture_set import fixtures, manifest


async def get_fixtures(request: web.Request) -> web.Response:
    """The same files ``salesplay-mock fixtures --out DIR`` writes, with how they were made."""
    type_ = check_event_type(request.match_info["type"], field="type")
    made = manifest()
    return web.json_response({"type": type_, "seed": made["seed"], "locale": made["locale"],
                              "faker": made["faker"], "data": list(fixtures(type_))})
