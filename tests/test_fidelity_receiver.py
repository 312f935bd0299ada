"""``compare``'s second verdict: each payload against the receiver schema of its type, what a
receiver may rely on. A break of it is named as such (BREAK, ``schema: receiver``, a JUnit
test case of its own) with the receiver file's line; a payload that only differs from what
the mock sends (a field the mock lacks) meets it; the mock's own payloads meet both."""

from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mockserver.domain.vocabulary import EVENT_TYPES
from mockserver.fidelity import payloads, render
from mockserver.fidelity import report as report_module
from mockserver.fidelity.compare import CompareOptions, compare
from mockserver.fidelity.report import FidelityReport
from mockserver.shop.generate import generate_payloads
from mockserver.shop.schemas import load_schema, receiver_schema
from tests.recordings import START, encoded
from tests.test_fidelity_compare import at, broken, found, write

ROOT = Path(__file__).resolve().parent.parent
# Keywords under which taking out a rule can reject more, not less: none may hold one.
NARROWING = {"not", "oneOf", "if", "unevaluatedProperties", "unevaluatedItems"}


def keywords(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from keywords(value)
    elif isinstance(node, list):
        for value in node:
            yield from keywords(value)


def session(tmp_path: Path, bodies: list[Any], name: str = "s.jsonl") -> FidelityReport:
    """``compare`` of one session whose requests carry ``bodies``, an hour apart."""
    requests = [at(n, n * 3600.0, encoded(b), 200) for n, b in enumerate(bodies, start=1)]
    return compare(CompareOptions([write(tmp_path / name, requests)]))


def records(payload: dict[str, Any]) -> list[dict[str, Any]]:
    return next(v for v in payload.values() if isinstance(v, list))


@pytest.mark.parametrize("type_", EVENT_TYPES)
def test_the_receiver_schema_accepts_all_the_strict_one_does(type_: str) -> None:
    """It is the strict one with each ``additionalProperties: false`` taken out, and nothing
    in it could turn a rule taken out into a payload refused: so "meets the strict schema,
    breaks the receiver one" cannot happen, and every break is also a difference."""
    strict = load_schema(type_)
    assert load_schema(type_, "receiver") == receiver_schema(strict)
    assert not NARROWING & set(keywords(strict)), "a rule taken out there could refuse more: rethink compare"
    [payload] = generate_payloads(type_, 1, seed=11)
    mutants = [payload] + list(mutations(payload))
    for mutant in mutants:
        differs = {(f.kind, f.subject) for f in payloads.against(mutant, type_, "strict")}
        breaks = {(f.kind, f.subject) for f in payloads.against(mutant, type_, "receiver")}
        assert breaks <= differs, mutant
    assert len(mutants) > 20


def mutations(payload: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Each field of the envelope and of the first record left out, turned to a string, to
    null, or joined by a field of its own."""
    for path in [[k] for k in payload] + [[None, k] for k in records(payload)[0]]:
        for change in ("drop", "string", "null", "extra"):
            mutant = copy.deepcopy(payload)
            holder = records(mutant)[0] if path[0] is None else mutant
            key = str(path[-1])
            if change == "drop":
                del holder[key]
            elif change == "extra":
                holder[f"{key}_x"] = 1
            else:
                holder[key] = json.dumps(holder[key]) if change == "string" else None
            yield mutant


def test_a_field_the_mock_lacks_differs_but_meets_the_receiver_schema(tmp_path: Path) -> None:
    """The mock stricter than it need be: SalesPlay sends a field more, in the envelope, a
    record and a line item; a receiver coded to the receiver schema ignores it."""
    payload = generate_payloads("receipts.update", 1, seed=5)[0]
    payload["store_credit"] = 0
    payload["receipts"][0]["loyalty_points"] = 12
    payload["receipts"][0]["line_items"][0]["serial_number"] = "SN-1"
    report = session(tmp_path, [payload])
    assert found(report) == {("field_mock_lacks", "receipts.update", s) for s in (
        "$.store_credit", "$.receipts[*].loyalty_points", "$.receipts[*].line_items[*].serial_number")}
    assert broken(report) == set() and report.receiver_ok and not report.ok
    assert [v.to_json() for v in report.verdicts] == [{
        "where": "s.jsonl #1", "type": "receipts.update", "strict": "differs", "receiver": "meets",
        "receiver_breaks": []}]
    text = render.text(report)
    assert ("receipts.update: 1 payload(s); 1 differ from what the mock sends, each meets the receiver schema "
            "(a receiver coded to it takes them)") in text
    assert "BREAK" not in text and "every payload meets the receiver schema of its type" in text
    cases = junit_cases(render.junit(report))
    assert cases["receipts.update (receiver schema)"] is None and cases["receipts.update"] is not None


def test_a_wrong_type_breaks_both_and_the_break_comes_first(tmp_path: Path) -> None:
    bodies = generate_payloads("inventory_levels.update", 2, seed=5)
    for payload in bodies:
        payload["inventory_levels"][0]["in_stock"] = "7"
    report = session(tmp_path, bodies)
    subject = "$.inventory_levels[*].in_stock"
    assert found(report) == broken(report) == {("type", "inventory_levels.update", subject)}
    [group] = [g for g in report.groups.values() if g.finding.schema == "receiver"]
    assert group.count == 2 and group.finding.salesplay == '"7" (string)'
    assert group.finding.mock == "integer"
    assert_names_the_line(group.finding.change, "inventory_levels.update", "#/properties/inventory_levels/items/"
                          "properties/in_stock/type", '"type": "integer"')
    assert report.breaking == {"inventory_levels.update": 2} and not report.receiver_ok
    text = render.text(report)
    assert text.index("  BREAK type                    " + subject) < text.index("  DIFF  type")
    assert "        receivers: integer" in text
    assert "2 payload(s) break the receiver schema: a receiver coded to the receiver schema" in text
    assert text.rstrip().endswith("1 difference(s) between what SalesPlay sent and what the mock sends. Each names "
                                  "the line to change: adjust the mock, or open an issue with this report")
    failure = junit_cases(render.junit(report))["inventory_levels.update (receiver schema)"]
    assert failure is not None and failure.get("message", "").startswith("2 of 2 payload(s) break the receiver schema")
    assert subject in (failure.text or "") and "mockserver/schemas/receiver/inventory_levels.update.json:" in (
        failure.text or "")


def test_a_field_the_receiver_schema_requires_left_out_breaks_it(tmp_path: Path) -> None:
    payload = generate_payloads("credit_note.update", 1, seed=5)[0]
    del payload["credit_notes"][0]["receipt_id"]
    del payload["merchant_id"]
    report = session(tmp_path, [payload])
    assert broken(report) == found(report) == {
        ("field_salesplay_lacks", "credit_note.update", "$.credit_notes[*].receipt_id"),
        ("field_salesplay_lacks", "credit_note.update", "$.merchant_id")}
    changes = {g.finding.subject: g.finding.change for g in report.groups.values() if g.finding.schema == "receiver"}
    assert_names_the_line(changes["$.merchant_id"], "credit_note.update", "#/required", '"required"')
    assert "drop 'receipt_id' from required" in changes["$.credit_notes[*].receipt_id"]
    [verdict] = json.loads(render.to_json(report))["payloads"]
    assert verdict["receiver"] == "breaks" and sorted(verdict["receiver_breaks"]) == [
        "$.credit_notes[*].receipt_id", "$.merchant_id"]


def test_other_formats_and_values_break_it_too(tmp_path: Path) -> None:
    payload = generate_payloads("products.update", 1, seed=5)[0]
    payload["created_at"] = "2025-06-30T08:54:31+00:00"
    payload["products"][0]["product_id"] = "12345"
    payload["products"][0]["price"] = -1
    report = session(tmp_path, [payload])
    assert {(k, s) for k, _, s in broken(report)} == {
        ("format", "$.created_at"), ("format", "$.products[*].product_id"), ("value", "$.products[*].price")}
    changes = [g.finding.change for g in report.groups.values() if g.finding.schema == "receiver"]
    assert all(c.startswith("mockserver/schemas/receiver/products.update.json:") for c in changes), changes
    assert all("then run python -m mockserver.shop.schemas" in c for c in changes), changes


def assert_names_the_line(change: str, type_: str, pointer: str, key: str) -> None:
    """The change names the receiver file's line that holds the rule, and the strict
    file's line it is made from."""
    receiver, strict = (f"mockserver/schemas/receiver/{type_}.json", f"mockserver/schemas/{type_}.json")
    assert change.startswith(receiver + ":") and f" {pointer}: " in change, change
    assert f"this file is made from {strict}:" in change, change
    for path in (receiver, strict):
        number = int(change.split(path + ":", 1)[1].split(" ", 1)[0])
        assert key in (ROOT / path).read_text().splitlines()[number - 1], (path, number)


def test_no_false_report_over_every_event_type_and_many_seeds(tmp_path: Path) -> None:
    made = [p for seed in range(40) for type_ in EVENT_TYPES for p in generate_payloads(type_, 6, seed=seed)]
    report = session(tmp_path, made)
    assert report.ok and report.receiver_ok, render.text(report)
    assert report.checked == {t: 40 * 6 for t in EVENT_TYPES} and not report.differing and not report.breaking
    assert {(v.strict, v.receiver) for v in report.verdicts} == {((), ())}
    assert render.text(report).endswith("no difference: what was recorded is what the mock sends, and every "
                                        "payload meets the receiver schema of its type\n")
    cases = junit_cases(render.junit(report))
    assert {f"{t} (receiver schema)" for t in EVENT_TYPES} <= set(cases) and not any(cases.values())
    listed = json.loads(render.to_json(report))
    assert {(p["strict"], p["receiver"]) for p in listed["payloads"]} == {("same", "meets")}
    assert len(listed["payloads"]) == len(made) and listed["receiver_ok"] is True


def test_a_payload_without_a_known_type_gets_no_receiver_verdict(tmp_path: Path) -> None:
    [payload] = generate_payloads("receipts.update", 1, seed=5)
    report = session(tmp_path, [{**payload, "type": "orders.update"}, [payload]])
    assert [(v.type, bool(v.strict), v.receiver) for v in report.verdicts] == [
        ("orders.update", True, None), (None, True, None)]
    assert broken(report) == set() and report.receiver_ok and not report.checked
    assert "receiver schema" not in render.text(report)
    assert [p["receiver"] for p in json.loads(render.to_json(report))["payloads"]] == [None, None]


def test_the_json_report_lists_a_bounded_number_of_verdicts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report_module, "MAX_LISTED", 3)
    bodies = generate_payloads("customers.update", 5, seed=5)
    bodies[4]["customers"][0]["email"] = 7
    report = session(tmp_path, bodies)
    assert len(report.verdicts) == 3 and report.checked == {"customers.update": 5}
    assert report.breaking == {"customers.update": 1}  # the fifth, not listed, still counted
    assert any("verdicts of the first 3 payloads; the counts cover all" in n for n in report.notes)
    assert json.loads(render.to_json(report))["schemas"] == {
        "customers.update": {"payloads": 5, "strict_differs": 1, "receiver_breaks": 1}}


def junit_cases(xml: str) -> dict[str, ET.Element | None]:
    """Each test case's name and its failure (None: it passed)."""
    return {case.get("name", ""): case.find("failure") for case in ET.fromstring(xml).iter("testcase")}


def test_the_docs_example_report_is_what_compare_prints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/fidelity.md's session: a receipt with its total as a string and a field more,
    another User-Agent, a tunnel's header, retried after a minute."""
    payload = generate_payloads("receipts.update", 1, seed=3)[0]
    payload["receipts"][0].update(total=f"{payload['receipts'][0]['total']:.2f}", loyalty_points=12)
    headers = [("Host", "abc.ngrok.app"), ("User-Agent", "SalesPlay-Hookshot/2.1"), ("X-Forwarded-For", "203.0.113.7")]
    requests = [at(n, 3 + 60 * (n - 1), encoded(payload), status, headers=headers)
                for n, status in ((1, 500), (2, 200))]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "recordings").mkdir()
    write(tmp_path / "recordings" / "session-20250630T120000Z.jsonl", requests, end=START + 600)
    printed = render.text(compare(CompareOptions([Path("recordings")])))
    docs = (ROOT / "docs" / "fidelity.md").read_text()
    shown = docs.split("```text\nsalesplay-mock compare recordings/", 1)[1].split("```", 1)[0]
    assert "salesplay-mock compare recordings/" + shown == printed
