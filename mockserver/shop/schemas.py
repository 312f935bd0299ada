"""The JSON Schemas (2020-12) that ship with the package, two per event type, one for each
side of the wire:

- ``strict`` (``schemas/{type}.json``): exactly what the mock sends, no field more. For
  testing the mock itself and fixtures made with it.
- ``receiver`` (``schemas/receiver/{type}.json``): what a receiver may rely on. The same
  fields and rules, and any field besides: SalesPlay can add fields without notice, so a
  receiver that validates with the strict one breaks the day it does (``check``'s
  ``unknown_fields`` scenario sends such a field).

The receiver schemas are made from the strict ones: ``python -m mockserver.shop.schemas``
writes them; a test checks the committed files are what it writes.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from mockserver.domain.vocabulary import EVENT_TYPES
from mockserver.shop.generated import generator_main

VARIANTS = ("strict", "receiver")
RECEIVER_NOTE = ("What a receiver may rely on: every field the mock sends, with the same rules, and fields it "
                 "does not know besides (SalesPlay can add fields without notice; ignore them). ")


@cache
def load_schema(type_: str, variant: str = "strict") -> dict[str, Any]:
    folder = resources.files("mockserver").joinpath("schemas")
    if variant == "receiver":
        folder = folder.joinpath("receiver")
    schema: dict[str, Any] = json.loads(folder.joinpath(f"{type_}.json").read_text("utf-8"))
    return schema


def receiver_schema(strict: dict[str, Any]) -> dict[str, Any]:
    """``strict`` with every ``additionalProperties: false`` taken out."""
    def open_(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: open_(v) for k, v in node.items() if not (k == "additionalProperties" and v is False)}
        if isinstance(node, list):
            return [open_(v) for v in node]
        return node

    out: dict[str, Any] = open_(strict)
    out["$id"] = strict["$id"].replace("/schemas/", "/schemas/receiver/")
    out["title"] = f"{strict['title']} (receiver)"
    out["description"] = RECEIVER_NOTE + strict.get("description", "")
    return out


def main(argv: list[str] | None = None) -> int:
    folder = Path(__file__).resolve().parent.parent / "schemas" / "receiver"
    return generator_main(
        "mockserver.shop.schemas", "the receiver schemas (schemas/receiver/), from the strict ones",
        lambda: {folder / f"{t}.json": json.dumps(receiver_schema(load_schema(t)), indent=2) + "\n" for t in EVENT_TYPES},
        argv)


if __name__ == "__main__":
    sys.exit(main())
