"""Domain errors: what is wrong and with which field, in words for people, and no HTTP.

Adapters turn them into answers: the API into a JSON 4xx (``api/errors.py``), the page
into a message beside the form. A ``hint`` names advice that depends on where the user
is (an API route, a CLI flag, a button); each adapter says it its own way.
"""

from __future__ import annotations


class DomainError(Exception):
    """Bad input or a request the current state does not allow."""

    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None,
                 hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.hint = hint
        if code is not None:
            self.code = code


class InvalidField(DomainError):
    """A field breaks a rule; the message says which rule, and how to meet it."""

    code = "invalid_field"


class NotFound(DomainError):
    """No such record for this merchant."""

    code = "not_found"


class Conflict(DomainError):
    """The request is well formed, but the state of things does not allow it now."""

    code = "conflict"


class ClockNotManual(DomainError):
    """Only the manual clock can be moved."""

    code = "clock_not_manual"

    def __init__(self, mode: str) -> None:
        super().__init__(f"the clock is {mode}; only a manual clock can be moved", field="clock",
                         hint="manual_clock")


class RateLimited(DomainError):
    """More requests than a token's API faults allow in a simulated minute."""

    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, limit: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.limit = limit


class InjectedError(DomainError):
    """An error answer on purpose: a token's API faults asked for a share of them."""

    code = "injected_fault"

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status
