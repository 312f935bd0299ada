"""The Postman collection: every operation of the OpenAPI document, SalesPlay's variables,
a status and schema check in every request, and ids handed from request to request.
(CI runs it against a live mock with newman: scripts/newman.)"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from mockserver.cli import main
from mockserver.spec.openapi import openapi_document
from mockserver.spec.postman import BODIES, METHODS, collection


def requests(coll: dict[str, Any]) -> list[dict[str, Any]]:
    return [item for folder in coll["item"] for item in folder["item"]]


def test_every_operation_of_the_document_is_a_request() -> None:
    doc = openapi_document()
    ops = [(m, p) for p, item in doc["paths"].items() for m in item if m in METHODS]
    assert len(requests(collection(doc))) == sum(len(BODIES.get(op, [None])) for op in ops)
    templates = {(m.upper(), re.sub(r"\{[^}]+\}", "{{", p)) for m, p in ops}
    for item in requests(collection(doc)):
        url = item["request"]["url"]["raw"].replace("{{baseUrl}}", "/v1.0").replace("{{mockUrl}}", "")
        url = re.sub(r"\{\{[a-z_]+\}\}", "{{", url).replace("/_mock/sink/postman", "/_mock/sink/{{")
        url = re.sub(r"/(inventory_levels|products|customers|receipts|credit_note)\.update$", "/{{", url)
        assert (item["request"]["method"], url) in templates, url


def test_salesplays_variables_and_bearer_auth() -> None:
    coll = collection(openapi_document(), base_url="https://mock.example/v1.0", token="secret")
    variables = {v["key"]: v["value"] for v in coll["variable"]}
    assert variables["baseUrl"] == "https://mock.example/v1.0" and variables["Token"] == "secret"
    assert coll["auth"]["bearer"][0]["value"] == "{{Token}}"
    assert all(item["request"]["url"]["raw"].startswith(("{{baseUrl}}/", "{{mockUrl}}/"))
               for item in requests(coll))
    assert "v2.1.0" in coll["info"]["schema"]


def test_every_request_checks_its_status_and_its_schema() -> None:
    for item in requests(collection(openapi_document())):
        script = "\n".join(item["event"][0]["script"]["exec"])
        assert "pm.test('status is one of" in script and "jsonSchema(schema)" in script, item["name"]
        assert "$ref" not in script, f"{item['name']}: Postman's checker cannot follow $ref"


def test_ids_are_set_before_the_requests_that_use_them() -> None:
    known = {"baseUrl", "Token", "mockUrl"}
    for item in requests(collection(openapi_document())):
        text = json.dumps(item["request"])
        used = set(re.findall(r"\{\{([A-Za-z_]+)\}\}", text))
        assert used <= known, f"{item['name']} uses {used - known} before any request sets it"
        known |= set(re.findall(r'collectionVariables.set\("([a-z_]+)"', "\n".join(item["event"][0]["script"]["exec"])))


def test_the_read_side_comes_after_shop_activity_and_deletes_come_last() -> None:
    names = [f["name"] for f in collection(openapi_document())["item"]]
    assert names[0].startswith("Set-up") and names[-1] == "Clean-up"
    setup = collection(openapi_document())["item"][0]["item"]
    assert [json.loads(i["request"]["body"]["raw"]).get("operation") for i in setup[1:]] == [
        "sale", "goods_receipt", "refund"]


async def test_the_server_serves_the_collection_pointing_at_itself(client: Any) -> None:
    resp = await client.get("/_mock/postman.json")
    assert resp.status == 200
    body = await resp.json()
    base = {v["key"]: v["value"] for v in body["variable"]}["baseUrl"]
    assert base == str(client.make_url("/v1.0"))
    other = await (await client.get("/_mock/postman.json", params={"base_url": "http://x/v1.0", "token": "t"})).json()
    assert {v["key"]: v["value"] for v in other["variable"]}["Token"] == "t"


def test_the_cli_prints_the_collection(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["postman", "--base-url", "http://localhost:9000/v1.0", "--token", "abc"]) == 0
    coll = json.loads(capsys.readouterr().out)
    assert {v["key"]: v["value"] for v in coll["variable"]}["baseUrl"] == "http://localhost:9000/v1.0"


def test_the_cli_explains_itself(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["postman", "--help"])
    assert exc.value.code == 0 and "newman" in capsys.readouterr().out
