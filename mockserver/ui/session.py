"""Who the page is for, and CSRF protection: a session cookie signed by the server, a
CSRF token derived from it, and the browser the sign-in was made in.

The session cookie (HttpOnly, SameSite=Strict) carries the signed-in merchant (a digest
of the token, never the token: a page on another port of this host is sent this cookie
too), or, before sign-in, a random visitor id, each with an HMAC of the server's secret:
a cookie the server did not sign is worthless. Every form carries ``HMAC(secret, "csrf" + session)``.
But cookies do not keep the ports of one host apart: a page on another localhost port can
set this page's cookie to one the server signed for someone else (its own sign-in). So
the page's script keeps a secret of this browser's in this origin's storage, which no
other port can read or write, and sends it with every form; a sign-in is bound to it
(only its HMAC is in the cookie), and a form or a page whose session was signed in with
another browser's secret signs out instead. With ``--ui-token`` the page starts signed in
as that token; signing out is remembered in the session, so it signs out.
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
from urllib.parse import urlencode

from aiohttp import web

from mockserver.domain.tokens import owner_of_token
from mockserver.server import keys

SESSION_COOKIE = "spm_session"
BROWSER_FIELD = "browser"  # the form field (and X-Browser header) of this browser's secret
MAX_SECRET = 64  # characters of a browser's secret (the script makes 32)
SIGNED_ELSEWHERE = ("this page was signed in outside this browser (a cookie set by another page on this host?); "
                    "sign in again")


@dataclass(frozen=True)
class Session:
    value: str  # as signed into the cookie; the CSRF token derives from it
    owner: str | None  # signed in as this merchant (the digest of its token); None: not signed in
    fresh: bool  # made for this request: the response sets the cookie
    browser: str | None = None  # HMAC of the secret of the browser it was signed in with; None: no script


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
            data["o"] = owner_of_token(config.ui_token)
        value, fresh = _encode(secret, data), True
    else:
        fresh = False
    owner = data.get("o")
    made = Session(value, owner if owner and _accepted(owner, config.tokens) else None, fresh, data.get("b"))
    request[_SESSION] = made
    return made


def _accepted(owner: str, tokens: tuple[str, ...]) -> bool:
    """A merchant this server still takes: any, or that of one of its --token tokens."""
    return not tokens or any(hmac.compare_digest(owner, owner_of_token(t)) for t in tokens)


def page_owner(request: web.Request) -> str | None:
    """The signed-in merchant, or None."""
    return session(request).owner


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


def same_browser(request: web.Request, sent: object) -> bool:
    """Whether the session was signed in in the browser whose page sent ``sent``, its
    secret (None: the page ran no script, which can tell nothing)."""
    current = session(request)
    if current.owner is None:
        return True  # not signed in: nothing to be fooled into
    if current.browser is None:  # signed in without the script, or as --ui-token
        ui_token = request.app[keys.config].ui_token
        return sent is None or (ui_token is not None and current.owner == owner_of_token(ui_token))
    return (isinstance(sent, str) and sent.isascii() and len(sent) <= MAX_SECRET
            and hmac.compare_digest(_sign(request.app[keys.secret], "browser:" + sent), current.browser))


def check_browser(request: web.Request, form: Mapping[str, object]) -> None:
    """A form from a page signed in with another browser's secret is not acted on: it
    signs out, and the page asks for the token again."""
    if not same_browser(request, form.get(BROWSER_FIELD)):
        response = web.HTTPSeeOther("/?" + urlencode({"error": SIGNED_ELSEWHERE}))
        sign_out(response, request)
        raise response


def remember(response: web.StreamResponse, request: web.Request) -> None:
    """A session made for this request is set as its cookie."""
    current = session(request)
    if current.fresh:
        _set(response, current.value)


def sign_in(response: web.StreamResponse, request: web.Request, token: str, browser: object = None) -> None:
    """Signed in as ``token``, bound to the secret of the browser that sent the form (when
    its page ran the script)."""
    secret = request.app[keys.secret]
    data = {"v": secrets.token_urlsafe(12), "o": owner_of_token(token)}
    if isinstance(browser, str) and browser.isascii() and 0 < len(browser) <= MAX_SECRET:
        data["b"] = _sign(secret, "browser:" + browser)
    _set(response, _encode(secret, data))


def sign_out(response: web.StreamResponse, request: web.Request) -> None:
    """Signed out stays signed out, --ui-token or not."""
    _set(response, _encode(request.app[keys.secret], {"v": secrets.token_urlsafe(12), "out": "1"}))


def _set(response: web.StreamResponse, value: str) -> None:
    response.set_cookie(SESSION_COOKIE, value, httponly=True, samesite="Strict", path="/")
