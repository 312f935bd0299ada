"""What ``salesplay-mock replay`` does: load the request, send it with the retry rule on
the chosen clock, print each attempt as it ends and the verdict; exit 0 when delivered."""

from __future__ import annotations

import argparse
import asyncio
import json

from mockserver.cli.commands import CommandFailed
from mockserver.cli.fidelity import checked_url, config
from mockserver.domain.clock import make_clock
from mockserver.domain.durations import human
from mockserver.fidelity.replay import ReplayAttempt, ReplayResult, load
from mockserver.fidelity.replay import replay as run_replay
from mockserver.fidelity.report import printable


def _line(attempt: ReplayAttempt) -> str:
    o = attempt.outcome
    answer = (f"{o.response_status}" if o.response_status is not None else o.error_kind or "failed")
    took = f" in {o.duration_ms:g} ms" if o.duration_ms is not None else ""
    why = f"  ({printable(o.error_message or '', 160)})" if o.state == "failed" and o.response_status is None else ""
    return f"attempt {attempt.number:>3}  +{human(attempt.offset):<10} -> {answer}{took}{why}"


def _verdict(result: ReplayResult, window: float) -> str:
    if result.delivered:
        last = result.attempts[-1]
        return (f"delivered at attempt {last.number}, {human(last.offset)} after the first: SalesPlay would count "
                "this delivery as done")
    return (f"failed for good: {len(result.attempts)} attempt(s) within {human(window)}, none answered 2xx; "
            "SalesPlay would now disable this webhook until it is enabled again")


def _json(result: ReplayResult, source: str, url: str) -> str:
    return json.dumps({"source": source, "url": url, "delivered": result.delivered, "attempts": [
        {"number": a.number, "offset_seconds": round(a.offset, 3), "state": a.outcome.state,
         "status": a.outcome.response_status, "error_kind": a.outcome.error_kind, "error": a.outcome.error_message,
         "duration_ms": a.outcome.duration_ms} for a in result.attempts]}, indent=2)


def replay(args: argparse.Namespace) -> int:
    url = checked_url("--to", args.to)
    settings = config(args, clock=args.clock, time_scale=args.time_scale, delivery_timeout=args.delivery_timeout)
    request = load(args.file, args.request)
    if not args.json:
        print(f"replaying {request.where} ({request.method} {printable(request.path) or '/'}, {len(request.body)} bytes)"
              f" to {url}\nclock {args.clock}{f' x{args.time_scale:g}' if args.clock == 'scaled' else ''}: at most "
              f"{settings.max_attempts} attempt(s) within {human(settings.retry_window)}", flush=True)
    result = asyncio.run(run_replay(request, url, settings, make_clock(settings, start=None),
                                    mock_headers=not args.no_mock_headers,
                                    on_attempt=(lambda a: None) if args.json else lambda a: print(_line(a), flush=True)))
    if result.unreachable:
        raise CommandFailed(f"--to {url}: {result.attempts[0].outcome.error_message}")
    print(_json(result, request.where, url) if args.json else _verdict(result, settings.retry_window))
    return 0 if result.delivered else 1
