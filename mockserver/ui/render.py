"""Jinja2 set-up: the templates folder, autoescaping, and the filters the pages use."""

from __future__ import annotations

import contextvars
import functools
import json
import re
from collections.abc import Awaitable, Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from aiohttp import web
from markupsafe import Markup, escape

from mockserver import __version__
from mockserver.domain.durations import human
from mockserver.domain.errors import NotFound
from mockserver.domain.fault_settings import DUPLICATE_MODES
from mockserver.domain.models import iso
from mockserver.domain.vocabulary import DELIVERY_KINDS, DELIVERY_STATUSES, EVENT_TYPES
from mockserver.rest.rest_faults import ERROR_STATUSES
from mockserver.server import keys
from mockserver.shop.simulator import OPERATIONS
from mockserver.ui import flash, live, present
from mockserver.ui.session import csrf_value, page_owner, remember


def templates_dir() -> Path:
    """Inside the installed package (the wheel puts them there), or the repository's
    top-level templates/ when running from a checkout."""
    packaged = Path(str(resources.files("mockserver"))) / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / "templates"


def _pretty(text: str | None) -> str:
    if not text:
        return ""
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text


def _gap(seconds: float | None) -> str:
    return "" if seconds is None else "+" + human(seconds)


def _short(t: float | None) -> str:
    return (iso(t) or "").replace("T", " ").replace("Z", "")[:19]


@jinja2.pass_context
def _when(context: Any, t: float | None) -> Markup:
    """A simulated moment as people read it: relative to the merchant's clock ("in 14
    min"), the exact time on hover, and on a compressed clock the real-time equivalent.
    The page's script keeps the words up to date as the clock runs."""
    if t is None:
        return Markup("—")
    clock = context["clock"]
    words = present.relative(t, clock.now)
    real = present.real_equivalent(t, clock.now, clock.scale, clock.since)
    title = f"{_short(t)} UTC, simulated" + (f"; {real}" if real else "")
    return Markup('<time datetime="{}" data-epoch="{}" title="{}">{}</time>').format(
        iso(t), repr(t), title, words + (f" ({real})" if real else ""))


def _without(query: Mapping[str, str], *dropped: str, **added: str) -> str:
    """The page's query string without some keys (and the live part's own), with others set."""
    kept = [(k, v) for k, v in query.items() if k not in dropped and k != "part"]
    return urlencode(kept + list(added.items()))


_DELIVERY = re.compile(r"\bdlv_[0-9a-f]+\b")


def _reason_link(reason: str | None) -> Markup:
    """A disabled webhook's reason, with the delivery that caused it as a link."""
    text = escape(reason or "")
    return Markup(_DELIVERY.sub(lambda m: f'<a href="/ui/deliveries/{m.group(0)}">{m.group(0)}</a>', str(text)))


def _strip_summary(recent: tuple[tuple[str, int | None, str | None], ...]) -> str:
    """The strip of outcomes in words, for those who do not see its colours."""
    ok = sum(1 for state, _, _ in recent if state == "succeeded")
    return f"last {len(recent)} attempts, oldest first: {ok} succeeded, {len(recent) - ok} failed"


@jinja2.pass_context
def _typed(context: Any, name: str, default: object = "") -> object:
    """A field's value: as typed, when its form came back refused; else ``default``."""
    shown = context.get("flash")
    values = shown.typed(name) if shown else None
    return default if values is None else (values[0] if values else "")


@jinja2.pass_context
def _ticked(context: Any, name: str, value: str, default: bool) -> bool:
    """Whether a checkbox or option is chosen: as typed, when its form came back refused."""
    shown = context.get("flash")
    values = shown.typed(name) if shown else None
    return default if values is None else value in values


@jinja2.pass_context
def _invalid(context: Any, name: str) -> Markup:
    """A refused field: marked invalid, with its error beside it (``field_error``) as its description."""
    shown = context.get("flash")
    if shown is None or shown.level != "error" or shown.field != name:
        return Markup("")
    return Markup(' aria-invalid="true" aria-describedby="error-{}"').format(name)


@jinja2.pass_context
def _field_error(context: Any, name: str) -> Markup:
    shown = context.get("flash")
    if shown is None or shown.level != "error" or shown.field != name:
        return Markup("")
    return Markup('<span class="field-error" id="error-{}">{}</span>').format(name, shown.text)


def environment(boot: str) -> jinja2.Environment:
    """The page's templates (each compiled at its first use), with the filters and words
    they share; ``boot`` names this run of the server in the live parts' versions."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update({"iso": iso, "pretty": _pretty, "human": human, "gap": _gap, "short": _short,
                        "outcome": present.outcome, "without": _without, "reason_link": _reason_link,
                        "strip_summary": _strip_summary})
    env.globals.update({"EVENT_TYPES": EVENT_TYPES, "DELIVERY_STATUSES": DELIVERY_STATUSES,
                        "DUPLICATE_MODES": DUPLICATE_MODES, "DELIVERY_KINDS": DELIVERY_KINDS,
                        "ERROR_STATUSES": ERROR_STATUSES,
                        "OPERATIONS": list(OPERATIONS), "version": __version__, "when": _when,
                        "typed": _typed, "ticked": _ticked, "invalid": _invalid, "field_error": _field_error})
    env.globals.update({"version_of": functools.partial(live.version, boot), "same": live.same})
    return env


def here(request: web.Request, path: str = "/") -> str:
    """The page a live part belongs to, with its filters and place (the part's own key
    dropped): where the part's forms come back to."""
    query = [(k, v) for k, v in request.query.items() if k != "part"]
    return path + ("?" + urlencode(query) if query else "")


def page(request: web.Request, template: str, context: dict[str, Any], *, status: int = 200,
         whole: bool = True) -> web.Response:
    """A page (``whole``), or a live part of one, which leaves the page's message alone."""
    service = keys.service_of(request.app)
    owner = page_owner(request)
    shown = flash.take(request) if whole else None
    base = {
        "csrf": csrf_value(request),
        "signed_in": owner is not None,
        "merchant": None if owner is None else {"id": owner[:8], "webhooks": len(service.webhooks.of_owner(owner))},
        "clock": service.clock.view(owner),
        "flash": shown,
        "traffic": request.app[keys.running].parts.traffic,
        "request": request,
        "here": context.get("here", request.raw_path),  # as the browser has it
        "seen": _seen.get(),
        "have": frozenset() if whole else live.held(request),  # a live part: what the page holds
    }
    html = request.app[keys.templates].get_template(template).render({**base, **context})
    response = web.Response(text=html, content_type="text/html", status=status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = "default-src 'self'; object-src 'none'; frame-ancestors 'none'"
    remember(response, request)
    if whole:
        flash.forget(request, response)
    return response


View = Callable[[web.Request, str], Awaitable[web.StreamResponse]]
_seen: contextvars.ContextVar[str] = contextvars.ContextVar("seen", default="")


def merchant_page(view: View) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """A page of the signed-in merchant's; without a token it asks for one."""

    async def handler(request: web.Request) -> web.StreamResponse:
        owner = page_owner(request)
        if owner is None:
            return page(request, "login.html", {})
        # The version of the merchant's changes the page is drawn from, read before it is:
        # its stream starts there, so a change made while the page loads is not missed.
        changes = request.app[keys.changes]
        _seen.set(f"{changes.boot}:{changes.version(owner)}")  # this request's task only
        try:
            return await view(request, owner)
        except NotFound as err:  # a page, not the API's JSON
            return page(request, "error.html", {"detail": err.message}, status=404)

    return handler


def live_page(template: str, part: str, context: Callable[[web.Request, str], dict[str, Any]],
              ) -> tuple[Callable[[web.Request], Awaitable[web.StreamResponse]], ...]:
    """A page with one live part, from the one function that reads what both show: the
    page (``template``), and the part alone (``part``) for the page's script to fetch."""

    async def whole(request: web.Request, owner: str) -> web.StreamResponse:
        return page(request, template, context(request, owner))

    async def alone(request: web.Request, owner: str) -> web.StreamResponse:
        return page(request, part, context(request, owner), whole=False)

    return merchant_page(whole), merchant_data(alone)


def merchant_data(view: View) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """A live part or a download: without a token, a 401 (the script signs in through the page)."""

    async def handler(request: web.Request) -> web.StreamResponse:
        owner = page_owner(request)
        if owner is None:
            raise web.HTTPUnauthorized(text="sign in first")
        return await view(request, owner)

    return handler
