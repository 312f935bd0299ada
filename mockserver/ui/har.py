"""A delivery's attempts as a HAR 1.2 log, for browser dev tools or diffing runs."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from mockserver import __version__
from mockserver.domain.models import Attempt, Delivery, Event, iso


def _headers(headers: dict[str, str] | None) -> list[dict[str, str]]:
    return [{"name": k, "value": v} for k, v in (headers or {}).items()]


def _reason(status: int | None) -> str:
    try:
        return HTTPStatus(status).phrase if status else ""
    except ValueError:
        return ""


def entry(attempt: Attempt, body: str) -> dict[str, Any]:
    response_headers = attempt.response_headers or {}
    text = attempt.response_body or ""
    duration = attempt.duration_ms or 0.0
    out: dict[str, Any] = {
        "startedDateTime": iso(attempt.started_real),
        "time": duration,
        "request": {
            "method": "POST",
            "url": attempt.url,
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": _headers(attempt.request_headers),
            "queryString": [{"name": k, "value": v} for k, v in parse_qsl(urlsplit(attempt.url).query)],
            "postData": {"mimeType": "application/json", "text": body},
            "headersSize": -1,
            "bodySize": len(body.encode()),
        },
        "response": {
            "status": attempt.response_status or 0,
            "statusText": _reason(attempt.response_status),
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": _headers(response_headers),
            "content": {"size": len(text.encode()), "mimeType": response_headers.get("Content-Type", ""), "text": text},
            "redirectURL": response_headers.get("Location", ""),
            "headersSize": -1,
            "bodySize": -1,
        },
        "cache": {},
        "timings": {"send": 0, "wait": duration, "receive": 0},
        "comment": f"attempt {attempt.number}: {attempt.state}",
        "_attempt": attempt.number,
        "_simulatedTime": iso(attempt.started_at),
    }
    if attempt.error_kind:
        out["_error"] = f"{attempt.error_kind}: {attempt.error_message}"
    if attempt.response_truncated:
        out["response"]["content"]["comment"] = "truncated: only the first part was kept"
    return out


def har(delivery: Delivery, event: Event, attempts: list[Attempt]) -> str:
    log = {
        "log": {
            "version": "1.2",
            "creator": {"name": "salesplay-mock", "version": __version__},
            "comment": f"delivery {delivery.id} of {event.type} event {event.id}: {delivery.status}",
            "entries": [entry(a, event.payload) for a in attempts],
        }
    }
    return json.dumps(log, indent=2)
