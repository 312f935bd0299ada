"""The REST API's JSON Schemas and OpenAPI paths: generated, committed, in sync, valid, and
sharing every field definition with the webhook payloads."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from mockserver.rest.rest_schemas import PACKAGE, dump, file_name, record_schemas, schema_file, synced
from mockserver.shop.schemas import load_schema
from mockserver.spec.openapi import openapi_document

RECORDS = record_schemas()


def test_the_committed_openapi_document_is_what_the_generator_writes() -> None:
    committed = (PACKAGE / "openapi.json").read_text()
    assert dump(synced(json.loads(committed))) == committed, "run: python -m mockserver.rest.rest_schemas"


@pytest.mark.parametrize("title", list(RECORDS))
def test_each_record_schema_file_is_committed_valid_and_in_the_document(title: str) -> None:
    path = PACKAGE / "schemas" / "api" / f"{file_name(title)}.json"
    assert path.read_text() == dump(schema_file(title, RECORDS[title])), "run: python -m mockserver.rest.rest_schemas"
    jsonschema.Draft202012Validator.check_schema(json.loads(path.read_text()))
    assert openapi_document()["components"]["schemas"][title] == RECORDS[title]


def test_no_schema_file_is_left_over() -> None:
    files = {p.stem for p in Path(PACKAGE / "schemas" / "api").glob("*.json")}
    assert files == {file_name(t) for t in RECORDS}


@pytest.mark.parametrize(("event_type", "key", "title"), [
    ("products.update", "products", "Product"), ("customers.update", "customers", "Customer"),
    ("receipts.update", "receipts", "Receipt"), ("inventory_levels.update", "inventory_levels", "InventoryLevel"),
])
def test_fields_shared_with_the_webhook_are_defined_alike(event_type: str, key: str, title: str) -> None:
    schema = load_schema(event_type)

    def inline(node: object) -> object:
        if isinstance(node, dict):
            if "$ref" in node:
                return inline(schema["$defs"][node["$ref"].rsplit("/", 1)[1]])
            return {k: inline(v) for k, v in node.items()}
        return [inline(v) for v in node] if isinstance(node, list) else node

    item = schema["properties"][key]["items"]
    for name, definition in item["properties"].items():
        assert RECORDS[title]["properties"][name] == inline(definition), name
        assert name in RECORDS[title]["required"]
