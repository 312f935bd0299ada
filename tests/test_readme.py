"""The README says what is true: its examples are the files CI runs, and its tables name
every method of the test handle, every field of the records, every shipped schema."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mockserver.api.meta import openapi_document
from mockserver.models import Attempt, Event, Webhook, new_delivery
from mockserver.testing import AsyncSalesPlay, SalesPlay
from mockserver.vocabulary import EVENT_TYPES
from tests.test_handle import public_methods

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
# A marked code block: `<!-- file: PATH -->` is the whole file; `<!-- from: PATH -->` a part of it.
MARKED = re.compile(r"<!-- (file|from): (\S+) -->\n```\w*\n(.*?)```\n", re.S)


def test_the_readme_has_no_undefined_fixture() -> None:
    assert "my_receiver" not in README


@pytest.mark.parametrize(("how", "path", "code"), MARKED.findall(README), ids=lambda v: str(v)[:40])
def test_each_example_in_the_readme_is_the_file_ci_runs(how: str, path: str, code: str) -> None:
    text = (ROOT / path).read_text(encoding="utf-8")
    if how == "file":
        assert code == text, f"the README's {path} differs from the file; copy the file into the README"
    else:
        assert code in text, f"the README's part of {path} is not in the file"


def test_the_readme_runs_the_flask_and_fastapi_examples() -> None:
    shown = {path for _, path, _ in MARKED.findall(README)}
    assert {"examples/flask/app.py", "examples/flask/test_app.py", "examples/fastapi/app.py",
            "examples/fastapi/test_app.py"} <= shown
    assert "salesplay.serve(" in README and "serve_async(" in README


def _handle_table() -> str:
    start = README.index("### The handle")
    return README[start:README.index("A refused call", start)]


def test_the_handle_table_names_every_method() -> None:
    table = _handle_table()
    for name in set(public_methods(SalesPlay)) | set(public_methods(AsyncSalesPlay)):
        if name != "close":  # the fixture's own
            assert f"`{name}" in table, f"the README's table of the handle does not name {name}"


def _fields(record: str) -> set[str]:
    """The keys of a record as the API answers it."""
    event = Event("evt_1", "o", "receipts.update", "{}", 0.0, None)
    if record == "Event":
        return set(event.to_json())
    delivery = new_delivery(event, Webhook("wh_1", "o", "http://x/", ("receipts.update",), "enabled", None, 0, 0),
                            kind="event", status="pending", next_at=0.0, deadline=1.0)
    if record == "Delivery":
        return set(delivery.to_json())
    return set(Attempt(1, "dlv_1", 1, "failed", 0, 0, 0, 1.0, "http://x/", {}, None, None, None, False, "dns",
                       "no such host").to_json())


@pytest.mark.parametrize(("record", "heading"), [("Event", "| an event |"), ("Delivery", "| a delivery |"),
                                                 ("Attempt", "| an attempt")])
def test_every_field_of_a_record_is_in_the_readme_and_described_in_openapi(record: str, heading: str) -> None:
    schema = openapi_document()["components"]["schemas"][record]
    assert set(schema["properties"]) == _fields(record)
    start = README.index(heading)
    table = README[start:README.index("\n\n", start)]
    for field, spec in schema["properties"].items():
        assert f"`{field}`" in table, f"the README's {record} table does not name {field}"
        assert spec.get("description"), f"openapi.json's {record}.{field} has no description"


def test_every_shipped_schema_is_named_and_served() -> None:
    shipped = sorted(p.name for p in (ROOT / "mockserver" / "schemas").glob("*.json"))
    assert shipped == sorted(f"{t}.json" for t in EVENT_TYPES)
    for name in shipped:
        assert name in README, f"the README does not name the shipped schema {name}"
    assert "GET /_mock/schemas/{type}" in README
