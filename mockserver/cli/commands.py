"""What ``generate``, ``fixtures``, ``schedule``, ``check`` and ``postman`` do once their command line is
parsed (``trigger`` and ``scenario``: ``cli/acts.py``).

A problem of the machine or the network is raised as ``CommandFailed`` with the flag it
concerns; ``cli.main`` prints it as one line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from mockserver.domain.config import Config, InvalidSetting
from mockserver.domain.durations import human, parse_duration
from mockserver.domain.vocabulary import EVENT_TYPES

SERVER_URL_ENV = "SALESPLAY_MOCK_URL"
TOKEN_ENV = "SALESPLAY_MOCK_TOKEN"


class CommandFailed(Exception):
    """The command was well formed, but the machine or the server refused it."""


def generate(args: argparse.Namespace) -> int:
    from mockserver.shop.generate import generate_payloads
    from mockserver.shop.locales import check_locale

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
    from mockserver.shop.fixture_set import copy_fixtures, fixtures

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
    from mockserver.spec.openapi import openapi_document
    from mockserver.spec.postman import collection

    print(json.dumps(collection(openapi_document(), base_url=args.base_url, token=args.token), indent=2))
    return 0
