"""The shop does what a test says: a trigger (``POST /_mock/events``), a scenario of steps
(``POST /_mock/scenarios``), and the catalogue of operations (``GET /_mock/operations``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web

from mockserver.api.common import json_object, json_stream, owner
from mockserver.domain.errors import InvalidField
from mockserver.domain.models import Event, iso
from mockserver.domain.scenario import parse_scenario, parse_trigger
from mockserver.server import keys
from mockserver.service import Service
from mockserver.service.scenarios import StepResult
from mockserver.spec.operation_docs import catalogue_json

ANSWER_CHUNK = 25  # events encoded before the loop serves others


def _with_deliveries(service: Service, events: list[Event]) -> list[dict[str, Any]]:
    sent = service.reads.deliveries_of(events)
    return [{**e.to_json(), "deliveries": [d.to_json() for d in sent[e.id]]} for e in events]


async def trigger(request: web.Request) -> web.StreamResponse:
    """Make the shop act (by event type, or a named operation with its parameters), or send
    a payload as given; the records made, and the events with their deliveries."""
    who = owner(request)
    act = parse_trigger(await json_object(request))
    service = keys.service_of(request.app)
    done = await service.events.act(who, act)

    async def parts() -> AsyncIterator[list[dict[str, Any]]]:
        for start in range(0, len(done.events), ANSWER_CHUNK):
            yield _with_deliveries(service, done.events[start:start + ANSWER_CHUNK])

    return await json_stream(request, "events", parts(), status=201, head={"made": done.made})


def step_json(service: Service, result: StepResult) -> dict[str, Any]:
    out: dict[str, Any] = {"index": result.index, "name": result.name}
    if result.advanced is not None:
        out.update(advanced=result.advanced, attempts_made=result.attempts_made, now=iso(result.now))
    if result.made or result.events:
        out.update(made=result.made, events=_with_deliveries(service, result.events))
    return out


async def scenario(request: web.Request) -> web.Response:
    """Run a scenario's steps in order, all or nothing; what each step did."""
    who = owner(request)
    steps = parse_scenario(await json_object(request))
    service = keys.service_of(request.app)
    results = await service.events.scenario(who, steps)
    return web.json_response({"steps": [step_json(service, r) for r in results]}, status=201)


async def operations(request: web.Request) -> web.Response:
    """Every operation of the shop: its parameters, the events it sends and when, what it returns."""
    for name in request.query:
        raise InvalidField(f"unknown parameter {name!r}; /_mock/operations takes none", field=name)
    return web.json_response({"data": catalogue_json()})
