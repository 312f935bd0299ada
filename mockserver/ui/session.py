"""Who the page is for, and CSRF protection: a session cookie signed by the server, and a
CSRF token derived from it.

The session cookie (HttpOnly, SameSite=Strict) carries the signed-in token, or, before
sign-in, a random visitor id, each with an HMAC of the server's secret: a cookie the
server did not set (planted by a page on another localhost port, say) is worthless.
Every form carries ``HMAC(secret, "csrf" + session)``, which no other site can compute.
With ``--ui-token`` the page starts signed in as that token; signing out is remembered in
the session, so it signs out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from mockserver import keys
from mockserver.tokens import accepted, owner_of_token

SESSION_COOKIE = "spm_session"


@dataclass(frozen=True)
class Session:
    value: str  # as signed into the cookie; the CSRF token derives from it
    token: str | None  # signed in as this token; None: not signed in
    fresh: bool  # made for this request: the response sets the cookie


def _sign(secret: bytes, payload: str) -> str:
    return hmac.new(secret, payload.encode(), hashlib.sha256).hexdigest()[:32]


def _encode(secret: bytes, data: dict[str, str]) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()
    return f"{payload}.{_sign(secret, payload)}"


def _decode(secret: bytes, value: str) -> dict[str, str] | None:
    """What a cookie the server signed says; None for anything else (one the server
    signed is ASCII through and through)."""
    if not value.isascii():
        return None
    payload, _, signature = value.rpartition(".")
    if not payload or not hmac.compare_digest(_sign(secret, payload), signature):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(payload.encode()))
    except ValueError:
        return None
    return data if isinstance(data, dict) and all(isinstance(v, str) for v in data.values()) else None


try:  # aiohttp 3.14 and later: a typed key for the request's own storage
    _SESSION: Any = web.RequestKey("session", Session)
except AttributeError:  # pragma: no cover - older aiohttp: a plain key
    _SESSION = "salesplay_mock.session"


def session(request: web.Request) -> Session:
    """This request's session: from its signed cookie, or a new visitor's (signed in as
    --ui-token, if the server has one and the visitor did not sign out)."""
    if _SESSION in request:
        found: Session = request[_SESSION]
        return found
    config, secret = request.app[keys.config], request.app[keys.secret]
    value = request.cookies.get(SESSION_COOKIE, "")
    data = _decode(secret, value) if value else None
    if data is None:
        data = {"v": secrets.token_urlsafe(12)}
        if config.ui_token:
            data["t"] = config.ui_token
        value, fresh = _encode(secret, data), True
    else:
        fresh = False
    token = data.get("t")
    made = Session(value, token if token and accepted(token, config.tokens) else None, fresh)
    request[_SESSION] = made
    return made


def page_owner(request: web.Request) -> str | None:
    """The signed-in merchant, or None."""
    token = session(request).token
    return None if token is None else owner_of_token(token)


def csrf_value(request: web.Request) -> str:
    """The CSRF token of this session's forms."""
    return _sign(request.app[keys.secret], "csrf:" + session(request).value)


def check_csrf(request: web.Request, form: Mapping[str, object]) -> None:
    """The form came from a page of this session's: its CSRF token is the one derived
    from this session's signed cookie."""
    current = session(request)
    sent = form.get("csrf")
    if (current.fresh or not isinstance(sent, str) or not sent.isascii()
            or not hmac.compare_digest(csrf_value(request), sent)):
        raise web.HTTPForbidden(text="The form's CSRF token is missing or stale: reload the page and try again.")


def remember(response: web.StreamResponse, request: web.Request) -> None:
    """A session made for this request is set as its cookie."""
    current = session(request)
    if current.fresh:
        _set(response, current.value)


def sign_in(response: web.StreamResponse, request: web.Request, token: str) -> None:
    _set(response, _encode(request.app[keys.secret], {"v": secrets.token_urlsafe(12), "t": token}))


def sign_out(response: web.StreamResponse, request: web.Request) -> None:
    """Signed out stays signed out, --ui-token or not."""
    _set(response, _encode(request.app[keys.secret], {"v": secrets.token_urlsafe(12), "out": "1"}))


def _set(response: web.StreamResponse, value: str) -> None:
    response.set_cookie(SESSION_COOKIE, value, httponly=True, samesite="Strict", path="/")
