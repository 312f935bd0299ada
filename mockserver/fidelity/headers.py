"""A recorded request's headers against the mock's: Content-Type and User-Agent by value,
and every header SalesPlay sends that the mock does not (or the other way round). What
HTTP itself needs (Host, Content-Length...), what a tunnel or proxy adds on the way
(X-Forwarded-For, Via...) and the mock's own X-Mock- debugging headers are not compared."""

from __future__ import annotations

from mockserver.engine.attempt import DELIVERY_HEADERS
from mockserver.fidelity import locate
from mockserver.fidelity.body import media_type
from mockserver.fidelity.payloads import show_value
from mockserver.fidelity.recording import RecordedRequest
from mockserver.fidelity.report import HEADERS, Finding

FRAMING = frozenset({"host", "content-length", "transfer-encoding", "connection", "keep-alive", "te", "expect",
                     "upgrade", "proxy-connection", "trailer"})
ON_THE_WAY = frozenset({"forwarded", "via", "x-real-ip", "true-client-ip", "cdn-loop", "x-request-start",
                        "x-original-host", "x-original-url"})
ON_THE_WAY_PREFIXES = ("x-forwarded-", "cf-", "ngrok-", "x-ngrok-", "x-amzn-", "x-envoy-", "x-vercel-", "x-azure-",
                       "x-cloud-trace", "traceparent", "x-arr-")
# What the mock's HTTP client adds by itself; their values depend on the library, not on SalesPlay.
CLIENT_DEFAULTS = frozenset({"accept", "accept-encoding"})
MOCK_ONLY = "x-mock-"


def added_on_the_way(name: str) -> bool:
    lower = name.lower()
    return lower in FRAMING or lower in ON_THE_WAY or lower.startswith(ON_THE_WAY_PREFIXES)


def differences(request: RecordedRequest) -> tuple[list[Finding], list[str]]:
    """The differences, and the names not compared because something on the way added them."""
    where = locate.in_source("mockserver.engine.attempt", "DELIVERY_HEADERS =")
    theirs = {name.lower(): (name, value) for name, value in reversed(request.headers)}
    found: list[Finding] = []
    for name, ours in DELIVERY_HEADERS.items():
        sent = theirs.get(name.lower())
        if sent is None:
            found.append(Finding("header_salesplay_lacks", HEADERS, name, "not sent", ours,
                                 f"{where}: drop {name!r} from DELIVERY_HEADERS"))
        elif not _same(name, sent[1], ours):
            found.append(Finding("header", HEADERS, name, show_value(sent[1]), show_value(ours),
                                 f"{where}: set {name!r} to {show_value(sent[1])}"))
    skipped = []
    known = {n.lower() for n in DELIVERY_HEADERS} | CLIENT_DEFAULTS
    for lower, (name, value) in theirs.items():
        if added_on_the_way(lower):
            if lower not in FRAMING:
                skipped.append(name)
        elif lower not in known and not lower.startswith(MOCK_ONLY):
            change = (f"{where}: the mock sends bodies uncompressed; compress them as SalesPlay does"
                      if lower == "content-encoding" else f"{where}: add {name!r} to DELIVERY_HEADERS, and "
                      "say what it carries in docs/index.md (Features and limitations)")
            found.append(Finding("header_mock_lacks", HEADERS, name, show_value(_masked(lower, value)),
                                 "not sent", change))
    return found, skipped


def _same(name: str, sent: str, ours: str) -> bool:
    if name.lower() == "content-type":
        kind, charset = media_type(sent)
        our_kind, our_charset = media_type(ours)
        return kind == our_kind and charset == our_charset
    return sent.strip() == ours


def _masked(lower: str, value: str) -> str:
    """A credential is not copied into a report that may end up in an issue."""
    if any(word in lower for word in ("authorization", "signature", "token", "secret", "key", "cookie")):
        return f"{value[:4]}... ({len(value)} characters)" if len(value) > 8 else "(set)"
    return value


def to_send(recorded: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """The headers to send a recorded request again with: as recorded, without those of
    HTTP framing and those added on the way (the new connection makes its own)."""
    out: dict[str, str] = {}
    for name, value in recorded:
        if not added_on_the_way(name):
            out[name] = f"{out[name]}, {value}" if name in out else value
    return out
