"""What ``generate``, ``fixtures``, ``trigger``, ``schedule``, ``check`` and ``postman`` do once their command line is parsed.

A problem of the machine or the network is raised as ``CommandFailed`` with the flag it
concerns; ``cli.main`` prints it as one line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mockserver.config import Config, InvalidSetting
from mockserver.durations import human, parse_duration
from mockserver.vocabulary import EVENT_TYPES, OPERATION_EVENTS, operations_sending

SERVER_URL_ENV = "SALESPLAY_MOCK_URL"
TOKEN_ENV = "SALESPLAY_MOCK_TOKEN"


class CommandFailed(Exception):
    """The command was well formed, but the machine or the server refused it."""


def generate(args: argparse.Namespace) -> int:
    from mockserver.shop.generate import generate_payloads
    from mockserver.shop.world import check_locale

    try:
        check_locale(args.locale)
    except ValueError as exc:
        raise ValueError(f"--locale: {exc}") from None
    out = None if args.out is None else Path(args.out)
    if out is not None and out.exists() and not out.is_dir():
        raise CommandFailed(f"--out {out}: is a file; give a folder (the payloads go to {out}/TYPE/0001.json ...)")
    types = EVENT_TYPES if args.type == "all" else (args.type,)
    progress = Progress(args.count * len(types), enabled=sys.stderr.isatty() and args.count >= 200)
    for type_ in types:
        payloads = generate_payloads(type_, args.count, seed=args.seed, locale=args.locale)
        if out is None:
            for p in payloads:
                sys.stdout.write(json.dumps(p) + "\n")
                progress.step()
            continue
        try:
            folder = out / type_
            folder.mkdir(parents=True, exist_ok=True)
            for n, p in enumerate(payloads, start=1):
                (folder / f"{n:04d}.json").write_text(json.dumps(p, indent=2) + "\n", encoding="utf-8")
                progress.step()
        except OSError as exc:
            raise CommandFailed(f"--out {out}: cannot write there: {(exc.strerror or str(exc)).lower()}"
                                f"{f' ({exc.filename})' if exc.filename else ''}") from None
    progress.done()
    if out is not None:
        print(f"wrote {args.count * len(types)} payload(s) to {out}", file=sys.stderr)
    return 0


def write_fixtures(args: argparse.Namespace) -> int:
    from mockserver.fixture_set import copy_fixtures, fixtures

    types = EVENT_TYPES if args.type == "all" else (args.type,)
    if args.out is None:
        for type_ in types:
            for payload in fixtures(type_):
                sys.stdout.write(json.dumps(payload) + "\n")
        return 0
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CommandFailed(f"--out {out}: is a file; give a folder (the fixtures go to {out}/TYPE/0001.json ...)")
    try:
        written = copy_fixtures(out, types)
    except OSError as exc:
        raise CommandFailed(f"--out {out}: cannot write there: {(exc.strerror or str(exc)).lower()}"
                            f"{f' ({exc.filename})' if exc.filename else ''}") from None
    print(f"wrote {written} fixture payload(s) and {out / 'MANIFEST.json'}", file=sys.stderr)
    return 0


class Progress:
    """A one-line progress bar on stderr, only on a terminal."""

    def __init__(self, total: int, *, enabled: bool) -> None:
        self.total, self.count, self.enabled = total, 0, enabled

    def step(self) -> None:
        self.count += 1
        if self.enabled and (self.count % 50 == 0 or self.count == self.total):
            filled = 30 * self.count // self.total
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {self.count}/{self.total}")

    def done(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


def server_url(text: str) -> str:
    """The mock's base URL from ``host:port``, ``host`` or a URL; a ValueError naming
    --server when it cannot be one."""
    raw = text.strip()
    url = raw if "://" in raw else f"http://{raw}"
    try:
        parts = urllib.parse.urlsplit(url)
        port_ok = parts.port is None or 0 < parts.port
    except ValueError:  # an unclosed [IPv6 or a port out of range
        parts, port_ok = urllib.parse.urlsplit(""), False
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok:
        raise ValueError(f"--server: {text!r} is not the mock's address; give host:port "
                         "(127.0.0.1:8080) or a URL (http://127.0.0.1:8080)")
    return url.rstrip("/")


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
    if args.payload is not None:
        body["payload"] = _read_payload(args.payload)
    return body


def _read_payload(name: str) -> dict[str, Any]:
    try:
        text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"--payload {name}: cannot read it ({(exc.strerror or str(exc)).lower()})") from None
    except UnicodeDecodeError:
        raise ValueError(f"--payload {name}: is not UTF-8 text; give a JSON file") from None
    try:
        payload = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"--payload {name}: is not JSON ({exc})") from None
    if not isinstance(payload, dict):
        raise ValueError(f"--payload {name}: must be a JSON object (the event's body), not {type(payload).__name__}")
    return payload


def trigger(args: argparse.Namespace) -> int:
    body = trigger_body(args)
    base = server_url(args.server)
    request = urllib.request.Request(
        base + "/_mock/events",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {args.token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as resp:
            answer = json.loads(resp.read())
        events: list[dict[str, Any]] = answer["events"]
    except urllib.error.HTTPError as exc:
        raise CommandFailed(f"--server {base}: the mock refused: {_refusal(exc)}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        raise CommandFailed(f"--server {base}: cannot reach it ({_reason(reason)}); "
                            "is 'salesplay-mock serve' running?") from None
    except (ValueError, KeyError, TypeError):
        raise CommandFailed(f"--server {base}: what answered is not salesplay-mock; check the address") from None
    if args.json:
        print(json.dumps(answer, indent=2))
        return 0
    for event in events:
        n = len(event["deliveries"])
        print(f"{event['id']}  {event['type']}  {n} {'delivery' if n == 1 else 'deliveries'}")
        for d in event["deliveries"]:
            print(f"    {d['id']} -> {d['url']}  {d['status']}")
    return 0


def _refusal(exc: urllib.error.HTTPError) -> str:
    """The mock's own JSON error, as words: '401 invalid_token: this access token ...'."""
    try:
        error = json.loads(exc.read())["error"]
        field = f" (field {error['field']})" if error.get("field") else ""
        return f"{exc.code} {error['code']}: {error['message']}{field}"
    except (ValueError, KeyError, TypeError):
        return f"{exc.code} {exc.reason}"


def _reason(reason: object) -> str:
    if isinstance(reason, socket.timeout):
        return "no answer within 60 s"
    if isinstance(reason, socket.gaierror):
        return "no such host"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    return str(reason)


def print_schedule(args: argparse.Namespace) -> int:
    try:
        window = parse_duration(args.retry_window)
    except ValueError as exc:
        raise ValueError(f"--retry-window: {exc}") from None
    try:
        config = Config(max_attempts=args.max_attempts, retry_window=window)
    except InvalidSetting as exc:
        raise ValueError(f"--{exc.name.replace('_', '-')}: {exc.rule}, not {args.retry_window}") from None
    plan = config.schedule
    if args.json:
        print(json.dumps(plan.to_json()))
        return 0
    print(f"{'attempt':>7}  {'wait before':>12}  {'after the start':>15}")
    for s in plan.table():
        print(f"{s.attempt:>7}  {human(s.delay):>12}  {human(s.offset):>15}")
    print(f"at most {config.max_attempts} attempts within {human(config.retry_window)}, each due at its "
          "offset from the delivery's start; after the last failure the webhook is disabled")
    return 0


def check(args: argparse.Namespace) -> int:
    from mockserver.check import CheckOptions, render, run_check

    events = tuple(e.strip() for e in args.events.split(",") if e.strip())
    options = CheckOptions(args.url, events, args.seed, args.delivery_timeout, args.locale)
    junit_target(args.junit)
    colour = args.color == "always" or (args.color == "auto" and sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
    if not args.json:  # the lines as the scenarios end: a slow receiver shows its progress
        print(render.header(args.url, options.the_seed, options.delivery_timeout, options.events), flush=True)
    report = asyncio.run(run_check(options, on_result=None if args.json else lambda result: print(
        render.line(result, colour=colour), flush=True)))
    print(render.to_json(report) if args.json else "\n" + render.summary(report, colour=colour))
    write_junit(args.junit, lambda: render.junit(report))
    return 0 if report.ok else 1


def junit_target(path: Path | None) -> None:
    """Said before the work starts: a --junit file that could never be written."""
    if path is not None and (path.is_dir() or not path.parent.is_dir()):
        raise ValueError(f"--junit {path}: give a file in a folder that exists")


def write_junit(path: Path | None, xml: Callable[[], str]) -> None:
    if path is None:
        return
    try:
        path.write_text(xml(), encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"--junit {path}: cannot write it ({exc.strerror})") from None


def print_postman(args: argparse.Namespace) -> int:
    from mockserver.openapi import openapi_document
    from mockserver.postman import collection

    print(json.dumps(collection(openapi_document(), base_url=args.base_url, token=args.token), indent=2))
    return 0
