"""The page's per-webhook summaries, read per webhook from indexes, agree with the one
grouped query over every attempt they replaced (kept here as the reference), through
successes, failure streaks, sample POSTs, retries under way, a disabled webhook and the
events it skipped."""

from __future__ import annotations

import dataclasses
from typing import Any

from mockserver.server import keys
from mockserver.store import Store
from mockserver.store.summaries import STRIP, WebhookStats
from tests.helpers import AUTH, advance, register, trigger

REFERENCE = """
WITH att AS (
    SELECT d.webhook_id AS hook, a.id, a.state, d.kind
    FROM deliveries d JOIN attempts a ON a.delivery_id = d.id WHERE d.owner = :owner),
last_ok AS (SELECT hook, MAX(id) AS id FROM att WHERE state = 'succeeded' GROUP BY hook),
last_any AS (SELECT hook, MAX(id) AS id FROM att GROUP BY hook),
streak AS (
    SELECT att.hook, COUNT(*) AS n FROM att LEFT JOIN last_ok ON last_ok.hook = att.hook
    WHERE att.state = 'failed' AND att.kind != 'sample' AND att.id > COALESCE(last_ok.id, 0) GROUP BY att.hook),
pend AS (
    SELECT webhook_id AS hook, COUNT(*) AS n, MIN(next_at) AS next_at FROM deliveries
    WHERE owner = :owner AND status = 'pending' GROUP BY webhook_id),
skipped AS (
    SELECT webhook_id AS hook, COUNT(*) AS n FROM deliveries
    WHERE owner = :owner AND status = 'skipped' AND resent_as IS NULL GROUP BY webhook_id),
failing AS (
    SELECT webhook_id AS hook, id, attempts, deadline, anchor_at,
           ROW_NUMBER() OVER (PARTITION BY webhook_id ORDER BY created_at, rowid) AS n
    FROM deliveries WHERE owner = :owner AND status = 'pending' AND attempts > 0 AND anchor_at IS NOT NULL)
SELECT w.id, la.state, la.response_status, la.error_message, COALESCE(streak.n, 0), COALESCE(pend.n, 0),
       pend.next_at, failing.id, COALESCE(failing.attempts, 0), failing.deadline, failing.anchor_at,
       COALESCE(skipped.n, 0)
FROM webhooks w
LEFT JOIN last_any ON last_any.hook = w.id
LEFT JOIN attempts la ON la.id = last_any.id
LEFT JOIN streak ON streak.hook = w.id
LEFT JOIN pend ON pend.hook = w.id
LEFT JOIN failing ON failing.hook = w.id AND failing.n = 1
LEFT JOIN skipped ON skipped.hook = w.id
WHERE w.owner = :owner
ORDER BY w.created_at, w.rowid
"""

REFERENCE_RECENT = """
SELECT hook, state, response_status, error_kind FROM (
    SELECT d.webhook_id AS hook, a.state, a.response_status, a.error_kind,
           ROW_NUMBER() OVER (PARTITION BY d.webhook_id ORDER BY a.id DESC) AS n
    FROM deliveries d JOIN attempts a ON a.delivery_id = d.id WHERE d.owner = :owner)
WHERE n <= :keep ORDER BY hook, n
"""


def _reference(store: Store, owner: str) -> dict[str, WebhookStats]:
    recent: dict[str, list[tuple[str, int | None, str | None]]] = {}
    for hook, state, status, kind in store.conn.execute(REFERENCE_RECENT, {"owner": owner, "keep": STRIP}):
        recent.setdefault(hook, []).append((state, status, kind))
    return {row[0]: dataclasses.replace(WebhookStats(*row), recent=tuple(recent.get(row[0], ())))
            for row in store.conn.execute(REFERENCE, {"owner": owner})}


async def test_summaries_agree_with_the_grouped_query_they_replaced(make_client: Any, config: Any,
                                                                     receiver: Any) -> None:
    client = await make_client(config, verify="report")
    engine = (await keys.ready(client.server.app)).engine
    assert engine is not None
    store = engine.store
    ok, flaky, down = await receiver(), await receiver([500, 500, 200, 500, 500, 500]), await receiver(default=500)
    idle = await receiver()
    seen: list[dict[str, WebhookStats]] = []

    def agree() -> None:
        [owner] = [r[0] for r in store.conn.execute("SELECT DISTINCT owner FROM webhooks")]
        ours = store.summaries.of_owner(owner)
        assert len(ours) == 4
        assert ours == _reference(store, owner)
        assert list(ours) == list(_reference(store, owner))  # in the page's order
        seen.append(ours)

    await register(client, ok.url)
    await register(client, flaky.url)  # its sample POST fails: not part of its streak
    await register(client, down.url)
    await register(client, idle.url)
    agree()
    await trigger(client, count=3)
    agree()
    await advance(client, 60)  # retries under way
    agree()
    await advance(client, 600)  # flaky succeeds once, then fails again
    agree()
    await advance(client, 48 * 3600)  # down is disabled after 200 attempts
    agree()
    await trigger(client, count=2)  # down skips them
    agree()
    last = seen[-1]
    by_url = {h["url"]: h["id"] for h in (await (await client.get("/v1.0/webhook", headers=AUTH)).json())["data"]}
    assert last[by_url[ok.url]].streak == 0 and last[by_url[ok.url]].last_state == "succeeded"
    assert last[by_url[down.url]].skipped == 2 and last[by_url[down.url]].streak >= 200
    assert len(last[by_url[down.url]].recent) == STRIP
    assert last[by_url[idle.url]].recent[-1][0] == "succeeded"  # its sample POST
    assert any(s[by_url[flaky.url]].pending for s in seen) and any(s[by_url[flaky.url]].failing_id for s in seen)
