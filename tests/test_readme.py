"""The README and the docs say what is true: their examples are the files CI runs, their links
lead to files and headings that exist, the README stays a newcomer's first page, and the
reference names every method of the test handle, every field of the records, every shipped
schema. (CI's `mkdocs build --strict` checks the links between the docs' own pages.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mockserver.api.meta import openapi_document
from mockserver.domain.models import Attempt, Event, Webhook, new_delivery
from mockserver.domain.vocabulary import EVENT_TYPES
from mockserver.testing import AsyncSalesPlay, SalesPlay
from tests.test_handle import public_methods

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
README = (ROOT / "README.md").read_text(encoding="utf-8")
PLUGIN = (DOCS / "pytest-plugin.md").read_text(encoding="utf-8")
API = (DOCS / "api.md").read_text(encoding="utf-8")
# What a reader meets outside the docs site: its links are relative, as GitHub follows them.
OUTSIDE = [ROOT / name for name in ("README.md", "ARCHITECTURE.md", "CHANGELOG.md")] + sorted(
    [*ROOT.glob("clients/*/README.md"), *ROOT.glob("examples/*/README.md"), *ROOT.glob("fixtures/README.md")])
# A marked code block: `<!-- file: PATH -->` is the whole file; `<!-- from: PATH -->` a part of it.
MARKED = re.compile(r"<!-- (file|from): (\S+) -->\n```\w*\n(.*?)```\n", re.S)
SHOWN = [(doc.relative_to(ROOT), how, path, code)
         for doc in [ROOT / "README.md", *PAGES, ROOT / "clients" / "node" / "README.md"]
         for how, path, code in MARKED.findall(doc.read_text(encoding="utf-8"))]
# The docs site links files outside docs/ by their address on GitHub.
REPO_FILE = re.compile(r"https://github\.com/salesplay-mock/salesplay-mock/(?:blob|tree)/main/([^)#\s]+)")
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _headings(markdown: str) -> list[str]:
    """The headings of a page, outside its code blocks."""
    found, fenced = [], False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (match := re.match(r"#{1,6} (.+)", line)):
            found.append(match.group(1))
    return found


def _anchor(heading: str) -> str:
    """The anchor GitHub gives a heading; mkdocs.yml makes the site's the same (pymdownx.slugs)."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def test_no_page_uses_an_undefined_fixture() -> None:
    for page in [ROOT / "README.md", *PAGES]:
        assert "my_receiver" not in page.read_text(encoding="utf-8"), page


@pytest.mark.parametrize(("doc", "how", "path", "code"), SHOWN, ids=lambda v: str(v)[:40])
def test_each_example_in_the_readme_and_the_docs_is_the_file_ci_runs(doc: Path, how: str, path: str,
                                                                     code: str) -> None:
    text = (ROOT / path).read_text(encoding="utf-8")
    if how == "file":
        assert code == text, f"{doc}'s {path} differs from the file; copy the file into {doc}"
    else:
        assert code in text, f"{doc}'s part of {path} is not in the file"


def test_the_plugin_page_runs_the_flask_and_fastapi_examples() -> None:
    shown = {path for doc, _, path, _ in SHOWN if doc == Path("docs/pytest-plugin.md")}
    assert {"examples/flask/app.py", "examples/flask/test_app.py", "examples/fastapi/app.py",
            "examples/fastapi/test_app.py"} <= shown
    assert "salesplay.serve(" in PLUGIN and "serve_async(" in PLUGIN


def test_the_readme_is_a_first_page_that_links_the_architecture_and_every_docs_page() -> None:
    assert len(README.splitlines()) <= 300, "the README is a newcomer's first page: move reference to docs/"
    assert "](ARCHITECTURE.md)" in README
    for page in PAGES:
        assert f"](docs/{page.name}" in README, f"the README does not link docs/{page.name}"


@pytest.mark.parametrize("doc", OUTSIDE, ids=lambda p: str(p.relative_to(ROOT)))
def test_each_relative_link_outside_the_docs_site_leads_to_a_file_and_heading(doc: Path) -> None:
    for target in LINK.findall(doc.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        linked = (doc.parent / path).resolve() if path else doc
        assert linked.exists(), f"{doc.relative_to(ROOT)} links {target}: there is no {path}"
        if anchor:
            anchors = {_anchor(h) for h in _headings(linked.read_text(encoding="utf-8"))}
            assert anchor in anchors, f"{doc.relative_to(ROOT)} links {target}: {path or doc.name} has no such heading"


def test_each_link_of_the_docs_to_a_file_of_the_repository_names_one_that_exists() -> None:
    for page in [ROOT / "README.md", *PAGES]:
        for path in REPO_FILE.findall(page.read_text(encoding="utf-8")):
            assert (ROOT / path).exists(), f"{page.relative_to(ROOT)} links {path}, which the repository lacks"


def _handle_table() -> str:
    start = PLUGIN.index("## The handle")
    return PLUGIN[start:PLUGIN.index("A refused call", start)]


def test_the_handle_table_names_every_method() -> None:
    table = _handle_table()
    for name in set(public_methods(SalesPlay)) | set(public_methods(AsyncSalesPlay)):
        if name != "close":  # the fixture's own
            assert f"`{name}" in table, f"docs/pytest-plugin.md's table of the handle does not name {name}"


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
def test_every_field_of_a_record_is_in_the_api_page_and_described_in_openapi(record: str, heading: str) -> None:
    schema = openapi_document()["components"]["schemas"][record]
    assert set(schema["properties"]) == _fields(record)
    start = API.index(heading)
    table = API[start:API.index("\n\n", start)]
    for field, spec in schema["properties"].items():
        assert f"`{field}`" in table, f"docs/api.md's {record} table does not name {field}"
        assert spec.get("description"), f"openapi.json's {record}.{field} has no description"


def test_every_shipped_schema_is_named_and_served() -> None:
    shipped = sorted(p.name for p in (ROOT / "mockserver" / "schemas").glob("*.json"))
    assert shipped == sorted(f"{t}.json" for t in EVENT_TYPES)
    for name in shipped:
        assert name in API, f"docs/api.md does not name the shipped schema {name}"
    assert "GET /_mock/schemas/{type}" in API
