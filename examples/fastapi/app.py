"""A SalesPlay receiver in FastAPI: keeps the latest stock level of each product in each shop."""

from fastapi import FastAPI, Request


def create_app(stock: dict) -> FastAPI:
    app = FastAPI()

    @app.post("/webhooks/salesplay")
    async def salesplay_webhook(request: Request) -> dict:
        event = await request.json()
        for level in event.get("inventory_levels", []):
            stock[level["shop_id"], level["product_id"]] = level["in_stock"]
        return {"ok": True}

    return app
