"""The app factory, health, and the OpenAPI document."""

from __future__ import annotations

from typing import Any

from mockserver.api.meta import openapi_document
from mockserver.domain.config import Config
from mockserver.server.app import create_app


def test_factory_builds_without_starting_anything() -> None:
    app = create_app(Config(db=":memory:"))
    assert app.router.routes()


async def test_healthz_answers_ok(client: Any) -> None:
    resp = await client.get("/healthz")
    assert resp.status == 200
    assert (await resp.json())["status"] == "ok"


async def test_openapi_is_served(client: Any) -> None:
    resp = await client.get("/openapi.json")
    assert resp.status == 200
    assert (await resp.json())["openapi"].startswith("3.1")


def test_every_route_is_in_the_openapi_document() -> None:
    doc = openapi_document()
    app = create_app(Config(db=":memory:"))
    missing = []
    for route in app.router.routes():
        if route.method == "HEAD" or route.resource is None:
            continue
        path = route.resource.canonical
        if path in ("/", "/favicon.ico") or path.startswith(("/ui", "/static", "/webhooks_setup")):
            continue  # the web page is not part of the API
        if route.method.lower() not in doc["paths"].get(path, {}):
            missing.append(f"{route.method} {path}")
    assert missing == []


def test_openapi_document_names_no_route_the_app_lacks() -> None:
    app = create_app(Config(db=":memory:"))
    served = {(r.method.lower(), r.resource.canonical) for r in app.router.routes() if r.resource is not None}
    for path, item in openapi_document()["paths"].items():
        for method in item:
            if method != "parameters":
                assert (method, path) in served, f"{method} {path}"


async def test_unknown_path_is_a_json_404(client: Any) -> None:
    resp = await client.get("/v1.0/nothing")
    assert resp.status == 404
    assert (await resp.json())["error"]["code"] == "not_found"


async def test_wrong_method_is_a_json_405(client: Any) -> None:
    resp = await client.patch("/v1.0/webhook")
    assert resp.status == 405
    assert (await resp.json())["error"]["code"] == "method_not_allowed"
