"""JSON as RFC 8259 has it, read from untrusted bytes: Python's json module takes NaN and
Infinity (and writes them back, which no other JSON reader takes), and takes nesting it
cannot write back on a handler's stack; both are refused here, in words."""

from __future__ import annotations

import json
import sys
from typing import Any

MAX_DEPTH = 64  # levels of nesting: SalesPlay's payloads have five


class NotPlainJson(ValueError):
    """Bytes that are not JSON this server can hold and write back; the message says why,
    as it follows "the body" ("is nested more than 64 levels deep")."""

    def __init__(self, message: str, *, semantic: bool = False) -> None:
        super().__init__(message)
        self.semantic = semantic  # well-formed text, but not JSON's values (NaN, Infinity)


def _constant(name: str) -> None:
    raise NotPlainJson(f"holds {name}, which is not JSON (RFC 8259); send a number or null", semantic=True)


def loads(raw: bytes | str) -> Any:
    """The JSON value of ``raw``, or NotPlainJson: not UTF-8, not JSON, NaN or Infinity, an
    integer of more digits than Python reads, or nested past MAX_DEPTH."""
    try:
        value = json.loads(raw, parse_constant=_constant)
    except UnicodeDecodeError:
        raise NotPlainJson("is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise NotPlainJson(f"is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise NotPlainJson(f"is nested more than {MAX_DEPTH} levels deep") from None
    except NotPlainJson:
        raise
    except ValueError:  # an integer of more digits than int() reads
        digits = getattr(sys, "get_int_max_str_digits", lambda: 4300)()
        raise NotPlainJson(f"has an integer of more than {digits} digits") from None
    if _deeper_than(value, MAX_DEPTH):
        raise NotPlainJson(f"is nested more than {MAX_DEPTH} levels deep")
    return value


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether ``value`` nests past ``limit``, looked at without recursion (a deep value
    must not take the stack the check is made with)."""
    waiting = [(value, 1)]
    while waiting:
        item, depth = waiting.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return True
            waiting += [(child, depth + 1) for child in (item.values() if isinstance(item, dict) else item)]
    return False
