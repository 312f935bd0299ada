"""The test handle: documented, reading every page, validating payloads, and asserting on
an event (not one delivery of it); the plugin's host and port."""

from __future__ import annotations

import dataclasses
import inspect
import socket
import sys
from collections.abc import Iterator

import pytest
from aiohttp import web

from mockserver.testing import AsyncSalesPlay, MissingExtra, SalesPlay, ThreadedMockServer, client
from tests.test_receivers import CONFIG

pytest_plugins = ["pytester"]


def public_methods(cls: type) -> list[str]:
    return sorted(name for name, member in inspect.getmembers(cls)
                  if not name.startswith("_") and (callable(member) or isinstance(member, property)))


@pytest.fixture
def salesplay() -> Iterator[SalesPlay]:
    server = ThreadedMockServer(CONFIG).start()
    handle = SalesPlay(server)
    yield handle
    handle.close()
    server.stop()


@pytest.fixture
def receiver_url(salesplay: SalesPlay) -> str:
    """A receiver that answers 200 to anything, served by the handle."""

    async def ok(request: web.Request) -> web.Response:
        await request.read()
        return web.Response()

    app = web.Application()
    app.router.add_post("/{any:.*}", ok)
    return salesplay.serve(app) + "/salesplay"


@pytest.mark.parametrize("cls", [SalesPlay, AsyncSalesPlay])
def test_every_public_method_has_a_docstring_with_an_example(cls: type) -> None:
    names = public_methods(cls)
    assert {"serve" if cls is SalesPlay else "serve_async", "schema", "validate", "events",
            "assert_delivered_once", "assert_delivery_succeeded_first_time"} <= set(names)
    for name in names:
        doc = inspect.getdoc(getattr(cls, name)) or ""
        example = doc.partition("Example::")[2]
        assert example.strip(), f"{cls.__name__}.{name} has no example in its docstring"
        assert name in example, f"the example of {cls.__name__}.{name} does not call it"


def test_the_sync_handle_has_every_method_of_the_async_one() -> None:
    assert set(public_methods(AsyncSalesPlay)) - {"serve_async"} == set(public_methods(SalesPlay)) - {"serve", "close"}
    assert inspect.signature(getattr(SalesPlay, "deliveries")) == inspect.signature(AsyncSalesPlay.deliveries)


def test_schema_is_the_shipped_one(salesplay: SalesPlay) -> None:
    from mockserver.shop.schemas import load_schema

    assert salesplay.schema("receipts.update") == load_schema("receipts.update")


def test_validate_passes_a_real_payload_and_names_every_broken_field(salesplay: SalesPlay,
                                                                     receiver_url: str) -> None:
    salesplay.register(receiver_url, "receipts.update")
    [receipt, _] = salesplay.sell()
    assert salesplay.validate(receipt["payload"]) == receipt["payload"]
    broken = {**receipt["payload"], "receipts": [{**receipt["payload"]["receipts"][0], "total": "12.00"}]}
    del broken["merchant_id"]
    with pytest.raises(AssertionError) as exc:
        salesplay.validate(broken)
    assert str(exc.value).splitlines() == ["the payload is not a valid receipts.update:",
                                           "  (the payload): 'merchant_id' is a required property",
                                           "  receipts[0].total: '12.00' is not of type 'number'"]


def test_validate_needs_a_type_and_says_so(salesplay: SalesPlay) -> None:
    with pytest.raises(AssertionError, match="the payload has no 'type'; pass the event type"):
        salesplay.validate({"receipts": []})
    with pytest.raises(AssertionError, match="not a valid products.update"):
        salesplay.validate({"receipts": []}, type="products.update")


def test_validate_without_jsonschema_says_what_to_install(salesplay: SalesPlay,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "jsonschema", None)
    with pytest.raises(MissingExtra, match=r"validate\(\) needs jsonschema: pip install jsonschema"):
        salesplay.validate({"type": "receipts.update"})


def test_events_and_deliveries_follow_every_page(salesplay: SalesPlay, receiver_url: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client, "PAGE", 2)
    salesplay.register(receiver_url, "products.update")
    sent = salesplay.trigger("products.update", count=5)
    assert [e["id"] for e in salesplay.events()] == [e["id"] for e in reversed(sent)]
    assert len(salesplay.deliveries()) == 5
    assert len(salesplay.events(limit=3)) == 3 and len(salesplay.deliveries(limit=1)) == 1
    assert [e["type"] for e in salesplay.events(type="customers.update")] == []


def test_deliveries_filter_by_kind(salesplay: SalesPlay, receiver_url: str) -> None:
    salesplay.register(receiver_url, "products.update")
    [event] = salesplay.trigger("products.update")
    again = salesplay.redeliver(event["deliveries"][0]["id"])
    assert [d["id"] for d in salesplay.deliveries(kind="redelivery")] == [again["id"]]
    assert [d["kind"] for d in salesplay.deliveries(event_id=event["id"])] == ["redelivery", "event"]


def test_stats_and_events_by_kind_count_without_the_sample(salesplay: SalesPlay, receiver_url: str) -> None:
    salesplay.register(receiver_url, "products.update")
    salesplay.trigger("products.update", count=2)
    stats = salesplay.stats()
    assert stats["events"]["by_type"]["products.update"]["by_kind"] == {"event": 2, "sample": 0}  # verify is off
    assert stats["deliveries"]["by_status"]["succeeded"] == 2
    assert len(salesplay.events(kind="event")) == 2 and salesplay.events(kind="sample") == []


def test_assert_delivered_once_counts_every_delivery_of_the_event(salesplay: SalesPlay, receiver_url: str) -> None:
    hook = salesplay.register(receiver_url, "products.update")
    [event] = salesplay.trigger("products.update")
    assert [d["kind"] for d in salesplay.assert_delivered_once(event)] == ["event"]
    salesplay.assert_delivered_once(event["id"])
    salesplay.redeliver(event["deliveries"][0]["id"])
    with pytest.raises(AssertionError, match=rf"event {event['id']} got 2 2xx answer\(s\) from webhook "
                                             rf"{hook['id']}, not 1; its deliveries: dlv_\w+ \(event\) succeeded"):
        salesplay.assert_delivered_once(event)


def test_assert_delivered_once_fails_when_a_duplicate_also_got_a_2xx(salesplay: SalesPlay, receiver_url: str) -> None:
    """The failure the issue found: with duplicate=1 the old assertion passed for both copies."""
    hook = salesplay.register(receiver_url, "products.update")
    salesplay.set_faults(hook["id"], duplicate=1)
    [event] = salesplay.trigger("products.update")
    kinds = sorted(d["kind"] for d in salesplay.deliveries(event_id=event["id"], status="succeeded"))
    assert kinds == ["duplicate", "event"]
    with pytest.raises(AssertionError, match=r"got 2 2xx answer\(s\).*\(event\).*\(duplicate\)"):
        salesplay.assert_delivered_once(event)
    for d in salesplay.deliveries(event_id=event["id"]):  # each delivery on its own did succeed first time
        salesplay.assert_delivery_succeeded_first_time(d["id"])


def test_assert_delivered_once_fails_when_the_receiver_never_said_2xx(salesplay: SalesPlay) -> None:
    hook = salesplay.register("http://127.0.0.1:1/nothing-here", "products.update")
    [event] = salesplay.trigger("products.update")
    with pytest.raises(AssertionError, match=rf"got 0 2xx answer\(s\) from webhook {hook['id']}, not 1; its "
                                             r"deliveries: dlv_\w+ \(event\) pending after 1 attempt\(s\), last: "
                                             r"connection_refused: nothing accepted the connection"):
        salesplay.assert_delivered_once(event)


def test_assert_delivered_once_checks_each_webhook_or_the_one_named(salesplay: SalesPlay, receiver_url: str) -> None:
    good = salesplay.register(receiver_url, "products.update")
    bad = salesplay.register("http://127.0.0.1:1/down", "products.update")
    [event] = salesplay.trigger("products.update")
    with pytest.raises(AssertionError, match=f"from webhook {bad['id']}"):
        salesplay.assert_delivered_once(event)
    assert len(salesplay.assert_delivered_once(event, webhook_id=good["id"])) == 1


def test_assert_delivered_once_wants_an_event(salesplay: SalesPlay, receiver_url: str) -> None:
    [event] = salesplay.trigger("products.update")  # no webhook wants it
    with pytest.raises(AssertionError, match=f"event {event['id']} was sent to no webhook"):
        salesplay.assert_delivered_once(event)
    with pytest.raises(ValueError, match="takes an event .* for one delivery use assert_delivery_succeeded_first"):
        salesplay.assert_delivered_once("dlv_0123")


def test_assert_delivery_succeeded_first_time_is_about_one_delivery(salesplay: SalesPlay) -> None:
    salesplay.register("http://127.0.0.1:1/down", "products.update")
    [event] = salesplay.trigger("products.update")
    with pytest.raises(AssertionError, match="is pending: connection_refused"):
        salesplay.assert_delivery_succeeded_first_time(event["deliveries"][0]["id"])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_plugins_host_and_port_are_settable(pytester: pytest.Pytester) -> None:
    port = _free_port()
    pytester.makeini(f"[pytest]\nsalesplay_port = {port}\nsalesplay_host = 127.0.0.1\n"
                     "asyncio_default_fixture_loop_scope = function\nfilterwarnings = error\n")
    pytester.makepyfile(f'''
def test_port(salesplay):
    assert salesplay.url == "http://127.0.0.1:{port}"
    assert salesplay.api_url == "http://127.0.0.1:{port}/v1.0"
''')
    pytester.runpytest_inprocess().assert_outcomes(passed=1)
    pytester.runpytest_inprocess("--salesplay-port", "99999").assert_outcomes(errors=1)


def test_a_port_in_use_is_said_in_words() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        with pytest.raises(OSError, match=f"salesplay-mock cannot listen on 127.0.0.1:{port} .*; set salesplay_port "
                                          "to another port, or 0 for a free one"):
            ThreadedMockServer(dataclasses.replace(CONFIG, port=port)).start()


def test_a_salesplay_config_override_with_a_port_is_honoured(pytester: pytest.Pytester) -> None:
    port = _free_port()
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\nfilterwarnings = error\n")
    pytester.makeconftest(f'''
import dataclasses
import pytest

@pytest.fixture
def salesplay_config(salesplay_config):
    return dataclasses.replace(salesplay_config, port={port})
''')
    pytester.makepyfile(f'''
def test_port(salesplay):
    assert salesplay.url.endswith(":{port}")
''')
    pytester.runpytest_inprocess().assert_outcomes(passed=1)


def test_a_config_of_its_own_listens_where_it_says() -> None:
    port = _free_port()
    server = ThreadedMockServer(dataclasses.replace(CONFIG, host="0.0.0.0", port=port)).start()
    try:
        assert server.url == f"http://127.0.0.1:{port}"  # reachable from this machine
    finally:
        server.stop()
