"""Faults on purpose, on the manual clock: counts and orders exactly as configured, the
same for the same seed, and none by default."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from mockserver.domain.clock import ManualClock
from mockserver.domain.fault_settings import FaultSettings, Outage
from mockserver.domain.models import new_delivery
from mockserver.domain.tokens import owner_of_token
from mockserver.server import keys
from tests.helpers import AUTH, START, TOKEN, advance, deliveries, register, trigger


async def _faults(client: Any, hook_id: str, **settings: Any) -> dict[str, Any]:
    resp = await client.put(f"/_mock/webhooks/{hook_id}/faults", json=settings, headers=AUTH)
    assert resp.status == 200, await resp.text()
    body: dict[str, Any] = await resp.json()
    return body


async def test_no_faults_by_default(client: Any, receiver: Any) -> None:
    rec = await receiver()
    hook = await register(client, rec.url, "receipts.update")
    for _ in range(20):
        await trigger(client, "receipts.update")
    assert len(rec.requests) == 20
    assert all(d["fault"] is None and d["kind"] == "event" for d in await deliveries(client))
    state = await (await client.get(f"/_mock/webhooks/{hook['id']}/faults", headers=AUTH)).json()
    assert (state["source"], state["effective"]["duplicate"]) == ("server", 0.0)


async def test_duplicate_back_to_back_comes_after_the_original(client: Any, receiver: Any) -> None:
    rec = await receiver()
    hook = await register(client, rec.url, "receipts.update")
    await _faults(client, hook["id"], duplicate=1)
    await trigger(client, "receipts.update")
    assert len(rec.requests) == 2
    assert rec.requests[0]["body"] == rec.requests[1]["body"]
    first, second = (r["headers"]["X-Mock-Delivery-Id"] for r in rec.requests)
    dup = next(d for d in await deliveries(client) if d["id"] == second)
    assert dup["kind"] == "duplicate" and dup["fault"] == f"duplicate (back to back) of {first}"
    assert rec.requests[1]["headers"]["X-Mock-Kind"] == "duplicate"


async def test_duplicate_concurrent_is_sent_at_the_same_time(client: Any, receiver: Any) -> None:
    rec = await receiver()
    hook = await register(client, rec.url, "receipts.update")
    await _faults(client, hook["id"], duplicate=1, duplicate_mode="concurrent")
    await trigger(client, "receipts.update")
    rows = await deliveries(client)
    assert sorted(d["kind"] for d in rows) == ["duplicate", "event"]
    details = [await (await client.get(f"/_mock/deliveries/{d['id']}", headers=AUTH)).json() for d in rows]
    starts = {d["attempts"][0]["started_at"] for d in details}
    assert len(starts) == 1 and len(rec.requests) == 2


async def test_duplicate_after_success_comes_later(client: Any, receiver: Any) -> None:
    rec = await receiver()
    hook = await register(client, rec.url, "receipts.update")
    await _faults(client, hook["id"], duplicate=1, duplicate_mode="after_success", duplicate_delay="90s")
    await trigger(client, "receipts.update")
    assert len(rec.requests) == 1
    await advance(client, 89)
    assert len(rec.requests) == 1
    await advance(client, 1)
    assert len(rec.requests) == 2


async def test_reorder_sends_a_sales_events_in_the_opposite_order(client: Any, receiver: Any) -> None:
    rec = await receiver()
    hook = await register(client, rec.url, ["receipts.update", "inventory_levels.update"])
    await _faults(client, hook["id"], reorder=1)
    resp = await client.post("/_mock/events", json={"operation": "sale"}, headers=AUTH)
    sent = [e["type"] for e in (await resp.json())["events"]]
    assert sent == ["receipts.update", "inventory_levels.update"]
    assert [r["body"]["type"] for r in rec.requests] == ["inventory_levels.update", "receipts.update"]
    first = next(d for d in await deliveries(client) if d["event_type"] == "receipts.update")
    assert first["fault"].startswith("reordered: sent after dlv_")


async def test_reorder_waits_for_the_later_event_even_through_its_retries(client: Any, receiver: Any) -> None:
    rec = await receiver([500, 500])
    hook = await register(client, rec.url, ["receipts.update", "inventory_levels.update"])
    await _faults(client, hook["id"], reorder=1)
    await client.post("/_mock/events", json={"operation": "sale"}, headers=AUTH)
    await advance(client, 60)
    assert [r["body"]["type"] for r in rec.requests] == ["inventory_levels.update"] * 3 + ["receipts.update"]


async def test_delay_holds_the_first_attempt(client: Any, receiver: Any) -> None:
    rec = await receiver()
    hook = await register(client, rec.url, "receipts.update")
    await _faults(client, hook["id"], delay=1, delay_min="30s", delay_max="30s")
    await trigger(client, "receipts.update")
    assert rec.requests == []
    [d] = await deliveries(client)
    assert d["fault"] == "delayed 30s"
    await advance(client, 30)
    assert len(rec.requests) == 1
    detail = await (await client.get(f"/_mock/deliveries/{d['id']}", headers=AUTH)).json()
    assert detail["attempts"][0]["fault"] == "delayed 30s"


async def test_outage_holds_then_releases_a_burst_at_the_rate(client: Any, receiver: Any) -> None:
    rec = await receiver()
    hook = await register(client, rec.url, "products.update")
    await _faults(client, hook["id"], outage={"in": 0, "duration": "10m", "rate": 2})
    await trigger(client, "products.update", count=4)
    assert rec.requests == []
    await advance(client, 599)
    assert rec.requests == []
    await advance(client, 3)
    rows = await deliveries(client)
    assert len(rec.requests) == 4 and all(d["fault"].startswith("held by an outage") for d in rows)
    details = [await (await client.get(f"/_mock/deliveries/{d['id']}", headers=AUTH)).json() for d in rows]
    starts = sorted(d["attempts"][0]["started_at"] for d in details)
    assert starts == ["2025-06-30T12:10:00.000Z", "2025-06-30T12:10:00.500Z",
                      "2025-06-30T12:10:01.000Z", "2025-06-30T12:10:01.500Z"]


async def test_an_outage_also_holds_retries_already_waiting(client: Any, receiver: Any) -> None:
    rec = await receiver([500])
    hook = await register(client, rec.url, "products.update")
    await trigger(client, "products.update")
    await _faults(client, hook["id"], outage={"in": 0, "duration": "1h", "rate": 1})
    await advance(client, 3599)
    assert len(rec.requests) == 1
    await advance(client, 1)
    assert len(rec.requests) == 2


async def _pattern(make_client: Any, config: Any, receiver: Any, seed: int) -> list[tuple[str, str | None]]:
    """One run from a fresh app and clock: each delivery's fault, and the receiver's order
    (one delivery at a time, so that order is the engine's, not a race between sockets)."""
    client = await make_client(config, on_clock=ManualClock(start=START), max_in_flight=1, faults=FaultSettings(
        duplicate=0.5, reorder=0.5, delay=0.3, delay_max=20, seed=seed))
    rec = await receiver()
    await register(client, rec.url, ["receipts.update", "inventory_levels.update"])
    await client.post("/_mock/events", json={"operation": "sale", "count": 30}, headers=AUTH)
    await advance(client, 120)
    rows = await deliveries(client)
    marks = [(d["event_type"], None if d["fault"] is None else d["fault"].split(" ")[0]) for d in reversed(rows)]
    order = [(r["body"]["type"], r["headers"].get("X-Mock-Kind")) for r in rec.requests]
    return marks + [("order", str(order))]


async def test_the_same_seed_gives_the_same_faults(make_client: Any, config: Any, receiver: Any) -> None:
    first = await _pattern(make_client, config, receiver, seed=7)
    again = await _pattern(make_client, config, receiver, seed=7)
    other = await _pattern(make_client, config, receiver, seed=8)
    assert first == again
    assert first != other
    kinds = {m for _, m in first[:-1]}
    assert {"duplicate", "reordered:", "delayed"} <= kinds


async def test_server_wide_faults_apply_to_every_webhook(make_client: Any, config: Any, receiver: Any) -> None:
    client = await make_client(config, faults=FaultSettings(duplicate=1))
    rec = await receiver()
    await register(client, rec.url, "customers.update")
    await trigger(client, "customers.update")
    assert len(rec.requests) == 2


async def test_clearing_a_webhooks_faults_goes_back_to_the_servers(client: Any, receiver: Any) -> None:
    rec = await receiver()
    hook = await register(client, rec.url, "receipts.update")
    assert (await _faults(client, hook["id"], duplicate=1))["source"] == "webhook"
    body = await _faults(client, hook["id"])
    assert (body["source"], body["faults"]) == ("server", None)
    await trigger(client, "receipts.update")
    assert len(rec.requests) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [({"duplicate": 2}, "duplicate"), ({"duplicate": "yes"}, "duplicate"), ({"reorder": -0.1}, "reorder"),
     ({"duplicate_mode": "twice"}, "duplicate_mode"), ({"delay_max": "soon"}, "delay_max"),
     ({"delay_min": "2m", "delay_max": "1m"}, "delay_min"), ({"outage": "now"}, "outage"),
     ({"outage": {"duration": "1m", "rate": 0}}, "outage.rate"), ({"outage": {"rate": 1}}, "outage.duration"),
     ({"chaos": 1}, "chaos"), ({"seed": "x"}, "seed")],
)
async def test_bad_fault_settings_are_422(client: Any, receiver: Any, body: dict[str, Any], field: str) -> None:
    rec = await receiver()
    hook = await register(client, rec.url)
    resp = await client.put(f"/_mock/webhooks/{hook['id']}/faults", json=body, headers=AUTH)
    assert resp.status == 422, await resp.text()
    assert (await resp.json())["error"]["field"] == field


async def test_another_tokens_webhook_faults_are_404(client: Any, receiver: Any) -> None:
    rec = await receiver()
    hook = await register(client, rec.url)
    resp = await client.put(f"/_mock/webhooks/{hook['id']}/faults", json={"duplicate": 1},
                            headers={"Authorization": "Bearer other"})
    assert resp.status == 404


def test_faults_flag_parses_every_mode() -> None:
    settings = FaultSettings.parse(
        "duplicate=0.2, duplicate_mode=concurrent, reorder=0.5, delay=0.3, delay_max=5m, outage=10m+30m@5, seed=7",
        now=START,
    )
    assert settings == dataclasses.replace(
        FaultSettings(), duplicate=0.2, duplicate_mode="concurrent", reorder=0.5, delay=0.3, delay_max=300.0,
        outage=Outage(START + 600, 1800.0, 5.0), seed=7,
    )
    with pytest.raises(ValueError):
        FaultSettings.parse("duplicate=3", now=START)
    with pytest.raises(ValueError):
        FaultSettings.parse("duplicate", now=START)


@pytest.mark.parametrize(("body", "field", "words"), [
    ({"delay": 1, "delay_min": "1e308", "delay_max": "1e308"}, "delay_min", "at most 30 days"),
    ({"delay_max": 1e308}, "delay_max", "at most 30 days"),
    ({"delay_max": "31d"}, "delay_max", "at most 30 days"),
    ({"duplicate": 1, "duplicate_mode": "after_success", "duplicate_delay": "1e308"}, "duplicate_delay",
     "at most 30 days"),
    ({"outage": {"in": "1e308", "duration": "1m"}}, "outage.in", "at most 30 days"),
    ({"outage": {"in": "0s", "duration": 1e308}}, "outage.duration", "at most 30 days"),
    ({"outage": {"start": 1e308, "duration": "1m"}}, "outage.start", "'outage.start'"),
    ({"outage": {"start": -1e308, "duration": "1m"}}, "outage.start", "'outage.start'"),
    ({"outage": {"in": "0s", "duration": "1m", "rate": 1e-300}}, "outage.rate", "'outage.rate'"),
    ({"seed": 2**70}, "seed", "2**63 - 1"),
    ({"seed": -1}, "seed", "2**63 - 1"),
])
async def test_fault_settings_past_their_bounds_are_422_and_the_token_keeps_working(
    client: Any, receiver: Any, body: dict[str, Any], field: str, words: str
) -> None:
    rec = await receiver()
    hook = await register(client, rec.url)
    resp = await client.put(f"/_mock/webhooks/{hook['id']}/faults", json=body, headers=AUTH)
    assert resp.status == 422, await resp.text()
    error = (await resp.json())["error"]
    assert error["field"] == field and words in error["message"], error
    await trigger(client)  # its answer and the lists still read
    assert (await client.get("/_mock/deliveries", headers=AUTH)).status == 200
    assert (await client.get("/_mock/events", headers=AUTH)).status == 200


async def test_a_delivery_held_behind_one_whose_window_closed_goes_out(client: Any, receiver: Any) -> None:
    """Reordered after a delivery to another webhook that then failed with no attempt made
    (its window had closed): it is let go, not held for ever."""
    first, second = await receiver(), await receiver()
    one, two = await register(client, first.url), await register(client, second.url)
    store = keys.engine_of(client.server.app).store
    hook_one, hook_two = store.webhooks.get_any(one["id"]), store.webhooks.get_any(two["id"])
    assert hook_one is not None and hook_two is not None
    event = store.events.add(owner_of_token(TOKEN), "receipts.update", "{}", START)
    late = store.deliveries.create(event, hook_one, kind="event", status="pending", next_at=START, deadline=START - 1)
    held = new_delivery(event, hook_two, kind="event", status="pending", next_at=None, deadline=START + 3600,
                        hold_for=late.id)
    store.deliveries.add([held])
    await advance(client, 1)
    got = {d["id"]: d["status"] for d in await deliveries(client)}
    assert (got[late.id], got[held.id]) == ("failed", "succeeded")
    assert len(second.requests) == 1


def test_the_faults_flag_has_the_same_bounds() -> None:
    for spec in ("delay=1,delay_max=1e308", "outage=1e308+1m@1", "outage=0s+31d@1", "seed=1180591620717411303424"):
        with pytest.raises(ValueError):
            FaultSettings.parse(spec, now=START)
    assert FaultSettings.parse("delay=1,delay_max=30d,outage=30d+30d@0.001", now=START).delay_max == 30 * 86400


async def test_a_delay_past_the_retry_window_fails_one_delivery_and_names_it(client: Any, receiver: Any) -> None:
    """A 3-day delay on a 48-hour window: the first delivery that comes due has failed for
    good (no attempt could be made in time) and disables the webhook; the other is
    cancelled by that, stays cancelled, and the webhook's reason names the failed one."""
    rec = await receiver()
    hook = await register(client, rec.url)
    await _faults(client, hook["id"], delay=1, delay_min="3d", delay_max="3d")
    await client.post("/_mock/events", json={"type": "receipts.update", "count": 2}, headers=AUTH)
    await advance(client, 4 * 86400)
    found = {d["status"]: d for d in await deliveries(client)}
    assert set(found) == {"failed", "cancelled"}, found
    assert "retry window ended before attempt 1 could be made" in found["failed"]["last_error"]
    assert found["cancelled"]["last_error"] == "the webhook was disabled"
    [state] = (await (await client.get("/v1.0/webhook", headers=AUTH)).json())["data"]
    assert state["status"] == "disabled" and found["failed"]["id"] in state["disabled_reason"]
    assert rec.requests == []  # nothing was sent past its window
