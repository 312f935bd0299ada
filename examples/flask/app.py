"""A SalesPlay receiver in Flask: stores each receipt once, by its id, and answers 500
while its database is down, so that SalesPlay retries."""

from flask import Flask, request


def create_app(receipts: dict) -> Flask:
    app = Flask(__name__)
    app.config["DATABASE_DOWN"] = False

    @app.post("/webhooks/salesplay")
    def salesplay_webhook():
        if app.config["DATABASE_DOWN"]:
            return {"error": "database down"}, 500
        event = request.get_json()
        for receipt in event.get("receipts", []):
            receipts[receipt["receipt_id"]] = receipt  # the same receipt again: stored once
        return {"ok": True}

    return app
