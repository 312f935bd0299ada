"""The OpenAPI document describes every request and response shape: typed clients in other
languages (the Node package's types among them) are generated from it, so a route without
schemas would give them nothing to check against."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.spec.openapi import openapi_document

DOC = openapi_document()
OPERATIONS = [(method, path, op) for path, item in DOC["paths"].items()
              for method, op in item.items() if method != "parameters"]
# POSTs that act on the path alone and take no body.
BODILESS = {("post", "/_mock/deliveries/{id}/redeliver"), ("post", "/_mock/webhooks/{id}/redeliver-skipped"),
            ("post", "/_mock/reset")}
# Answers that are free-form documents by nature: a JSON Schema, a Postman collection.
FREE_FORM = {("get", "/_mock/schemas/{type}")}


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = DOC["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


@pytest.mark.parametrize(("method", "path", "op"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS])
def test_every_answer_of_every_operation_has_a_schema(method: str, path: str, op: dict[str, Any]) -> None:
    assert any(code.startswith("2") or code == "default" for code in op["responses"]), "no success answer"
    for code, answer in op["responses"].items():
        if code == "204":
            assert "content" not in answer
            continue
        schemas = [media.get("schema") for media in answer.get("content", {}).values()]
        assert schemas and all(s is not None for s in schemas), f"{code} has no schema"
        shape = _resolve(schemas[0])
        if (code.startswith("2") or code == "default") and (method, path) not in FREE_FORM:
            described = shape.get("properties") or shape.get("required") or shape.get("items") or shape.get("oneOf") or shape.get("allOf")
            assert described, f"{code}'s schema says only {shape}; describe its fields"


@pytest.mark.parametrize(("method", "path", "op"), [o for o in OPERATIONS if o[0] in ("post", "put", "patch")],
                         ids=[f"{m} {p}" for m, p, _ in OPERATIONS if m in ("post", "put", "patch")])
def test_every_operation_that_takes_a_body_describes_it(method: str, path: str, op: dict[str, Any]) -> None:
    if (method, path) in BODILESS:
        assert "requestBody" not in op
        return
    content = op.get("requestBody", {}).get("content", {})
    assert content and all("schema" in media for media in content.values()), "no request body schema"
