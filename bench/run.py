"""Run every benchmark and print a table of ratios against baselines measured in the same
run:  python -m bench.run [--quick | --smoke] [--markdown] [--chart PNG]"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import time
from pathlib import Path

from bench import api_reads, cold_start, conformance, curves, delivery, generation, latency, pending, responsiveness
from bench.common import Row

SIZES = {  # scale, deliveries, failing deliveries, latency samples, pending, conformance (k, hours), trigger,
    # REST API reads (products, receipts, requests of each kind), cold starts
    "full": (1.0, 20_000, 1_000, 500, 100_000, (1_000, 48.0), 1_000, (10_000, 100_000, 4_000), 15),
    "quick": (0.25, 5_000, 100, 200, 100_000, (200, 2.0), 1_000, (10_000, 100_000, 1_000), 7),
    "smoke": (0.01, 300, 5, 20, 2_000, (5, 0.5), 100, (300, 1_000, 40), 1),
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


async def collect(size: str, only: str | None = None) -> tuple[list[Row], list[curves.Curve]]:
    scale, n, k, samples, held, (failing, hours), trigger, reads, starts = SIZES[size]
    if only == "api_reads":
        return await api_reads.run(*reads), []
    if only == "curves":
        return await curves.run(size)
    if only == "cold_start":
        return cold_start.run(starts), []
    rows = generation.run(scale)
    rounds = 5 if size == "full" else 3
    rows.append(await delivery.throughput(n, rounds))
    rows += await latency.run(samples)
    rows += await latency.run(samples, loaded=True)
    rows += await responsiveness.run(trigger)
    rows += await pending.run(held, spread=4.0 if size == "full" else 2.0)
    rows.append(await delivery.failing_schedule(k))
    rows += cold_start.run(starts)
    rows += await conformance.run(failing, hours * 3600)
    rows += await conformance.run(failing, hours * 3600, loaded=True)
    rows += await api_reads.run(*reads)
    more, drawn = await curves.run(size)
    return rows + more, drawn


def on_uvloop(size: str) -> list[Row]:
    """The delivery throughput again with both sides on uvloop (pip install salesplay-mock[fast]):
    the same comparison, on the loop a server with --loop auto uses when it is installed."""
    try:
        import uvloop
    except ImportError:
        return [Row("delivery throughput on uvloop", "uvloop is not installed", "", None,
                    "pip install salesplay-mock[fast]", None)]
    n = SIZES[size][1]
    loop = uvloop.new_event_loop()
    try:
        return [loop.run_until_complete(delivery.throughput(n, 5 if size == "full" else 3, label=", uvloop"))]
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


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
    sizes = parser.add_mutually_exclusive_group()
    sizes.add_argument("--quick", dest="size", action="store_const", const="quick", help="smaller sizes, under 2 min")
    sizes.add_argument("--smoke", dest="size", action="store_const", const="smoke", help="tiny sizes: does it run?")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--only", choices=["api_reads", "curves", "cold_start"], help="run only this benchmark, at the chosen size")
    parser.add_argument("--chart", metavar="PNG",
                        help="draw the scaling curves to PNG (needs matplotlib: pip install -e '.[bench]')")
    args = parser.parse_args()
    started = time.perf_counter()
    size = args.size or "full"
    rows, drawn = asyncio.run(collect(size, args.only))
    if args.only is None:
        rows += on_uvloop(size)
    if args.chart and drawn:
        if curves.chart(drawn, Path(args.chart)):
            print(f"chart: {args.chart}")
        else:
            print("no chart: matplotlib is not installed (pip install -e '.[bench]')", file=sys.stderr)
    print(f"machine: {machine()}")
    print(table(rows, args.markdown))
    print(f"({size} run, {time.perf_counter() - started:.0f} s)")
    missed = [r.name for r in rows if r.met is False]
    if missed and args.size != "smoke":
        print("goals not met: " + "; ".join(missed), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
