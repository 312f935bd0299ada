"""Cold start: from starting ``salesplay-mock serve`` to its first /healthz answer, against
a bare aiohttp app that answers /healthz, each a fresh Python process, in turns, the same
run; the median of each."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

from bench.common import Row

BARE = '''
import sys
from aiohttp import web

async def healthz(request):
    return web.json_response({"status": "ok"})

app = web.Application()
app.router.add_get("/healthz", healthz)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
'''
GOAL = 1.5  # issue 24: every module imported at start (no lazy routes), for a server that survives its files changing


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _until_healthy(argv: list[str], port: int) -> float:
    started = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as resp:
                    resp.read()
                return time.perf_counter() - started
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(f"{argv} ended before it answered") from None
                time.sleep(0.005)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _ours(port: int) -> list[str]:
    return [sys.executable, "-m", "mockserver", "serve", "--port", str(port), "--db", ":memory:",
            "--clock", "manual", "--loop", "asyncio"]


def _bare(port: int) -> list[str]:
    return [sys.executable, "-c", BARE, str(port)]


def run(rounds: int) -> list[Row]:
    ours: list[float] = []
    bare: list[float] = []
    for n in range(rounds + 1):  # the first of each, untimed, writes the bytecode
        for argv, times in ((_ours, ours), (_bare, bare)):
            port = _free_port()
            took = _until_healthy(argv(port), port)
            if n:
                times.append(took)
    a, b = statistics.median(ours), statistics.median(bare)
    ratio = statistics.median(o / p for o, p in zip(ours, bare))  # each pair close in time: noise weighs on both
    return [Row(f"cold start to /healthz (median of {rounds})", f"{a * 1000:.0f} ms",
                f"{b * 1000:.0f} ms bare aiohttp app", ratio, f"<= {GOAL}x", ratio <= GOAL)]
