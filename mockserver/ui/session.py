"""Who the page is for (a token in a cookie, or --ui-token), and CSRF protection.

CSRF uses a double-submit cookie: every form carries the value of a random cookie that a
foreign site can neither read nor set, and all cookies are SameSite=Strict.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping

from aiohttp import web

from mockserver import keys
from mockserver.tokens import accepted, owner_of_token

TOKEN_COOKIE = "spm_token"
CSRF_COOKIE = "spm_csrf"


def page_token(request: web.Request) -> str | None:
    config = request.app[keys.config]
    token = request.cookies.get(TOKEN_COOKIE) or config.ui_token
    return token if token and accepted(token, config.tokens) else None


def page_owner(request: web.Request) -> str | None:
    token = page_token(request)
    return None if token is None else owner_of_token(token)


def csrf_value(request: web.Request) -> tuple[str, bool]:
    """The CSRF value for this page's forms, and whether it is new (to be remembered)."""
    value = request.cookies.get(CSRF_COOKIE)
    return (value, False) if value else (secrets.token_urlsafe(24), True)


def remember_csrf(response: web.StreamResponse, value: str) -> None:
    response.set_cookie(CSRF_COOKIE, value, httponly=True, samesite="Strict", path="/")


def check_csrf(request: web.Request, form: Mapping[str, object]) -> None:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = form.get("csrf")
    if not cookie or not isinstance(sent, str) or not hmac.compare_digest(cookie, sent):
        raise web.HTTPForbidden(
            text="The form's CSRF token is missing or stale: reload the page and try again.",
        )


def remember_token(response: web.StreamResponse, token: str) -> None:
    response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="Strict", path="/")


def forget_token(response: web.StreamResponse) -> None:
    response.del_cookie(TOKEN_COOKIE, path="/")
