"""SalesPlay's rule at its edges, on the scaled clock users run by default: a delivery that
made its last attempt has failed (never "cancelled", not even for a moment while that
attempt was under way), only deliveries with attempts left are cancelled when their webhook
is disabled, and the disable reason names a failed delivery. The receiver runs in another
process, as a user's does, while a busy loop takes every core (as a CI runner often is)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from bench.common import CpuHog, ReceiverProcess
from mockserver.domain.config import Config
from mockserver.server.app import create_app
from tests.helpers import AUTH, until

HOURS = 3600.0


async def _all_deliveries(client: Any, status: str | None = None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    url = "/_mock/deliveries?limit=500" + ("" if status is None else f"&status={status}")
    while url:
        page = await (await client.get(url, headers=AUTH)).json()
        out += page["data"]
        url = page.get("next") or ""
    return out


async def _watch_cancelled(client: Any, seen: set[str]) -> None:
    """Keep every delivery id ever listed as cancelled, polling as fast as the API answers
    (a poller or the page's live view would see just as much)."""
    while True:
        seen.update(d["id"] for d in await _all_deliveries(client, "cancelled"))
        await asyncio.sleep(0.005)


@pytest.mark.parametrize("count", [20, 200])
@pytest.mark.parametrize(("scale", "window"), [(720.0, 2 * HOURS), (7200.0, 48 * HOURS)], ids=["720x-2h", "7200x-48h"])
async def test_a_delivery_that_made_its_last_attempt_has_failed_and_only_those_with_attempts_left_are_cancelled(
    aiohttp_client: Any, scale: float, window: float, count: int
) -> None:
    """720x on a 2-hour window (10 real seconds), 7200x on the whole 48 hours (24 s)."""
    config = Config(db=":memory:", clock="scaled", time_scale=scale, verify="off", retry_window=window,
                    delivery_timeout=5.0)
    cancelled: set[str] = set()
    with CpuHog(200), ReceiverProcess(500) as receiver:
        client = await aiohttp_client(create_app(config))
        resp = await client.post("/v1.0/webhook", json={"url": receiver.url, "event": "receipts.update"},
                                 headers=AUTH)
        assert resp.status == 201
        hook_id = (await resp.json())["id"]
        watch = asyncio.create_task(_watch_cancelled(client, cancelled))
        resp = await client.post("/_mock/events", json={"type": "receipts.update", "count": count}, headers=AUTH)
        assert resp.status == 201, (await resp.text())[:300]

        async def settled() -> list[dict[str, Any]] | None:
            # A delivery whose attempt is under way is pending until that attempt ends.
            got = await _all_deliveries(client)
            return None if any(d["status"] == "pending" for d in got) else got

        started = time.monotonic()
        deliveries = await until(settled, timeout=150, every=0.5, what="every delivery failed or cancelled")
        watch.cancel()
        await asyncio.gather(watch, return_exceptions=True)
        cancelled.update(d["id"] for d in await _all_deliveries(client, "cancelled"))
        hook = await (await client.get(f"/v1.0/webhook/{hook_id}", headers=AUTH)).json()

    assert len(deliveries) == count, f"{len(deliveries)} deliveries after {time.monotonic() - started:.0f} s"
    last = config.max_attempts
    # Every delivery that made its last attempt has failed; a cancelled one had attempts
    # left. One that failed with attempts left can only be one whose window closed first
    # (a receiver slow enough, on a busy machine, to eat the window's slack): it says so.
    wrong = [(d["id"], d["status"], d["attempt_count"], d["last_error"]) for d in deliveries
             if (d["attempt_count"] == last and d["status"] != "failed")
             or (d["status"] == "cancelled" and d["attempt_count"] >= last)
             or (d["status"] == "failed" and d["attempt_count"] < last and "window ended" not in d["last_error"])
             or d["status"] not in ("failed", "cancelled")]
    assert not wrong, wrong[:5]
    # A status moves one way: none was ever listed as cancelled and then ended otherwise.
    back = [(d["id"], d["status"], d["attempt_count"]) for d in deliveries
            if d["id"] in cancelled and d["status"] != "cancelled"]
    assert not back, back[:5]
    assert hook["status"] == "disabled"
    named = next(d for d in deliveries if d["id"] in hook["disabled_reason"])
    assert (named["status"], named["attempt_count"]) == ("failed", last), (hook["disabled_reason"], named)
