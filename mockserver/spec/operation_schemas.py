"""The catalogue of operations (``operations.py``) in the OpenAPI document: the trigger with
each operation's parameters, the catalogue's path, scenarios. ``python -m
mockserver.spec.operation_schemas`` writes them into ``openapi.json``; a test checks the
committed file is what it makes."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from mockserver.domain.operations import CATALOGUE, MAX_LINES, MAX_MONEY, Operation, Param
from mockserver.domain.scenario import MAX_STEPS, MAX_TRIGGER
from mockserver.domain.vocabulary import OPERATION_EVENTS
from mockserver.shop.generated import generator_main
from mockserver.shop.params import EMAIL, ENTITY_ID, MAX_TEXT, RECEIPT_NUMBER

Schema = dict[str, Any]
DOC = Path(__file__).resolve().parent.parent / "openapi.json"
ERROR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
KINDS: dict[str, Schema] = {
    "id": {"type": "string", "pattern": ENTITY_ID.pattern},
    "code": {"type": ["string", "integer"], "pattern": "^[0-9]{1,18}$", "minimum": 0, "maximum": 10**18 - 1},
    "barcode": {"type": "string", "pattern": "^[0-9]{13}$"},
    "number": {"type": "string", "pattern": RECEIPT_NUMBER.pattern},
    "text": {"type": "string", "minLength": 1, "maxLength": MAX_TEXT, "pattern": "\\S"},
    "email": {"type": "string", "maxLength": MAX_TEXT, "pattern": EMAIL.pattern},
    "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
    "money": {"type": "number", "minimum": 0, "maximum": MAX_MONEY},
    "percent": {"type": "number", "minimum": 0, "maximum": 100},
    "flag": {"type": "boolean"},
}
ADVANCE: Schema = {"type": ["number", "string"], "minimum": 0, "maximum": 316224000,
                   "description": "move the clock this far before each operation (seconds, or 1s, 90s, 15m, 48h): "
                                  "every event gets its own time. On the manual clock time moves at once; on a clock "
                                  "that runs by itself the request waits (5 real seconds at most)"}


def title(op: Operation) -> str:
    return "".join(word.title() for word in op.name.split("_")) + "Params"


def param_schema(p: Param) -> Schema:
    if p.kind == "int":
        out: Schema = {"type": "integer", "minimum": p.lo, "maximum": p.hi}
    elif p.kind == "choice":
        out = {"enum": list(p.choices)}
    elif p.kind == "list":
        out = {"type": "array", "minItems": 1, "maxItems": MAX_LINES, "items": _object(
            p.fields, [f.name for f in p.fields if f.required], p.one_of, p.pick)}
    else:
        out = dict(KINDS[p.kind])
    if p.nullable:
        out = {"anyOf": [out, {"type": "null"}]}
    about = p.about + (f". Default: {p.default}" if p.default else "")
    return {**out, "description": about}


def _object(params: tuple[Param, ...], required: list[str], one_of: tuple[tuple[str, ...], ...],
            pick: tuple[str, ...] = ()) -> Schema:
    out: Schema = {"type": "object", "properties": {p.name: param_schema(p) for p in params},
                   "additionalProperties": False}
    if required:
        out["required"] = required
    rules: list[Schema] = [{"not": {"required": list(group)}} for group in one_of]
    if pick:
        rules.append({"oneOf": [{"required": [name]} for name in pick]})
    if rules:
        out["allOf"] = rules
    return out


def trigger_schema(*, step: bool = False) -> Schema:
    """What ``POST /_mock/events`` takes (a scenario's step: the same, with a ``name``): one
    shape per operation (its ``type``s, its ``params``), one for a ``type``, one for a
    ``payload``. (Per-operation rules as if/then around a reference are more than the
    fuzzer, schemathesis, can generate from.)"""
    common: Schema = {"count": {"type": "integer", "minimum": 1, "maximum": MAX_TRIGGER}, "advance": ADVANCE}
    if step:
        common["name"] = {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_-]{0,63}$", "description": (
            "a later step's params refer to what this step made as \"${name.key}\" (\"${sold.receipt_id}\")")}

    def shape(required: list[str], about: str, **props: Schema) -> Schema:
        return {"type": "object", "description": about, "required": required, "additionalProperties": False,
                "properties": {**props, **common}}

    event_type = {"$ref": "#/components/schemas/EventType"}
    return {
        "description": "Send 'type' (the shop acts until it sends one of that type), 'operation' (one named "
                       "operation, with its 'params'; a 'type' beside it must be one the operation sends, or the "
                       "answer is a 422 naming 'type'), or 'type' with 'payload' (sent as given; not with "
                       "'operation' or 'params'). All or nothing: a bad parameter anywhere changes nothing.",
        "anyOf": [
            *(shape(["operation"], f"{op.name}: {op.about} Sends {', '.join(OPERATION_EVENTS[op.name])}",
                    operation={"const": op.name}, type={"enum": list(OPERATION_EVENTS[op.name])},
                    # A step's params may hold "${name.key}" where an id goes: checked once resolved.
                    params={"type": "object"} if step else {"$ref": f"#/components/schemas/{title(op)}"})
              for op in CATALOGUE),
            shape(["type"], "the shop acts until it sends an event of this type", type=event_type),
            shape(["type", "payload"], "this payload, sent as given as an event of this type", type=event_type,
                  payload={"type": "object"}),
        ],
    }


def _step() -> Schema:
    return {"anyOf": [{"$ref": "#/components/schemas/ScenarioStep"}, {
        "type": "object", "properties": {"advance": ADVANCE}, "required": ["advance"], "additionalProperties": False,
        "description": "move the clock; every attempt that falls due on the way is made"}]}


def _made() -> Schema:
    ids = ("receipt_id", "receipt_number", "credit_note_id", "credit_note_number", "product_id", "product_code",
           "customer_id")
    return {"type": "object", "description": "The ids of the records one operation made or changed (GET "
            "/_mock/operations says which each one returns): what a test asserts on, or refers to in a scenario",
            "properties": {"operation": {"type": ["string", "null"]}, **{k: {"type": "string"} for k in ids},
                           "shop_id": {"type": ["string", "null"]},
                           "product_ids": {"type": "array", "items": {"type": "string"}}},
            "additionalProperties": False}


def _param_entry(*, field: bool = False) -> Schema:
    """A parameter in the catalogue; a list's items are fields (not recursive: Postman's
    checker inlines every reference)."""
    text = {"type": "string"}
    items: Schema = {} if field else {
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/OperationField"}},
        "items_name_one_of": {"type": "array", "items": text},
        "items_exclusive": {"type": "array", "items": {"type": "array", "items": text}}}
    return {"type": "object", "required": ["name", "type", "description"], "properties": {
        "name": text, "type": {"enum": ["id", "code", "barcode", "number", "text", "email", "country", "money", "int",
                                        "percent", "choice", "flag", "list"]},
        "description": text, "default": text, "choices": {"type": "array"}, "minimum": {"type": "integer"},
        "maximum": {"type": "integer"}, "nullable": {"type": "boolean"}, "required": {"type": "boolean"}, **items}}


def _operation_entry() -> Schema:
    text = {"type": "string"}
    names = {"type": "array", "items": text}
    return {"type": "object", "required": ["name", "description", "params", "exclusive", "emits", "returns", "note"],
            "properties": {"name": {"enum": list(OPERATION_EVENTS)}, "description": text,
                           "params": {"type": "array", "items": {"$ref": "#/components/schemas/OperationParam"}},
                           "exclusive": {"type": "array", "items": names},
                           "emits": {"type": "array", "items": {"type": "object", "required": ["type", "when"],
                                                                "properties": {"type": {"$ref": "#/components/"
                                                                               "schemas/EventType"}, "when": text}}},
                           "returns": names, "note": text}}


def _step_result() -> Schema:
    events = {"type": "array", "items": {"$ref": "#/components/schemas/EventWithDeliveries"}}
    return {"type": "object", "required": ["index", "name"], "properties": {
        "index": {"type": "integer", "minimum": 0}, "name": {"type": ["string", "null"]},
        "made": {"type": "array", "items": {"$ref": "#/components/schemas/Made"}}, "events": events,
        "advanced": {"type": "number", "description": "seconds the clock moved at this step"},
        "attempts_made": {"type": "integer", "minimum": 0, "description": "attempts that fell due on the way"},
        "now": {"type": "string", "description": "the clock after the step"}}}


def components() -> Schema:
    step = trigger_schema(step=True)
    return {
        "Trigger": trigger_schema(),
        **{title(op): {**_object(op.params, [], op.one_of), "description": f"{op.name}'s parameters: {op.about}"}
           for op in CATALOGUE},
        "Made": _made(),
        "Triggered": {"type": "object", "required": ["made", "events"], "properties": {
            "made": {"type": "array", "items": {"$ref": "#/components/schemas/Made"},
                     "description": "one per operation run (none for a payload sent as given)"},
            "events": {"type": "array", "items": {"$ref": "#/components/schemas/EventWithDeliveries"}}}},
        "OperationParam": _param_entry(),
        "OperationField": _param_entry(field=True),
        "Operation": _operation_entry(),
        "ScenarioStep": {**step, "description": "a trigger, as POST /_mock/events takes it, with an optional name"},
        "Scenario": {"type": "object", "required": ["steps"], "additionalProperties": False, "properties": {
            "steps": {"type": "array", "minItems": 1, "maxItems": MAX_STEPS, "items": _step()},
            "description": {"type": "string"}}},
        "StepResult": _step_result(),
        "ScenarioResult": {"type": "object", "required": ["steps"], "properties": {
            "steps": {"type": "array", "items": {"$ref": "#/components/schemas/StepResult"}}}},
    }


def _errors(*codes: str) -> Schema:
    about = {"400": "Malformed body", "401": "Missing or wrong Bearer token", "404": "A parameter names a record "
             "the shop does not have; the error names it", "409": "A refund with nothing to refund (nothing changed)",
             "413": "Body over the size limit", "415": "Not JSON", "422": "A field or parameter breaks a rule; the "
             "error names it (steps[2].params.lines[0].quantity). Nothing changed"}
    return {code: {"description": about[code], **ERROR} for code in codes}


EXAMPLE = {"steps": [
    {"name": "sold", "operation": "sale", "params": {"lines": [{"product_code": "10003", "quantity": 2}],
                                                    "payment_type": "card"}},
    {"advance": "7s"},
    {"operation": "refund", "params": {"receipt_id": "${sold.receipt_id}",
                                       "lines": [{"product_code": "10003", "quantity": 1}]}},
]}


def paths(doc: Schema) -> Schema:
    trigger = dict(doc["paths"]["/_mock/events"]["post"])
    trigger["requestBody"] = {"required": True, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Trigger"}, "example": {"operation": "sale"}}}}
    trigger["responses"] = {"201": {"description": "The records made, and the events with their deliveries",
                                    "content": {"application/json": {"schema": {
                                        "$ref": "#/components/schemas/Triggered"}}}},
                            **_errors("400", "401", "404", "409", "413", "415", "422")}
    return {
        "/_mock/events": {**doc["paths"]["/_mock/events"], "post": trigger},
        "/_mock/operations": {"get": {
            "summary": "The shop's operations: each one's parameters, the events it sends and when, what it returns",
            "operationId": "list_operations", "security": [{}],
            "responses": {"200": {"description": "The catalogue", "content": {"application/json": {"schema": {
                "type": "object", "required": ["data"], "properties": {"data": {"type": "array", "items": {
                    "$ref": "#/components/schemas/Operation"}}}}}}},
                **_errors("422")}}},
        "/_mock/scenarios": {"post": {
            "summary": "Run a scenario: operations with their parameters and advances of the clock, in order, all or "
                       "nothing",
            "operationId": "run_scenario",
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Scenario"}, "example": EXAMPLE}}},
            "responses": {"201": {"description": "What each step did", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/ScenarioResult"}}}},
                **_errors("400", "401", "404", "409", "413", "415", "422")}}},
    }


def synced(doc: Schema) -> Schema:
    """``doc`` with the catalogue's paths (after ``/_mock/events``) and schemas."""
    ours = paths(doc)
    out: Schema = {}
    for path, item in doc["paths"].items():
        if path in ours:
            continue
        out[path] = item
        if path == "/_mock/deliveries":  # ours go where /_mock/events is, before the deliveries
            out.pop(path)
            out.update(ours)
            out[path] = item
    return {**doc, "paths": out, "components": {**doc["components"], "schemas": {
        **doc["components"]["schemas"], **components()}}}


def main(argv: list[str] | None = None) -> int:
    return generator_main(
        "mockserver.spec.operation_schemas", "openapi.json's trigger, operations and scenarios, from the catalogue",
        lambda: {DOC: json.dumps(synced(json.loads(DOC.read_text("utf-8"))), indent=2) + "\n"}, argv)


if __name__ == "__main__":
    sys.exit(main())
