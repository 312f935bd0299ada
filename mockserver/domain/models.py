"""Records as the store hands them out and the engine makes them, and their JSON shape."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Literal

from mockserver.domain.vocabulary import AttemptState, DeliveryKind, DeliveryStatus, EventKind, WebhookStatus


def iso(t: float | None) -> str | None:
    """Simulated seconds as ISO 8601 UTC with millisecond precision."""
    if t is None:
        return None
    stamp = datetime.fromtimestamp(t, tz=timezone.utc).isoformat(timespec="milliseconds")
    return stamp.replace("+00:00", "Z")


def ms(t: float) -> float:
    """A simulated time to the millisecond, as the API shows it: a delivery said to be due
    at 12:00:05.123 is due when the clock reaches 12:00:05.123, not a fraction after."""
    return round(t, 3)


@dataclass(frozen=True)
class Webhook:
    id: str
    owner: str
    url: str
    events: tuple[str, ...]
    status: WebhookStatus
    disabled_reason: str | None
    created_at: float
    updated_at: float
    faults: dict[str, Any] | None = None

    @property
    def enabled(self) -> bool:
        return self.status == "enabled"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "events": list(self.events),
            "status": self.status,
            "disabled_reason": self.disabled_reason,
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
            "faults": self.faults,
        }


@dataclass(frozen=True)
class Event:
    id: str
    owner: str
    type: str
    payload: str
    created_at: float
    group_id: str | None
    kind: EventKind = "event"  # or "sample": the sample POST's, from a shop of its own

    def to_json(self, *, with_payload: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "kind": self.kind,
            "created_at": iso(self.created_at),
            "group_id": self.group_id,
        }
        if with_payload:
            out["payload"] = json.loads(self.payload)
        return out


@dataclass(slots=True)  # not frozen: the engine builds thousands a second, and frozen __init__ is slow
class Delivery:
    id: str
    owner: str
    event_id: str
    webhook_id: str
    kind: DeliveryKind
    status: DeliveryStatus
    attempts: int
    next_at: float | None
    created_at: float
    deadline: float
    last_error: str | None
    last_status: int | None
    event_type: str
    url: str
    fault: str | None = None
    hold_for: str | None = None
    inflight_at: float | None = None
    anchor_at: float | None = None  # the moment of the first attempt; later ones are due at offsets from it
    hold_delay: float = 0.0  # held behind another (hold_for): goes out this long after that one is done

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "event_id": self.event_id,
            "event_type": self.event_type,
            "webhook_id": self.webhook_id,
            "url": self.url,
            "kind": self.kind,
            "status": self.status,
            "attempt_count": self.attempts,
            "next_attempt_at": iso(self.next_at),
            "created_at": iso(self.created_at),
            "deadline": iso(self.deadline),
            "last_status": self.last_status,
            "last_error": self.last_error,
            "fault": self.fault,
            "held_until_done": self.hold_for,
            "attempt_in_flight_since": iso(self.inflight_at),
        }


@dataclass(frozen=True)
class DeliveryFilter:
    """Which of a merchant's deliveries to list; None anywhere: any."""

    webhook_id: str | None = None
    status: DeliveryStatus | None = None
    event_type: str | None = None
    kind: DeliveryKind | None = None
    last_status: int | None = None  # the last answer's HTTP status
    search: str | None = None  # the start of an id, or of a number in the payload (mockserver.domain.search)
    event_id: str | None = None  # only this event's deliveries


def new_delivery(
    event: Event,
    hook: Webhook,
    *,
    kind: DeliveryKind,
    status: DeliveryStatus,
    next_at: float | None,
    deadline: float,
    note: str | None = None,
    fault: str | None = None,
    hold_for: str | None = None,
) -> Delivery:
    """A delivery of ``event`` to ``hook``, not yet stored. Its times are to the millisecond,
    the deadline too (rounded alike, a last retry due at the deadline stays within it)."""
    return Delivery(
        id="dlv_" + secrets.token_hex(8), owner=event.owner, event_id=event.id, webhook_id=hook.id, kind=kind,
        status=status, attempts=0, next_at=None if next_at is None else ms(next_at), created_at=event.created_at, deadline=ms(deadline),
        last_error=note, last_status=None, event_type=event.type, url=hook.url, fault=fault, hold_for=hold_for,
    )


@dataclass(frozen=True)
class Attempt:
    id: int
    delivery_id: str
    number: int
    state: AttemptState
    scheduled_at: float
    started_at: float
    started_real: float
    duration_ms: float | None
    url: str
    request_headers: dict[str, str]
    response_status: int | None
    response_headers: dict[str, str] | None
    response_body: str | None
    response_truncated: bool
    error_kind: str | None
    error_message: str | None
    fault: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "state": self.state,
            "scheduled_at": iso(self.scheduled_at),
            "started_at": iso(self.started_at),
            "started_at_real": iso(self.started_real),
            "duration_ms": self.duration_ms,
            "url": self.url,
            "request_headers": self.request_headers,
            "response_status": self.response_status,
            "response_headers": self.response_headers,
            "response_body": self.response_body,
            "response_truncated": self.response_truncated,
            "error_kind": self.error_kind,
            "error_message": self.error_message,
            "fault": self.fault,
        }


@dataclass(slots=True)  # not frozen: made per attempt, and frozen __init__ is slow
class Outcome:
    """What one attempt came to."""

    state: AttemptState
    duration_ms: float | None  # None: unknown (cut off by a stop)
    response_status: int | None = None
    response_headers: dict[str, str] | None = None
    response_body: str | None = None
    response_truncated: bool = False
    error_kind: str | None = None
    error_message: str | None = None

    def summary(self) -> str | None:
        """The delivery's last error, as the lists show it."""
        if self.error_kind is not None:
            return f"{self.error_kind}: {self.error_message}"
        if self.state == "failed":
            return f"http_status: the receiver answered {self.response_status}"
        return None


@dataclass(slots=True)
class AttemptStart:
    """An attempt about to be made: marked on its delivery before the POST goes out."""

    delivery: Delivery
    started_at: float
    started_real: float
    headers: dict[str, str]
    anchor: float  # the delivery's start: every attempt is due at an offset from it
    ended: bool = False

    @property
    def scheduled_at(self) -> float:
        return self.started_at if self.delivery.next_at is None else self.delivery.next_at


@dataclass(slots=True)
class AttemptEnd:
    """An attempt that ended, and what its delivery is now."""

    started: AttemptStart
    outcome: Outcome
    status: Literal["pending", "succeeded", "failed"]  # the delivery now: pending (a retry is due), or done
    next_at: float | None

    @property
    def delivery_id(self) -> str:
        return self.started.delivery.id

    @property
    def number(self) -> int:
        return self.started.delivery.attempts + 1
