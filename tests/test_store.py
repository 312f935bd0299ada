"""SQLite state: the versioned schema, and nothing lost across restarts."""

from __future__ import annotations

import dataclasses
import sqlite3
import time
from pathlib import Path
from typing import Any, Literal

import pytest
from aiohttp.test_utils import TestClient, TestServer

from mockserver.domain.clock import ManualClock
from mockserver.domain.config import Config
from mockserver.domain.fault_settings import FaultSettings
from mockserver.domain.models import AttemptEnd, AttemptStart, Outcome, new_delivery
from mockserver.domain.notices import Notices
from mockserver.engine import rule
from mockserver.engine.attempt import Attempts
from mockserver.engine.fault_injector import FaultInjector
from mockserver.server.app import create_app
from mockserver.store import Store
from mockserver.store.db import SCHEMA_VERSION, DatabaseInUse, UnusableDatabase
from tests.helpers import AUTH, START, TOKEN, advance, delivery, register, trigger


def test_new_database_is_migrated_to_the_latest_version(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "a.sqlite3"))
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()


def test_reopening_keeps_the_schema_and_data(tmp_path: Path) -> None:
    path = str(tmp_path / "a.sqlite3")
    store = Store(path)
    store.webhooks.create("owner", "https://a.example", ("receipts.update",), START)
    store.close()
    again = Store(path)
    assert [h.url for h in again.webhooks.of_owner("owner")] == ["https://a.example"]
    again.close()


@pytest.mark.parametrize(("exists", "problem"), [
    (True, "cannot be read and written by this user"),
    (False, "cannot be written by this user; give a path in another folder"),
])
def test_a_database_this_user_cannot_write_is_refused_in_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              exists: bool, problem: str) -> None:

    path = tmp_path / "mock.sqlite3"
    if exists:
        path.write_bytes(b"")
    monkeypatch.setattr("mockserver.store.db.os.access", lambda *args: False)  # as for another user: root may write anywhere
    with pytest.raises(UnusableDatabase, match=problem):
        Store(str(path))


def test_a_newer_schema_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE webhooks (id TEXT PRIMARY KEY)")  # a later salesplay-mock's, in part
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(UnusableDatabase, match="upgrade salesplay-mock"):
        Store(str(path))


async def _started(path: Path, clock: ManualClock) -> TestClient[Any, Any]:
    config = Config(db=str(path), clock="manual", verify="off", delivery_timeout=2.0)
    client: TestClient[Any, Any] = TestClient(TestServer(create_app(config, clock=clock)))
    await client.start_server()
    return client


async def test_webhooks_and_pending_retries_survive_a_restart(tmp_path: Path, receiver: Any) -> None:
    rec = await receiver([500], default=200)
    db = tmp_path / "mock.sqlite3"
    first = await _started(db, ManualClock(start=START))
    hook = await register(first, rec.url)
    sent = await trigger(first)
    dlv_id = sent["events"][0]["deliveries"][0]["id"]
    await first.close()

    second = await _started(db, ManualClock(start=START))
    got = await (await second.get(f"/v1.0/webhook/{hook['id']}", headers=AUTH)).json()
    assert got["url"] == rec.url
    await advance(second, 10)
    detail = await delivery(second, dlv_id)
    assert (detail["status"], detail["attempt_count"]) == ("succeeded", 2)
    await second.close()


def _attempts(store: Store) -> Attempts:
    """The engine's attempt keeping over ``store``, without a client (nothing is sent)."""
    return Attempts(Config(), ManualClock(start=START), store, None, FaultInjector(store, FaultSettings()), Notices())  # type: ignore[arg-type]


def test_attempt_cut_off_by_a_crash_is_made_again_and_says_so(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "mock.sqlite3"))
    hook = store.webhooks.create("o", "http://127.0.0.1:9/x", ("receipts.update",), START)
    event = store.events.add("o", "receipts.update", "{}", START)
    dlv = store.deliveries.create(event, hook, kind="event", status="pending", next_at=START, deadline=START + 100)
    store.deliveries.mark_in_flight([AttemptStart(dlv, START, 0.0, {}, START)])
    assert store.deliveries.due(START, 10) == []  # in flight: not due twice
    store.close()  # the crash: the attempt never finished

    again = Store(str(tmp_path / "mock.sqlite3"))
    assert _attempts(again).recover() == 1
    [attempt] = again.attempt_log.of_delivery(dlv.id)
    assert (attempt.number, attempt.state, attempt.error_kind) == (1, "failed", "interrupted")
    assert attempt.request_headers["X-Mock-Attempt"] == "1"
    assert [d.id for d in again.deliveries.due(START, 10)] == [dlv.id]
    again.close()


@pytest.mark.parametrize(("stop", "reason"), [("disable", "the webhook was disabled"),
                                              ("delete", "the webhook was deleted")])
def test_an_attempt_cut_off_after_its_webhook_stopped_settles_its_delivery_at_restart(
    tmp_path: Path, stop: str, reason: str
) -> None:
    """The webhook was disabled (or deleted) while an attempt was under way, which leaves the
    delivery pending for that attempt to settle; the server died first. The restart settles
    it: cancelled, not made again, and what was held behind it goes out."""
    store = Store(str(tmp_path / "mock.sqlite3"))
    hook = store.webhooks.create("o", "http://127.0.0.1:9/x", ("receipts.update",), START)
    other = store.webhooks.create("o", "http://127.0.0.1:9/y", ("receipts.update",), START)
    event = store.events.add("o", "receipts.update", "{}", START)
    dlv = store.deliveries.create(event, hook, kind="event", status="pending", next_at=START, deadline=START + 100)
    behind = new_delivery(event, other, kind="event", status="pending", next_at=None, deadline=START + 100,
                          hold_for=dlv.id)  # reordered after it
    store.deliveries.add([behind])
    store.deliveries.mark_in_flight([AttemptStart(dlv, START, 0.0, {}, START)])
    with store.tx():
        if stop == "disable":
            store.webhooks.disable(hook.id, "disabled through the API", START)
        else:
            store.webhooks.delete("o", hook.id)
        rule.stop_deliveries(_attempts(store), hook.id, START)
    assert store.deliveries.get("o", dlv.id).status == "pending"  # left to its attempt
    store.close()  # the crash: the attempt never finished

    again = Store(str(tmp_path / "mock.sqlite3"))
    assert _attempts(again).recover() == 1
    got = again.deliveries.get("o", dlv.id)
    assert (got.status, got.last_error, got.next_at, got.inflight_at) == ("cancelled", reason, None, None)
    [attempt] = again.attempt_log.of_delivery(dlv.id)
    assert attempt.error_kind == "interrupted"
    assert [d.id for d in again.deliveries.due(START + 100, 10)] == [behind.id]
    again.close()


async def _clock_after_restart(db: Path, config: Config, token: str = TOKEN) -> float:
    client: TestClient[Any, Any] = TestClient(TestServer(create_app(config)))
    await client.start_server()
    now: float = (await (await client.get("/_mock/clock", headers={"Authorization": f"Bearer {token}"})).json())[
        "now_epoch"]
    await client.close()
    return now


async def test_simulated_time_resumes_after_a_restart_per_token(tmp_path: Path) -> None:
    db = tmp_path / "mock.sqlite3"
    config = Config(db=str(db), clock="manual", clock_start=START, verify="off")
    client: TestClient[Any, Any] = TestClient(TestServer(create_app(config)))
    await client.start_server()
    await advance(client, 3600)
    await client.close()
    resumed = dataclasses.replace(config, clock_start=None)
    assert await _clock_after_restart(db, resumed) == START + 3600
    assert await _clock_after_restart(db, resumed, token="another") == START  # its own time never moved


async def test_an_explicit_clock_start_wins_over_the_saved_time(tmp_path: Path) -> None:
    """A clock moved somewhere unwanted is always recoverable: --clock-start resets it."""
    db = tmp_path / "mock.sqlite3"
    config = Config(db=str(db), clock="manual", clock_start=START, verify="off")
    client: TestClient[Any, Any] = TestClient(TestServer(create_app(config)))
    await client.start_server()
    await advance(client, 5 * 366 * 86400)
    await client.close()
    assert await _clock_after_restart(db, dataclasses.replace(config, clock_start=START + 60)) == START + 60


async def test_a_saved_time_out_of_range_is_ignored(tmp_path: Path) -> None:
    db = tmp_path / "mock.sqlite3"
    store = Store(str(db))
    store.meta.set("sim_time", repr(253402300799.0))  # year 9999, as an older version could leave it
    store.close()
    now = await _clock_after_restart(db, Config(db=str(db), clock="scaled", verify="off"))
    assert abs(now - time.time()) < 3600


def test_a_second_server_on_the_same_database_is_refused(tmp_path: Path) -> None:
    db = str(tmp_path / "one.sqlite3")
    first = Store(db)
    with pytest.raises(DatabaseInUse, match=f"the database {db} is in use by another salesplay-mock server"):
        Store(db)
    first.close()
    Store(db).close()  # closed (or killed), the lock is gone


def test_trim_keeps_the_newest_finished_deliveries_and_all_pending(tmp_path: Path) -> None:
    store = Store(":memory:")
    hook = store.webhooks.create("o", "http://x.example/", ("receipts.update",), START)
    made = []
    for n in range(30):
        event = store.events.add("o", "receipts.update", "{}", START + n)
        status: Literal["pending", "succeeded"] = "pending" if n % 10 == 0 else "succeeded"
        made.append(store.deliveries.create(event, hook, kind="event", status=status, next_at=None, deadline=START))
    started = [AttemptStart(d, START, 0.0, {}, START) for d in made]
    store.deliveries.mark_in_flight(started)
    ends = [AttemptEnd(s, Outcome("succeeded", 1.0, 200), "pending" if s.delivery.status == "pending" else "succeeded",
                       None) for s in started]
    store.attempt_log.add(ends)
    for end in ends:
        store.deliveries.finish(end)
    removed = _attempts(store).trim(5)
    left = {d.id for _, d in store.deliveries.numbered("o", limit=1000)}
    assert removed == 27 - 5
    assert {d.id for d in made if d.status == "pending"} <= left
    assert {d.id for d in made[-5:] if d.status != "pending"} <= left
    assert store.conn.execute("SELECT COUNT(*) FROM attempts").fetchone()[0] == len(left)
    store.close()


async def test_the_attempt_log_stays_bounded_on_a_long_run(make_client: Any, config: Any, receiver: Any) -> None:
    client = await make_client(config, keep_deliveries=20)
    rec = await receiver()
    await register(client, rec.url)
    for _ in range(3):
        await trigger(client, count=100)
    data = (await (await client.get("/_mock/deliveries", params={"limit": "1000"}, headers=AUTH)).json())["data"]
    assert 20 <= len(data) <= 120


def test_a_version_1_database_is_migrated_with_its_data(tmp_path: Path) -> None:
    from mockserver.store.db import MIGRATIONS

    path = tmp_path / "v1.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0] + "; PRAGMA user_version = 1;")
    conn.execute("INSERT INTO webhooks VALUES ('wh_old', 'o', 'https://a.example', '[\"receipts.update\"]', "
                 "'enabled', NULL, 1.0, 1.0)")
    conn.commit()
    conn.close()
    store = Store(str(path))
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    [hook] = store.webhooks.of_owner("o")
    assert (hook.id, hook.faults) == ("wh_old", None)
    store.close()


def test_a_version_2_attempt_in_flight_becomes_interrupted_in_version_3(tmp_path: Path) -> None:
    from mockserver.store.db import MIGRATIONS

    path = tmp_path / "v2.sqlite3"
    conn = sqlite3.connect(path)
    for statement in (MIGRATIONS[0] + ";" + MIGRATIONS[1]).split(";"):
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 2")
    conn.execute("INSERT INTO deliveries (id, owner, event_id, webhook_id, kind, status, attempts, next_at, "
                 "created_at, deadline, event_type, url) VALUES ('dlv_a', 'o', 'evt_a', 'wh_a', 'event', "
                 "'pending', 1, NULL, 5.0, 100.0, 'receipts.update', 'http://a.example/')")
    conn.execute("INSERT INTO attempts (delivery_id, number, state, scheduled_at, started_at, started_real, "
                 "url, request_headers) VALUES ('dlv_a', 1, 'in_flight', 5.0, 5.0, 5.0, 'http://a.example/', '{}')")
    conn.commit()
    conn.close()
    store = Store(str(path))
    [attempt] = store.attempt_log.of_delivery("dlv_a")
    assert (attempt.state, attempt.error_kind) == ("failed", "interrupted")
    assert store.conn.execute("SELECT next_at FROM deliveries WHERE id = 'dlv_a'").fetchone()[0] == 5.0
    store.close()


def test_a_version_8_sample_posts_event_is_of_kind_sample_in_version_9(tmp_path: Path) -> None:
    from mockserver.store.db import MIGRATIONS

    path = tmp_path / "v8.sqlite3"
    conn = sqlite3.connect(path)
    for statement in ";".join(MIGRATIONS[:8]).split(";"):
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 8")
    for event_id, kind in (("evt_s", "sample"), ("evt_e", "event")):
        conn.execute("INSERT INTO events VALUES (?, 'o', 'receipts.update', '{}', 5.0, NULL)", (event_id,))
        conn.execute("INSERT INTO deliveries (id, owner, event_id, webhook_id, kind, status, attempts, created_at, "
                     "deadline, event_type, url) VALUES (?, 'o', ?, 'wh_a', ?, 'succeeded', 1, 5.0, 5.0, "
                     "'receipts.update', 'http://a.example/')", ("dlv_" + event_id, event_id, kind))
    conn.commit()
    conn.close()
    store = Store(str(path))
    assert {e.id: e.kind for e in store.events.recent("o")} == {"evt_s": "sample", "evt_e": "event"}
    store.close()


async def test_a_failing_write_inside_a_waiting_group_commit_undoes_only_itself(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "g.sqlite3"))
    with store.tx(durable=False) as c:  # the engine's bookkeeping: waits for a group commit
        c.execute("INSERT INTO meta VALUES ('kept', '1')")
    assert store.conn.in_transaction  # the group is still open
    with pytest.raises(sqlite3.IntegrityError), store.tx() as c:  # an API write that fails
        c.execute("INSERT INTO meta VALUES ('lost', '1')")
        c.execute("INSERT INTO meta VALUES ('lost', '2')")
    store.close()
    again = Store(str(tmp_path / "g.sqlite3"))
    assert (again.meta.get("kept"), again.meta.get("lost")) == ("1", None)
    again.close()


def test_wal_checkpoints_run_on_a_thread_of_their_own_and_stop_with_the_store(tmp_path: Path) -> None:
    """The server's own connection never checkpoints (a request would wait for it); the
    store's thread copies the log into the database within moments, and stops at close."""
    path = tmp_path / "ckpt.sqlite3"
    store = Store(str(path))
    try:
        assert store.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        checkpoints = store._checkpoints
        assert checkpoints is not None and checkpoints._thread.is_alive()
        before = path.stat().st_size
        with store.tx() as c:
            c.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", ((f"k{i}", "x" * 200) for i in range(5000)))
        deadline = time.monotonic() + 10
        while path.stat().st_size <= before + 500_000 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert path.stat().st_size > before + 500_000, "nothing was checkpointed into the database file"
    finally:
        store.close()
    assert not checkpoints._thread.is_alive()
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0


def test_an_in_memory_store_needs_no_checkpoints() -> None:
    store = Store(":memory:")
    try:
        assert store._checkpoints is None
    finally:
        store.close()


def test_a_lock_on_a_lock_file_removed_meanwhile_is_not_a_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Server A's start fails and removes the lock file it made; server B had opened that
    file just before and locks it: a lock on a file no longer at the name, which a third
    server would not see. B must take the file at the name instead."""
    import os

    from mockserver.store import locks

    path = str(tmp_path / "m.sqlite3")
    first = locks.lock(path)
    assert first is not None
    orphan = open(path + ".lock", "a+", encoding="utf-8")  # B opens the file...
    first.release(remove=True)  # ...A removes it (its start failed)...
    real = locks._lock_once
    calls: list[Any] = []

    def once(name: str, where: str, fcntl: Any) -> locks.Lock:
        if calls:
            return real(name, where, fcntl)
        calls.append(name)
        fcntl.flock(orphan, fcntl.LOCK_EX | fcntl.LOCK_NB)  # ...and B locks what it opened
        return locks.Lock(orphan, name, False)

    monkeypatch.setattr(locks, "_lock_once", once)
    held = locks.lock(path)
    assert held is not None and calls
    assert os.fstat(held.handle.fileno()).st_ino == os.stat(path + ".lock").st_ino  # the file at the name
    with pytest.raises(DatabaseInUse):
        locks.lock(path)  # and a third server is refused
    held.release()
