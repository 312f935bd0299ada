"""A Postman collection (v2.1) of the whole mock, generated from its OpenAPI document, with
SalesPlay's own variables ``baseUrl`` and ``Token``: a Postman set-up made for SalesPlay
points at the mock by changing ``baseUrl``. Every request checks its status and that its
body matches the document's schema; the requests are chained (a list's first id feeds the
request by id) so the collection runs top to bottom against a fresh mock, e.g. in newman.
"""

from __future__ import annotations

import json
from typing import Any

from mockserver.rest.resources import RESOURCES

Json = dict[str, Any]
COLLECTION_SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
METHODS = ("get", "post", "put", "delete")
API = "/v1.0"

# How the calls chain, which the document cannot say: the bodies to send (one request per
# body), the ids an answer hands on, the variable each path parameter takes, what runs
# first and last, and the statuses a request may also get.
BODIES: dict[tuple[str, str], list[tuple[str, Json]]] = {
    ("post", "/v1.0/webhook"): [("Register a webhook (to the mock's own sink)", {
        "url": "{{mockUrl}}/_mock/sink/postman", "events": ["receipts.update", "inventory_levels.update"]})],
    ("put", "/v1.0/webhook/{id}"): [("Re-enable a webhook", {"status": "enabled"})],
    ("post", "/_mock/clock/advance"): [("Move the manual clock a minute", {"seconds": 60})],
    ("post", "/_mock/events"): [("Make the shop sell", {"operation": "sale"}),
                                ("Make suppliers deliver (goods received notes)", {"operation": "goods_receipt"}),
                                ("Make the shop refund (a credit note)", {"operation": "refund"})],
    ("put", "/_mock/webhooks/{id}/faults"): [("A webhook follows the server's faults", {})],
    ("put", "/_mock/api-faults"): [("No REST API faults", {})],  # keeps every read after it clean
    ("post", "/_mock/sink/{name}"): [("Post to the sink", {"hello": "sink"})],
    ("put", "/_mock/sink/{name}"): [("Put to the sink", {"hello": "sink"})],
}
SETS: dict[tuple[str, str], dict[str, str]] = {
    ("post", "/v1.0/webhook"): {"webhook_id": "id"},
    ("post", "/_mock/events"): {"delivery_id": "events.0.deliveries.0.id"},
    **{("get", f"{API}/{r.name}"): {r.id_field: f"data.0.{r.id_field}"} for r in RESOURCES.values()},
}
VARIABLES = {  # a path starting so takes this variable for its {id}
    "/v1.0/webhook/{id}": "webhook_id", "/_mock/webhooks/{id}": "webhook_id", "/_mock/deliveries/{id}": "delivery_id",
    **{f"{API}/{r.name}/{{id}}": r.id_field for r in RESOURCES.values()},
}
FIRST = [("post", "/v1.0/webhook"), ("post", "/_mock/events")]
LAST = [("delete", "/v1.0/webhook/{id}"), ("delete", "/_mock/sink/{name}"), ("post", "/_mock/reset")]
ALSO = {("post", "/_mock/clock/advance"): ["400"]}  # a mock not on --clock manual says so
FOLDERS = ("Set-up: a webhook and some shop activity", "SalesPlay's REST API (baseUrl)",
           "The mock's control API (/_mock)", "Clean-up")

# mockUrl (the mock's root, for /_mock) follows baseUrl, so changing baseUrl is enough.
PREREQUEST = 'pm.variables.set("mockUrl", String(pm.variables.get("baseUrl")).replace(/\\/v1\\.0\\/?$/, ""));'
PICK = "const pick = (v, path) => path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), v);"


def collection(doc: Json, *, base_url: str = "http://127.0.0.1:8080/v1.0", token: str = "") -> Json:
    """The collection of every operation in ``doc``, in an order that runs."""
    ops = [(m, path, op) for path, item in doc["paths"].items() for m, op in item.items() if m in METHODS]
    rank = {key: n for n, key in enumerate(FIRST + LAST)}
    folders: list[list[tuple[int, Json]]] = [[] for _ in FOLDERS]
    for method, path, op in ops:
        key = (method, path)
        folder = 0 if key in FIRST else 3 if key in LAST else 1 if path.startswith(API) else 2
        for name, body in BODIES.get(key, [(op.get("summary", f"{method.upper()} {path}"), None)]):
            folders[folder].append((rank.get(key, 0), _item(doc, method, path, op, name, body)))
    for items in folders:
        items.sort(key=lambda ranked: ranked[0])  # stable: the document's order otherwise
    ids = sorted({v for sets in SETS.values() for v in sets} | set(VARIABLES.values()))
    return {
        "info": {"name": "salesplay-mock", "schema": COLLECTION_SCHEMA,
                 "description": "SalesPlay POS's REST API and webhook registration as salesplay-mock serves them, "
                                "and the mock's control API. Set baseUrl (SalesPlay's is "
                                "https://api.salesplaypos.com/v1.0) and Token, as for SalesPlay's own collection."},
        "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "{{Token}}", "type": "string"}]},
        "event": [{"listen": "prerequest", "script": {"type": "text/javascript", "exec": [PREREQUEST]}}],
        "variable": [{"key": "baseUrl", "value": base_url}, {"key": "Token", "value": token},
                     *({"key": name, "value": ""} for name in ids)],
        "item": [{"name": name, "item": [it for _, it in items]} for name, items in zip(FOLDERS, folders) if items],
    }


def _item(doc: Json, method: str, path: str, op: Json, name: str, body: Json | None) -> Json:
    params = [*doc["paths"][path].get("parameters", []), *op.get("parameters", [])]
    segments = path.split("/")[1:]
    for p in params:
        if p["in"] == "path":
            value = _path_value(path, p)
            segments = [value if s == "{" + p["name"] + "}" else s for s in segments]
    if path.startswith(API):
        host, rest = "{{baseUrl}}", segments[1:]
    else:
        host, rest = "{{mockUrl}}", segments
    query = [{"key": p["name"], "value": _example(p), "disabled": True, "description": p.get("description", "")}
             for p in params if p["in"] == "query"]
    request: Json = {"method": method.upper(), "header": [{"key": "Content-Type", "value": "application/json"}],
                     "url": {"raw": "/".join([host, *rest]), "host": [host], "path": rest, "query": query},
                     "description": op.get("description", op.get("summary", ""))}
    if body is None and "requestBody" in op:
        body = op["requestBody"].get("content", {}).get("application/json", {}).get("example")
    if body is not None:
        request["body"] = {"mode": "raw", "raw": json.dumps(body, indent=2), "options": {"raw": {"language": "json"}}}
    return {"name": name, "request": request,
            "event": [{"listen": "test", "script": {"type": "text/javascript",
                                                    "exec": _checks(doc, method, path, op)}}]}


def _path_value(path: str, param: Json) -> str:
    prefix = next((p for p in VARIABLES if path == p or path.startswith(p + "/")), None)
    if prefix is not None and param["name"] == "id":
        return "{{" + VARIABLES[prefix] + "}}"
    if path.startswith("/_mock/sink/"):
        return "postman"
    return str(_example(param))


def _example(param: Json) -> Any:
    schema = param.get("schema", {})
    if "example" in param:
        return param["example"]
    if "enum" in schema:
        return schema["enum"][0]
    return {"integer": schema.get("minimum", 1), "boolean": "true"}.get(schema.get("type"), "")


def _checks(doc: Json, method: str, path: str, op: Json) -> list[str]:
    """The test script: the status is the documented success, and the body its schema."""
    responses = op["responses"]
    expected = [c for c in responses if c.startswith("2")] or ["default"]
    allowed = expected + ALSO.get((method, path), [])
    schemas = {code: _deref(doc, responses[code].get("content", {}).get("application/json", {}).get("schema"))
               for code in allowed if code in responses}
    codes = [200 if c == "default" else int(c) for c in allowed]
    lines = [
        f"pm.test('status is one of {codes}', () => pm.expect(pm.response.code).to.be.oneOf({json.dumps(codes)}));",
        f"const schemas = {json.dumps(schemas)};",
        "const schema = schemas[String(pm.response.code)] !== undefined ? schemas[String(pm.response.code)]"
        " : schemas['default'];",
        "pm.test('the body matches the documented schema', () => {",
        "  if (schema === null || schema === undefined) { pm.expect(pm.response.text()).to.equal(''); return; }",
        "  pm.response.to.have.jsonSchema(schema);",
        "});",
    ]
    sets = SETS.get((method, path))
    if sets:
        lines += [PICK, "let body = {}; try { body = pm.response.json(); } catch (e) { }",
                  *(f"if (pick(body, {json.dumps(src)}) != null) pm.collectionVariables.set({json.dumps(var)}, "
                    f"pick(body, {json.dumps(src)}));" for var, src in sets.items())]
    return lines


def _deref(doc: Json, node: Any) -> Any:
    """``node`` with the document's ``$ref``s inlined (Postman's checker sees no document),
    and without ``format`` (which its checker may not know)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            return _deref(doc, doc["components"]["schemas"][ref.rsplit("/", 1)[1]])
        return {k: _deref(doc, v) for k, v in node.items() if k not in ("format", "description")}
    if isinstance(node, list):
        return [_deref(doc, v) for v in node]
    return node
