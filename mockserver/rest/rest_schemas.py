"""JSON Schemas of the REST API's records, and the OpenAPI paths of its read side, built
from the webhook schemas' own field definitions (so a field the two views share cannot
differ) and the resource table. ``python -m mockserver.rest.rest_schemas`` writes them to
``schemas/api/`` and ``openapi.json``; a test checks the committed files are what it writes.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from mockserver.rest.resources import DEFAULT_LIMIT, ENTITY_ID, MAX_LIMIT, RESOURCES, Resource
from mockserver.shop.generated import generator_main
from mockserver.shop.schemas import load_schema

Schema = dict[str, Any]
PACKAGE = Path(__file__).resolve().parent.parent
TIME_PATTERN = r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$"
ERROR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _inline(node: Any, defs: Schema) -> Any:
    """``node`` with every ``{"$ref": "#/$defs/x"}`` replaced by what it points to."""
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        if ref.startswith("#/$defs/"):
            return _inline(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: _inline(v, defs) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


def _item(event_type: str, key: str) -> Schema:
    """The record schema of an event's list, self-contained."""
    schema = load_schema(event_type)
    item: Schema = _inline(schema["properties"][key]["items"], schema["$defs"])
    return item


def _obj(props: Schema, about: str | None = None) -> Schema:
    out: Schema = {"type": "object"}
    if about:
        out["description"] = about
    return {**out, "properties": props, "required": list(props), "additionalProperties": False}


def _with(base: Schema, about: str, **extra: Any) -> Schema:
    return _obj({**base["properties"], **extra}, about)


def record_schemas() -> dict[str, Schema]:
    """Each record's schema, by its name in the OpenAPI document."""
    product = _item("products.update", "products")
    receipt = _item("receipts.update", "receipts")
    note = _item("credit_note.update", "credit_notes")["properties"]
    level = _item("inventory_levels.update", "inventory_levels")
    p, r = product["properties"], receipt["properties"]
    id_, time, money, text = p["product_id"], p["created_at"], p["price"], {"type": "string", "minLength": 1}
    times = {"created_at": time, "updated_at": time}
    goods = {"type": "array", "minItems": 1, "items": _obj({
        "line_number": r["line_items"]["items"]["properties"]["line_number"], "product_id": id_,
        "product_code": p["product_code"], "product_name": text,
        "quantity": {"type": "integer", "minimum": 1}, "unit_cost": money, "line_total": money})}
    about = {res.title: res.about for res in RESOURCES.values()}
    return {
        "Category": _obj({"category_id": id_, "name": text, **times}, about["Category"]),
        "Subcategory": _obj({"subcategory_id": id_, "category_id": id_, "name": text, **times}, about["Subcategory"]),
        "Measurement": _obj({"measurement_id": id_, "name": text, "unit": p["unit"],
                             "allows_decimals": {"type": "boolean"}, **times}, about["Measurement"]),
        "Tax": _obj({"tax_id": id_, "name": text, "tax_rate": p["tax_rate"], "inclusive": {"type": "boolean"},
                     **times}, about["Tax"]),
        "Customer": {**_item("customers.update", "customers"), "description": about["Customer"]},
        "Supplier": _obj({"supplier_id": id_, "name": text, "contact_name": {"type": "string"},
                          "email": {"type": "string"}, "phone": {"type": "string"}, "address": {"type": "string"},
                          "city": {"type": "string"}, "category_ids": {"type": "array", "items": id_}, **times},
                         about["Supplier"]),
        "Product": _with(product, about["Product"], **{f"{k}_id": id_ for k in (
            "category", "subcategory", "measurement", "tax", "supplier")}),
        "Receipt": _with(receipt, about["Receipt"], credit_notes={"type": "array", "items": _obj({
            "credit_note_id": note["credit_note_id"], "credit_note_number": note["credit_note_number"],
            "credit_note_type": note["credit_note_type"], "total": note["total"], "created_at": note["created_at"]})}),
        "Order": _obj({"order_id": id_, "order_number": {"type": "string", "pattern": "^PO[0-9]+-[0-9]{6,}$"},
                       "order_type": {"const": "purchase"}, "status": {"enum": ["open", "received", "cancelled"]},
                       "shop_id": id_, "supplier_id": id_, "line_items": goods, "total": money,
                       "currency": r["currency"], **times}, about["Order"]),
        "Shop": _obj({"shop_id": id_, "name": text, "currency": r["currency"], "cashiers": {
            "type": "array", "items": _obj({"cashier_id": id_, "name": text})}}, about["Shop"]),
        "PaymentType": _obj({"payment_type_id": id_, "payment_type": r["payment_type"], "name": text, **times},
                            about["PaymentType"]),
        "Grn": _obj({"grn_id": id_, "grn_number": {"type": "string", "pattern": "^GRN[0-9]+-[0-9]{6,}$"},
                     "status": {"const": "received"}, "shop_id": id_, "supplier_id": id_, "line_items": goods,
                     "total": money, "currency": r["currency"], **times}, about["Grn"]),
        "InventoryLevel": {**level, "description": about["InventoryLevel"]},
        "ProductInventory": _obj({"product_id": id_, "product_code": p["product_code"],
                                  "inventory_levels": {"type": "array", "items": level}},
                                 "One product's stock in every shop."),
    }


def file_name(title: str) -> str:
    """``PaymentType`` -> ``payment_type``: the record's schema file, schemas/api/NAME.json."""
    return re.sub(r"(?<!^)([A-Z])", r"_\1", title).lower()


def _param(name: str, schema: Schema, about: str, *, where: str = "query", **extra: Any) -> Schema:
    return {"name": name, "in": where, "required": where == "path", "schema": schema, "description": about,
            **extra}


def _filter_schema(kind: str, choices: tuple[str, ...]) -> Schema:
    kinds: dict[str, Schema] = {"id": {"type": "string", "pattern": ENTITY_ID.pattern}, "text": {"type": "string"},
            "enum": {"enum": list(choices)}, "bool": {"type": "boolean"},
             "min": {"type": "string", "pattern": TIME_PATTERN}, "max": {"type": "string", "pattern": TIME_PATTERN}}
    return kinds[kind]


def _faults() -> Schema:
    return {
        "401": {"description": "Missing or wrong Bearer token", **ERROR},
        "429": {"description": "Over this token's rate limit (PUT /_mock/api-faults)", **ERROR,
                "headers": {"Retry-After": {"schema": {"type": "integer", "minimum": 1},
                                            "description": "seconds to wait (simulated ones on the manual clock)"}}},
        "5XX": {"description": "An error on purpose (PUT /_mock/api-faults)", **ERROR},
    }


def _paths_of(res: Resource) -> dict[str, Schema]:
    record = {"$ref": f"#/components/schemas/{res.title}"}
    page = _obj({"data": {"type": "array", "items": record},
                 "next": {"type": ["string", "null"], "description": "the cursor of the next page: pass it "
                          "as ?cursor= to get it; null on the last page"}})
    params = [_param("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                     f"records per page (default {DEFAULT_LIMIT})"),
              _param("cursor", {"type": "string"}, "the previous page's next, to get the page after it")]
    params += [_param(f.name, _filter_schema(f.kind, f.choices), f.help) for f in res.params]
    one = {"$ref": "#/components/schemas/ProductInventory"} if res.name == "inventory" else record
    return {
        f"/v1.0/{res.name}": {"get": {
            "summary": "List " + {"grns": "goods received notes", "inventory": "stock levels"}.get(
                res.name, res.name.replace("_", " ")),
            "description": res.about,
            "operationId": f"list_{res.name}", "tags": ["SalesPlay REST API"], "parameters": params,
            "responses": {"200": {"description": "A page, oldest first", "content": {"application/json": {
                "schema": page}}}, "422": {"description": "A parameter breaks a rule; the error names it", **ERROR},
                **_faults()},
            }},
        f"/v1.0/{res.name}/{{id}}": {
            "parameters": [_param("id", {"type": "string", "pattern": ENTITY_ID.pattern},
                                  f"the {res.id_field}", where="path")],
            "get": {"summary": "One product's stock in every shop" if res.name == "inventory"
                    else f"One {res.noun} by {res.id_field}",
                    "operationId": f"get_{res.name}", "tags": ["SalesPlay REST API"],
                    "responses": {"200": {"description": "The record", "content": {"application/json": {
                        "schema": one}}}, "404": {"description": "No such record in this merchant's shop", **ERROR},
                        "422": {"description": "Not a SalesPlay id", **ERROR}, **_faults()}}},
    }


API_FAULTS: Schema = {
    "type": "object", "description": "This token's REST API faults; all off by default.",
    "properties": {
        "rate_limit": {"type": ["integer", "null"], "minimum": 1, "maximum": 1_000_000,
                       "description": "requests per simulated minute; more are answered 429 with Retry-After"},
        "errors": {"type": "number", "minimum": 0, "maximum": 1, "description": "share answered error_status"},
        "error_status": {"enum": [500, 502, 503, 504]},
        "slow": {"type": "number", "minimum": 0, "maximum": 1, "description": "share of answers held back"},
        "slow_by": {"type": ["number", "string"], "description": "how long, in real time: 2, '1500ms' (up to 60 s)"},
        "seed": {"type": "integer"},
    },
    "additionalProperties": False,
}


def _control_paths() -> dict[str, Schema]:
    answer = {"description": "The settings now", "content": {"application/json": {"schema": {
        "$ref": "#/components/schemas/ApiFaultState"}}}}
    return {
        "/_mock/api-faults": {
            "get": {"summary": "This token's REST API faults", "operationId": "get_api_faults",
                    "responses": {"200": answer, "401": {"description": "Missing or wrong Bearer token", **ERROR}}},
            "put": {"summary": "Set this token's REST API faults ({} turns them off)", "operationId": "put_api_faults",
                    "requestBody": {"required": False, "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/ApiFaults"},
                        "example": {"rate_limit": 120, "errors": 0.1, "error_status": 503, "slow": 0.2,
                                    "slow_by": "1s", "seed": 7}}}},
                    "responses": {"200": answer, **{code: {"description": about, **ERROR} for code, about in (
                        ("400", "Malformed body"), ("401", "Missing or wrong Bearer token"),
                        ("413", "Body over the size limit"), ("415", "Not JSON"),
                        ("422", "A setting breaks a rule; the error names it"))}}}},
        "/_mock/postman.json": {"get": {
            "summary": "A Postman collection of this API, with SalesPlay's variables baseUrl and Token",
            "operationId": "postman_collection", "security": [{}],
            "parameters": [_param("base_url", {"type": "string"}, "baseUrl's value (default: this server's /v1.0)"),
                           _param("token", {"type": "string"}, "Token's value (default: empty)")],
            "responses": {"200": {"description": "A Postman collection (v2.1)", "content": {"application/json": {
                "schema": {"type": "object", "required": ["info", "item", "variable"]}}}}}}},
    }


def synced(doc: Schema) -> Schema:
    """``doc`` with the read side's paths (after /v1.0/webhook's), its faults and Postman
    collection (at the end), and its record schemas."""
    ours: dict[str, Schema] = {}
    for res in RESOURCES.values():
        ours.update(_paths_of(res))
    control = _control_paths()
    paths: dict[str, Schema] = {}
    for path, item in doc["paths"].items():
        if path not in ours and path not in control:
            paths[path] = item
        if path == "/v1.0/webhook/{id}":
            paths.update(ours)
    paths.update(control)
    state = {**API_FAULTS, "properties": {**API_FAULTS["properties"], "slow_by": {"type": "number"},
                                          "active": {"type": "boolean"}},
             "required": [*API_FAULTS["properties"], "active"]}
    return {**doc, "paths": paths, "components": {**doc["components"], "schemas": {
        **doc["components"]["schemas"], **record_schemas(), "ApiFaults": API_FAULTS, "ApiFaultState": state}}}


def schema_file(title: str, schema: Schema) -> Schema:
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"https://salesplay-mock.local/schemas/api/{file_name(title)}.json", "title": title, **schema}


def dump(data: Schema) -> str:
    return json.dumps(data, indent=2) + "\n"


def made() -> dict[Path, str]:
    """schemas/api/ and openapi.json's read side, as the resources and records make them."""
    folder, doc_path = PACKAGE / "schemas" / "api", PACKAGE / "openapi.json"
    files = {folder / f"{file_name(title)}.json": dump(schema_file(title, schema))
             for title, schema in record_schemas().items()}
    files[doc_path] = dump(synced(json.loads(doc_path.read_text("utf-8"))))
    return files


def main(argv: list[str] | None = None) -> int:
    return generator_main("mockserver.rest.rest_schemas", "the REST API's record schemas and OpenAPI paths", made, argv)


if __name__ == "__main__":
    sys.exit(main())
