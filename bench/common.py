"""What the benchmarks share: a receiver in its own process, percentiles, memory."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

RECEIVER = '''
import sys
from aiohttp import web

STATUS = int(sys.argv[1])

async def hook(request):
    await request.read()
    return web.Response(status=STATUS, text="ok")

app = web.Application()
app.router.add_post("/hook", hook)
runner = web.AppRunner(app, access_log=None)

async def main():
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
    await site.start()
    print(runner.addresses[0][1], flush=True)
    import asyncio
    await asyncio.Event().wait()

import asyncio
asyncio.run(main())
'''


class ReceiverProcess:
    """A minimal aiohttp receiver in another process, answering ``status`` to every POST."""

    def __init__(self, status: int = 200) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", RECEIVER, str(status)], stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.url = f"http://127.0.0.1:{int(self.proc.stdout.readline())}/hook"

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()

    def __enter__(self) -> ReceiverProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


HOG = "import sys, time\nend = time.monotonic() + float(sys.argv[1])\nwhile time.monotonic() < end:\n    pass\n"


class CpuHog:
    """A busy loop on every core, each in its own process, for at most ``seconds``: the
    loaded machine a CI runner often is. Stops when the ``with`` block ends."""

    def __init__(self, seconds: float, processes: int | None = None) -> None:
        count = (os.cpu_count() or 2) if processes is None else processes
        self.procs = [subprocess.Popen([sys.executable, "-c", HOG, str(seconds)]) for _ in range(count)]

    def __enter__(self) -> CpuHog:
        return self

    def __exit__(self, *exc: object) -> None:
        for proc in self.procs:
            proc.kill()
        for proc in self.procs:
            proc.wait()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def rss_bytes() -> int:
    """Resident memory of this process."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


@dataclass
class Row:
    name: str
    ours: str
    baseline: str
    ratio: float | None
    goal: str
    met: bool | None

    def cells(self) -> list[str]:
        ratio = "" if self.ratio is None else f"{self.ratio:.2f}"
        verdict = "" if self.met is None else ("met" if self.met else "NOT met")
        return [self.name, self.ours, self.baseline, ratio, self.goal, verdict]
