"""``salesplay-mock serve | generate | fixtures | trigger | scenario | schedule | check | postman | record |
compare | replay``.

Every mistake ends in one line that names the flag and the problem, and a non-zero exit:
2 for a bad command line, 1 for what the machine refused (a port, a database, a folder,
an unreachable server). Never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from mockserver import __version__
from mockserver.cli import fidelity
from mockserver.cli.acts import add_scenario_parser, add_trigger_parser, scenario, trigger
from mockserver.cli.commands import CommandFailed, check, generate, print_postman, print_schedule, write_fixtures
from mockserver.cli.options import add_server_options, config_from_args
from mockserver.domain.config import Config
from mockserver.domain.errors import DomainError, InvalidField
from mockserver.domain.seeds import SEED_RULE, check_seed
from mockserver.domain.vocabulary import EVENT_TYPES
from mockserver.store.db import DatabaseInUse, UnusableDatabase


def _seed(text: str) -> int:
    """An argparse type: a seed, in the one range every seed has."""
    try:
        return check_seed(int(text))
    except (ValueError, InvalidField):
        raise argparse.ArgumentTypeError(f"must be {SEED_RULE}, not {text!r}") from None


def _whole(lo: int, hi: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number from ``lo`` (to ``hi``), said in words when it is not."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < lo or (hi is not None and value > hi):
            rule = f"from {lo} to {hi}" if hi is not None else f"{lo} or more"
            raise argparse.ArgumentTypeError(f"must be {rule}, not {value}")
        return value

    return parse


def _number(text: str) -> float:
    """An argparse type: a number, said in words when it is not."""
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None


class _Parser(argparse.ArgumentParser):
    """A mistake on the command line is one line (argparse prints the whole usage first),
    with the way to the help."""

    def error(self, message: str) -> NoReturn:
        hint = "" if "--help" in message or "did you mean" in message else f"; see {self.prog} --help"
        self.exit(2, f"{self.prog}: error: {message}{hint}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="salesplay-mock", description="A local stand-in for SalesPlay POS webhooks.")
    parser.add_argument("--version", action="version", version=f"salesplay-mock {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the mock server", description="Run the mock server until Ctrl-C.")
    add_server_options(serve)

    gen = sub.add_parser("generate", help="write realistic payload files, delivered nowhere",
                         description="Write realistic payloads, delivered nowhere: the same seed, the same files.")
    gen.add_argument("type", choices=[*EVENT_TYPES, "all"], metavar="TYPE",
                     help=f"an event type ({', '.join(EVENT_TYPES)}), or all")
    gen.add_argument("--count", type=_whole(1, 10_000), default=10, help="payloads per type, 1 to 10000 (default 10)")
    gen.add_argument("--seed", type=_seed, default=1,
                     help="the world's seed: the same seed, the same files (default 1)")
    gen.add_argument("--out", metavar="DIR",
                     help="write DIR/TYPE/0001.json...; without it, JSON lines on stdout")
    gen.add_argument("--locale", default="en_US", help="Faker locale for names and addresses (default en_US)")

    add_trigger_parser(sub)
    add_scenario_parser(sub)
    fix = sub.add_parser("fixtures", help="write the committed fixture payloads that ship with the package",
                         description="Write the fixture payloads that ship with the package (a few of each event "
                         "type, seed 7, valid against the shipped JSON Schemas): the files GET /_mock/fixtures/TYPE "
                         "serves.")
    fix.add_argument("type", nargs="?", default="all", choices=[*EVENT_TYPES, "all"], metavar="TYPE",
                     help=f"an event type ({', '.join(EVENT_TYPES)}), or all (the default)")
    fix.add_argument("--out", metavar="DIR",
                     help="write DIR/MANIFEST.json and DIR/TYPE/0001.json...; without it, JSON lines on stdout")


    sched = sub.add_parser("schedule", help="print the retry schedule",
                           description="Print the retry schedule: when each attempt of a failing delivery is made.")
    sched.add_argument("--max-attempts", type=_whole(1, 1000), default=Config.max_attempts,
                       help=f"attempts per delivery, the first included (default {Config.max_attempts})")
    sched.add_argument("--retry-window", default="48h", help="time within which every attempt is made (default 48h)")
    sched.add_argument("--json", action="store_true", help="print JSON (the shape of GET /_mock/schedule)")

    chk = sub.add_parser(
        "check", help="will SalesPlay keep your webhook enabled? Scenarios sent to your running receiver",
        description="Send SalesPlay's kinds of delivery (the set-up sample, each event type, duplicates, related "
                    "events out of order, a burst, new fields, the largest payloads) to a receiver that is already "
                    "running, and report what it answered and what SalesPlay would do about it. Exit status 1 when "
                    "anything fails. Every request carries X-Mock-Kind: check.")
    chk.add_argument("url", metavar="URL", help="the receiver's URL, as you would register it with SalesPlay")
    chk.add_argument("--events", default=",".join(EVENT_TYPES), metavar="TYPES",
                     help="the event types your webhook takes, comma-separated (default: all five)")
    chk.add_argument("--seed", type=_seed, help="the payloads' seed: the same seed, the same payloads "
                                                          "(default: a new one, printed in the report)")
    chk.add_argument("--delivery-timeout", type=_number, default=Config.delivery_timeout, metavar="SECONDS",
                     help="how long SalesPlay waits for an answer (default 10; over 1 s is a warning)")
    chk.add_argument("--junit", type=Path, metavar="FILE",
                     help="also write a JUnit XML report, one test case per scenario")
    chk.add_argument("--json", action="store_true", help="print the report as JSON instead of text")
    chk.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                     help="colour the text report: auto (on a terminal, unless NO_COLOR is set), always, never")
    chk.add_argument("--locale", default="en_US", help="Faker locale for names and addresses (default en_US)")

    postman = sub.add_parser("postman", help="print a Postman collection of the mock (baseUrl and Token variables)",
                             description="Print a Postman collection (v2.1) of SalesPlay's REST API and the "
                             "mock's control API, generated from the OpenAPI document: "
                             "salesplay-mock postman > collection.json, then import it into Postman or run it "
                             "with newman. Every request checks its status and its body's schema.")
    postman.add_argument("--base-url", default="http://127.0.0.1:8080/v1.0",
                         help="the baseUrl variable: the mock's /v1.0 (default http://127.0.0.1:8080/v1.0)")
    postman.add_argument("--token", default="", help="the Token variable (default empty: set it in Postman)")

    fidelity.add_commands(sub, whole=_whole, number=_number)  # record, compare, replay: cli/fidelity.py, over fidelity/
    return parser


def parse(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse, and refuse an unknown flag with the usage of the subcommand it was given to,
    and the nearest flag it has (``serve --prot 1``: did you mean --port?)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    name = next((word for word in argv if not word.startswith("-")), None)
    if name in commands.choices:
        # Looked for first: argparse would otherwise complain of a positional the unknown
        # flag's value was taken for, far from the real mistake.
        after = argv[argv.index(name) + 1:]
        unknown = [w for w in after if w.startswith("--") and w.split("=", 1)[0] not in _flags(commands.choices[name])]
        if unknown:
            _unrecognized(commands.choices[name], name, unknown)
    args, extras = parser.parse_known_args(argv)
    if extras:
        _unrecognized(commands.choices[args.command], args.command, extras)
    return args


def _flags(command: argparse.ArgumentParser) -> list[str]:
    """Its flags, and those of its own subcommands (``scenario run --json``)."""
    nested = [flag for action in command._actions if isinstance(action, argparse._SubParsersAction)
              for sub in action.choices.values() for flag in _flags(sub)]
    return [flag for action in command._actions for flag in action.option_strings] + nested


def _unrecognized(command: argparse.ArgumentParser, name: str, extras: list[str]) -> None:
    first = next((e for e in extras if e.startswith("-")), extras[0]).split("=", 1)[0]
    import difflib  # only for a mistyped flag

    near = difflib.get_close_matches(first, _flags(command), n=1)
    hint = f"; did you mean {near[0]}?" if near else f"; see salesplay-mock {name} --help"
    command.error(f"unrecognized arguments: {' '.join(extras)}{hint}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parse(parser, argv)
    try:
        if args.command == "serve":
            from mockserver.server.serve import CannotStart, serve

            try:
                return serve(config_from_args(args))
            except CannotStart as exc:
                raise CommandFailed(str(exc)) from None
        if args.command == "generate":
            return generate(args)
        if args.command == "fixtures":
            return write_fixtures(args)
        if args.command == "trigger":
            return trigger(args)
        if args.command == "scenario":
            return scenario(args)
        if args.command == "check":
            return check(args)
        if args.command == "postman":
            return print_postman(args)
        if args.command in fidelity.COMMANDS:
            return fidelity.run(args)
        return print_schedule(args)
    except ValueError as exc:  # a bad value on the command line, named by whoever checked it
        parser.exit(2, f"salesplay-mock {args.command}: error: {exc}\n")
    except DomainError as exc:  # an option the check refused; the message names the flag
        flag = exc.field and exc.field != "url" and "--" + exc.field.replace("_", "-")
        message = exc.message.replace(f"'{exc.field}'", flag) if flag else exc.message
        if args.command == "check" and exc.field == "url" and "://" not in args.url:
            message += f" (did you mean http://{args.url}?)"
        parser.exit(2, f"salesplay-mock {args.command}: error: {message}\n")
    except UnusableDatabase as exc:
        parser.exit(1, f"salesplay-mock {args.command}: error: --db: {exc}\n")
    except DatabaseInUse as exc:
        parser.exit(1, f"salesplay-mock {args.command}: error: {exc}; stop it, or give this server another --db\n")
    except CommandFailed as exc:
        parser.exit(1, f"salesplay-mock {args.command}: error: {exc}\n")
    except KeyboardInterrupt:  # Ctrl-C during generate or trigger: stopped, as asked
        parser.exit(130, f"\nsalesplay-mock {args.command}: stopped\n")
    except BrokenPipeError:  # `salesplay-mock schedule | head`: the reader left, not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
