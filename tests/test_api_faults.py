"""Faults on purpose for the REST API's reads, per token: a rate limit with Retry-After,
a seeded share of 5xx, slow answers; off by default, checked, kept, and forgotten on reset."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

import pytest

from mockserver.domain.clock import ManualClock, ScaledClock
from tests.helpers import AUTH, START


async def put_faults(client: Any, body: Any, headers: dict[str, str] = AUTH) -> Any:
    resp = await client.put("/_mock/api-faults", json=body, headers=headers)
    assert resp.status == 200, await resp.text()
    return await resp.json()


async def statuses(client: Any, n: int, headers: dict[str, str] = AUTH) -> list[int]:
    return [(await client.get("/v1.0/shops", headers=headers)).status for _ in range(n)]


async def test_api_faults_are_off_by_default(client: Any) -> None:
    resp = await client.get("/_mock/api-faults", headers=AUTH)
    body = await resp.json()
    assert body["active"] is False and body["rate_limit"] is None and body["errors"] == 0
    assert await statuses(client, 50) == [200] * 50


async def test_the_rate_limit_answers_429_with_retry_after_until_the_simulated_minute_ends(client: Any) -> None:
    await put_faults(client, {"rate_limit": 3})
    assert await statuses(client, 3) == [200] * 3
    resp = await client.get("/v1.0/products", headers=AUTH)
    assert resp.status == 429
    body = await resp.json()
    assert body["error"]["code"] == "rate_limited" and "advance the clock" in body["error"]["message"]
    assert resp.headers["X-RateLimit-Limit"] == "3" and resp.headers["X-RateLimit-Remaining"] == "0"
    wait = int(resp.headers["Retry-After"])
    assert 1 <= wait <= 60
    await client.post("/_mock/clock/advance", json={"seconds": wait}, headers=AUTH)  # time stands still otherwise
    assert await statuses(client, 3) == [200] * 3


async def test_retry_after_counts_real_seconds_on_a_scaled_clock(make_client: Any, config: Any) -> None:
    client = await make_client(config, clock="scaled", time_scale=1.0, on_clock=ScaledClock(1.0, start=START))
    await put_faults(client, {"rate_limit": 1})
    await client.get("/v1.0/shops", headers=AUTH)
    resp = await client.get("/v1.0/shops", headers=AUTH)
    assert resp.status == 429 and "advance" not in (await resp.json())["error"]["message"]
    assert 1 <= int(resp.headers["Retry-After"]) <= 60


async def test_a_share_of_errors_is_the_same_for_the_same_seed(client: Any) -> None:
    await put_faults(client, {"errors": 0.5, "error_status": 503, "seed": 7})
    first = await statuses(client, 40)
    assert set(first) == {200, 503}
    await put_faults(client, {"errors": 0.5, "error_status": 503, "seed": 7})  # the sequence starts again
    assert await statuses(client, 40) == first
    resp = await client.get("/v1.0/shops", headers=AUTH)
    while resp.status != 503:
        resp = await client.get("/v1.0/shops", headers=AUTH)
    assert (await resp.json())["error"]["code"] == "injected_fault"


async def test_slow_answers_are_held_back_in_real_time(client: Any) -> None:
    await put_faults(client, {"slow": 1, "slow_by": "200ms"})
    began = time.monotonic()
    resp = await client.get("/v1.0/products", headers=AUTH)
    assert resp.status == 200 and time.monotonic() - began >= 0.2


async def test_faults_touch_only_the_read_side_and_only_that_token(client: Any) -> None:
    await put_faults(client, {"errors": 1})
    assert await statuses(client, 5) == [500] * 5
    assert (await client.get("/v1.0/webhook", headers=AUTH)).status == 200
    assert (await client.post("/_mock/events", json={"operation": "sale"}, headers=AUTH)).status == 201
    assert await statuses(client, 5, {"Authorization": "Bearer another"}) == [200] * 5


async def test_an_empty_body_turns_them_off(client: Any) -> None:
    await put_faults(client, {"errors": 1})
    body = await put_faults(client, {})
    assert body["active"] is False and await statuses(client, 3) == [200] * 3
    await put_faults(client, {"errors": 1})
    resp = await client.put("/_mock/api-faults", headers={**AUTH, "Content-Type": "application/json"})
    assert resp.status == 200 and await statuses(client, 1) == [200]


@pytest.mark.parametrize(("body", "field"), [
    ({"rate_limit": 0}, "rate_limit"), ({"rate_limit": 2.5}, "rate_limit"), ({"rate_limit": True}, "rate_limit"),
    ({"errors": 1.5}, "errors"), ({"errors": "half"}, "errors"), ({"slow": -0.1}, "slow"),
    ({"error_status": 404}, "error_status"), ({"error_status": True}, "error_status"),
    ({"slow_by": "forever"}, "slow_by"), ({"slow_by": 0}, "slow_by"), ({"slow_by": "2m"}, "slow_by"),
    ({"seed": "seven"}, "seed"), ({"seed": 2**70}, "seed"), ({"seed": -1}, "seed"), ({"latency": 1}, "latency"),
])
async def test_bad_settings_are_422_naming_the_field(client: Any, body: dict[str, Any], field: str) -> None:
    resp = await client.put("/_mock/api-faults", json=body, headers=AUTH)
    assert resp.status == 422
    assert (await resp.json())["error"]["field"] == field
    assert (await (await client.get("/_mock/api-faults", headers=AUTH)).json())["active"] is False


async def test_bad_bodies_and_tokens_are_4xx(client: Any) -> None:
    json_type = {**AUTH, "Content-Type": "application/json"}
    assert (await client.put("/_mock/api-faults", data="{", headers=json_type)).status == 400
    assert (await client.put("/_mock/api-faults", data="x=1", headers={**AUTH, "Content-Type": "text/plain"})).status \
        == 415
    assert (await client.put("/_mock/api-faults", json=[1], headers=AUTH)).status == 400
    assert (await client.put("/_mock/api-faults", json={})).status == 401
    assert (await client.get("/_mock/api-faults")).status == 401


async def test_settings_survive_a_restart_and_reset_forgets_them(make_client: Any, config: Any,
                                                                 tmp_path: Path) -> None:
    db = str(tmp_path / "mock.sqlite3")
    client = await make_client(config, db=db, on_clock=ManualClock(start=START))
    await put_faults(client, {"rate_limit": 5, "seed": 3})
    await client.close()
    again = await make_client(config, db=db, on_clock=ManualClock(start=START))
    assert (await (await again.get("/_mock/api-faults", headers=AUTH)).json())["rate_limit"] == 5
    await again.post("/_mock/reset", headers=AUTH)
    assert (await (await again.get("/_mock/api-faults", headers=AUTH)).json())["active"] is False


def test_settings_are_a_frozen_record() -> None:
    from mockserver.rest.rest_faults import ApiFaultSettings

    settings = ApiFaultSettings.from_json({"rate_limit": 10, "slow_by": "1500ms"})
    assert settings.slow_by == 1.5 and settings.active
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.errors = 1  # type: ignore[misc]
