"""What ``salesplay-mock compare`` does: read the recordings, compare, print the report
(text or JSON), write JUnit when asked; exit 1 when anything differs."""

from __future__ import annotations

import argparse

from mockserver.cli.commands import junit_target, write_junit
from mockserver.cli.fidelity import config
from mockserver.fidelity import render
from mockserver.fidelity.compare import CompareOptions
from mockserver.fidelity.compare import compare as run_compare


def compare(args: argparse.Namespace) -> int:
    schedule = config(args).schedule
    if not 0 < args.time_scale <= 1_000_000:
        raise ValueError(f"--time-scale: must be more than 0 and at most 1000000, not {args.time_scale:g}")
    junit_target(args.junit)
    report = run_compare(CompareOptions(list(args.recordings), schedule, args.time_scale))
    print(render.to_json(report) if args.json else render.text(report), end="" if not args.json else "\n")
    write_junit(args.junit, lambda: render.junit(report))
    return 0 if report.ok else 1
