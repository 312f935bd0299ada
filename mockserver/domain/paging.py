"""Lists a page at a time: one ``Page`` and one opaque cursor for the REST API, the
control API and the page, each cursor a position in one list (a row number or an index),
so new or deleted records never shift or end a reader's walk."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Generic, TypeVar

from mockserver.domain.errors import InvalidField

T = TypeVar("T")
MAX_POSITION = 2**63 - 1  # a list index and a SQLite row number both fit
NOT_OURS = ("'cursor' is not one this list gave out; pass the 'next' of the page before unchanged, "
            "or leave it out for the first page")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, and the cursor of the next (None: this is the last)."""

    items: list[T]
    next: str | None


def cursor(kind: str, position: int) -> str:
    """Opaque on purpose: a client passes it back as it was and never builds one. ``kind``
    names the list, so a cursor of one list is refused by another."""
    return base64.urlsafe_b64encode(f"{kind}:{position}".encode()).decode().rstrip("=")


def position(kind: str, raw: str | None) -> int | None:
    """The position a cursor of list ``kind`` holds; None for no cursor (the first page)."""
    if raw is None:
        return None
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    prefix, _, number = text.partition(":")
    if prefix != kind or not re.fullmatch(r"[0-9]{1,19}", number) or int(number) > MAX_POSITION:
        raise InvalidField(NOT_OURS, field="cursor")
    return int(number)


def page_of(kind: str, rows: list[tuple[int, T]], limit: int) -> Page[T]:
    """``rows`` (each with the position the next page starts from, were it the last) read
    with one more than ``limit``: if that one came, there is a next page."""
    items = [item for _, item in rows[:limit]]
    return Page(items, cursor(kind, rows[limit - 1][0]) if len(rows) > limit else None)
