"""SalesPlay's webhook rules: what a registration must be, and what it should be."""

from __future__ import annotations

import ipaddress
import unicodedata
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from mockserver.domain.errors import Conflict, InvalidField
from mockserver.domain.models import Webhook
from mockserver.domain.vocabulary import EVENT_TYPES

MAX_URL_LENGTH = 2048
# Control, format (bidi marks, zero-width), surrogate, private-use, unassigned, separators.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"})
STATUSES = ("enabled", "disabled")


@dataclass(frozen=True)
class WebhookInput:
    url: str | None
    events: tuple[str, ...] | None
    status: str | None


def parse_webhook(body: dict[str, Any], *, partial: bool) -> WebhookInput:
    """Check a create (``partial=False``) or update body; raise naming the first bad field."""
    allowed = {"url", "event", "events"} | ({"status"} if partial else set())
    for key in body:
        if key not in allowed:
            raise InvalidField(
                f"unknown field {key!r}; allowed fields are {', '.join(sorted(allowed))}",
                field=key,
                code="unknown_field",
            )
    if "event" in body and "events" in body:
        raise InvalidField("send either 'event' or 'events', not both", field="events")
    url = body.get("url")
    if url is None and not partial:
        raise InvalidField("'url' is required: the address SalesPlay posts events to", field="url")
    if url is not None:
        url = check_url(url)
    events = _parse_events(body)
    if events is None and not partial:
        raise InvalidField(
            "'event' is required: one of " + ", ".join(EVENT_TYPES), field="event"
        )
    status = body.get("status")
    if status is not None and status not in STATUSES:
        raise InvalidField("'status' must be 'enabled' or 'disabled'", field="status")
    return WebhookInput(url, events, status)


def _parse_events(body: dict[str, Any]) -> tuple[str, ...] | None:
    if "event" in body:
        return (check_event_type(body["event"], field="event"),)
    if "events" not in body:
        return None
    raw = body["events"]
    if not isinstance(raw, list) or not raw:
        raise InvalidField("'events' must be a non-empty list of event types", field="events")
    events = tuple(check_event_type(e, field="events") for e in raw)
    if len(set(events)) != len(events):
        raise InvalidField("'events' lists an event type twice", field="events")
    return events


def check_event_type(value: object, *, field: str) -> str:
    if not isinstance(value, str):
        raise InvalidField(f"'{field}' must be a string event type", field=field)
    if value not in EVENT_TYPES:
        raise InvalidField(
            f"unknown event type {value!r}; SalesPlay sends " + ", ".join(EVENT_TYPES),
            field=field,
            code="unknown_event_type",
        )
    return value


def check_url(value: object) -> str:
    """The documented rules: http(s), well formed, absolute with a host."""
    if not isinstance(value, str):
        raise InvalidField("'url' must be a string", field="url")
    if len(value) > MAX_URL_LENGTH:
        raise InvalidField(f"'url' is longer than {MAX_URL_LENGTH} characters", field="url")
    if any(ch.isspace() or unicodedata.category(ch) in _INVISIBLE for ch in value):
        raise InvalidField(
            "'url' must not contain spaces, control or invisible characters (such as a CR, LF or "
            "a right-to-left mark); percent-encode them",
            field="url",
        )
    if not value.lower().startswith(("http://", "https://")):
        raise InvalidField("'url' must start with http:// or https://", field="url", code="invalid_url")
    if "\\" in value:  # clients read it as "/", so the host is not the one it seems
        raise InvalidField("'url' must not contain a backslash; percent-encode it as %5C", field="url",
                           code="invalid_url")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        raise InvalidField(f"'url' is not a well-formed URL: {exc}", field="url", code="invalid_url") from None
    if "@" in parts.netloc:
        raise InvalidField("'url' must not carry a user name or password (user:pass@host): they would be "
                           "stored and shown; let the receiver check a secret in the path or query instead",
                           field="url", code="invalid_url")
    host = parts.hostname
    if not host:
        raise InvalidField("'url' has no host name", field="url", code="invalid_url")
    if port == 0:
        raise InvalidField("'url' has port 0; use a port from 1 to 65535", field="url", code="invalid_url")
    if not _is_ip(host):
        try:
            ascii_host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise InvalidField("'url' has a host name that is not valid", field="url", code="invalid_url") from None
        labels = ascii_host.rstrip(".").split(".")
        if any(not label or len(label) > 63 or not _label_ok(label) for label in labels):
            raise InvalidField("'url' has a host name that is not valid", field="url", code="invalid_url")
    return value


def _label_ok(label: str) -> bool:
    if not all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in label) or label.startswith("-"):
        return False
    if label.lower().startswith("xn--"):  # punycode must decode to something
        try:
            return bool(label.encode("ascii").decode("idna"))
        except UnicodeError:
            return False
    return True


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


# 64:ff9b::/96 carries an IPv4 address in its last 32 bits (NAT64, RFC 6052); the
# local-use prefix 64:ff9b:1::/48 (RFC 8215) is never public.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
# ::/96 is the deprecated IPv4-compatible form (::127.0.0.1, RFC 4291 2.5.5.1): no router
# forwards it, and some stacks still connect to the IPv4 address it carries.
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def embedded_ipv4(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (IPv4-mapped, IPv4-compatible, 6to4,
    Teredo, NAT64), if any."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]  # the client's address
    if address in _NAT64 or (address in _IPV4_COMPATIBLE and int(address) > 1):  # :: and ::1 are themselves
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Reachable from the public internet as one receiver: judged by the IPv4 address
    inside an IPv6 form that carries one, so 127.0.0.1 in disguise is still loopback.
    Multicast (224.0.0.0/4, ff00::/8) and the deprecated IPv4-compatible form are never
    one receiver on the internet, whatever they carry."""
    if isinstance(address, ipaddress.IPv6Address) and (address in _NAT64_LOCAL or address in _IPV4_COMPATIBLE):
        return False
    inner = embedded_ipv4(address)
    judged = inner if inner is not None else address
    return judged.is_global and not judged.is_multicast and not address.is_multicast


def duplicate_of(url: str, events: tuple[str, ...], others: list[Webhook]) -> str | None:
    """What is wrong, in words, when another webhook already sends one of ``events`` to
    ``url`` (each such event would arrive twice); None when none does."""
    found = [(h.id, [e for e in events if e in h.events]) for h in others if h.url == url]
    named = [f"{hook_id} ({', '.join(shared)})" for hook_id, shared in found if shared]
    if not named:
        return None
    return (f"another webhook already sends this event type to this URL: {', '.join(named)}; each such event "
            "arrives twice, once per webhook")


def refuse_duplicate(url: str, events: tuple[str, ...], others: list[Webhook]) -> None:
    """``--strict``: a webhook that repeats another's URL and event type is refused."""
    problem = duplicate_of(url, events, others)
    if problem:
        raise Conflict(problem, field="url", code="duplicate_webhook", hint="strict")


def warnings_for(url: str, events: tuple[str, ...], others: list[Webhook]) -> list[dict[str, str]]:
    """SalesPlay's two recommendations, and an exact duplicate, as warnings rather than errors."""
    out = []
    duplicate = duplicate_of(url, events, others)
    if duplicate:
        out.append({"code": "duplicate_webhook", "message": duplicate})
    if len(events) > 1:
        out.append({
            "code": "one_event_per_webhook",
            "message": "SalesPlay recommends one event type per webhook",
        })
    if any(h.url == url and set(h.events) != set(events) for h in others):
        out.append({
            "code": "distinct_url_per_event",
            "message": "SalesPlay recommends a distinct URL for each event type; another webhook uses this URL",
        })
    return out
