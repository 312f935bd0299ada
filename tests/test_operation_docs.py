"""Every operation and parameter is in GET /_mock/operations, the OpenAPI document, and
docs/scenarios.md's table and reference, each made from the one catalogue, and the committed
files are what the generators make."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from mockserver.domain.operations import CATALOGUE
from mockserver.spec.openapi import openapi_document
from mockserver.spec.operation_docs import catalogue_json, operations_table, reference
from mockserver.spec.operation_schemas import EXAMPLE, synced, title

ROOT = Path(__file__).resolve().parent.parent


def _between(text: str, start: str, end: str) -> str:
    begin = text.index(start) + len(start)
    return text[text.index("\n", begin) + 1:text.index(end, begin)]


def test_the_docs_table_of_operations_is_the_catalogues() -> None:
    doc = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    assert _between(doc, "<!-- operations:", "<!-- end of operations -->") == operations_table(), (
        "docs/scenarios.md's table of operations is stale: paste `python -m mockserver.spec.operation_docs` into it")


def test_the_reference_in_docs_is_the_catalogues() -> None:
    doc = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    assert _between(doc, "<!-- reference:", "<!-- end of reference -->") == reference(), (
        "docs/scenarios.md is stale: paste `python -m mockserver.spec.operation_docs --reference` into it")


def test_the_committed_openapi_document_has_the_catalogue() -> None:
    committed = json.loads((ROOT / "mockserver" / "openapi.json").read_text(encoding="utf-8"))
    assert synced(committed) == committed, "openapi.json is stale: run python -m mockserver.spec.operation_schemas"


def test_every_operation_and_parameter_is_named_everywhere() -> None:
    doc = openapi_document()
    schemas = doc["components"]["schemas"]
    served = {op["name"]: op for op in catalogue_json()}
    table = operations_table()
    for op in CATALOGUE:
        params = schemas[title(op)]["properties"]
        assert [p["name"] for p in served[op.name]["params"]] == [p.name for p in op.params] == list(params)
        row = next(line for line in table.splitlines() if line.startswith(f"| `{op.name}`"))
        for p in op.params:
            assert f"`{p.name}`" in row, (op.name, p.name)
            for f in p.fields:
                assert f.name in params[p.name]["items"]["properties"]
                assert f"`{f.name}`" in row, (op.name, p.name, f.name)
    trigger = schemas["Trigger"]
    shapes = [v["properties"]["operation"]["const"] for v in trigger["anyOf"] if "operation" in v["properties"]]
    assert shapes == [op.name for op in CATALOGUE]
    assert {"/_mock/operations", "/_mock/scenarios"} <= set(doc["paths"])


def _validator(name: str) -> Any:
    schema = {"$ref": f"#/components/schemas/{name}", "components": openapi_document()["components"]}
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize(("body", "valid"), [
    ({"operation": "sale", "params": {"lines": [{"product_code": "10003", "quantity": 2}], "payment_type": "card"}},
     True),
    ({"operation": "refund", "params": {"receipt_number": "1-000001", "full": True}, "advance": "1s"}, True),
    ({"operation": "sale", "params": {"lines": [{"product_code": "10003", "product_id": "x", "quantity": 1}]}}, False),
    ({"operation": "sale", "params": {"payment_type": "card", "payments": []}}, False),
    ({"operation": "sale", "params": {"discount": 1}}, False),
    ({"type": "receipts.update", "params": {}}, False),
    ({"type": "receipts.update", "payload": {}, "params": {}}, False),
])
def test_the_documented_trigger_takes_what_the_server_takes(body: dict[str, Any], valid: bool) -> None:
    assert _validator("Trigger").is_valid(body) is valid


def test_the_documented_scenario_example_is_a_valid_scenario() -> None:
    _validator("Scenario").validate(EXAMPLE)
    assert not _validator("Scenario").is_valid({"steps": [{"advance": "1s", "when": "now"}]})
