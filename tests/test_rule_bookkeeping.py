"""SalesPlay's rule at its edges, on the scaled clock users run by default: a delivery that
made its last attempt has failed (never "cancelled"), only deliveries with attempts left are
cancelled when their webhook is disabled, and the disable reason names a failed delivery.
The receiver runs in another process, as a user's does."""

from __future__ import annotations

import time
from typing import Any

import pytest

from bench.common import ReceiverProcess
from mockserver.domain.config import Config
from mockserver.server.app import create_app
from tests.helpers import AUTH, until

HOURS = 3600.0


async def _all_deliveries(client: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    url = "/_mock/deliveries?limit=500"
    while url:
        page = await (await client.get(url, headers=AUTH)).json()
        out += page["data"]
        url = page.get("next") or ""
    return out


@pytest.mark.parametrize("count", [20, 200])
@pytest.mark.parametrize(("scale", "window"), [(720.0, 2 * HOURS), (7200.0, 48 * HOURS)], ids=["720x-2h", "7200x-48h"])
async def test_a_delivery_that_made_its_last_attempt_has_failed_and_only_those_with_attempts_left_are_cancelled(
    aiohttp_client: Any, scale: float, window: float, count: int
) -> None:
    """720x on a 2-hour window (10 real seconds), 7200x on the whole 48 hours (24 s)."""
    config = Config(db=":memory:", clock="scaled", time_scale=scale, verify="off", retry_window=window,
                    delivery_timeout=5.0)
    with ReceiverProcess(500) as receiver:
        client = await aiohttp_client(create_app(config))
        resp = await client.post("/v1.0/webhook", json={"url": receiver.url, "event": "receipts.update"},
                                 headers=AUTH)
        assert resp.status == 201
        hook_id = (await resp.json())["id"]
        resp = await client.post("/_mock/events", json={"type": "receipts.update", "count": count}, headers=AUTH)
        assert resp.status == 201, (await resp.text())[:300]

        async def settled() -> list[dict[str, Any]] | None:
            got = await _all_deliveries(client)
            # Settled: nothing pending, and no last attempt still under way (a delivery whose
            # webhook was disabled meanwhile shows cancelled until that attempt ends).
            busy = any(d["status"] == "pending" or d["attempt_in_flight_since"] for d in got)
            return None if busy else got

        started = time.monotonic()
        deliveries = await until(settled, timeout=150, every=0.5, what="every delivery failed or cancelled")
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
    assert hook["status"] == "disabled"
    named = next(d for d in deliveries if d["id"] in hook["disabled_reason"])
    assert (named["status"], named["attempt_count"]) == ("failed", last), (hook["disabled_reason"], named)
