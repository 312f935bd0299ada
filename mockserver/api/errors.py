"""Errors as the API answers them: the one middleware that turns domain errors (and
aiohttp's own) into ``{"error": {"code", "message", "field"}}`` with a 4xx status; a
browser that asks for a page that does not exist gets a page saying so."""

from __future__ import annotations

import html
import logging
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError

from mockserver.domain.errors import (
    ClockNotManual,
    Conflict,
    DomainError,
    InjectedError,
    InvalidField,
    NotFound,
    RateLimited,
)
from mockserver.rest.resources import RESOURCES
from mockserver.server import keys

log = logging.getLogger("salesplay_mock")


class ApiError(DomainError):
    """An error only the HTTP side knows: a token, a body, a media type."""

    status = 400


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"


class Forbidden(ApiError):
    status = 403
    code = "forbidden"


class PayloadTooLarge(ApiError):
    status = 413
    code = "body_too_large"


class BodyTimeout(ApiError):
    status = 408
    code = "body_timeout"


class UnsupportedMediaType(ApiError):
    status = 415
    code = "unsupported_media_type"


STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (InvalidField, 422), (NotFound, 404), (Conflict, 409), (ClockNotManual, 400), (RateLimited, 429),
)

# Advice that depends on being an API client: where to look, what to call, what to run.
ADVICE = {
    "list_webhooks": "GET /v1.0/webhook lists yours",
    "reenable_webhook": 'with PUT /v1.0/webhook/{id} {"status": "enabled"}',
    "manual_clock": "start the server with --clock manual to move time",
    "verify_strict": "or run the server without --verify strict",
    "strict": "or run the server without --strict",
    "public_urls_only": "drop --public-urls-only to allow it",
}


def status_of(err: DomainError) -> int:
    if isinstance(err, (ApiError, InjectedError)):
        return err.status
    return next((status for kind, status in STATUS if isinstance(err, kind)), 400)


def error_body(err: DomainError) -> dict[str, Any]:
    message = err.message
    if err.hint in ADVICE:
        message += f"; {ADVICE[err.hint]}"
    return {"error": {"code": err.code, "message": message, "field": err.field}}


def error_response(err: DomainError) -> web.Response:
    status = status_of(err)
    headers = {"WWW-Authenticate": 'Bearer realm="salesplay-mock"'} if status == 401 else {}
    if isinstance(err, RateLimited):
        headers = {"Retry-After": str(err.retry_after), "X-RateLimit-Limit": str(err.limit),
                   "X-RateLimit-Remaining": "0"}
    return web.json_response(error_body(err), status=status, headers=headers)


def _wants_json(request: web.Request) -> bool:
    path = request.path
    return not (path == "/" or path.startswith("/ui") or path == "/webhooks_setup")


def _browsing(request: web.Request) -> bool:
    """A browser asking for a page (not a client of the API): a 404 is a page too."""
    path = request.path
    return (request.method in ("GET", "HEAD") and "text/html" in request.headers.get("Accept", "")
            and not path.startswith(("/v1.0", "/_mock")))


_NOT_FOUND_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Not found · salesplay-mock</title><link rel="stylesheet" href="/static/app.css"></head>
<body><main><section class="card narrow"><h1>Not found</h1>
<p>Nothing is at <code>{path}</code> on this server.</p>
<p><a href="/">Back to your deliveries</a> · <a href="/openapi.json">the routes of the API</a></p>
</section></main></body>
</html>
"""


def _resources_hint(path: str) -> str:
    if not path.startswith("/v1.0/") or path.count("/") > 3:
        return ""
    return "; the REST API's resources are /v1.0/" + ", /v1.0/".join(RESOURCES) + " (and /v1.0/webhook)"


def _client_gone(request: web.Request) -> bool:
    """The connection to the client is closed or closing."""
    transport = request.transport
    return transport is None or transport.is_closing()


@web.middleware
async def error_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        response: web.StreamResponse = await handler(request)
        return response
    except DomainError as err:
        return error_response(err)
    except (RequestPayloadError, HttpProcessingError) as exc:  # the body broke in transit (chunking, say)
        return error_response(ApiError(f"the request body could not be read: {_first_line(exc)}", field="body",
                                       code="bad_body"))
    except web.HTTPRequestEntityTooLarge:
        limit = request.app[keys.config].max_body_bytes  # aiohttp's own text names its internals
        return error_response(PayloadTooLarge(
            f"the request body is over the {limit // 1024} KiB this server accepts; send a smaller one",
            field="body"))
    except web.HTTPException as exc:
        if exc.status == 404 and _browsing(request):  # /ui/nope too, not aiohttp's plain text
            return web.Response(text=_NOT_FOUND_PAGE.format(path=html.escape(request.path)), status=404,
                                content_type="text/html")
        if exc.status < 400 or not _wants_json(request):
            raise
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status, "http_error")
        message = {
            404: f"no such path {request.path}; see /openapi.json for the routes" + _resources_hint(request.path),
            405: f"{request.method} is not allowed on {request.path}",
        }.get(exc.status, exc.reason)
        return web.json_response(
            {"error": {"code": code, "message": message, "field": None}},
            status=exc.status,
            headers={k: v for k, v in exc.headers.items() if k == "Allow"},
        )
    except Exception as exc:  # the server answers; a bug is logged, never a crash
        if isinstance(exc, ConnectionResetError) and _client_gone(request):
            # The client hung up (a page left, a test's client closed) while its answer was
            # written: no bug, and no one to answer. This response is never sent: aiohttp
            # finds the connection closed and only logs the access (as a 499).
            log.debug("%s %s: the client left before its answer was complete (%s)", request.method,
                      request.path, exc)
            return web.Response(status=499, reason="Client Closed Request")
        log.exception("unhandled error in %s %s", request.method, request.path)
        return web.json_response(
            {"error": {"code": "internal", "message": "internal error; see the server log", "field": None}},
            status=500,
        )


def _first_line(exc: BaseException) -> str:
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return str(text).strip().splitlines()[0][:200] if str(text).strip() else type(exc).__name__


class _OneLine(logging.Filter):
    """aiohttp logs each request it cannot parse (a URL over 8 KiB, a control character in
    a header) with a traceback: under a flood of them, one line each says as much."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, HttpProcessingError):
            record.msg, record.args = "%s: not valid HTTP, answered %s (%s)", (
                record.getMessage(), exc.code, _first_line(exc))
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


_ONE_LINE = _OneLine()


def quiet_bad_requests() -> None:
    """Requests that are not HTTP are logged in one line, not with a traceback."""
    server_log = logging.getLogger("aiohttp.server")
    if _ONE_LINE not in server_log.filters:
        server_log.addFilter(_ONE_LINE)
