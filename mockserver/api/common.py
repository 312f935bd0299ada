"""What every API handler needs: the caller's merchant, a checked JSON body and query, and
a way to send a large answer in parts."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web

from mockserver.api.bodies import read_body
from mockserver.api.errors import ApiError, Unauthorized, UnsupportedMediaType
from mockserver.domain import plain_json
from mockserver.domain.errors import InvalidField
from mockserver.domain.tokens import accepted, owner_of_token, well_formed
from mockserver.server import keys


def bearer_token(request: web.Request) -> str:
    header = request.headers.get("Authorization")
    if header is None:
        raise Unauthorized(
            "missing Authorization header; send 'Authorization: Bearer <access token>'",
            field="Authorization",
        )
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized(
            "malformed Authorization header; it must be 'Bearer <access token>'",
            field="Authorization",
        )
    if not well_formed(token):
        raise Unauthorized(
            "the access token must be printable ASCII characters without spaces", field="Authorization",
            code="invalid_token",
        )
    if not accepted(token, request.app[keys.config].tokens):
        raise Unauthorized(
            "this access token is not accepted by this server (see its --token list)",
            field="Authorization",
            code="invalid_token",
        )
    return token


def owner(request: web.Request) -> str:
    return owner_of_token(bearer_token(request))


def optional_owner(request: web.Request) -> str | None:
    """The caller's merchant where a token is optional: none sent, none named."""
    return None if "Authorization" not in request.headers else owner(request)


async def json_object(request: web.Request, *, required: bool = True) -> dict[str, Any]:
    """Read the body as a JSON object, or raise a 4xx that says what is wrong."""
    content_type = request.headers.get("Content-Type")
    if content_type is not None and request.content_type != "application/json":
        raise UnsupportedMediaType(
            f"Content-Type is {request.content_type!r}; send 'Content-Type: application/json'",
            field="Content-Type",
        )
    raw = await read_body(request, request.app[keys.config].max_body_bytes)
    if not raw.strip():
        if required:
            raise ApiError("the request body is empty; send a JSON object", field="body", code="invalid_json")
        return {}
    body = parse_json(raw)
    if not isinstance(body, dict):
        raise ApiError(
            f"the request body must be a JSON object, not {type(body).__name__}",
            field="body",
            code="invalid_json",
        )
    return body


def parse_json(raw: bytes) -> Any:
    """A JSON body, or a 4xx that says what is wrong with it: malformed (400), or NaN and
    Infinity, which Python reads and writes back but no other JSON reader takes (422)."""
    try:
        return plain_json.loads(raw)
    except plain_json.NotPlainJson as exc:
        kind = InvalidField if exc.semantic else ApiError
        raise kind(f"the request body {exc}", field="body", code="invalid_json") from None


def int_param(request: web.Request, name: str, default: int, lo: int, hi: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidField(f"'{name}' must be an integer", field=name) from None
    if not lo <= value <= hi:
        raise InvalidField(f"'{name}' must be between {lo} and {hi}", field=name)
    return value


async def json_stream(
    request: web.Request, key: str, parts: AsyncIterator[list[dict[str, Any]]], *, status: int = 200,
    head: dict[str, Any] | None = None,
) -> web.StreamResponse:
    """A large answer, ``{**head, key: [...]}``, written part by part: the loop serves other
    requests between parts instead of encoding megabytes in one go."""
    response = web.StreamResponse(status=status, headers={"Content-Type": "application/json; charset=utf-8"})
    await response.prepare(request)
    separator = b""
    await response.write(b"{" + b"".join(json.dumps(k).encode() + b": " + json.dumps(v).encode() + b", "
                                          for k, v in (head or {}).items()) + b'"' + key.encode() + b'": [')
    async for part in parts:
        if part:
            await response.write(separator + ", ".join(json.dumps(item) for item in part).encode())
            separator = b", "
        await asyncio.sleep(0)
    await response.write(b"]}")
    await response.write_eof()
    return response
