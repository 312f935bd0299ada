"""The page's forms (POST, then a redirect back where the form was, or a page to confirm
first): they work without JavaScript. The redirect keeps the page's filters and place; the
action's message goes with it once, in a cookie (``flash``), never in the URL."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from multidict import MultiDictProxy

from mockserver.domain import webhook_rules
from mockserver.domain.durations import parse_duration
from mockserver.domain.errors import DomainError, InvalidField
from mockserver.domain.seeds import SEED_RULE, check_seed
from mockserver.domain.tokens import accepted, well_formed
from mockserver.server import keys
from mockserver.ui import flash
from mockserver.ui.render import page
from mockserver.ui.session import BROWSER_FIELD, check_browser, check_csrf, page_owner, same_browser, sign_in, sign_out

Form = MultiDictProxy[str]


@dataclass(frozen=True)
class Done:
    """What an action did, in words, and where the browser goes next (None: back to the
    page the form was on, as it was: its filters and its place in a list)."""

    text: str
    level: flash.Level = "ok"
    target: str | None = None


Action = Callable[[web.Request, str, Form], Awaitable[Done | web.Response]]


def _back(form: Form, fallback: str = "/") -> str:
    """Where the form sends the browser when it is done: its ``next``."""
    return flash.local_path(form.get("next"), fallback)


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
    """Check CSRF and the sign-in, run the action, redirect with its message. A refusal goes
    back to the form's page (its ``here``, else its ``next``) with the values typed and the
    field at fault (``outage.in`` is the form's ``outage_in``)."""

    async def view(request: web.Request) -> web.Response:
        form = await request.post()
        check_csrf(request, form)
        check_browser(request, form)
        owner = page_owner(request)
        if owner is None:
            raise web.HTTPSeeOther("/")
        fields: Form = MultiDictProxy(form)  # type: ignore[arg-type]
        try:
            done = await handler(request, owner, fields)
        except DomainError as err:
            raise flash.redirect(request, flash.local_path(fields.get("here"), _back(fields)), "error", page_message(err),
                                 field=(err.field or "").replace(".", "_") or None,
                                 form=flash.typed_values(fields)) from None
        if isinstance(done, web.Response):
            return done
        raise flash.redirect(request, flash.local_path(done.target, _back(fields)), done.level, done.text)

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
        raise flash.redirect(request, "/", "error", "a token is printable ASCII characters without spaces",
                             field="token")
    if not accepted(token, request.app[keys.config].tokens):
        raise flash.redirect(request, "/", "error", "that token is not accepted by this server", field="token")
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
async def create_webhook(request: web.Request, owner: str, form: Form) -> Done:
    url, events = form.get("url", "").strip(), form.getall("events", [])
    spec = webhook_rules.parse_webhook({"url": url, "events": events}, partial=False)
    made = await keys.service_of(request.app).webhooks.register(owner, spec)
    message = f"webhook {made.hook.id} registered"
    claimed = request.app[keys.sinks].claim_url(made.hook.url, owner)  # a sink it posts to is this token's
    if claimed is not None:
        return Done(f"{message}, but {claimed['message']}", "warn")
    v = made.verification
    if v is not None and not v["ok"]:
        return Done(f"{message}, but its sample POST failed: {v['error'] or v['status']}", "warn")
    return Done(message + ("; sample POST answered 2xx" if v else ""))


@action
async def set_status(request: web.Request, owner: str, form: Form) -> Done:
    status = form.get("status", "")
    if status not in webhook_rules.STATUSES:
        raise InvalidField("status must be enabled or disabled", field="status")
    hook_id = request.match_info["id"]
    await keys.service_of(request.app).webhooks.update(owner, hook_id, webhook_rules.WebhookInput(None, None, status),
                                                    by="the page")
    return Done(f"webhook {hook_id} {status}")


@action
async def delete_webhook(request: web.Request, owner: str, form: Form) -> Done | web.Response:
    service, hook_id = keys.service_of(request.app), request.match_info["id"]
    hook = service.webhooks.get(owner, hook_id)
    asked = confirm_first(request, form, title=f"Delete webhook {hook_id}?", button="Delete",
                          detail=f"{hook.url} receives nothing more; its pending deliveries are cancelled.")
    if asked is not None:
        return asked
    service.webhooks.delete(owner, hook_id)
    return Done(f"webhook {hook_id} deleted")


@action
async def redeliver_skipped(request: web.Request, owner: str, form: Form) -> Done:
    made = await keys.service_of(request.app).events.redeliver_skipped(owner, request.match_info["id"])
    return Done(f"{len(made)} skipped event(s) sent again")


@action
async def trigger(request: web.Request, owner: str, form: Form) -> Done:
    count = _whole(form.get("count") or "1", "count")
    kind, _, name = form.get("what", "").partition(":")
    events = await keys.service_of(request.app).events.trigger(
        owner, type_=name if kind == "type" else None, operation=name if kind == "operation" else None, count=count)
    return Done(f"{len(events)} event(s) sent: " + ", ".join(sorted({e.type for e in events})))


@action
async def redeliver(request: web.Request, owner: str, form: Form) -> Done:
    delivery = await keys.service_of(request.app).events.redeliver(owner, request.match_info["id"])
    return Done(f"sent again as a new delivery: {delivery.id}")


@action
async def advance(request: web.Request, owner: str, form: Form) -> Done:
    """A preset button (+1h) wins over the typed duration, which its form also sends."""
    text = form.get("preset") or form.get("duration", "")
    try:
        seconds = parse_duration(text)
    except ValueError as exc:
        raise InvalidField(str(exc), field="duration") from None
    made = await keys.service_of(request.app).clock.advance(owner, seconds=seconds)
    return Done(f"clock moved {text}; {made} attempt(s) made")


@action
async def set_faults(request: web.Request, owner: str, form: Form) -> Done:
    """The faults form: the same checks as PUT /_mock/webhooks/{id}/faults. An empty field
    is its default (the form's placeholders say which)."""
    hook_id = request.match_info["id"]
    data: dict[str, object] | None = None
    if not form.get("clear"):
        data = {k: form[k] for k in ("duplicate_mode", "duplicate_delay", "delay_min", "delay_max") if form.get(k)}
        for name in ("duplicate", "reorder", "delay"):
            data[name] = _number(form.get(name) or "0", name)
        data["seed"] = _whole(form.get("seed") or "0", "seed")
        if form.get("outage_duration"):
            data["outage"] = {"in": form.get("outage_in") or "0", "duration": form["outage_duration"],
                              "rate": _number(form.get("outage_rate") or "1", "outage.rate")}
    keys.service_of(request.app).webhooks.configure_faults(owner, hook_id, data)
    return Done(f"faults of {hook_id} " + ("cleared" if data is None else "saved"))


@action
async def set_api_faults(request: web.Request, owner: str, form: Form) -> Done:
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
    return Done("REST API faults " + ("saved" if settings.active else "off"))


def _number(text: str, field: str, *, whole: bool = False) -> float:
    """A form field as a number (a whole one if ``whole``), or the field named in the error."""
    try:
        return int(text) if whole else float(text)
    except ValueError:
        raise InvalidField(f"'{field}' must be a {'whole ' if whole else ''}number", field=field) from None


def _whole(text: str, field: str) -> int:
    return int(_number(text, field, whole=True))


@action
async def check(request: web.Request, owner: str, form: Form) -> Done:
    """Check a receiver; the page shows the report (the service keeps it)."""
    text = form.get("seed", "").strip()
    if text and not re.fullmatch(r"[0-9]{1,20}", text):  # ASCII digits: "²".isdigit() is True
        raise InvalidField(f"'seed' must be {SEED_RULE}, or empty for a new one", field="seed")
    seed = check_seed(int(text)) if text else None
    report = await keys.service_of(request.app).checks.run(
        owner, form.get("url", "").strip(), events=tuple(form.getall("events", [])), seed=seed)
    counts = ", ".join(f"{n} {status}" for status, n in report.counts().items() if n)
    return Done(f"checked {report.url}: {counts}")


@action
async def reset(request: web.Request, owner: str, form: Form) -> Done | web.Response:
    asked = confirm_first(request, form, title="Forget everything of this token?", button="Reset",
                          detail="Its webhooks, events, deliveries, attempts and simulated shop are forgotten.")
    if asked is not None:
        return asked
    await keys.service_of(request.app).reset(owner)
    return Done("everything of this token was forgotten")
