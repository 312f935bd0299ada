"""Run every benchmark and print a table of ratios against baselines measured in the same
run:  python -m bench.run [--quick | --smoke] [--markdown]"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import time

from bench import api_reads, conformance, delivery, generation, latency, pending, responsiveness
from bench.common import Row

SIZES = {  # scale, deliveries, failing deliveries, latency samples, pending, conformance (k, hours), trigger,
    # REST API reads (products, receipts, requests of each kind)
    "full": (1.0, 20_000, 1_000, 500, 100_000, (1_000, 48.0), 1_000, (10_000, 100_000, 4_000)),
    "quick": (0.25, 5_000, 100, 200, 100_000, (200, 4.0), 1_000, (10_000, 100_000, 1_000)),
    "smoke": (0.01, 300, 5, 20, 2_000, (5, 0.5), 100, (300, 1_000, 40)),
}


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}"


async def collect(size: str, only: str | None = None) -> list[Row]:
    scale, n, k, samples, held, (failing, hours), trigger, reads = SIZES[size]
    if only == "api_reads":  # the others have no --only yet: they run together
        return await api_reads.run(*reads)
    rows = generation.run(scale)
    rows.append(await delivery.throughput(n))
    rows += await latency.run(samples)
    rows += await responsiveness.run(trigger)
    rows += await pending.run(held)
    rows.append(await delivery.failing_schedule(k))
    rows += await conformance.run(failing, hours * 3600)
    rows += await api_reads.run(*reads)
    return rows


def table(rows: list[Row], markdown: bool) -> str:
    head = ["benchmark", "salesplay-mock", "baseline", "ratio", "goal", ""]
    cells = [head] + [r.cells() for r in rows]
    if markdown:
        lines = ["| " + " | ".join(c) + " |" for c in cells]
        lines.insert(1, "|" + "---|" * len(head))
        return "\n".join(lines)
    widths = [max(len(row[i]) for row in cells) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", dest="size", action="store_const", const="quick", help="smaller sizes, ~1 min")
    size.add_argument("--smoke", dest="size", action="store_const", const="smoke", help="tiny sizes: does it run?")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--only", choices=["api_reads"], help="run only this benchmark, at the chosen size")
    args = parser.parse_args()
    started = time.perf_counter()
    rows = asyncio.run(collect(args.size or "full", args.only))
    print(f"machine: {machine()}")
    print(table(rows, args.markdown))
    print(f"({args.size or 'full'} run, {time.perf_counter() - started:.0f} s)")
    missed = [r.name for r in rows if r.met is False]
    if missed and args.size != "smoke":
        print("goals not met: " + "; ".join(missed), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
