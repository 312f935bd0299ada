"""The OpenAPI document shipped in the package: both APIs' paths and every shape, read once."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from mockserver import __version__


@cache
def openapi_document() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(resources.files("mockserver").joinpath("openapi.json").read_text("utf-8"))
    doc["info"]["version"] = __version__  # the file's is a placeholder: the version has one source, the tag
    return doc
