"""The JSON Schemas (2020-12) that ship with the package, one per event type."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def load_schema(type_: str) -> dict[str, Any]:
    text = resources.files("mockserver").joinpath("schemas").joinpath(f"{type_}.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
