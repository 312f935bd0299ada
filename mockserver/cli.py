"""``salesplay-mock serve | generate | trigger | schedule | check``."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from mockserver import __version__
from mockserver.config import Config
from mockserver.durations import human, parse_duration
from mockserver.errors import DomainError
from mockserver.models import EVENT_TYPES
from mockserver.options import add_server_options, config_from_args
from mockserver.store.db import DatabaseInUse

SERVER_URL_ENV = "SALESPLAY_MOCK_URL"
TOKEN_ENV = "SALESPLAY_MOCK_TOKEN"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="salesplay-mock", description="A local stand-in for SalesPlay POS webhooks.")
    parser.add_argument("--version", action="version", version=f"salesplay-mock {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the mock server")
    add_server_options(serve)

    gen = sub.add_parser("generate", help="write realistic payload files, delivered nowhere")
    gen.add_argument("type", choices=[*EVENT_TYPES, "all"], metavar="TYPE", help="an event type, or all")
    gen.add_argument("--count", type=int, default=10, help="payloads per type, 1 to 10000 (default 10)")
    gen.add_argument("--seed", type=int, default=1, help="the world's seed: the same seed, the same files")
    gen.add_argument("--out", type=Path, help="write DIR/TYPE/0001.json...; without it, JSON lines on stdout")
    gen.add_argument("--locale", default="en_US", help="Faker locale for names and addresses (default en_US)")

    trig = sub.add_parser("trigger", help="make a running mock's shop act, and print the deliveries")
    trig.add_argument("type", choices=EVENT_TYPES, metavar="TYPE", help="the event type to produce")
    trig.add_argument("--count", type=int, default=1, help="how many (1 to 1000)")
    trig.add_argument("--server", default=os.environ.get(SERVER_URL_ENV, "http://127.0.0.1:8080"),
                      help=f"the mock's base URL (env {SERVER_URL_ENV})")
    trig.add_argument("--token", default=os.environ.get(TOKEN_ENV, "dev-token"),
                      help=f"Bearer token naming the merchant (env {TOKEN_ENV}, default dev-token)")

    sched = sub.add_parser("schedule", help="print the retry schedule")
    sched.add_argument("--max-attempts", type=int, default=Config.max_attempts)
    sched.add_argument("--retry-window", default="48h", help="e.g. 48h, 90m, 3600")
    sched.add_argument("--json", action="store_true", help="print JSON instead of a table")

    chk = sub.add_parser(
        "check", help="will SalesPlay keep your webhook enabled? Scenarios sent to your running receiver",
        description="Send SalesPlay's kinds of delivery (the set-up sample, each event type, duplicates, related "
                    "events out of order, a burst, new fields, the largest payloads) to a receiver that is already "
                    "running, and report what it answered and what SalesPlay would do about it. Exit status 1 when "
                    "anything fails. Every request carries X-Mock-Kind: check.")
    chk.add_argument("url", metavar="URL", help="the receiver's URL, as you would register it with SalesPlay")
    chk.add_argument("--events", default=",".join(EVENT_TYPES), metavar="TYPES",
                     help="the event types your webhook takes, comma-separated (default: all five)")
    chk.add_argument("--seed", type=int, help="the payloads' seed: the same seed, the same payloads (default: a new "
                                              "one, printed in the report)")
    chk.add_argument("--delivery-timeout", type=float, default=Config.delivery_timeout, metavar="SECONDS",
                     help="how long SalesPlay waits for an answer (default 10; over 1 s is a warning)")
    chk.add_argument("--junit", type=Path, metavar="FILE",
                     help="also write a JUnit XML report, one test case per scenario")
    chk.add_argument("--json", action="store_true", help="print the report as JSON instead of text")
    chk.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                     help="colour the text report: auto (on a terminal, unless NO_COLOR is set), always, never")
    chk.add_argument("--locale", default="en_US", help="Faker locale for names and addresses (default en_US)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "serve":
            from mockserver.serve import serve

            return serve(config_from_args(args))
        if args.command == "generate":
            return generate(args)
        if args.command == "trigger":
            return trigger(args)
        if args.command == "check":
            return check(args)
        return print_schedule(args)
    except ValueError as exc:
        parser.exit(2, f"salesplay-mock: error: {exc}\n")
    except DomainError as exc:  # an option the check refused; the message names the flag
        flag = exc.field and exc.field != "url" and "--" + exc.field.replace("_", "-")
        message = exc.message.replace(f"'{exc.field}'", flag) if flag else exc.message
        if args.command == "check" and exc.field == "url" and "://" not in args.url:
            message += f" (did you mean http://{args.url}?)"
        parser.exit(2, f"salesplay-mock: error: {message}\n")
    except KeyboardInterrupt:
        parser.exit(130, "salesplay-mock: interrupted\n")
    except DatabaseInUse as exc:
        parser.exit(1, f"salesplay-mock: error: {exc}; stop it, or give this server another --db\n")
    except BrokenPipeError:  # `salesplay-mock schedule | head`: the reader left, not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def generate(args: argparse.Namespace) -> int:
    from mockserver.shop.generate import generate_payloads

    if not 1 <= args.count <= 10_000:
        raise ValueError("--count must be between 1 and 10000")
    types = EVENT_TYPES if args.type == "all" else (args.type,)
    progress = Progress(args.count * len(types), enabled=sys.stderr.isatty() and args.count >= 200)
    for type_ in types:
        payloads = generate_payloads(type_, args.count, seed=args.seed, locale=args.locale)
        if args.out is None:
            for p in payloads:
                sys.stdout.write(json.dumps(p) + "\n")
                progress.step()
            continue
        folder = args.out / type_
        folder.mkdir(parents=True, exist_ok=True)
        for n, p in enumerate(payloads, start=1):
            (folder / f"{n:04d}.json").write_text(json.dumps(p, indent=2) + "\n", encoding="utf-8")
            progress.step()
    progress.done()
    if args.out is not None:
        print(f"wrote {args.count * len(types)} payload(s) to {args.out}", file=sys.stderr)
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


def trigger(args: argparse.Namespace) -> int:
    body = json.dumps({"type": args.type, "count": args.count}).encode()
    request = urllib.request.Request(
        args.server.rstrip("/") + "/_mock/events",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {args.token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as resp:
            answer = json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        print(f"salesplay-mock: the server refused: {exc.read().decode(errors='replace')}", file=sys.stderr)
        return 1
    except (urllib.error.URLError, OSError) as exc:
        print(f"salesplay-mock: cannot reach {args.server}: {exc}; is 'salesplay-mock serve' running?", file=sys.stderr)
        return 1
    for event in answer["events"]:
        print(f"{event['id']}  {event['type']}  {len(event['deliveries'])} deliver(y/ies)")
        for d in event["deliveries"]:
            print(f"    {d['id']} -> {d['url']}  {d['status']}")
    return 0


def print_schedule(args: argparse.Namespace) -> int:
    config = Config(max_attempts=args.max_attempts, retry_window=parse_duration(args.retry_window))
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
    if args.junit is not None and (args.junit.is_dir() or not args.junit.parent.is_dir()):
        raise ValueError(f"--junit {args.junit}: give a file in a folder that exists")
    colour = args.color == "always" or (args.color == "auto" and sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
    if not args.json:  # the lines as the scenarios end: a slow receiver shows its progress
        print(render.header(args.url, options.the_seed, options.delivery_timeout, options.events), flush=True)
    report = asyncio.run(run_check(options, on_result=None if args.json else lambda result: print(
        render.line(result, colour=colour), flush=True)))
    print(render.to_json(report) if args.json else "\n" + render.summary(report, colour=colour))
    if args.junit is not None:
        try:
            args.junit.write_text(render.junit(report), encoding="utf-8")
        except OSError as exc:
            raise ValueError(f"--junit {args.junit}: cannot write it ({exc.strerror})") from None
    return 0 if report.ok else 1
