"""``serve``'s flags: each has an environment variable, SALESPLAY_MOCK_<NAME>."""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from mockserver.config import Config
from mockserver.durations import parse_duration
from mockserver.faults import FaultSettings


def _bool(text: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"{text!r} is not a boolean; use 1/0, true/false, yes/no")


def _time(text: str) -> float:
    try:
        stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO 8601 time such as 2025-06-30T12:00:00Z") from None
    return (stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)).timestamp()


@dataclass(frozen=True)
class Option:
    name: str  # the Config field
    help: str
    parse: Callable[[str], Any] = str
    flag_only: bool = False  # a switch: --flag sets True

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def env(self) -> str:
        return "SALESPLAY_MOCK_" + self.name.upper()


OPTIONS = (
    Option("host", "address to bind (default 127.0.0.1; 0.0.0.0 in the Docker image)"),
    Option("port", "port to listen on (default 8080)", int),
    Option("db", "SQLite file, or :memory: for a throwaway run (default ./salesplay-mock.sqlite3)"),
    Option("tokens", "accept only these Bearer tokens (comma-separated; default: any non-empty token)",
           lambda s: tuple(t.strip() for t in s.split(",") if t.strip())),
    Option("public_urls_only", "refuse webhook URLs that are not publicly reachable, as SalesPlay does", _bool, True),
    Option("clock", "scaled (default), real or manual", str),
    Option("time_scale", "simulated seconds per real second on the scaled clock (default 720: 48 h in 4 min)", float),
    Option("clock_start", "simulated time to start from, ISO 8601 (default: now, or where the last run stopped)", _time),
    Option("max_attempts", "attempts per delivery, the first included (default 200)", int),
    Option("retry_window", "time within which every attempt is made (default 48h)", parse_duration),
    Option("retry_jitter", "spread retries by +/-10%, deterministically per delivery", _bool, True),
    Option("delivery_timeout", "seconds of real time a receiver has to answer (default 10)", parse_duration),
    Option("max_in_flight", "deliveries attempted at once (default 64)", int),
    Option("stop_grace", "on SIGTERM, real seconds attempts under way get to finish (default 5)", parse_duration),
    Option("no_mock_headers", "do not add the X-Mock-* debugging headers", _bool, True),
    Option("deliver_only_to", "deliver only to these hosts (comma-separated); others are failed attempts "
           "(default: any host)", lambda s: tuple(h.strip().lower() for h in s.split(",") if h.strip())),
    Option("verify", "the sample POST at registration: off, report (default) or strict", str),
    Option("keep_deliveries", "finished deliveries kept in the attempt log (default 10000)", int),
    Option("seed", "seed of the simulated shops (default 1)", int),
    Option("locale", "Faker locale of the simulated shops (default en_US)", str),
    Option("traffic", "shop traffic on its own: events per simulated minute (default 0: off)", float),
    Option("ui_token", "token the web page uses without asking", str),
    Option("faults", "faults on purpose, e.g. duplicate=0.2,duplicate_mode=concurrent,reorder=0.5,"
           "delay=0.3,delay_max=5m,outage=10m+30m@5,seed=7 (default: none)", str),
)


def add_server_options(parser: argparse.ArgumentParser) -> None:
    for opt in OPTIONS:
        help_ = f"{opt.help} [env {opt.env}]"
        if opt.flag_only:
            parser.add_argument(opt.flag, dest=opt.name, action="store_const", const="1", default=None, help=help_)
        elif opt.name == "tokens":
            parser.add_argument("--token", dest="tokens", action="append", default=None, help=help_)
        else:
            parser.add_argument(opt.flag, dest=opt.name, default=None, help=help_)


def config_from_args(args: argparse.Namespace, environ: dict[str, str] | None = None) -> Config:
    """Flags win over environment variables, which win over the defaults."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for opt in OPTIONS:
        raw = getattr(args, opt.name, None)
        if opt.name == "tokens" and raw is not None:
            raw = ",".join(raw)
        if raw is None:
            raw = env.get(opt.env)
        if raw is None:
            continue
        try:
            values[opt.name] = opt.parse(raw)
        except ValueError as exc:
            raise ValueError(f"{opt.flag} / {opt.env}: {exc}") from None
    if values.pop("no_mock_headers", False):
        values["mock_headers"] = False
    if "faults" in values:  # an outage's start counts from the server's start
        start = values.get("clock_start") or time.time()
        try:
            values["faults"] = FaultSettings.parse(values["faults"], now=start)
        except ValueError as exc:
            raise ValueError(f"--faults / SALESPLAY_MOCK_FAULTS: {exc}") from None
    return Config(**values)
