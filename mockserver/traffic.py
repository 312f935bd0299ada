"""``--traffic RATE``: the shop keeps selling on its own, RATE events per simulated minute,
for every merchant that has a webhook."""

from __future__ import annotations

import asyncio
import json

from aiohttp import web

from mockserver import keys


async def run_traffic(app: web.Application) -> None:
    config, clock, store = app[keys.config], app[keys.clock], app[keys.store]
    shops, dispatcher = app[keys.shops], app[keys.dispatcher]
    interval = 60.0 / config.traffic
    never = asyncio.Event()  # time alone moves the stream on
    next_at = clock.now() + interval
    while True:
        await clock.wait_until(next_at, never)
        if clock.now() < next_at:
            continue
        next_at += interval
        owners = [r[0] for r in store.conn.execute("SELECT DISTINCT owner FROM webhooks")]
        for owner in owners:
            sim = shops.get(owner)
            for payload in sim.traffic(clock.now()):
                dispatcher.publish(owner, payload["type"], json.dumps(payload))
            shops.save(owner)
        if owners:
            await dispatcher.kick()
