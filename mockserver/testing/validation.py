"""Checking a payload against a shipped JSON Schema, every problem said with its place."""

from __future__ import annotations

from typing import Any

from mockserver.testing.client import MissingExtra


def problems(schema: dict[str, Any], payload: object) -> list[str]:
    """Each way ``payload`` breaks ``schema``, as ``receipts[0].total: 'x' is not of type
    'number'``, in document order; empty when it is valid."""
    try:
        import jsonschema
    except ImportError:
        raise MissingExtra("validate() needs jsonschema: pip install jsonschema "
                           "(or pip install 'salesplay-mock[validate]')") from None
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(payload), key=lambda e: [str(p) for p in e.absolute_path])
    return [f"{_place(list(e.absolute_path))}: {e.message}" for e in errors]


def _place(path: list[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}" if out else str(part)
    return out or "(the payload)"
