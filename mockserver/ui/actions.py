"""The page's forms (POST, then redirect, or a page to confirm first): they work without
JavaScript. Each action's message replaces the one before."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from aiohttp import web
from multidict import MultiDictProxy

from mockserver import keys, webhook_rules
from mockserver.durations import parse_duration
from mockserver.errors import DomainError, InvalidField
from mockserver.tokens import accepted, well_formed
from mockserver.ui.render import page
from mockserver.ui.session import BROWSER_FIELD, check_browser, check_csrf, page_owner, same_browser, sign_in, sign_out

Form = MultiDictProxy[str]
Action = Callable[[web.Request, str, Form], Awaitable[str | web.Response]]
NOTICES = ("msg", "warn", "error")  # the query keys of a message to the user


def _back(form: Form, fallback: str = "/") -> str:
    """Where to go after the form: a path on this site only. Browsers read ``/\\x`` and
    ``/<tab>/x`` as another site's address, so anything but a plain local path is refused."""
    target = form.get("next", fallback)
    parts = urlsplit(target)
    local = (target.startswith("/") and not target.startswith("//") and not parts.scheme and not parts.netloc
             and not any(ch == "\\" or ord(ch) < 0x21 or ord(ch) == 0x7F for ch in target))
    return target if local else fallback


def _with(path: str, **query: str | list[str]) -> str:
    """``path`` with ``query`` added, and the message of an earlier action taken out."""
    parts = urlsplit(path)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in NOTICES]
    added = [(k, v) for k, values in query.items() for v in ([values] if isinstance(values, str) else values)]
    return urlunsplit(("", "", parts.path, urlencode(kept + added), ""))


# Advice that depends on being on the page: which button, which form.
ADVICE = {
    "reenable_webhook": "with its Re-enable button",
    "manual_clock": "start the server with --clock manual to move time",
    "verify_strict": "or run the server without --verify strict",
    "strict": "or run the server without --strict",
    "public_urls_only": "the server was started with --public-urls-only",
}


def page_message(err: DomainError) -> str:
    return err.message + (f"; {ADVICE[err.hint]}" if err.hint in ADVICE else "")


def action(handler: Action) -> Callable[[web.Request], Awaitable[web.Response]]:
    """Check CSRF and the sign-in, run the action, redirect with its message or error."""

    async def view(request: web.Request) -> web.Response:
        form = await request.post()
        check_csrf(request, form)
        check_browser(request, form)
        owner = page_owner(request)
        if owner is None:
            raise web.HTTPSeeOther("/")
        fields: Form = MultiDictProxy(form)  # type: ignore[arg-type]
        try:
            target = await handler(request, owner, fields)
        except DomainError as err:
            raise web.HTTPSeeOther(_with(_back(fields), error=page_message(err))) from None
        if isinstance(target, web.Response):
            return target
        raise web.HTTPSeeOther(target)

    return view


def confirm_first(request: web.Request, form: Form, *, title: str, detail: str, button: str) -> web.Response | None:
    """Without ``confirmed``, a page that asks (with JavaScript the browser asked already)."""
    if form.get("confirmed") == "1":
        return None
    return page(request, "confirm.html", {"title": title, "detail": detail, "button": button,
                                          "action": request.path, "back": _back(form)})


async def login(request: web.Request) -> web.Response:
    form = await request.post()
    check_csrf(request, form)
    token = str(form.get("token", "")).strip()
    if not well_formed(token):
        raise web.HTTPSeeOther("/?" + urlencode({"error": "a token is printable ASCII characters without spaces"}))
    if not accepted(token, request.app[keys.config].tokens):
        raise web.HTTPSeeOther("/?" + urlencode({"error": "that token is not accepted by this server"}))
    response = web.HTTPSeeOther("/")
    sign_in(response, request, token, form.get(BROWSER_FIELD))
    raise response


async def browser_check(request: web.Request) -> web.Response:
    """The page's script asks, as it loads, whether its session was signed in in this
    browser (its secret in ``X-Browser``, a header no other site's form can send): if not,
    it is signed out (409), and the script reloads to ask for the token."""
    if same_browser(request, request.headers.get("X-Browser")):
        return web.Response(status=204)
    response = web.Response(status=409, text="signed in outside this browser: signed out")
    sign_out(response, request)
    return response


async def logout(request: web.Request) -> web.Response:
    check_csrf(request, await request.post())
    response = web.HTTPSeeOther("/")
    sign_out(response, request)
    raise response


@action
async def create_webhook(request: web.Request, owner: str, form: Form) -> str:
    url, events = form.get("url", "").strip(), form.getall("events", [])
    try:
        spec = webhook_rules.parse_webhook({"url": url, "events": events}, partial=False)
        made = await keys.service_of(request.app).webhooks.register(owner, spec)
    except DomainError as err:  # back to the form, as it was filled in
        return _with(_back(form, "/webhooks_setup"), error=page_message(err), url=url, events=events)
    message = f"webhook {made.hook.id} registered"
    claimed = request.app[keys.sinks].claim_url(made.hook.url, owner)  # a sink it posts to is this token's
    if claimed is not None:
        return _with(_back(form, "/webhooks_setup"), warn=f"{message}, but {claimed['message']}")
    v = made.verification
    if v is not None and not v["ok"]:
        return _with(_back(form, "/webhooks_setup"),
                     warn=f"{message}, but its sample POST failed: {v['error'] or v['status']}")
    return _with(_back(form, "/webhooks_setup"), msg=message + ("; sample POST answered 2xx" if v else ""))


@action
async def set_status(request: web.Request, owner: str, form: Form) -> str:
    status = form.get("status", "")
    if status not in webhook_rules.STATUSES:
        raise InvalidField("status must be enabled or disabled", field="status")
    hook_id = request.match_info["id"]
    await keys.service_of(request.app).webhooks.update(owner, hook_id, webhook_rules.WebhookInput(None, None, status),
                                                    by="the page")
    return _with(_back(form), msg=f"webhook {hook_id} {status}")


@action
async def delete_webhook(request: web.Request, owner: str, form: Form) -> str | web.Response:
    service, hook_id = keys.service_of(request.app), request.match_info["id"]
    hook = service.webhooks.get(owner, hook_id)
    asked = confirm_first(request, form, title=f"Delete webhook {hook_id}?", button="Delete",
                          detail=f"{hook.url} receives nothing more; its pending deliveries are cancelled.")
    if asked is not None:
        return asked
    service.webhooks.delete(owner, hook_id)
    return _with(_back(form), msg=f"webhook {hook_id} deleted")


@action
async def redeliver_skipped(request: web.Request, owner: str, form: Form) -> str:
    made = await keys.service_of(request.app).events.redeliver_skipped(owner, request.match_info["id"])
    return _with(_back(form), msg=f"{len(made)} skipped event(s) sent again")


@action
async def trigger(request: web.Request, owner: str, form: Form) -> str:
    try:
        count = int(form.get("count", "1"))
    except ValueError:
        raise InvalidField("'count' must be a whole number", field="count") from None
    kind, _, name = form.get("what", "").partition(":")
    events = await keys.service_of(request.app).events.trigger(
        owner, type_=name if kind == "type" else None, operation=name if kind == "operation" else None, count=count)
    return _with(_back(form), msg=f"{len(events)} event(s) sent: " + ", ".join(sorted({e.type for e in events})))


@action
async def redeliver(request: web.Request, owner: str, form: Form) -> str:
    delivery = await keys.service_of(request.app).events.redeliver(owner, request.match_info["id"])
    return _with(f"/ui/deliveries/{delivery.id}", msg="sent again as a new delivery")


@action
async def advance(request: web.Request, owner: str, form: Form) -> str:
    """A preset button (+1h) wins over the typed duration, which its form also sends."""
    text = form.get("preset") or form.get("duration", "")
    try:
        seconds = parse_duration(text)
    except ValueError as exc:
        raise InvalidField(str(exc), field="duration") from None
    made = await keys.service_of(request.app).clock.advance(owner, seconds=seconds)
    return _with(_back(form), msg=f"clock moved {text}; {made} attempt(s) made")


@action
async def set_faults(request: web.Request, owner: str, form: Form) -> str:
    """The faults form: the same checks as PUT /_mock/webhooks/{id}/faults."""
    hook_id = request.match_info["id"]
    data: dict[str, object] | None = None
    if not form.get("clear"):
        data = {k: form[k] for k in ("duplicate_mode", "duplicate_delay", "delay_min", "delay_max") if form.get(k)}
        for name in ("duplicate", "reorder", "delay"):
            data[name] = _number(form.get(name) or "0", name)
        data["seed"] = _whole(form.get("seed") or "0", "seed")
        if form.get("outage_duration"):
            data["outage"] = {"in": form.get("outage_in") or "0", "duration": form["outage_duration"],
                              "rate": _number(form.get("outage_rate") or "1", "outage")}
    keys.service_of(request.app).webhooks.configure_faults(owner, hook_id, data)
    return _with("/", msg=f"faults of {hook_id} " + ("cleared" if data is None else "saved"))


def _whole(text: str, field: str) -> int:
    return int(_number(text, field, whole=True))


@action
async def set_api_faults(request: web.Request, owner: str, form: Form) -> str:
    """The REST API faults form: the same checks as PUT /_mock/api-faults."""
    data: dict[str, object] | None = None
    if not form.get("clear"):
        data = {name: _number(form.get(name) or "0", name) for name in ("errors", "slow")}
        data["error_status"] = _whole(form.get("error_status") or "500", "error_status")
        data["seed"] = _whole(form.get("seed") or "0", "seed")
        if form.get("slow_by"):
            data["slow_by"] = form["slow_by"]
        if form.get("rate_limit"):
            data["rate_limit"] = _whole(form["rate_limit"], "rate_limit")
    settings = keys.service_of(request.app).api_faults.configure(owner, data)
    return _with("/ui/api-faults", msg="REST API faults " + ("saved" if settings.active else "off"))


def _number(text: str, field: str, *, whole: bool = False) -> float:
    """A form field as a number (a whole one if ``whole``), or the field named in the error."""
    try:
        return int(text) if whole else float(text)
    except ValueError:
        raise InvalidField(f"'{field}' must be a {'whole ' if whole else ''}number", field=field) from None


@action
async def check(request: web.Request, owner: str, form: Form) -> str:
    """Check a receiver; the page shows the report (the service keeps it)."""
    seed = form.get("seed", "").strip()
    if seed and not re.fullmatch(r"[0-9]{1,19}", seed):  # ASCII digits: "²".isdigit() is True
        raise InvalidField("'seed' must be a whole number from 0 to 2**63 - 1, or empty for a new one", field="seed")
    report = await keys.service_of(request.app).checks.run(
        owner, form.get("url", "").strip(), events=tuple(form.getall("events", [])), seed=int(seed) if seed else None)
    counts = ", ".join(f"{n} {status}" for status, n in report.counts().items() if n)
    return _with("/ui/check", msg=f"checked {report.url}: {counts}")


@action
async def reset(request: web.Request, owner: str, form: Form) -> str | web.Response:
    asked = confirm_first(request, form, title="Forget everything of this token?", button="Reset",
                          detail="Its webhooks, events, deliveries, attempts and simulated shop are forgotten.")
    if asked is not None:
        return asked
    await keys.service_of(request.app).reset(owner)
    return _with("/", msg="everything of this token was forgotten")
