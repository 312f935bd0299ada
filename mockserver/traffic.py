"""``--traffic RATE``: the shop keeps selling on its own, RATE events per simulated minute,
for every merchant that has a webhook."""

from __future__ import annotations

import asyncio

from aiohttp import web

from mockserver import keys
from mockserver.triggering import publish_groups


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
        for owner in store.webhooks.owners():
            await publish_groups(dispatcher, owner, [shops.get(owner).traffic(clock.now())])
            shops.save(owner)
