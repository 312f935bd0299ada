"""Receivers written for the check's tests: one that does everything right, and one for each
way receivers get their webhook disabled. Each records what it was sent."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from mockserver.domain.vocabulary import EVENT_TYPES
from mockserver.shop.schemas import load_schema

Handler = Callable[[web.Request, bytes], Awaitable[web.StreamResponse]]


class Recorded:
    """What a receiver was sent: each request's headers and body."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []

    def types(self) -> set[str]:
        return {json.loads(body)["type"] for _, body in self.requests}


def app(handler: Handler, *, client_max_size: int = 4 * 1024 * 1024) -> tuple[web.Application, Recorded]:
    """An app answering POST /hook with ``handler``, recording every request."""
    recorded = Recorded()

    async def receive(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        recorded.requests.append((dict(request.headers), body))
        return await handler(request, body)

    application = web.Application(client_max_size=client_max_size)
    application.router.add_post("/hook", receive)
    return application, recorded


async def good(request: web.Request, body: bytes) -> web.StreamResponse:
    """Parses the event, stores it (idempotently, in spirit), answers 200 at once."""
    event = json.loads(body)
    assert event["type"] in EVENT_TYPES
    return web.json_response({"ok": True})


def conflict_on_duplicates() -> Handler:
    """Answers 409 to an event it has seen before."""
    seen: set[str] = set()

    async def handle(request: web.Request, body: bytes) -> web.StreamResponse:
        digest = hashlib.sha256(body).hexdigest()
        if digest in seen:
            return web.json_response({"error": "duplicate event"}, status=409)
        seen.add(digest)
        return web.json_response({"ok": True})

    return handle


def redirects(location: str) -> Handler:
    """Moved: answers 302 to wherever it says."""

    async def handle(request: web.Request, body: bytes) -> web.StreamResponse:
        return web.Response(status=302, headers={"Location": location})

    return handle


def slow_under_burst() -> Handler:
    """Quick alone, but every request in flight slows the others by 40 ms (one database
    connection for everything): 50 at once take up to 2 s."""
    in_flight = 0

    async def handle(request: web.Request, body: bytes) -> web.StreamResponse:
        nonlocal in_flight
        in_flight += 1
        try:
            await asyncio.sleep(0.04 * (in_flight - 1))
        finally:
            in_flight -= 1
        return web.json_response({"ok": True})

    return handle


def _known_fields(node: Any) -> set[str]:
    """Every property name the shipped JSON Schemas define, at any depth."""
    if isinstance(node, dict):
        names = set(node.get("properties", {}))
        return names.union(*(_known_fields(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_known_fields(v) for v in node))
    return set()


KNOWN = set().union(*(_known_fields(load_schema(t)) for t in EVENT_TYPES))


def _fields(node: Any) -> set[str]:
    if isinstance(node, dict):
        return set(node).union(*(_fields(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_fields(v) for v in node))
    return set()


async def rejects_unknown_fields(request: web.Request, body: bytes) -> web.StreamResponse:
    """Validates strictly: a field outside the documented schema is a 400."""
    unknown = sorted(_fields(json.loads(body)) - KNOWN)
    if unknown:
        return web.json_response({"error": f"unknown field(s): {', '.join(unknown)}"}, status=400)
    return web.json_response({"ok": True})


def crashes_on_reorder() -> Handler:
    """Looks up a credit note's receipt and crashes (500) when it has not arrived yet."""
    receipts: dict[str, Any] = {}

    async def handle(request: web.Request, body: bytes) -> web.StreamResponse:
        event = json.loads(body)
        for receipt in event.get("receipts", []):
            receipts[receipt["receipt_id"]] = receipt
        for note in event.get("credit_notes", []):
            if note["receipt_id"] not in receipts:
                return web.Response(status=500, text=f"KeyError: {note['receipt_id']!r}")
        return web.json_response({"ok": True})

    return handle


def answers_with(status: int, text: str) -> Handler:
    async def handle(request: web.Request, body: bytes) -> web.StreamResponse:
        return web.Response(status=status, text=text)

    return handle


def validates_with(variant: str) -> Handler:
    """Validates every event with the mock's own JSON Schema (``strict`` or ``receiver``);
    an invalid one is a 400 naming the first problem."""
    import jsonschema

    validators = {t: jsonschema.Draft202012Validator(load_schema(t, variant)) for t in EVENT_TYPES}

    async def handle(request: web.Request, body: bytes) -> web.StreamResponse:
        event = json.loads(body)
        problem = next(validators[event["type"]].iter_errors(event), None)
        if problem is not None:
            return web.json_response({"error": problem.message}, status=400)
        return web.json_response({"ok": True})

    return handle


async def in_maintenance(request: web.Request, body: bytes) -> web.StreamResponse:
    """Down for maintenance on purpose: 503 with Retry-After to everything."""
    return web.json_response({"error": "down for maintenance"}, status=503, headers={"Retry-After": "600"})
