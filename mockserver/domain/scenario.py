"""A trigger and a scenario as a test writes them, checked before anything happens: what
``POST /_mock/events`` takes (an ``Act``), and a scenario's steps (acts, and ``advance``
steps that move the clock between them). A later step refers to what an earlier named one
made with ``"${sold.receipt_id}"``. Pure rules: checked input in, domain errors out."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union

from mockserver.domain.durations import MAX_AHEAD, parse_duration
from mockserver.domain.errors import InvalidField
from mockserver.domain.vocabulary import EVENT_TYPES, OPERATION_EVENTS, operations_sending
from mockserver.domain.webhook_rules import check_event_type

MAX_TRIGGER = 1000  # operations (or payloads) in one trigger, and in one scenario
MAX_STEPS = 1000
TRIGGER_FIELDS = ("type", "operation", "params", "count", "advance", "payload")
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")
REFERENCE = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_-]{0,63})\.([a-z_]+)\}$")


@dataclass(frozen=True)
class Act:
    """The shop acts ``count`` times (until it sends ``type``, or the named ``operation`` with
    its ``params``), or ``payload`` is sent as given; the clock moves ``advance`` seconds
    before each time. ``at`` is where it stands in a scenario (``steps[2].``), for errors."""

    type: str | None = None
    operation: str | None = None
    count: int = 1
    payload: dict[str, Any] | None = None
    params: dict[str, Any] | None = None
    advance: float = 0.0
    name: str | None = None
    at: str = ""


@dataclass(frozen=True)
class Wait:
    """An ``advance`` step: the clock moves ``seconds``, and what falls due is sent."""

    seconds: float
    at: str = ""


Step = Union[Act, Wait]


def check_count(count: object, *, field: str = "count") -> int:
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_TRIGGER:
        raise InvalidField(f"'{field}' must be an integer from 1 to {MAX_TRIGGER}", field=field)
    return count


def check_operation(operation: object, type_: object, *, at: str = "") -> str:
    """A named operation, and the ``type`` beside it (if any): one the operation sends."""
    if not isinstance(operation, str) or operation not in OPERATION_EVENTS:
        raise InvalidField(f"unknown operation {operation!r}; use one of " + ", ".join(OPERATION_EVENTS),
                           field=f"{at}operation")
    sends = OPERATION_EVENTS[operation]
    if type_ is not None and (checked := check_event_type(type_, field=f"{at}type")) not in sends:
        raise InvalidField(f"operation {operation!r} sends {' and '.join(sends)}, not {checked}; leave 'type' out, "
                           f"or use an operation that sends it ({', '.join(operations_sending(checked))})",
                           field=f"{at}type", code="type_not_sent_by_operation")
    return operation


def check_advance(value: object, *, field: str) -> float:
    try:
        seconds = parse_duration(value)
    except ValueError as exc:
        raise InvalidField(f"'{field}': {exc}", field=field) from None
    if seconds > MAX_AHEAD:
        raise InvalidField(f"'{field}' must be at most ten years", field=field)
    return seconds


def parse_trigger(body: dict[str, Any], *, at: str = "", extra: tuple[str, ...] = ()) -> Act:
    """A trigger's body (a scenario's step, ``at`` its place), checked; the first mistake
    is a 422 naming its field."""
    for name in body:
        if name not in TRIGGER_FIELDS + extra:
            raise InvalidField(f"unknown field {name!r}; use {', '.join(TRIGGER_FIELDS + extra)}",
                               field=f"{at}{name}")
    count = check_count(body.get("count", 1), field=f"{at}count")
    type_, operation, params = body.get("type"), body.get("operation"), body.get("params")
    advance = check_advance(body["advance"], field=f"{at}advance") if "advance" in body else 0.0
    if "payload" in body:
        if operation is not None:
            raise InvalidField("send 'operation' (the shop acts) or 'payload' (sent as given), not both",
                               field=f"{at}operation")
        if "params" in body:
            raise InvalidField("'params' are an operation's; a payload is sent as given", field=f"{at}params")
        checked = check_event_type(type_, field=f"{at}type")
        if not isinstance(body["payload"], dict):
            raise InvalidField(f"'{at}payload' must be a JSON object", field=f"{at}payload")
        return Act(type=checked, count=count, payload=body["payload"], advance=advance, at=at)
    if operation is not None:
        check_operation(operation, type_, at=at)
        if "params" in body and not isinstance(params, dict):
            raise InvalidField(f"'{at}params' must be a JSON object of {operation}'s parameters "
                               "(GET /_mock/operations lists them)", field=f"{at}params")
        return Act(type=type_, operation=operation, count=count, params=params, advance=advance, at=at)
    if type_ is None:
        raise InvalidField("send 'type' (one of " + ", ".join(EVENT_TYPES) + ") or 'operation'", field=f"{at}type")
    checked = check_event_type(type_, field=f"{at}type")
    if "params" in body:
        raise InvalidField("'params' need an 'operation': the parameters are an operation's", field=f"{at}params")
    return Act(type=checked, count=count, advance=advance, at=at)


def parse_scenario(raw: object) -> list[Step]:
    """A scenario: ``{"steps": [...]}`` (or the list itself). Each step is a trigger (with an
    optional ``name``) or ``{"advance": "7s"}``."""
    if isinstance(raw, dict):
        for key in raw:
            if key not in ("steps", "description"):
                raise InvalidField(f"unknown field {key!r}; a scenario has 'steps' (and a 'description')", field=key)
        raw = raw.get("steps")
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_STEPS:
        raise InvalidField(f"'steps' must be a list of 1 to {MAX_STEPS} steps", field="steps")
    steps: list[Step] = []
    names: set[str] = set()
    for n, item in enumerate(raw):
        at = f"steps[{n}]."
        if not isinstance(item, dict):
            raise InvalidField(f"'steps[{n}]' must be an object: a trigger, or {{\"advance\": \"7s\"}}",
                               field=f"steps[{n}]")
        if set(item) == {"advance"}:
            steps.append(Wait(check_advance(item["advance"], field=f"{at}advance"), at))
            continue
        act = parse_trigger(item, at=at, extra=("name",))
        name = item.get("name")
        if name is not None and (not isinstance(name, str) or not NAME.match(name) or name in names):
            rule = "is the name of an earlier step" if name in names else "must be a letter or _, then letters, " \
                   "digits, _ or - (64 at most)"
            raise InvalidField(f"'{at}name' {rule}", field=f"{at}name")
        if isinstance(name, str):
            names.add(name)
        steps.append(Act(act.type, act.operation, act.count, act.payload, act.params, act.advance, name, at))
    if sum(s.count for s in steps if isinstance(s, Act)) > MAX_TRIGGER:
        raise InvalidField(f"a scenario makes at most {MAX_TRIGGER} operations or payloads in all (the counts "
                           "added up)", field="steps")
    return steps


def resolve(value: Any, made: dict[str, dict[str, Any]], field: str) -> Any:
    """``value`` with every ``"${name.key}"`` replaced by ``key`` of what the step ``name`` made
    (its last operation's, when it ran several)."""
    if isinstance(value, dict):
        return {k: resolve(v, made, f"{field}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, made, f"{field}[{n}]") for n, v in enumerate(value)]
    found = REFERENCE.match(value) if isinstance(value, str) else None
    if found is None:
        return value
    name, key = found.groups()
    if name not in made:
        raise InvalidField(f"{value}: no earlier step is named {name!r} (name a step with \"name\": \"{name}\")",
                           field=field, code="unknown_reference")
    if key not in made[name]:
        raise InvalidField(f"{value}: step {name!r} made no {key!r}; it made {', '.join(made[name]) or 'nothing'}",
                           field=field, code="unknown_reference")
    return made[name][key]


def load_file(path: Path) -> Any:
    """A scenario file's content: JSON, or YAML (``.yaml``, ``.yml``). A ValueError says
    what is wrong, and where."""
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml  # PyYAML: only for YAML files

        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ValueError(f"is not valid YAML: {' '.join(str(exc).split())}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno} (a YAML file "
                         "needs the suffix .yaml or .yml)") from None
