"""Jinja2 set-up: the templates folder, autoescaping, and the filters the pages use."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web

from mockserver import __version__, keys
from mockserver.durations import human
from mockserver.fault_settings import DUPLICATE_MODES
from mockserver.models import DELIVERY_STATUSES, EVENT_TYPES, iso
from mockserver.shop.simulator import OPERATIONS
from mockserver.ui.session import csrf_value, page_owner, page_token, remember


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


def setup_templates(app: web.Application) -> None:
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update({"iso": iso, "pretty": _pretty, "human": human, "gap": _gap,
                        "short": lambda t: (iso(t) or "").replace("T", " ").replace("Z", "")[:19]})
    env.globals.update({"EVENT_TYPES": EVENT_TYPES, "DELIVERY_STATUSES": DELIVERY_STATUSES,
                        "DUPLICATE_MODES": DUPLICATE_MODES,
                        "OPERATIONS": list(OPERATIONS), "version": __version__})


def page(request: web.Request, template: str, context: dict[str, Any], *, status: int = 200) -> web.Response:
    clock = request.app[keys.service].clock.view(page_owner(request))
    base = {
        "csrf": csrf_value(request),
        "signed_in": page_token(request) is not None,
        "clock": clock,
        "message": request.query.get("msg"),
        "traffic": request.app.get(keys.traffic),
        "error": request.query.get("error"),
        "request": request,
    }
    response = aiohttp_jinja2.render_template(template, request, {**base, **context}, status=status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = "default-src 'self'; object-src 'none'; frame-ancestors 'none'"
    remember(response, request)
    return response
