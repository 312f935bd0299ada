"""The command line's way to the shop's operations: trigger with --param, --params and
--advance, and scenario run FILE (JSON or YAML), against a running mock as a user runs it;
every mistake one line and a non-zero exit."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from mockserver.cli import main
from tests.helpers import Server, _call

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def mock(tmp_path: Path, served: list[Server]) -> str:
    """A mock on the manual clock, with a sink taking the receipts and credit notes of dev-token."""
    server = Server(tmp_path, "--clock", "manual", "--verify", "off", "--db", ":memory:")
    served.append(server.start())
    sink = f"http://127.0.0.1:{server.port}/_mock/sink/cli"
    _call(server.port, "POST", "/v1.0/webhook", {"url": sink, "events": ["receipts.update", "credit_note.update"]},
          token="dev-token")
    return f"http://127.0.0.1:{server.port}"


def _fails(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return int(str(exc.value.code)), err.strip()


def test_the_example_scenario_runs_from_its_yaml_file(mock: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenario", "run", str(ROOT / "examples" / "scenarios" / "refund.yaml"), "--server", mock]) == 0
    out = capsys.readouterr().out
    assert "steps[0] sold: made sale: receipt_id " in out
    assert "steps[1]: the clock moved 7 s to 2" in out and "steps[2]: made refund: credit_note_id" in out
    sink = _call(int(mock.rsplit(":", 1)[1]), "GET", "/_mock/sink/cli", token="dev-token")[1]
    assert [r["body"]["type"] for r in sink["received"]] == ["receipts.update", "credit_note.update"]


def test_a_json_scenario_prints_the_mocks_answer_with_json(mock: str, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "steps.json"
    path.write_text(json.dumps([{"operation": "customer_create", "params": {"name": "Ada"}}, {"advance": 60}]))
    assert main(["scenario", "run", str(path), "--server", mock, "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["steps"][0]["made"][0]["customer_id"] and answer["steps"][1]["advanced"] == 60


def test_trigger_takes_params_and_advance(mock: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    params = tmp_path / "params.json"
    params.write_text(json.dumps({"payment_type": "cash", "status": "completed"}))
    argv = ["trigger", "--operation", "sale", "--params", str(params), "--param", "payment_type=card",
            "--param", 'lines=[{"product_code": "10003", "quantity": 2}]', "--advance", "1s", "--count", "2",
            "--server", mock, "--json"]
    assert main(argv) == 0
    answer = json.loads(capsys.readouterr().out)
    receipts = [e["payload"]["receipts"][0] for e in answer["events"] if e["type"] == "receipts.update"]
    assert [r["payment_type"] for r in receipts] == ["card", "card"]
    first, second = (datetime.strptime(r["created_at"], "%Y-%m-%d %H:%M:%S") for r in receipts)
    assert (second - first).total_seconds() == 1
    assert [ln["quantity"] for r in receipts for ln in r["line_items"]] == [2, 2]
    assert main(["trigger", "--operation", "sale", "--param", "customer_id=null", "--server", mock]) == 0
    assert capsys.readouterr().out.startswith("made: sale: receipt_id ")


@pytest.mark.parametrize(("argv", "line"), [
    (["trigger", "receipts.update", "--param", "x=1"], "--param: parameters are an --operation's"),
    (["trigger", "--operation", "sale", "--param", "colour=red"], "--param colour: sale takes shop_id, cashier_id"),
    (["trigger", "--operation", "sale", "--param", "lines"], "--param 'lines': write NAME=VALUE"),
    (["trigger", "--operation", "sale", "--params", "/no/such/file.json"], "--params /no/such/file.json: cannot "
                                                                          "read it"),
    (["trigger", "--operation", "sale", "--advance", "soon"], "--advance: 'soon' is not a duration"),
    (["scenario", "run", "/no/such/file.yaml"], "/no/such/file.yaml: cannot read it"),
    (["scenario", "run"], "the following arguments are required: FILE"),
    (["scenario", "walk", "x"], "invalid choice: 'walk'"),
])
def test_a_mistake_on_the_command_line_is_one_line_and_exit_2(argv: list[str], line: str,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _fails(argv, capsys)
    assert code == 2 and line in err, err
    assert len(err.splitlines()) == 1


@pytest.mark.parametrize(("name", "text", "line"), [
    ("bad.yaml", "steps: [\n", "is not valid YAML"),
    ("bad.json", "{", "is not valid JSON: Expecting property name"),
    ("empty.json", '{"steps": []}', "'steps' must be a list of 1 to 1000 steps (at steps)"),
    ("typo.yaml", "steps:\n  - operation: sael\n", "unknown operation 'sael'"),
])
def test_a_scenario_file_that_is_not_right_is_refused_before_the_mock_is_asked(
        tmp_path: Path, name: str, text: str, line: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / name
    path.write_text(text)
    code, err = _fails(["scenario", "run", str(path), "--server", "127.0.0.1:9"], capsys)
    assert code == 2 and f"{path}: " in err and line in err, err


def test_a_step_the_shop_refuses_is_exit_1_naming_the_step_and_field(mock: str, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "case.yaml"
    path.write_text("steps:\n  - operation: sale\n    params: {lines: [{product_code: '99999', quantity: 1}]}\n")
    code, err = _fails(["scenario", "run", str(path), "--server", mock], capsys)
    assert code == 1 and "404 not_found" in err and "(field steps[0].params.lines[0].product_code)" in err, err


