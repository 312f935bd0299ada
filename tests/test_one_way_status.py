"""A delivery's status moves one way: pending, then its end (succeeded, failed, cancelled),
never back. Its webhook disabled (by another delivery's last failure, the API, the page),
deleted or reset while an attempt of it is under way: the delivery stays pending until that
attempt ends, then it is settled once.

Each test holds the attempt at a receiver's gate on the manual clock, so the moment of the
disabling is chosen, not hoped for, and polls the delivery's status through the API the
whole time, keeping each change."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web

from mockserver.domain.tokens import owner_of_token
from mockserver.server import keys
from tests.helpers import AUTH, START, TOKEN, advance, delivery, register, sign_in, trigger, until

WAIT = 20.0  # seconds any one step may take on a loaded machine
ANY = "any"


class GatedReceiver:
    """Answers ``status``; the requests of the delivery ``held`` (``ANY``: every request) wait
    at a gate until ``let_go``."""

    def __init__(self, status: int = 500) -> None:
        self.status = status
        self.held: str | None = None
        self.arrived = asyncio.Event()
        self._gate = asyncio.Event()
        self.requests: list[str] = []  # the delivery id of each request, in order
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        delivery_id = request.headers["X-Mock-Delivery-Id"]
        self.requests.append(delivery_id)
        if self.held in (delivery_id, ANY):
            self.arrived.set()
            await self._gate.wait()
        return web.Response(status=self.status)

    def hold(self, delivery_id: str) -> None:
        self.held = delivery_id
        self.arrived.clear()
        self._gate.clear()

    def let_go(self, status: int) -> None:
        self.status = status
        self._gate.set()


@pytest.fixture
async def gated(aiohttp_server: Any) -> AsyncIterator[GatedReceiver]:
    """A gated receiver; a test that fails with an attempt held lets it go at the end."""
    rec = GatedReceiver()
    app = web.Application()
    app.router.add_post("/hook", rec.handle)
    server = await aiohttp_server(app)
    rec.url = str(server.make_url("/hook"))
    yield rec
    rec.let_go(rec.status)


class StatusWatch:
    """Polls one delivery's status through the API, as a poller or the page would, keeping
    each change (``gone`` once it is forgotten)."""

    def __init__(self, client: Any, delivery_id: str) -> None:
        self.client, self.delivery_id = client, delivery_id
        self.seen: list[str] = []
        self.polls = 0
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            resp = await self.client.get(f"/_mock/deliveries/{self.delivery_id}", headers=AUTH)
            status = "gone" if resp.status == 404 else (await resp.json())["status"]
            if not self.seen or self.seen[-1] != status:
                self.seen.append(status)
            self.polls += 1
            await asyncio.sleep(0.002)

    async def polled(self) -> None:
        """Wait until the status has been read since this call (a read already under way
        may have begun before it: two more)."""
        after = self.polls + 2

        async def done() -> bool:
            return self.polls >= after

        await until(done, timeout=WAIT, every=0.002, what="the watch to poll the delivery")

    async def until_settled(self) -> list[str]:
        """Every status seen, once the delivery is no longer pending."""
        async def settled() -> bool:
            return bool(self.seen) and self.seen[-1] != "pending"

        await until(settled, timeout=WAIT, every=0.002, what="the delivery to settle")
        await self.polled()  # and nothing after it
        await self.stop()
        return self.seen

    async def stop(self) -> None:
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)


Watching = Callable[[Any, str], Awaitable[StatusWatch]]


@pytest.fixture
async def watching() -> AsyncIterator[Watching]:
    """``await watching(client, delivery_id)``: a watch that has read the status once;
    stopped at the end of the test."""
    made: list[StatusWatch] = []

    async def start(client: Any, delivery_id: str) -> StatusWatch:
        watch = StatusWatch(client, delivery_id)
        made.append(watch)
        await watch.polled()
        return watch

    yield start
    for watch in made:
        await watch.stop()


@dataclass
class Held:
    """An attempt held at the gate, the call that makes it, and its delivery's status watched."""

    client: Any
    hook_id: str
    delivery_id: str
    making: asyncio.Task[Any]  # the trigger or the advance that makes the attempt
    watch: StatusWatch


async def _hold(rec: GatedReceiver, watching: Watching, client: Any, hook_id: str, delivery_id: str,
                making: Awaitable[Any]) -> Held:
    """Start ``making`` in the background with ``delivery_id``'s attempt (``ANY``: the first
    request's) held at the gate; once it has reached the receiver, watch its delivery."""
    rec.hold(delivery_id)
    task: asyncio.Task[Any] = asyncio.ensure_future(making)
    await asyncio.wait_for(rec.arrived.wait(), WAIT)
    delivery_id = rec.requests[-1]
    return Held(client, hook_id, delivery_id, task, await watching(client, delivery_id))


async def _settles(rec: GatedReceiver, held: Held, status: int, *, shows: str = "pending") -> list[str]:
    """Let the held attempt end with ``status``; every status the delivery showed. Until
    then it shows ``shows``, whatever the test did meanwhile."""
    await held.watch.polled()
    assert held.watch.seen[-1] == shows, held.watch.seen
    rec.let_go(status)
    await asyncio.wait_for(held.making, WAIT)
    return await held.watch.until_settled()


async def _disable(client: Any, hook_id: str) -> None:
    resp = await client.put(f"/v1.0/webhook/{hook_id}", json={"status": "disabled"}, headers=AUTH)
    assert resp.status == 200, await resp.text()


async def _first_delivery(client: Any, rec: GatedReceiver) -> tuple[str, str]:
    """A webhook to ``rec`` and one delivery to it, whose first attempt failed: (webhook, delivery)."""
    hook = await register(client, rec.url)
    sent = await trigger(client)
    return hook["id"], sent["events"][0]["deliveries"][0]["id"]


MakeHeld = Callable[..., Awaitable[Held]]


@pytest.fixture
def second_attempt_held(make_client: Any, config: Any, gated: GatedReceiver, watching: Watching) -> MakeHeld:
    """``await second_attempt_held(**config_overrides)``: on an app of its own, a delivery
    whose first attempt failed, its second (made by an advance to 5 s) held."""

    async def make(**overrides: Any) -> Held:
        client = await make_client(config, **overrides)
        hook_id, dlv_id = await _first_delivery(client, gated)
        return await _hold(gated, watching, client, hook_id, dlv_id, advance(client, 5))

    return make


async def test_disabled_through_the_api_during_its_last_attempt_a_delivery_goes_from_pending_to_failed(
    second_attempt_held: MakeHeld, gated: GatedReceiver
) -> None:
    held = await second_attempt_held(max_attempts=2)
    client, dlv_id = held.client, held.delivery_id
    await _disable(client, held.hook_id)
    await held.watch.polled()
    now = await delivery(client, dlv_id)
    assert (now["status"], now["attempt_in_flight_since"] is not None) == ("pending", True)
    assert await _settles(gated, held, 500) == ["pending", "failed"]
    detail = await delivery(client, dlv_id)
    assert (detail["attempt_count"], [a["response_status"] for a in detail["attempts"]]) == (2, [500, 500])
    hook = await (await client.get(f"/v1.0/webhook/{held.hook_id}", headers=AUTH)).json()
    assert hook["disabled_reason"] == "disabled through the API"  # the first reason stays


async def test_disabled_through_the_api_with_attempts_left_a_delivery_goes_from_pending_to_cancelled_once(
    second_attempt_held: MakeHeld, gated: GatedReceiver
) -> None:
    held = await second_attempt_held(max_attempts=5)
    client, dlv_id = held.client, held.delivery_id
    await _disable(client, held.hook_id)
    assert await _settles(gated, held, 500) == ["pending", "cancelled"]
    detail = await delivery(client, dlv_id)
    assert (detail["last_error"], detail["attempt_count"], detail["next_attempt_at"]) == (
        "the webhook was disabled", 2, None)
    await advance(client, 48 * 3600)
    assert gated.requests == [dlv_id, dlv_id]  # nothing more goes to a disabled webhook


async def test_disabled_on_the_page_during_an_attempt_that_succeeds_a_delivery_goes_from_pending_to_succeeded(
    second_attempt_held: MakeHeld, gated: GatedReceiver
) -> None:
    held = await second_attempt_held()
    client = held.client
    csrf = await sign_in(client)
    resp = await client.post(f"/ui/webhooks/{held.hook_id}/status", data={"csrf": csrf, "status": "disabled"},
                             allow_redirects=False)
    assert resp.status == 303
    assert await _settles(gated, held, 200) == ["pending", "succeeded"]
    hook = await (await client.get(f"/v1.0/webhook/{held.hook_id}", headers=AUTH)).json()
    assert (hook["status"], hook["disabled_reason"]) == ("disabled", "disabled through the page")


async def test_disabled_and_enabled_again_during_an_attempt_a_delivery_keeps_its_retries(
    second_attempt_held: MakeHeld, gated: GatedReceiver
) -> None:
    held = await second_attempt_held()
    client, dlv_id = held.client, held.delivery_id
    await _disable(client, held.hook_id)
    resp = await client.put(f"/v1.0/webhook/{held.hook_id}", json={"status": "enabled"}, headers=AUTH)
    assert resp.status == 200
    gated.let_go(500)
    await asyncio.wait_for(held.making, WAIT)
    await held.watch.polled()
    detail = await delivery(client, dlv_id)
    assert (detail["status"], detail["attempt_count"], detail["next_attempt_at"] is not None) == ("pending", 2, True)
    gated.status = 200
    await advance(client, 10)  # the 3rd attempt, at 15 s
    assert await held.watch.until_settled() == ["pending", "succeeded"]


async def test_deleted_during_an_attempt_a_delivery_goes_from_pending_to_cancelled_saying_so(
    second_attempt_held: MakeHeld, gated: GatedReceiver
) -> None:
    held = await second_attempt_held()
    assert (await held.client.delete(f"/v1.0/webhook/{held.hook_id}", headers=AUTH)).status == 204
    assert await _settles(gated, held, 503) == ["pending", "cancelled"]
    assert (await delivery(held.client, held.delivery_id))["last_error"] == "the webhook was deleted"


async def test_another_deliverys_last_failure_during_this_ones_last_attempt_ends_both_failed(
    make_client: Any, config: Any, gated: GatedReceiver, watching: Watching
) -> None:
    """Both deliveries' last attempts are made in one pass: the first fails at once and
    disables the webhook while the second's is held."""
    client = await make_client(config, max_attempts=2)
    hook = await register(client, gated.url)
    sent = await trigger(client, count=2)
    first, second = (d["id"] for e in sent["events"] for d in e["deliveries"])
    held = await _hold(gated, watching, client, hook["id"], second, advance(client, 5))

    async def first_failed() -> bool:
        return bool((await delivery(client, first))["status"] == "failed")

    await until(first_failed, timeout=WAIT, what="the first delivery to fail for good")
    assert await _settles(gated, held, 500) == ["pending", "failed"]
    state = await (await client.get(f"/v1.0/webhook/{hook['id']}", headers=AUTH)).json()
    assert state["status"] == "disabled" and first in state["disabled_reason"]


async def test_another_deliverys_last_failure_during_an_attempt_with_attempts_left_cancels_it_once(
    make_client: Any, config: Any, gated: GatedReceiver, watching: Watching
) -> None:
    """The first delivery's 3rd and last attempt (at 15 s) and the second's 2nd (made at
    10 s, so also due at 15 s) are made in one pass."""
    client = await make_client(config, max_attempts=3)
    hook_id, first = await _first_delivery(client, gated)
    await advance(client, 10)
    second = (await trigger(client))["events"][0]["deliveries"][0]["id"]
    held = await _hold(gated, watching, client, hook_id, second, advance(client, 5))
    assert await _settles(gated, held, 500) == ["pending", "cancelled"]
    assert ((await delivery(client, first))["status"], (await delivery(client, second))["last_error"]) == (
        "failed", "the webhook was disabled")
    await advance(client, 48 * 3600)
    assert gated.requests.count(second) == 2


async def test_a_reset_during_an_attempt_forgets_the_delivery_and_it_never_comes_back(
    make_client: Any, config: Any, gated: GatedReceiver, watching: Watching
) -> None:
    """The held attempt is the first and last one: failing, it would disable the webhook.
    It is made by a trigger, which a reset does not wait for (it waits for an advance)."""
    client = await make_client(config, max_attempts=1)
    hook = await register(client, gated.url)
    held = await _hold(gated, watching, client, hook["id"], ANY, trigger(client))
    assert (await client.post("/_mock/reset", headers=AUTH)).status == 200
    assert await _settles(gated, held, 500, shows="gone") == ["pending", "gone"]
    assert (await (await client.get("/v1.0/webhook", headers=AUTH)).json())["data"] == []
    assert (await (await client.get("/_mock/deliveries", headers=AUTH)).json())["data"] == []
    store = keys.engine_of(client.server.app).store
    store.commit()
    assert store.conn.execute("SELECT COUNT(*) FROM attempts").fetchone()[0] == 0


async def test_a_delivery_whose_window_closed_disables_the_webhook_before_another_due_with_it_is_sent(
    client: Any, gated: GatedReceiver
) -> None:
    """Due in the same pass: the one past its window fails for good and cancels the other,
    which is then not sent to the webhook it just disabled."""
    hook = await register(client, gated.url)
    store = keys.engine_of(client.server.app).store
    webhook = store.webhooks.get_any(hook["id"])
    assert webhook is not None
    event = store.events.add(owner_of_token(TOKEN), "receipts.update", "{}", START)
    late = store.deliveries.create(event, webhook, kind="event", status="pending", next_at=START, deadline=START - 1)
    other = store.deliveries.create(event, webhook, kind="event", status="pending", next_at=START,
                                    deadline=START + 3600)
    await advance(client, 1)
    assert ((await delivery(client, late.id))["status"], (await delivery(client, other.id))["status"]) == (
        "failed", "cancelled")
    assert gated.requests == []
