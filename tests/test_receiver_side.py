"""The receiver's side of the wire: a receiver schema that allows what SalesPlay may add (and
a strict one that does not), served and in the package; and check's advice from the cause
of a failure, not the scenario it happened in."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from aiohttp.test_utils import TestClient

from mockserver.check import CheckOptions, run_check
from mockserver.check.payloads import CheckShop
from mockserver.domain.vocabulary import EVENT_TYPES
from mockserver.shop.generate import generate_payloads
from mockserver.shop.schemas import load_schema, receiver_schema
from tests import receivers
from tests.helpers import RawReceiver, read_request

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("type_", EVENT_TYPES)
def test_the_committed_receiver_schemas_are_the_strict_ones_opened(type_: str) -> None:
    committed = json.loads((ROOT / "mockserver" / "schemas" / "receiver" / f"{type_}.json").read_text())
    assert committed == receiver_schema(load_schema(type_)), "run python -m mockserver.shop.schemas"
    assert "additionalProperties" not in json.dumps(committed)


@pytest.mark.parametrize("type_", EVENT_TYPES)
def test_a_payload_with_a_new_field_passes_the_receiver_schema_and_fails_the_strict_one(type_: str) -> None:
    [payload] = generate_payloads(type_, 1, seed=3)
    strict = jsonschema.Draft202012Validator(load_schema(type_))
    receiver = jsonschema.Draft202012Validator(load_schema(type_, "receiver"))
    assert strict.is_valid(payload) and receiver.is_valid(payload)
    for where in ("envelope", "record"):
        extended = copy.deepcopy(payload)
        (extended if where == "envelope" else next(v for v in extended.values() if isinstance(v, list))[0])[
            "x_added_later"] = {"note": "new"}
        assert receiver.is_valid(extended), where
        assert not strict.is_valid(extended), where
    broken = {**payload, "created_at": "yesterday"}
    assert not receiver.is_valid(broken), "the receiver schema keeps every rule of the strict one"


def test_the_checks_unknown_fields_payload_is_what_the_receiver_schema_allows() -> None:
    payload, _ = CheckShop(5).with_new_fields("receipts.update")
    jsonschema.validate(payload.envelope, load_schema("receipts.update", "receiver"))
    assert not jsonschema.Draft202012Validator(load_schema("receipts.update")).is_valid(payload.envelope)


async def test_both_schemas_are_served(client: TestClient[Any, Any]) -> None:
    strict = await (await client.get("/_mock/schemas/receipts.update")).json()
    receiver = await (await client.get("/_mock/schemas/receipts.update?variant=receiver")).json()
    assert (strict, receiver) == (load_schema("receipts.update"), load_schema("receipts.update", "receiver"))
    for query, field in (("variant=loose", "variant"), ("side=receiver", "side")):
        resp = await client.get(f"/_mock/schemas/receipts.update?{query}")
        assert (resp.status, (await resp.json())["error"]["field"]) == (422, field)


async def _check(aiohttp_server: Any, handler: receivers.Handler) -> Any:
    application, _ = receivers.app(handler)
    server = await aiohttp_server(application)
    return await run_check(CheckOptions(str(server.make_url("/hook")), seed=1))


async def test_check_passes_a_receiver_that_validates_with_the_receiver_schema(aiohttp_server: Any) -> None:
    report = await _check(aiohttp_server, receivers.validates_with("receiver"))
    assert report.ok and {r.status for r in report.results} == {"pass"}, [(r.id, r.reason) for r in report.results]


async def test_check_fails_a_receiver_that_validates_with_the_strict_schema_and_says_which_to_use(
        aiohttp_server: Any) -> None:
    report = await _check(aiohttp_server, receivers.validates_with("strict"))
    assert [r.id for r in report.failures] == ["unknown_fields"]
    fix = report.result("unknown_fields").fix
    assert fix is not None and "receiver schema" in fix and "variant=receiver" in fix


async def test_a_receiver_in_maintenance_is_told_about_its_503_not_about_duplicates(aiohttp_server: Any) -> None:
    report = await _check(aiohttp_server, receivers.in_maintenance)
    sample = report.result("sample_post")
    assert sample.status == "fail" and sample.reason is not None and "503" in sample.reason
    assert sample.fix is not None and "503" in sample.fix and "maintenance" in sample.fix
    assert "find the crash" not in sample.fix


async def test_a_duplicate_answered_503_twice_is_a_receiver_down_not_a_duplicate_refused(aiohttp_server: Any) -> None:
    answers = iter([200] * 7 + [503] * 100)  # the sample and the five events pass, then it goes down

    async def handle(request: Any, body: bytes) -> Any:
        from aiohttp import web

        status = next(answers)
        return web.json_response({"ok": status == 200}, status=status)

    report = await _check(aiohttp_server, handle)
    duplicate = report.result("duplicate_back_to_back")
    assert duplicate.status == "fail" and duplicate.fix is not None
    assert "503" in duplicate.fix and "already have" not in duplicate.fix


async def test_a_crash_and_a_rate_limit_and_a_proxy_each_get_their_own_advice(aiohttp_server: Any) -> None:
    for status, text, words in ((500, "Traceback (most recent call last):\n  KeyError: 'x'", "stack trace"),
                                (429, "slow down", "rate-limit"), (502, "Bad Gateway", "proxy"),
                                (401, "who are you", "credentials")):
        report = await _check(aiohttp_server, receivers.answers_with(status, text))
        fix = report.result("sample_post").fix
        assert fix is not None and words in fix and str(status) in fix, (status, fix)


async def test_a_dropped_connection_is_advised_as_a_crash_or_restart() -> None:
    async def drop(reader: Any, writer: Any) -> None:
        await read_request(reader)
        writer.transport.abort()

    raw = await RawReceiver(drop).start()
    try:
        report = await run_check(CheckOptions(raw.url, seed=1, events=("receipts.update",)))
    finally:
        await raw.close()
    fix = report.result("sample_post").fix
    assert fix is not None and "crashed or restarted" in fix
