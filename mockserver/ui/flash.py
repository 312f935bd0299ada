"""The one-time message of an action: set with its redirect, shown once by the page it
lands on, then gone. It rides in a signed cookie, not in the URL, so a reload, a link or
the next page of a list never repeats it; a form's error also brings back the values typed
and the field at fault, so the form comes back as it was filled in."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as default
from typing import Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from aiohttp import web
from multidict import MultiDictProxy

from mockserver.server import keys

COOKIE = "spm_flash"
LIFETIME = 120  # seconds: a message not shown by then (the browser went elsewhere) is dropped
MAX_VALUE = 2048  # no field of ours takes more (a URL is at most 2048 characters): longer is not kept
MAX_COOKIE = 3700  # browsers keep cookies up to 4096 bytes, name, signature and attributes included
MAX_TEXT = 1000
NOT_TYPED = ("csrf", "next", "here", "confirmed")
NOTICES = ("msg", "warn", "error")  # where earlier versions put messages: dropped from old links

Level = Literal["ok", "warn", "error"]


@dataclass(frozen=True)
class Flash:
    level: Level
    text: str
    field: str | None = None  # the form field an error is about
    form: dict[str, list[str]] = default(default_factory=dict)  # the values as typed

    def typed(self, name: str) -> list[str] | None:
        """What was typed in ``name`` (None: no form came back; [] an empty or unticked field)."""
        return self.form.get(name, []) if self.form else None


def local_path(target: str | None, fallback: str = "/") -> str:
    """``target`` if it is a path on this site (without the message of an older link), else
    ``fallback``. Browsers read ``/\\x`` and ``/<tab>/x`` as another site's address, so
    anything but a plain local path is refused."""
    if not target:
        return fallback
    parts = urlsplit(target)
    local = (target.startswith("/") and not target.startswith("//") and not parts.scheme and not parts.netloc
             and not any(ch == "\\" or ord(ch) < 0x21 or ord(ch) == 0x7F for ch in target))
    if not local:
        return fallback
    query = parse_qsl(parts.query, keep_blank_values=True)
    if not any(k in NOTICES for k, _ in query):
        return target  # as it was: the page's address, unchanged
    return urlunsplit(("", "", parts.path, urlencode([(k, v) for k, v in query if k not in NOTICES]), ""))


def typed_values(form: MultiDictProxy[str]) -> dict[str, list[str]]:
    """A form's values to fill it again, but for its hidden bookkeeping."""
    return {name: form.getall(name) for name in form if name not in NOT_TYPED}


def _sign(secret: bytes, payload: str) -> str:
    return hmac.new(secret, ("flash:" + payload).encode(), hashlib.sha256).hexdigest()[:32]


def _pack(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()


def _encode(secret: bytes, flash: Flash) -> str:
    data: dict[str, object] = {"l": flash.level, "t": flash.text[:MAX_TEXT]}
    if flash.field:
        data["f"] = flash.field
    form = {k: [v for v in vs if len(v) <= MAX_VALUE] for k, vs in flash.form.items() if len(k) <= 100}
    if form:
        data["v"] = form
    payload = _pack(data)
    if len(payload) > MAX_COOKIE:  # the values do not fit: the message alone, which always does
        data.pop("v")
        payload = _pack(data)
    return f"{payload}.{_sign(secret, payload)}"


def _decode(secret: bytes, value: str) -> Flash | None:
    payload, _, signature = value.rpartition(".")
    if not payload or not value.isascii() or not hmac.compare_digest(_sign(secret, payload), signature):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(payload.encode()))
        level, text = data["l"], data["t"]
        form = data.get("v", {})
        if level not in ("ok", "warn", "error") or not isinstance(text, str) or not isinstance(form, dict):
            return None
        return Flash(level, text[:MAX_TEXT], data.get("f"), {str(k): [str(v) for v in vs] for k, vs in form.items()})
    except (ValueError, KeyError, TypeError):
        return None


def redirect(request: web.Request, target: str, level: Level, text: str, *, field: str | None = None,
             form: Mapping[str, list[str]] | None = None) -> web.HTTPSeeOther:
    """A redirect to ``target`` that carries its message (and a form's values) to that page."""
    response = web.HTTPSeeOther(target)
    flash = Flash(level, text, field, dict(form or {}))
    response.set_cookie(COOKIE, _encode(request.app[keys.secret], flash), max_age=LIFETIME, path="/",
                        httponly=True, samesite="Strict")
    return response


def take(request: web.Request) -> Flash | None:
    """The message waiting for this page, if any (``forget`` clears it once shown)."""
    value = request.cookies.get(COOKIE)
    return None if not value else _decode(request.app[keys.secret], value)


def forget(request: web.Request, response: web.StreamResponse) -> None:
    """The page showed its message: the next one does not."""
    if COOKIE in request.cookies:
        response.del_cookie(COOKIE, path="/", httponly=True, samesite="Strict")
