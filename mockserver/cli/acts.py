"""``salesplay-mock trigger`` and ``scenario run``: a running mock's shop acts, from a shell.
Each builds what ``POST /_mock/events`` or ``POST /_mock/scenarios`` takes, checks what it
can before asking (a mistake is one line and exit 2), and prints what came back (``--json``:
the mock's answer, every id made, for a script)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from mockserver.cli.commands import SERVER_URL_ENV, TOKEN_ENV
from mockserver.cli.remote import post_json
from mockserver.domain.durations import parse_duration
from mockserver.domain.errors import InvalidField
from mockserver.domain.operations import OPERATIONS
from mockserver.domain.vocabulary import EVENT_TYPES, OPERATION_EVENTS, operations_sending


def _connection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true",
                        help="print the mock's answer as JSON, every id made (records, events, deliveries)")
    parser.add_argument("--server", default=os.environ.get(SERVER_URL_ENV, "http://127.0.0.1:8080"),
                        help=f"the mock's address, host:port or a URL (default http://127.0.0.1:8080; env "
                             f"{SERVER_URL_ENV})")
    parser.add_argument("--token", default=os.environ.get(TOKEN_ENV, "dev-token"),
                        help=f"Bearer token naming the merchant (env {TOKEN_ENV}, default dev-token)")


def add_trigger_parser(sub: Any) -> None:
    """``trigger``: what POST /_mock/events does, from a shell."""
    trig = sub.add_parser(
        "trigger", help="make a running mock's shop act, and print the events and their deliveries",
        description="Make a running mock's shop act, as POST /_mock/events does: until it sends an event of TYPE, "
                    "or one named --operation with its --param values (GET /_mock/operations lists them), or send "
                    "a --payload of your own as an event of TYPE. Prints the records made and each event with its "
                    "deliveries; with --json, the mock's answer (every id made) for scripts.")
    trig.add_argument("type", nargs="?", choices=EVENT_TYPES, metavar="TYPE",
                      help=f"the event type: {', '.join(EVENT_TYPES)}; beside --operation, one it sends")
    trig.add_argument("--operation", choices=list(OPERATION_EVENTS), metavar="OPERATION",
                      help="one named operation of the shop, and what it sends: " + "; ".join(
                          f"{name} ({', '.join(types)})" for name, types in OPERATION_EVENTS.items()))
    trig.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                      help="a parameter of the --operation (repeatable); VALUE is JSON when it reads as JSON "
                           "(2, null, [{\"product_code\": \"10003\", \"quantity\": 2}]), else text: --param "
                           "payment_type=card. " + "; ".join(
                               f"{op.name}: {', '.join(p.name for p in op.params)}" for op in OPERATIONS.values()))
    trig.add_argument("--params", metavar="FILE", help="the --operation's parameters as a JSON object in a file "
                      "(- reads standard input); --param values win")
    trig.add_argument("--payload", metavar="FILE",
                      help="send this file's JSON object as an event of TYPE, as given (- reads standard input)")
    trig.add_argument("--count", type=_count, default=1, help="how many, 1 to 1000 (default 1)")
    trig.add_argument("--advance", metavar="DURATION", help="move the clock this far before each time (1s, 90s, "
                      "15m): every event gets its own time. At once on --clock manual; else the mock waits for it")
    _connection(trig)


def add_scenario_parser(sub: Any) -> None:
    """``scenario run FILE``: what POST /_mock/scenarios does, from a file."""
    scen = sub.add_parser("scenario", help="run a scenario file (JSON or YAML) against a running mock",
                          description="Scenarios: steps of the shop's operations with their parameters, and advances "
                                      "of the clock between them, run in order, all or nothing.")
    runs = scen.add_subparsers(dest="scenario_command", required=True, metavar="COMMAND")
    run = runs.add_parser("run", help="run the steps of FILE, all or nothing, and print what each did",
                          description="Run a scenario file's steps against a running mock, as POST /_mock/scenarios "
                                      "does: each step a trigger (operation, params, count, advance, and a name a "
                                      "later step refers to as ${name.receipt_id}), or {advance: 7s}. All or "
                                      "nothing: a mistake anywhere changes nothing.")
    run.add_argument("file", metavar="FILE", type=Path, help="the scenario: {\"steps\": [...]} in JSON, or YAML "
                     "(.yaml, .yml)")
    _connection(run)


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= 1000:
        raise argparse.ArgumentTypeError(f"must be from 1 to 1000, not {value}")
    return value


def trigger_body(args: argparse.Namespace) -> dict[str, Any]:
    """The body of ``POST /_mock/events`` the flags ask for; a ValueError naming the flag
    when they contradict each other (the server would refuse it too, in its own words)."""
    if args.type is None and args.operation is None:
        raise ValueError("--payload needs the event TYPE it is sent as" if args.payload is not None
                         else "give an event TYPE, or --operation; see salesplay-mock trigger --help")
    body: dict[str, Any] = {"count": args.count}
    if args.type is not None:
        body["type"] = args.type
    if args.operation is not None:
        if args.payload is not None:
            raise ValueError("--payload is sent as given and --operation makes the shop act; give one of them")
        sends = OPERATION_EVENTS[args.operation]
        if args.type is not None and args.type not in sends:
            raise ValueError(f"TYPE {args.type}: --operation {args.operation} sends {' and '.join(sends)}; leave "
                             f"TYPE out, or use an --operation that sends it ({', '.join(operations_sending(args.type))})")
        body["operation"] = args.operation
        if args.param or args.params is not None:
            body["params"] = _params(args)
    elif args.param or args.params is not None:
        raise ValueError(f"--param{'s' if args.params is not None else ''}: parameters are an --operation's; "
                         "give --operation too (GET /_mock/operations lists each one's)")
    if args.payload is not None:
        body["payload"] = _read_object(args.payload, "--payload", "the event's body")
    if args.advance is not None:
        try:
            parse_duration(args.advance)
        except ValueError as exc:
            raise ValueError(f"--advance: {exc}") from None
        body["advance"] = args.advance
    return body


def _params(args: argparse.Namespace) -> dict[str, Any]:
    """--params FILE, then each --param NAME=VALUE over it; a name the operation does not take is refused."""
    params = {} if args.params is None else _read_object(args.params, "--params", "the operation's parameters")
    names = [p.name for p in OPERATIONS[args.operation].params]
    for item in args.param:
        name, sep, text = item.partition("=")
        if not sep or not name:
            raise ValueError(f"--param {item!r}: write NAME=VALUE, such as --param payment_type=card")
        if name not in names:
            raise ValueError(f"--param {name}: {args.operation} takes {', '.join(names)}")
        try:
            params[name] = json.loads(text)
        except ValueError:
            params[name] = text  # not JSON: the text itself
    return params


def _read_object(name: str, flag: str, what: str) -> dict[str, Any]:
    try:
        text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"{flag} {name}: cannot read it ({(exc.strerror or str(exc)).lower()})") from None
    except UnicodeDecodeError:
        raise ValueError(f"{flag} {name}: is not UTF-8 text; give a JSON file") from None
    try:
        found = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"{flag} {name}: is not JSON ({exc})") from None
    if not isinstance(found, dict):
        raise ValueError(f"{flag} {name}: must be a JSON object ({what}), not {type(found).__name__}")
    return found


def trigger(args: argparse.Namespace) -> int:
    answer = post_json(args.server, args.token, "/_mock/events", trigger_body(args), "events")
    if args.json:
        print(json.dumps(answer, indent=2))
        return 0
    for made in answer.get("made", []):
        print("made: " + _made(made))
    _print_events(answer["events"], "")
    return 0


def scenario(args: argparse.Namespace) -> int:
    """``scenario run FILE``: the file checked here first (a mistake is exit 2, naming the
    step and field), then run by the mock."""
    from mockserver.domain.scenario import load_file, parse_scenario

    try:
        raw = load_file(args.file)
    except OSError as exc:
        raise ValueError(f"{args.file}: cannot read it ({(exc.strerror or str(exc)).lower()})") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"{args.file}: {exc}") from None
    try:
        parse_scenario(raw)
    except InvalidField as exc:
        raise ValueError(f"{args.file}: {exc.message} (at {exc.field})") from None
    answer = post_json(args.server, args.token, "/_mock/scenarios", raw if isinstance(raw, dict) else {"steps": raw},
                       "steps")
    if args.json:
        print(json.dumps(answer, indent=2))
        return 0
    for step in answer["steps"]:
        label = f"steps[{step['index']}]" + (f" {step['name']}" if step.get("name") else "")
        if "advanced" in step:
            print(f"{label}: the clock moved {step['advanced']:g} s to {step['now']}; "
                  f"{step['attempts_made']} attempt(s) fell due on the way")
        for made in step.get("made", []):
            print(f"{label}: made {_made(made)}")
        _print_events(step.get("events", []), "    ")
    return 0


def _made(made: dict[str, Any]) -> str:
    ids = ", ".join(f"{k} {','.join(v) if isinstance(v, list) else v}" for k, v in made.items() if k != "operation")
    return f"{made.get('operation') or 'the shop'}: {ids or 'nothing'}"


def _print_events(events: list[dict[str, Any]], indent: str) -> None:
    for event in events:
        n = len(event["deliveries"])
        print(f"{indent}{event['id']}  {event['type']}  {n} {'delivery' if n == 1 else 'deliveries'}")
        for d in event["deliveries"]:
            print(f"{indent}    {d['id']} -> {d['url']}  {d['status']}")
