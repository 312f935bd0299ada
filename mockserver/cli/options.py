"""``serve``'s flags: each has an environment variable, SALESPLAY_MOCK_<NAME>."""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass
from typing import Any, Callable

from mockserver.domain.config import Config, InvalidSetting
from mockserver.domain.durations import parse_duration, parse_instant
from mockserver.domain.fault_settings import FaultSettings


def _bool(text: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"{text!r} is not a boolean; use 1/0, true/false, yes/no")


def _int(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a whole number") from None


def _float(text: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{text!r} is not a finite number")
    return value


def _locale(text: str) -> str:
    from mockserver.shop.locales import check_locale  # Faker loads only when a locale is given

    return check_locale(text.strip())


@dataclass(frozen=True)
class Option:
    name: str  # the Config field
    help: str
    default: str = ""  # as the help shows it; empty for a switch
    parse: Callable[[str], Any] = str
    flag_only: bool = False  # a switch: --flag sets True

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def env(self) -> str:
        return "SALESPLAY_MOCK_" + self.name.upper()


_SIZES = {"": 1, "b": 1, "kb": 1000, "kib": 1024, "mb": 10**6, "mib": 2**20, "gb": 10**9, "gib": 2**30}


def parse_size(text: str) -> int:
    """A size in bytes: ``65536``, ``512KiB``, ``64MiB``, ``1GB``."""
    number = text.strip().rstrip("BbIiKkMmGg")
    unit = text.strip()[len(number):].lower()
    try:
        value = float(number)
    except ValueError:
        value = -1.0
    if unit not in _SIZES or not 0 <= value < 2**50:
        raise ValueError(f"{text!r} is not a size; write bytes (65536) or 512KiB, 64MiB, 1GiB")
    return int(value * _SIZES[unit])


def _list(text: str) -> tuple[str, ...]:
    items = tuple(item.strip() for item in text.split(",") if item.strip())
    if not items:  # an unset variable in --token "$SECRET" must not open the server to any token
        raise ValueError(f"{text!r} names nothing; give at least one value, or leave it out for the default")
    return items


OPTIONS = (
    Option("host", "address to bind", "127.0.0.1; 0.0.0.0 in the Docker image"),
    Option("port", "port to listen on; 0 picks a free one", "8080", _int),
    Option("db", "SQLite file, or :memory: for a throwaway run", "./salesplay-mock.sqlite3"),
    Option("tokens", "accept only these Bearer tokens (comma-separated)", "any non-empty token", _list),
    Option("public_urls_only", "refuse webhook URLs that are not publicly reachable, as SalesPlay does",
           parse=_bool, flag_only=True),
    Option("strict", "refuse a webhook whose URL and event type another webhook of the token already has "
           "(each event would arrive twice); without it, a warning", parse=_bool, flag_only=True),
    Option("clock", "scaled, real or manual", "scaled"),
    Option("loop", "the event loop: auto (uvloop when installed: pip install 'salesplay-mock[fast]'), asyncio "
           "or uvloop", "auto"),
    Option("time_scale", "simulated seconds per real second on the scaled clock", "720: 48 h in 4 min", _float),
    Option("clock_start", "simulated time to start from, ISO 8601", "now, or where the last run stopped",
           parse_instant),
    Option("max_attempts", "attempts per delivery, the first included", "200", _int),
    Option("retry_window", "time within which every attempt is made", "48h", parse_duration),
    Option("retry_jitter", "move each retry by up to 10%% of its wait, the same for the same delivery",
           parse=_bool, flag_only=True),
    Option("delivery_timeout", "seconds of real time a receiver has to answer", "10", parse_duration),
    Option("max_in_flight", "deliveries attempted at once", "64", _int),
    Option("one_at_a_time", "send to each webhook one attempt at a time, oldest due first (without it, "
           "deliveries to one webhook go out together, as SalesPlay's may)", parse=_bool, flag_only=True),
    Option("stop_grace", "on SIGTERM, real seconds attempts under way get to finish", "5", parse_duration),
    Option("no_mock_headers", "do not add the X-Mock-* debugging headers", parse=_bool, flag_only=True),
    Option("deliver_only_to", "deliver only to these hosts (comma-separated); others are failed attempts",
           "any host", lambda s: tuple(h.lower() for h in _list(s))),
    Option("verify", "the sample POST at registration: off, report or strict", "report"),
    Option("sample_from", "the sample POST's records: separate (a shop of its own: ids the REST API does not "
           "know, numbers past 100,000,000) or shop (the merchant's own, as the REST API shows them)", "separate"),
    Option("keep_deliveries", "finished deliveries kept in the attempt log", "10000", _int),
    Option("attempt_log_size", "receivers' answers (bodies and headers) the attempt log keeps, all together; "
           "past it the oldest answers are dropped (e.g. 256MiB, 1GiB)", "256MiB", parse_size),
    Option("keep_shops", "simulated shops kept in memory; the least recently used are read back from the "
           "database when next needed", "500", _int),
    Option("max_webhooks", "webhooks one token may have", "100", _int),
    Option("max_deliveries_per_request", "deliveries one trigger or redelivery may make (its events times the "
           "webhooks they go to)", "10000", _int),
    Option("seed", "seed of the simulated shops", "1", _int),
    Option("locale", "Faker locale of the simulated shops", "en_US", _locale),
    Option("traffic", "shop traffic on its own: events per simulated minute", "0: off", _float),
    Option("ui_token", "token the web page uses without asking", "none"),
    Option("sink_memory", "memory the sinks may keep, all together (e.g. 64MiB, 512KiB, or bytes)", "64MiB",
           parse_size),
    Option("faults", "faults on purpose, e.g. duplicate=0.2,duplicate_mode=concurrent,reorder=0.5,"
           "delay=0.3,delay_max=5m,outage=10m+30m@5,seed=7", "none"),
    Option("ready_file", "once the server answers, also write its ready line (JSON) to this file, atomically; "
           "removed when it stops", "none"),
)


OPTION = {opt.name: opt for opt in OPTIONS}


def add_server_options(parser: argparse.ArgumentParser) -> None:
    for opt in OPTIONS:
        help_ = f"{opt.help}{f' (default {opt.default})' if opt.default else ''} [env {opt.env}]"
        if opt.flag_only:
            parser.add_argument(opt.flag, dest=opt.name, action="store_const", const="1", default=None, help=help_)
        elif opt.name == "tokens":
            parser.add_argument("--token", dest="tokens", action="append", default=None, help=help_)
        else:
            parser.add_argument(opt.flag, dest=opt.name, default=None, help=help_)


def config_from_args(args: argparse.Namespace, environ: dict[str, str] | None = None) -> Config:
    """Flags win over environment variables, which win over the defaults. An error names
    the flag or the variable the bad value came from."""
    env = os.environ if environ is None else environ
    raw: dict[str, str] = {}
    source: dict[str, str] = {}
    for opt in OPTIONS:
        value = getattr(args, opt.name, None)
        if opt.name == "tokens" and value is not None:
            value = ",".join(value)
        flag = "--token" if opt.name == "tokens" else opt.flag  # the flag as typed (it may be repeated)
        source[opt.name] = flag if value is not None else opt.env
        value = value if value is not None else env.get(opt.env)
        if value is not None:
            raw[opt.name] = value
    return config_from_text(raw, where=lambda opt: source[opt.name])


def config_from_text(raw: dict[str, str], *, where: Callable[[Option], str] = lambda opt: opt.flag) -> Config:
    """A Config from settings as text, by option name (``where`` names an option in an error)."""
    values: dict[str, Any] = {}
    for opt in OPTIONS:
        if opt.name not in raw:
            continue
        try:
            values[opt.name] = opt.parse(raw[opt.name])
        except ValueError as exc:
            raise ValueError(f"{where(opt)}: {exc}") from None
    if values.pop("no_mock_headers", False):
        values["mock_headers"] = False
    if "faults" in values:  # an outage's start counts from the server's start
        begin = values.get("clock_start") or time.time()
        try:
            values["faults"] = FaultSettings.parse(values["faults"], now=begin)
        except ValueError as exc:
            raise ValueError(f"{where(OPTION['faults'])}: {exc}") from None
    try:
        return Config(**values)
    except InvalidSetting as exc:
        raise ValueError(f"{where(OPTION[exc.name])}: {exc.rule}, not {raw[exc.name]}") from None
