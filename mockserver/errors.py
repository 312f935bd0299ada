"""Domain errors, and the one middleware that turns them into JSON 4xx answers."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

log = logging.getLogger("salesplay_mock")


class ApiError(Exception):
    """An answer to bad input: ``{"error": {"code", "message", "field"}}``."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code

    def to_json(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "field": self.field}}


class InvalidField(ApiError):
    status = 422
    code = "invalid_field"


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"


class RecordNotFound(ApiError):
    status = 404
    code = "not_found"


class Conflict(ApiError):
    status = 409
    code = "conflict"


class PayloadTooLarge(ApiError):
    status = 413
    code = "body_too_large"


class UnsupportedMediaType(ApiError):
    status = 415
    code = "unsupported_media_type"


class ClockNotManual(ApiError):
    code = "clock_not_manual"

    def __init__(self, mode: str) -> None:
        super().__init__(f"the clock is {mode}; only a manual clock (--clock manual) can be moved", field="clock")


def error_response(err: ApiError) -> web.Response:
    headers = {"WWW-Authenticate": 'Bearer realm="salesplay-mock"'} if err.status == 401 else None
    return web.json_response(err.to_json(), status=err.status, headers=headers)


def _wants_json(request: web.Request) -> bool:
    path = request.path
    return not (path == "/" or path.startswith("/ui") or path == "/webhooks_setup")


@web.middleware
async def error_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        response: web.StreamResponse = await handler(request)
        return response
    except ApiError as err:
        return error_response(err)
    except web.HTTPRequestEntityTooLarge as exc:
        return error_response(
            PayloadTooLarge(
                f"the request body is too large ({exc.text}); send less",
                field="body",
            )
        )
    except web.HTTPException as exc:
        if exc.status < 400 or not _wants_json(request):
            raise
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status, "http_error")
        message = {
            404: f"no such path {request.path}; see /openapi.json for the routes",
            405: f"{request.method} is not allowed on {request.path}",
        }.get(exc.status, exc.reason)
        return web.json_response(
            {"error": {"code": code, "message": message, "field": None}},
            status=exc.status,
            headers={k: v for k, v in exc.headers.items() if k == "Allow"},
        )
    except Exception:  # the server answers; a bug is logged, never a crash
        log.exception("unhandled error in %s %s", request.method, request.path)
        return web.json_response(
            {"error": {"code": "internal", "message": "internal error; see the server log", "field": None}},
            status=500,
        )
