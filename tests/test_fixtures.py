"""The committed fixtures/ and the generator must agree."""

from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path
from typing import Any

import pytest

from mockserver.cli import main
from mockserver.domain.vocabulary import EVENT_TYPES
from mockserver.shop.generate import generate_payloads

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
MANIFEST = json.loads((FIXTURES / "MANIFEST.json").read_text())
# Strings Faker makes: they may differ between Faker releases, everything else may not.
# Product names are ours; a customer's name is Faker's.
FAKER_FIELDS = {"email", "phone", "address", "city", "shop_name", "cashier_name", "country_code"}


def _faker_made(key: str, record: dict[str, Any]) -> bool:
    return key in FAKER_FIELDS or (key == "name" and "customer_id" in record)


def _mask(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: "<faker>" if _faker_made(k, value) else _mask(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    return value


@pytest.mark.parametrize("type_", EVENT_TYPES)
def test_committed_fixtures_match_the_generator(type_: str) -> None:
    files = sorted((FIXTURES / type_).glob("*.json"))
    assert len(files) == MANIFEST["count"]
    generated = generate_payloads(type_, MANIFEST["count"], seed=MANIFEST["seed"], locale=MANIFEST["locale"])
    same_faker = importlib.metadata.version("faker") == MANIFEST["faker"]
    for path, payload in zip(files, generated):
        if same_faker:
            assert path.read_text() == json.dumps(payload, indent=2) + "\n", f"{path} is stale: regenerate fixtures/"
        else:
            assert _mask(json.loads(path.read_text())) == _mask(payload), f"{path} is stale: regenerate fixtures/"


def test_the_fixtures_command_writes_the_committed_set(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fixtures", "--out", str(tmp_path / "fx")]) == 0
    written = sorted(p.relative_to(tmp_path / "fx") for p in (tmp_path / "fx").rglob("*.json"))
    committed = sorted(p.relative_to(FIXTURES) for p in FIXTURES.rglob("*.json"))
    assert written == committed and len(written) == 1 + MANIFEST["count"] * len(EVENT_TYPES)
    for path in committed:
        assert (tmp_path / "fx" / path).read_bytes() == (FIXTURES / path).read_bytes()
    assert "wrote 15 fixture payload(s)" in capsys.readouterr().err


def test_the_fixtures_command_prints_one_type_as_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fixtures", "credit_note.update"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line) for line in lines] == [
        json.loads(p.read_text()) for p in sorted((FIXTURES / "credit_note.update").glob("*.json"))]


def test_the_fixtures_command_refuses_a_file_for_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "taken").write_text("")
    with pytest.raises(SystemExit) as stopped:
        main(["fixtures", "--out", str(tmp_path / "taken")])
    assert stopped.value.code == 1
    assert "--out" in capsys.readouterr().err


async def test_the_api_serves_the_fixtures_of_a_type(client: Any) -> None:
    resp = await client.get("/_mock/fixtures/receipts.update")  # no token needed, as for schemas
    assert resp.status == 200
    body = await resp.json()
    assert {k: body[k] for k in ("type", "seed", "locale", "faker")} == {
        "type": "receipts.update", "seed": MANIFEST["seed"], "locale": MANIFEST["locale"], "faker": MANIFEST["faker"]}
    assert body["data"] == [json.loads(p.read_text()) for p in sorted((FIXTURES / "receipts.update").glob("*.json"))]


async def test_the_api_refuses_an_unknown_type_naming_the_field(client: Any) -> None:
    resp = await client.get("/_mock/fixtures/sales.update")
    assert resp.status == 422
    assert (await resp.json())["error"]["field"] == "type"
