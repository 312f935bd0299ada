"""What a failed exchange means, in words, and how to fix it: the report's "why" and "fix"."""

from __future__ import annotations

import html
import re
from collections import Counter

from mockserver.check.report import RETRIED, Exchange

DUPLICATE = ("answer 2xx to an event you already have, and store it once (key on the record's id and its "
             "updated_at): SalesPlay sends some events twice")
ORDER = ("accept related events in any order: store what arrives and reconcile when the rest comes; "
         "SalesPlay promises no order")
UNKNOWN = ("ignore fields you do not know: validate with the receiver schema (GET /_mock/schemas/{type}?variant="
           "receiver, or mockserver/schemas/receiver/ in the package), not the strict one, additionalProperties: "
           "false or a strict model: SalesPlay can add fields without notice")
LARGE = "accept request bodies of 1 MB at least: a busy shop's receipts and stock counts are this large"
PROMPT = "answer 2xx as soon as the event is stored or queued, and do slow work after answering"
BROKEN = "make the receiver answer complete HTTP/1.1 responses (its log may show a crash)"
DROPPED = ("the receiver closed the connection without answering: it crashed or restarted while handling the event "
           "(look in its log at that moment), or a proxy in front of it cut the connection")
MAINTENANCE = ("the receiver said it is unavailable on purpose (503, maintenance or overload): SalesPlay retries on its "
               "own schedule whatever Retry-After says, and disables the webhook when the 503s outlast its 48 hours "
               "of retries; keep outages shorter than that, or keep taking events into a queue during maintenance "
               "and answer 2xx")
RATE_LIMITED = ("do not rate-limit SalesPlay's deliveries (429): it ignores Retry-After, retries on its own schedule "
                "and sends bursts after an outage; take every delivery and queue the work")


def _excerpt(text: str) -> str:
    if text.lstrip().startswith("<"):  # an HTML error page: its words, not its markup
        text = html.unescape(re.sub(r"<[^>]*>", " ", re.sub(r"(?is)<(head|style|script)\b.*?</\1>", " ", text)))
    flat = " ".join(text.split())
    return flat if len(flat) <= 120 else flat[:117] + "..."


def _printable(text: str) -> str:
    """A receiver's words, made safe for a terminal: no escape sequences, one line."""
    return "".join(ch if ch.isprintable() else " " if ch in "\t\r\n" else "\ufffd" for ch in text)


def explain(e: Exchange) -> str:
    """What happened to a delivery, as the end of a sentence about it: "... was answered 409"."""
    return _printable(_explain(e))


def _explain(e: Exchange) -> str:
    kind = e.error_kind
    if kind == "redirect":
        return (f"was answered {e.status}, a redirect to {e.location or 'nowhere'}: SalesPlay does not follow "
                "redirects")
    if e.status is not None:
        answer = _excerpt(e.answer)
        return f"was answered {e.status}, not 2xx" + (f" ({answer})" if answer else "")
    return {
        "timeout": f"got {e.error}",
        "connection_refused": f"was refused: nothing is listening there ({e.error})",
        "dns": f"could not be sent: the host name does not resolve ({e.error})",
        "tls": f"could not be sent: the TLS handshake failed ({e.error})",
        "bad_http": f"got an answer that is not HTTP ({e.error})",
        "broken_body": f"got an answer cut short ({e.error})",
        "body_too_large": f"got an answer that went on and on ({e.error})",
        "connection_reset": f"lost its connection ({e.error})",
        "connection_closed": f"lost its connection ({e.error})",
    }.get(kind or "", f"failed ({kind}: {e.error})")


def fix_for(e: Exchange) -> str | None:
    """The fix that follows from how it failed, whatever the scenario; None when the
    scenario knows better."""
    if e.error_kind == "redirect":
        where = f" ({_printable(e.location)})" if e.location else ""
        return f"register the URL it redirects to{where} as the webhook's URL: SalesPlay never follows a redirect"
    if e.status == 413:
        return LARGE
    if e.status in (404, 405, 501):
        return f"check the URL's path: what answers there does not take SalesPlay's POST ({e.status})"
    by_status = {
        503: MAINTENANCE, 429: RATE_LIMITED,
        502: f"a proxy in front of the receiver answered {e.status}: the receiver behind it is down or does not "
             "answer the proxy; check that it runs, and the proxy's upstream",
        504: f"a proxy in front of the receiver answered {e.status}: the receiver behind it took longer than the "
             f"proxy's timeout; {PROMPT}",
        401: f"SalesPlay sends no Authorization header and signs nothing, so a receiver that asks for credentials "
             f"({e.status}) refuses every event: put a secret in the URL's path or query instead, and check that",
    }
    by_status[403] = by_status[401]
    if e.status in by_status:
        return by_status[e.status]
    return {
        "timeout": PROMPT,
        "connection_refused": "start the receiver, or correct the URL's host and port",
        "dns": "correct the URL's host name",
        "tls": "serve a certificate that clients trust for this host name",
        "bad_http": BROKEN, "broken_body": BROKEN, "connection_reset": DROPPED, "connection_closed": DROPPED,
    }.get(e.error_kind or "")


def generic(e: Exchange) -> str:
    """The fix when neither the failure nor the scenario says more."""
    if e.status is not None and e.status >= 500:
        shown = " (its answer shows a stack trace)" if re.search(r"Traceback|Exception|at [\w.$]+\(", e.answer) else ""
        return (f"the receiver failed while handling the event ({e.status}){shown}: find the crash in its log "
                "(the X-Mock-Check header of the request names the scenario)")
    return ("answer 2xx to every well-formed event, even one you choose to ignore: any other status means "
            "'send it again'")


def tally(failed: list[Exchange]) -> str:
    """Failures counted by what they were: "12 got no answer within 2 s, 3 answered 503"."""
    def what(e: Exchange) -> str:
        if e.error_kind == "redirect":
            return f"answered {e.status} (a redirect to {e.location}: SalesPlay does not follow redirects)"
        if e.status is not None:
            return f"answered {e.status}"
        return f"got {e.error}" if e.error_kind == "timeout" else f"failed: {e.error_kind}"

    counts = Counter(_printable(what(e)) for e in failed)
    return ", ".join(f"{n} {what}" for what, n in counts.most_common())


def slow(timeout: float) -> str:
    return (f"asks receivers to answer promptly; an answer later than the delivery timeout ({timeout:g} s) is a "
            f"failed attempt, {RETRIED}")
