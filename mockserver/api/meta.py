"""About the server's API: the OpenAPI document and the Postman collection."""

from __future__ import annotations

from aiohttp import web

from mockserver.spec.openapi import openapi_document
from mockserver.spec.postman import collection

__all__ = ["openapi", "openapi_document", "postman"]


async def openapi(request: web.Request) -> web.Response:
    return web.json_response(openapi_document())


async def postman(request: web.Request) -> web.Response:
    """The collection, with baseUrl pointing at this server unless ``base_url`` says otherwise."""
    base_url = request.query.get("base_url") or f"{request.url.origin()}/v1.0"
    return web.json_response(collection(openapi_document(), base_url=base_url, token=request.query.get("token", "")),
                             headers={"Content-Disposition": 'inline; filename="salesplay-mock.postman_collection.json"'})
