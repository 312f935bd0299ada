"""A recorded payload against the mock's JSON Schemas of its type: the strict one (what the
mock sends: fields the mock lacks, fields SalesPlay lacks, types and formats of dates, ids
and money that differ) and the receiver one (what a receiver may rely on: the same rules
with any field besides), each difference with the schema line to change."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from typing import Any

import jsonschema

from mockserver.domain.vocabulary import EVENT_TYPES
from mockserver.fidelity import locate
from mockserver.fidelity.report import BODIES, Finding, Kind, SchemaName
from mockserver.shop.schemas import load_schema

# What the shared definitions stand for, said in a difference: "format (date)".
DEFINITIONS = {"time": "date", "id": "id", "merchant_id": "merchant id", "money": "money", "code": "code"}
RECORDS = "mockserver/shop/records.py"  # where the shop makes the records the schemas describe
REGENERATE = "python -m mockserver.shop.schemas"  # writes the receiver schemas from the strict ones


@cache
def _validator(type_: str, variant: SchemaName) -> Any:
    schema = load_schema(type_, variant)
    return jsonschema.validators.validator_for(schema)(schema)


@dataclass(frozen=True)
class _Against:
    """The schema a payload is checked against, and how to say where to change it."""

    type_: str
    variant: SchemaName

    @property
    def schema(self) -> dict[str, Any]:
        return load_schema(self.type_, self.variant)

    def change(self, pointer: str, how: str) -> str:
        where = locate.in_schema(self.type_, pointer, self.variant)
        if self.variant == "strict":
            return f"{where}: {how}"
        # The receiver schemas are written from the strict ones: the fix is made there.
        return (f"{where}: {how}; this file is made from {locate.in_schema(self.type_, pointer)}: change that, "
                f"then run {REGENERATE}")


def differences(payload: Any) -> list[Finding]:
    """Each way ``payload`` differs from what the mock sends (its strict schema)."""
    if not isinstance(payload, dict):
        return [Finding("body", BODIES, "the payload", f"a JSON {_kind(payload)}",
                        "a JSON object: merchant_id, type, created_at and one list of records", "")]
    type_ = payload.get("type")
    if type_ not in EVENT_TYPES:
        return [Finding("event_type", BODIES, "$.type", show(type_), f"one of {', '.join(EVENT_TYPES)}",
                        f"{locate.in_source('mockserver.domain.vocabulary', 'EVENT_TYPES =')}: add it to EVENT_TYPES, "
                        f"with its schema in mockserver/schemas/ (see ARCHITECTURE.md: a new event type)")]
    return against(payload, type_, "strict")


def against(payload: dict[str, Any], type_: str, variant: SchemaName) -> list[Finding]:
    """Each rule of ``type_``'s ``variant`` schema that ``payload`` breaks, once per place."""
    found: dict[tuple[str, str], Finding] = {}
    for error in _validator(type_, variant).iter_errors(payload):
        for f in _classify(error, _Against(type_, variant)):
            found.setdefault((f.kind, f.subject), f)
    return list(found.values())


def _classify(error: Any, to: _Against) -> list[Finding]:
    schema, type_ = to.schema, to.type_
    path = list(error.absolute_path)
    pointer = locate.resolve(schema, list(error.absolute_schema_path))
    keyword = error.validator
    if keyword in ("anyOf", "oneOf"):
        return _branches(error, to, pointer)
    if keyword == "additionalProperties":
        known = locate.at(schema, locate.parent(pointer)).get("properties", {})
        where = locate.parent(pointer) + "/properties"
        return [Finding("field_mock_lacks", type_, subject(path + [k]), show(v), "no such field",
                        to.change(where, f"add {k!r}, and have the shop send it ({RECORDS})"), to.variant)
                for k, v in error.instance.items() if k not in known]
    if keyword == "required":
        return [Finding("field_salesplay_lacks", type_, subject(path + [k]), "no such field", "always sent",
                        to.change(pointer, f"drop {k!r} from required (or the field), and from the shop's records "
                                           f"({RECORDS})"), to.variant)
                for k in error.validator_value if k not in error.instance]
    kind: Kind = "type" if keyword == "type" else "format" if keyword == "pattern" else "value"
    return [Finding(kind, type_, subject(path), show(error.instance), _expected(schema, pointer, error),
                    to.change(pointer, f"make it take {show(error.instance)}"), to.variant)]


def _branches(error: Any, to: _Against, pointer: str) -> list[Finding]:
    """Of ``anyOf: [id, null]``, the branch of the value's own type says what is wrong
    with it; when no branch has its type, the type is the difference."""
    by_branch: dict[int, list[Any]] = defaultdict(list)
    for sub in error.context or ():
        by_branch[sub.relative_schema_path[0]].append(sub)
    for errors in by_branch.values():
        if not any(e.validator == "type" and not e.relative_path for e in errors):
            return [f for e in errors for f in _classify(e, to)]
    choices = " or ".join(_describe(to.schema, f"{pointer}/{i}") for i in range(len(error.validator_value)))
    return [Finding("type", to.type_, subject(list(error.absolute_path)), show(error.instance), choices,
                    to.change(pointer, f"let it take {show(error.instance)}"), to.variant)]


def _expected(schema: dict[str, Any], pointer: str, error: Any) -> str:
    what = _describe(schema, locate.parent(pointer))
    if error.validator in ("type", "pattern", "enum", "const"):
        return what
    return f"{what}: {error.message}"


def _describe(schema: dict[str, Any], pointer: str) -> str:
    """``number (money: an amount with at most 2 decimals)``: a schema in words."""
    node = locate.at(schema, pointer)
    name = None
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        name = node["$ref"].rsplit("/", 1)[1]
        node = locate.at(schema, node["$ref"])
    if not isinstance(node, dict):
        return "anything"
    name = name or (pointer.split("/")[2] if pointer.startswith("#/$defs/") else None)
    what = ("one of " + ", ".join(map(show_value, node["enum"])) if "enum" in node
            else show_value(node["const"]) if "const" in node else str(node.get("type", "anything")))
    label = DEFINITIONS.get(name or "", name)
    detail = node.get("description") or (f"pattern {node['pattern']}" if "pattern" in node else "")
    inner = ": ".join(x for x in (label, detail) if x)
    return f"{what} ({inner})" if inner else what


def subject(path: list[Any]) -> str:
    """``$.receipts[*].line_items[*].tax``: the place in every payload of the type."""
    return "$" + "".join("[*]" if isinstance(p, int) else f".{p}" for p in path)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    return {float: "number", str: "string", list: "array", dict: "object"}.get(type(value), type(value).__name__)


def show_value(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def show(value: Any) -> str:
    """``"12.50" (string)``: a value as SalesPlay sent it, and its JSON type."""
    return f"{show_value(value)} ({_kind(value)})"
