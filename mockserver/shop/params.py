"""An operation's ``params`` checked against the catalogue (``operations.py``) before the
shop acts: every value of the right kind, every name known, no two that exclude each other.
A mistake is a 422 naming the field (``params.lines[0].quantity``) and the rule. Money
comes out in cents, as the shop keeps it; whether a record exists is the shop's to say."""

from __future__ import annotations

import re
from typing import Any

from mockserver.domain.errors import InvalidField
from mockserver.domain.operations import MAX_LINES, MAX_MONEY, OPERATIONS, Param

ENTITY_ID = re.compile(r"^[A-Za-z0-9+/]{28}(QT09|UT09|Zz09|dz09)$")  # resources.ENTITY_ID, without its imports
RECEIPT_NUMBER = re.compile(r"^[0-9]{1,9}-[0-9]{6,12}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_TEXT = 200
Given = dict[str, Any]


def check_params(operation: str, raw: object, *, field: str = "params") -> Given:
    """``raw`` (the JSON of a trigger's ``params``) as checked values, by name."""
    op = OPERATIONS[operation]
    given = _object(raw, op.params, field, what=f"{operation}'s parameters")
    for group in op.one_of:
        _at_most_one(given, group, field)
    return given


def _object(raw: object, params: tuple[Param, ...], field: str, *, what: str) -> Given:
    if not isinstance(raw, dict):
        raise InvalidField(f"'{field}' must be a JSON object of {what}", field=field)
    known = {p.name: p for p in params}
    for name in raw:
        if name not in known:
            names = ", ".join(known) or "none"
            raise InvalidField(f"unknown parameter {name!r}; {what} are {names}", field=f"{field}.{name}",
                               code="unknown_parameter")
    return {name: _value(known[name], value, f"{field}.{name}") for name, value in raw.items()}


def _at_most_one(given: Given, group: tuple[str, ...], field: str) -> None:
    both = [name for name in group if name in given]
    if len(both) > 1:
        raise InvalidField(f"give {' or '.join(repr(n) for n in group)}, not both", field=f"{field}.{both[1]}",
                           code="exclusive_parameters")


def _value(p: Param, value: object, field: str) -> Any:
    if value is None and p.nullable:
        return None
    check = KINDS[p.kind]
    return check(p, value, field)


def _id(p: Param, value: object, field: str) -> str:
    if not isinstance(value, str) or not ENTITY_ID.match(value):
        raise InvalidField(f"'{field}' must be a SalesPlay id: 32 characters, as the payloads and the REST API "
                           "show them" + ("; null for none" if p.nullable else ""), field=field)
    return value


def _code(p: Param, value: object, field: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        value = str(value)
    if not isinstance(value, str) or not value.isascii() or not value.isdigit() or not 0 < len(value) <= 18:
        raise InvalidField(f"'{field}' must be a product code: up to 18 digits, such as \"10003\"", field=field)
    return value


def _barcode(p: Param, value: object, field: str) -> str:
    if not isinstance(value, str) or not value.isascii() or not value.isdigit() or len(value) != 13:
        raise InvalidField(f"'{field}' must be an EAN-13 barcode: 13 digits", field=field)
    digits = [int(d) for d in value]
    if (10 - sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits[:12])) % 10) % 10 != digits[12]:
        raise InvalidField(f"'{field}' is not a valid EAN-13: its last digit is not the check digit of the "
                           "first twelve", field=field)
    return value


def _number(p: Param, value: object, field: str) -> str:
    if not isinstance(value, str) or not RECEIPT_NUMBER.match(value):
        raise InvalidField(f"'{field}' must be a receipt number such as \"1-000004\"", field=field)
    return value


def _text(p: Param, value: object, field: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
        raise InvalidField(f"'{field}' must be text of 1 to {MAX_TEXT} characters", field=field)
    return value


def _email(p: Param, value: object, field: str) -> str:
    if not isinstance(value, str) or len(value) > MAX_TEXT or not EMAIL.match(value):
        raise InvalidField(f"'{field}' must be an email address such as ada@example.com", field=field)
    return value


def _country(p: Param, value: object, field: str) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Z]{2}", value):
        raise InvalidField(f"'{field}' must be an ISO 3166 country code: two capital letters, such as LK",
                           field=field)
    return value


def _money(p: Param, value: object, field: str) -> int:
    """An amount in the currency's units, at most two decimals: cents."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= MAX_MONEY:
        raise InvalidField(f"'{field}' must be an amount from 0 to {MAX_MONEY:,}, such as 12.5", field=field)
    cents = round(value * 100)
    if abs(value * 100 - cents) > 1e-6:
        raise InvalidField(f"'{field}' must have at most two decimals (12.34), not {value!r}", field=field)
    return cents


def _int(p: Param, value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not p.lo <= value <= p.hi:
        raise InvalidField(f"'{field}' must be a whole number from {p.lo:,} to {p.hi:,}", field=field)
    return value


def _percent(p: Param, value: object, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
        raise InvalidField(f"'{field}' must be a number from 0 to 100", field=field)
    return float(value)


def _choice(p: Param, value: object, field: str) -> Any:
    if isinstance(value, bool) or value not in p.choices:
        raise InvalidField(f"'{field}' must be one of {', '.join(str(c) for c in p.choices)}", field=field)
    return value


def _flag(p: Param, value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidField(f"'{field}' must be true or false", field=field)
    return value


def _list(p: Param, value: object, field: str) -> list[Given]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_LINES:
        raise InvalidField(f"'{field}' must be a list of 1 to {MAX_LINES} objects", field=field)
    items = []
    for n, raw in enumerate(value):
        where = f"{field}[{n}]"
        item = _object(raw, p.fields, where, what=f"the fields of {p.name}")
        for f in p.fields:
            if f.required and f.name not in item:
                raise InvalidField(f"'{where}.{f.name}' is missing: {f.about}", field=f"{where}.{f.name}")
        if p.pick and sum(name in item for name in p.pick) != 1:
            raise InvalidField(f"'{where}' must name its record by one of {', '.join(p.pick)} (exactly one)",
                               field=f"{where}.{p.pick[0]}", code="exclusive_parameters")
        for group in p.one_of:
            _at_most_one(item, group, where)
        items.append(item)
    return items


KINDS = {"id": _id, "code": _code, "barcode": _barcode, "number": _number, "text": _text, "email": _email, "country": _country,
         "money": _money, "int": _int, "percent": _percent, "choice": _choice, "flag": _flag, "list": _list}
