"""``salesplay-mock record | compare | replay``: their flags, and what each does once they
are parsed. A mistake is a ValueError naming the flag (exit 2) or a CommandFailed (exit 1),
said in one line by ``cli.main``; what they need is imported only when they run."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mockserver.cli.options import parse_size

COMMANDS = ("record", "compare", "replay")
Whole = Callable[..., Callable[[str], int]]


def _size(text: str) -> int:
    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_commands(sub: Any, *, whole: Whole, number: Callable[[str], float]) -> None:
    """The three subcommands, on the parser of ``cli/__init__.py`` (``whole`` and ``number`` are its types)."""
    _record(sub, whole, number)
    _compare(sub, whole, number)
    _replay(sub, whole, number)


def _record(sub: Any, whole: Whole, number: Callable[[str], float]) -> None:
    rec = sub.add_parser(
        "record", help="keep what the real SalesPlay sends: a receiver to point a webhook at",
        description="Receive webhooks from the real SalesPlay (point a webhook at this server through your tunnel) "
                    "and keep every request exactly as it arrived, one JSON line each, in a new session file. "
                    "Answers 200, or as told; forwards nothing unless --forward says where. Stop with Ctrl-C.")
    rec.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)")
    rec.add_argument("--port", type=whole(0, 65535), default=8090, help="the port (default 8090; 0: any free port)")
    rec.add_argument("--out", type=Path, default=Path("recordings"), metavar="PATH",
                     help="a folder for the new session file (default recordings/), or a new .jsonl file")
    rec.add_argument("--status", type=whole(200, 599), default=200,
                     help="the status to answer (default 200); another one makes SalesPlay retry, to record its retries")
    rec.add_argument("--fail-first", type=whole(0, 1_000_000), default=0, metavar="N",
                     help="answer 500 to the first N attempts of each payload, then --status")
    rec.add_argument("--max-request-size", type=_size, default="4MiB", metavar="SIZE",
                     help="a larger request is refused with 413 and not kept (default 4MiB)")
    rec.add_argument("--max-session-size", type=_size, default="256MiB", metavar="SIZE",
                     help="past this the session file takes no more: 413 (default 256MiB)")
    rec.add_argument("--forward", metavar="URL", help="also send each request on to this receiver and answer "
                     "SalesPlay with its status (502 when it does not answer)")
    rec.add_argument("--forward-timeout", type=number, default=10.0, metavar="SECONDS",
                     help="how long to wait for --forward's receiver (default 10)")
    rec.add_argument("--as-fixtures", type=Path, metavar="DIR",
                     help="also write each event payload as a fixture: DIR/TYPE/recorded-0001.json ...")
    rec.add_argument("--from", dest="sources", type=Path, action="append", metavar="RECORDING",
                     help="with --as-fixtures: write the payloads of these recordings (files or folders) as "
                          "fixtures instead of recording")


def _compare(sub: Any, whole: Whole, number: Callable[[str], float]) -> None:
    cmp = sub.add_parser(
        "compare", help="how the mock differs from what SalesPlay sent (recordings, HAR files or payloads)",
        description="Compare recorded requests with what the mock sends: each payload against the strict JSON "
                    "Schema of its type (DIFF: the mock sends it otherwise) and the receiver one (BREAK: a receiver "
                    "coded to it would fail), the headers against the mock's, and each recording's retries against "
                    "the published schedule. Every difference names the line to change. Exit 1 when anything "
                    "differs, 2 when a file cannot be read.")
    cmp.add_argument("recordings", nargs="+", type=Path, metavar="RECORDING",
                     help="session files of salesplay-mock record (or folders of them), HAR files, payload files")
    cmp.add_argument("--json", action="store_true", help="print the report as JSON instead of text")
    cmp.add_argument("--junit", type=Path, metavar="FILE", help="also write a JUnit XML report, a test case per area "
                     "(and per event type's receiver schema)")
    cmp.add_argument("--time-scale", type=number, default=1.0, metavar="N",
                     help="the recording's time ran this many times faster than SalesPlay's (a recording of the mock "
                          "on a compressed clock: its --time-scale; default 1)")
    _schedule_flags(cmp, whole)


def _replay(sub: Any, whole: Whole, number: Callable[[str], float]) -> None:
    rep = sub.add_parser(
        "replay", help="send a recorded request to a receiver again, with SalesPlay's retries",
        description="Send a recorded request (a session file's, an attempt of the mock's HAR export, or a payload "
                    "file) to a receiver, retrying on SalesPlay's schedule until a 2xx or until the rule gives up. "
                    "Exit 0 when delivered, 1 when it failed for good or nothing answered.")
    rep.add_argument("file", type=Path, metavar="FILE", help="a session file, a HAR file or a payload file")
    rep.add_argument("--to", required=True, metavar="URL", help="the receiver's URL")
    rep.add_argument("--request", type=whole(1), metavar="N", help="which request of the file (its number)")
    rep.add_argument("--clock", choices=("scaled", "real", "manual"), default="scaled",
                     help="scaled: --time-scale times faster (default); real: SalesPlay's pace; manual: no waiting, "
                          "each retry at once at its simulated moment")
    rep.add_argument("--time-scale", type=number, default=720.0, metavar="N", help="for --clock scaled (default 720: 48h in 4 min)")
    rep.add_argument("--delivery-timeout", type=number, default=10.0, metavar="SECONDS",
                     help="how long each attempt waits for an answer (default 10)")
    rep.add_argument("--no-mock-headers", action="store_true",
                     help="send without X-Mock-Kind: replay and X-Mock-Attempt")
    rep.add_argument("--json", action="store_true", help="print the attempts as JSON")
    _schedule_flags(rep, whole)


def _schedule_flags(parser: argparse.ArgumentParser, whole: Whole) -> None:
    parser.add_argument("--max-attempts", type=whole(1, 1000), default=200, metavar="N",
                        help="SalesPlay's attempts per delivery, the first included (default 200)")
    parser.add_argument("--retry-window", default="48h", metavar="DURATION", help="the time they fit in (default 48h)")


def run(args: argparse.Namespace) -> int:
    if args.command == "record":
        from mockserver.cli.record import record

        return record(args)
    if args.command == "compare":
        from mockserver.cli.compare import compare

        return compare(args)
    from mockserver.cli.replay import replay

    return replay(args)


def config(args: argparse.Namespace, **settings: Any) -> Any:
    """A Config with the schedule flags (and ``settings``); a ValueError naming the flag."""
    from mockserver.domain.config import Config, InvalidSetting
    from mockserver.domain.durations import parse_duration

    try:
        window = parse_duration(args.retry_window)
    except ValueError as exc:
        raise ValueError(f"--retry-window: {exc}") from None
    try:
        return Config(max_attempts=args.max_attempts, retry_window=window, db=":memory:", **settings)
    except InvalidSetting as exc:
        flag = "--" + exc.name.replace("_", "-")
        raise ValueError(f"{flag}: {exc.rule}, not {getattr(args, exc.name, exc)}") from None


def checked_url(flag: str, value: str) -> str:
    """A receiver's URL under SalesPlay's rules for a webhook's; a ValueError naming ``flag``."""
    from mockserver.domain.errors import InvalidField
    from mockserver.domain.webhook_rules import check_url

    try:
        return check_url(value)
    except InvalidField as exc:
        raise ValueError(f"{flag} {value}: {exc.message.replace(repr('url'), 'the URL')}") from None
