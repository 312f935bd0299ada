"""Where to change the mock: a place in a shipped JSON Schema (strict or receiver) as file,
line and JSON pointer, and a line of the package's own source, said as a path inside the
project (``mockserver/schemas/receipts.update.json:118 #/$defs/money/type``)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any, Literal

from mockserver.shop.schemas import load_schema

Variant = Literal["strict", "receiver"]


def schema_file(type_: str, variant: Variant = "strict") -> str:
    return f"mockserver/schemas/{'receiver/' if variant == 'receiver' else ''}{type_}.json"


def at(schema: dict[str, Any], pointer: str) -> Any:
    """The part of ``schema`` a ``#/...`` pointer names."""
    node: Any = schema
    for part in pointer.lstrip("#").split("/")[1:]:
        key = part.replace("~1", "/").replace("~0", "~")
        node = node[int(key)] if isinstance(node, list) else node[key]
    return node


def resolve(schema: dict[str, Any], path: list[str | int]) -> str:
    """The pointer of the keyword a validator's schema path ends on, following each ``$ref``
    on the way (jsonschema leaves them out of the path): the place to change, which for a
    shared definition is the definition (``#/$defs/time/pattern``)."""
    node: Any = schema
    pointer = "#"
    for key in path:
        while isinstance(node, dict) and key not in node and isinstance(node.get("$ref"), str):
            pointer = node["$ref"]
            node = at(schema, pointer)
        node = node[key]
        pointer += "/" + str(key).replace("~", "~0").replace("/", "~1")
    return pointer


def parent(pointer: str) -> str:
    return pointer.rsplit("/", 1)[0]


@cache
def _schema_lines(type_: str, variant: Variant) -> dict[str, int]:
    """The line of every pointer in the schema file, when the file is laid out as
    ``json.dumps(indent=2)`` lays it out (the shipped files are; a test keeps them so)."""
    node = resources.files("mockserver")
    for part in schema_file(type_, variant).split("/")[1:]:
        node = node.joinpath(part)
    text = node.read_text("utf-8")
    schema = load_schema(type_, variant)
    if text not in (json.dumps(schema, indent=2) + "\n", json.dumps(schema, indent=2, ensure_ascii=False) + "\n"):
        return {}
    lines: dict[str, int] = {}
    _number(schema, "#", 1, lines)
    return lines


def _number(node: Any, pointer: str, line: int, lines: dict[str, int]) -> int:
    """Note where ``node`` starts; return the line after it ends."""
    lines[pointer] = line
    children: list[tuple[str, Any]] = []
    if isinstance(node, dict):
        children = [(str(k).replace("~", "~0").replace("/", "~1"), v) for k, v in node.items()]
    elif isinstance(node, list):
        children = [(str(i), v) for i, v in enumerate(node)]
    if not children:
        return line + 1
    line += 1  # the opening bracket's line holds the first child's key only in compact JSON
    for key, child in children:
        line = _number(child, f"{pointer}/{key}", line, lines)
    return line + 1  # the closing bracket


def in_schema(type_: str, pointer: str, variant: Variant = "strict") -> str:
    """``mockserver/schemas/receipts.update.json:118 #/$defs/money/type``."""
    line = _schema_lines(type_, variant).get(pointer)
    return f"{schema_file(type_, variant)}{f':{line}' if line else ''} {pointer}"


@cache
def in_source(module: str, needle: str) -> str:
    """``mockserver/domain/schedule.py:21``: the first line of ``module`` that holds ``needle``."""
    relative = module.replace(".", "/") + ".py"
    try:
        text = resources.files("mockserver").joinpath("/".join(relative.split("/")[1:])).read_text("utf-8")
    except OSError:
        return relative
    number = next((n for n, line in enumerate(text.splitlines(), start=1) if needle in line), None)
    return f"{relative}:{number}" if number else relative
