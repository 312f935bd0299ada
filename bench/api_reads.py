"""REST API reads per second (a page of a list, a record by id) from a shop of 10,000
products and 100,000 receipts, against a plain aiohttp handler serving the same JSON
from a dict, in the same run, over HTTP on one event loop with the client."""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import tempfile
import time
from collections.abc import Iterator

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

from bench.common import Row
from mockserver.domain.config import Config
from mockserver.domain.paging import cursor as encode_cursor
from mockserver.domain.tokens import owner_of_token
from mockserver.server.app import create_app
from mockserver.shop import ids, money, records
from mockserver.shop.simulator import salesplay_time
from mockserver.shop.world import World, build
from mockserver.store import Store

TOKEN = "bench"
DISTINCT = 200  # different URLs per kind; the requests draw from them
CONCURRENCY = 8
ROUNDS = 3
START = 1751284800.0


def receipts(world: World, count: int, rng: random.Random) -> Iterator[tuple[str, str, str, str]]:
    """``count`` completed sales of the shop's products, as the ledger keeps them (built
    directly: a real sale scans every product for stock, too slow for 100,000)."""
    for n in range(1, count + 1):
        shop = world.shops[n % len(world.shops)]
        lines = [money.line({"product_id": p.product_id, "product_code": p.product_code, "product_name": p.name},
                            rng.randint(1, 3), p.price, 0, p.tax_rate)
                 for p in rng.sample(world.products, k=rng.randint(1, 4))]
        when = salesplay_time(START + 30 * n)
        sale = {"receipt_id": ids.entity_id(rng), "receipt_number": f"{world.shops.index(shop) + 1}-{n:06d}",
                "shop_id": shop.shop_id, "cashier": shop.cashiers[0], "customer_id": None, "status": "completed",
                "created_at": when, "updated_at": when, "payment_type": "card", "lines": lines}
        record = {**records.receipt(world, sale), "credit_notes": []}
        yield "receipts", record["receipt_id"], when, json.dumps(record, separators=(",", ":"))


def stock_a_shop(path: str, products: int, count: int) -> tuple[list[str], list[str]]:
    """Save a merchant's shop with ``products`` products and ``count`` receipts; their ids."""
    rng = random.Random(17)
    world = build(17, products=products, customers=25)
    world.counters["receipt"] = count
    store = Store(path)
    owner = owner_of_token(TOKEN)
    store.shop_states.save(owner, world.to_json())
    rows = list(receipts(world, count, rng))
    for start in range(0, len(rows), 10_000):
        store.shop_records.put(owner, rows[start:start + 10_000])
    store.close()
    return [p.product_id for p in world.products], [r[1] for r in rows]


async def rate(session: aiohttp.ClientSession, base: str, paths: list[str]) -> float:
    """Requests per second, ``CONCURRENCY`` at a time."""
    todo = iter(paths)
    auth = {"Authorization": f"Bearer {TOKEN}"}

    async def worker() -> None:
        for path in todo:
            async with session.get(base + path, headers=auth) as resp:
                assert resp.status == 200, await resp.text()
                await resp.read()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return len(paths) / (time.perf_counter() - started)


def plain_app(answers: dict[str, object]) -> web.Application:
    """The baseline: the same answers, looked up in a dict and encoded per request."""

    async def handler(request: web.Request) -> web.Response:
        return web.json_response(answers[request.path_qs])

    app = web.Application()
    app.router.add_get("/{tail:.*}", handler)
    return app


async def run(products: int, count: int, requests: int) -> list[Row]:
    rng = random.Random(5)
    with tempfile.TemporaryDirectory() as tmp:
        product_ids, receipt_ids = stock_a_shop(f"{tmp}/reads.sqlite3", products, count)
        kinds = {
            f"GET /v1.0/products/{{id}} ({products:,} products)":
                [f"/v1.0/products/{i}" for i in rng.sample(product_ids, min(DISTINCT, products))],
            "GET /v1.0/products, a page of 50 at a random cursor":
                [f"/v1.0/products?cursor={encode_cursor('products', rng.randrange(products - 50))}"
                 for _ in range(DISTINCT)],
            f"GET /v1.0/receipts/{{id}} ({count:,} receipts)":
                [f"/v1.0/receipts/{i}" for i in rng.sample(receipt_ids, min(DISTINCT, count))],
            "GET /v1.0/receipts, a page of 50 at a random cursor":
                [f"/v1.0/receipts?cursor={encode_cursor('receipts', rng.randrange(count - 50))}"
                 for _ in range(DISTINCT)],
        }
        mock = TestServer(create_app(Config(db=f"{tmp}/reads.sqlite3", clock="manual", verify="off")))
        await mock.start_server()
        rows = []
        async with aiohttp.ClientSession() as session:
            answers: dict[str, object] = {}
            for paths in kinds.values():  # the baseline's table, and a warm-up of the mock
                for path in paths:
                    async with session.get(mock.make_url(path), headers={"Authorization": f"Bearer {TOKEN}"}) as r:
                        answers[path] = await r.json()
            plain = TestServer(plain_app(answers))
            await plain.start_server()
            for name, paths in kinds.items():
                sequence = [rng.choice(paths) for _ in range(requests)]
                pairs = []
                for _ in range(ROUNDS):  # pairs of rounds: a drifting machine slows both of a pair alike
                    pairs.append((await rate(session, str(mock.make_url("")), sequence),
                                  await rate(session, str(plain.make_url("")), sequence)))
                ours, base = (statistics.median(side) for side in zip(*pairs))
                ratio = statistics.median(a / b for a, b in pairs)
                rows.append(Row(name, f"{ours:,.0f}/s", f"{base:,.0f}/s plain aiohttp + dict", ratio, "", None))
            await plain.close()
        await mock.close()
    return rows
