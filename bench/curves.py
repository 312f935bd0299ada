"""Scaling curves: how the cost of each part grows with the work it holds. Throughput
against 1 to 1,000 webhooks, due-firing lateness and memory against 1k to 1M pending
deliveries, page render time against 10 to 1,000 deliveries; each point beside a
baseline from the same run, each curve judged flat, log n, or worse. With matplotlib (the
``bench`` extra) a chart of the four is drawn as a PNG."""

from __future__ import annotations

import json
import math
import re
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from bench import delivery, pending
from bench.common import ReceiverProcess, Row, percentile
from mockserver.domain.config import Config
from mockserver.server import keys
from mockserver.server.app import create_app
from mockserver.shop.generate import generate_payloads

SIZES = {  # webhooks and the deliveries spread over them; pending held; deliveries behind the page
    "full": ((1, 10, 100, 1_000), 10_000, (1_000, 10_000, 100_000, 1_000_000), (10, 100, 1_000)),
    "quick": ((1, 10, 100, 1_000), 2_000, (1_000, 10_000, 100_000), (10, 100, 1_000)),
    "smoke": ((1, 10), 100, (1_000, 2_000), (10, 20)),
}
GROWTH = 1.5  # a curve is flat while its worst point stays within this factor of its first


@dataclass
class Curve:
    title: str
    x_label: str
    unit: str
    xs: list[int]
    ys: list[float]
    baselines: list[float]
    baseline_label: str
    higher_is_better: bool = False
    floor: float = 0.0  # below this, differences are the measurement's noise

    def shape(self) -> str:
        """flat; grows as log n (or slower); or grows faster than log n: from first to worst point."""
        ys = [max(y, self.floor) for y in self.ys]
        first = ys[0]
        worst = min(ys) if self.higher_is_better else max(ys)
        growth = first / worst if self.higher_is_better else worst / first
        if growth <= GROWTH:
            return f"flat (x{growth:.2f} over x{self.xs[-1] // self.xs[0]:,} the work)"
        logs = math.log(self.xs[-1]) / math.log(max(self.xs[0], 2))
        if growth <= GROWTH * logs:
            return f"grows as log n (x{growth:.2f})"
        return f"grows faster than log n (x{growth:.2f})"


async def throughput(webhooks: tuple[int, ...], n: int) -> Curve:
    """``n`` deliveries spread over each number of webhooks, against a plain loop posting
    the same ``n`` requests, measured in turns."""
    bodies = [json.dumps(p) for p in generate_payloads("receipts.update", max(1, n // webhooks[0]), seed=6)]
    ours, plain = [], []
    with ReceiverProcess(200) as receiver:
        await delivery.plain_loop(receiver.url, [b.encode() for b in bodies[:200]])  # warm the receiver up
        for count in webhooks:
            payloads = bodies[: max(1, n // count)]
            sent = len(payloads) * count
            same = [p.encode() for p in payloads for _ in range(count)]  # the requests the engine will make
            plain.append(sent / await delivery.plain_loop(receiver.url, same))
            with tempfile.TemporaryDirectory() as tmp:
                async with delivery.Engine(Path(tmp)) as engine:
                    engine.publish([f"{receiver.url}?webhook={w}" for w in range(count)], payloads)
                    started = time.perf_counter()
                    await keys.engine_of(engine.app).scheduler.run_due(delivery.OWNER)
                    ours.append(sent / (time.perf_counter() - started))
                    assert engine.count("succeeded") == sent
    return Curve("delivery throughput", "webhooks", "deliveries/s", list(webhooks), ours, plain,
                 "plain aiohttp loop", higher_is_better=True)


async def pending_held(sizes: tuple[int, ...], probes: int, spread: float) -> tuple[Curve, Curve]:
    """Lateness (p99) of deliveries falling due among ``n`` held ones, and memory per held
    delivery, against plain asyncio timers and a dict of delivery objects."""
    late99, memory, timers99, naive = [], [], [], []
    for n in sizes:
        per_pending, late = await pending.measure(n, probes, spread)
        assert len(late) == probes, f"{len(late)} of {probes} due deliveries fired with {n:,} held"
        late99.append(percentile(late, 99) * 1000)
        memory.append(max(per_pending, 0.0))
        timers99.append(percentile(await pending.timer_lateness(probes, spread), 99) * 1000)
        naive.append(pending.naive_memory(min(n, 100_000)))  # a dict's cost per delivery is the same at any size
    return (Curve("due-firing lateness p99", "pending deliveries", "ms", list(sizes), late99, timers99,
                  "asyncio timers", floor=1.0),  # the loop's own timers are about a millisecond late
            Curve("memory per pending delivery", "pending deliveries", "bytes", list(sizes), memory, naive,
                  "a dict of delivery objects", floor=8.0))  # a page of RSS over 1,000 deliveries is 4 B each


async def page_render(sizes: tuple[int, ...], rounds: int = 15) -> Curve:
    """The signed-in page of a merchant with ``n`` delivered events: median time to the
    last byte; the baseline is the same page with the first size's deliveries."""
    times = []
    auth = {"Authorization": "Bearer bench-page"}
    with ReceiverProcess(200) as receiver:
        for n in sizes:
            with tempfile.TemporaryDirectory() as tmp:
                app = create_app(Config(db=f"{tmp}/page.sqlite3", clock="manual", verify="off"))
                async with TestClient(TestServer(app)) as client:
                    resp = await client.post("/v1.0/webhook", json={"url": receiver.url, "event": "receipts.update"},
                                             headers=auth)
                    assert resp.status == 201, await resp.text()
                    for made in range(0, n, 1_000):
                        resp = await client.post("/_mock/events", json={"type": "receipts.update",
                                                                         "count": min(1_000, n - made)}, headers=auth)
                        assert resp.status == 201, await resp.text()
                        await resp.read()  # the answer streams: read to its end before timing anything
                    await _sign_in(client, auth["Authorization"].split()[1])
                    took = []
                    for _ in range(rounds):
                        started = time.perf_counter()
                        async with client.get("/") as page:
                            await page.read()
                            assert page.status == 200
                        took.append((time.perf_counter() - started) * 1000)
                    times.append(statistics.median(took))
    return Curve("page render time", "deliveries", "ms", list(sizes), times, [times[0]] * len(times),
                 f"the page with {sizes[0]} deliveries")


async def _sign_in(client: Any, token: str) -> None:
    html = await (await client.get("/")).text()
    csrf = re.search(r'name="csrf" value="([^"]+)"', html)
    assert csrf, "the page has no sign-in form"
    resp = await client.post("/ui/login", data={"csrf": csrf.group(1), "token": token}, allow_redirects=False)
    assert resp.status == 303


async def run(size: str) -> tuple[list[Row], list[Curve]]:
    webhooks, n, held, page = SIZES[size]
    probes, spread = {"smoke": (50, 0.5), "quick": (200, 1.0)}.get(size, (200, 2.0))
    curves = [await throughput(webhooks, n), *await pending_held(held, probes, spread), await page_render(page)]
    return [row for curve in curves for row in rows(curve)], curves


def rows(curve: Curve) -> list[Row]:
    out = []
    for x, y, base in zip(curve.xs, curve.ys, curve.baselines):
        ratio = y / base if base else None
        what = curve.x_label[:-1] if x == 1 and curve.x_label.endswith("s") else curve.x_label
        out.append(Row(f"{curve.title}, {x:,} {what}", _figure(y, curve.unit),
                       f"{_figure(base, curve.unit)} {curve.baseline_label}", ratio, "", None))
    out[-1].goal, out[-1].met = "flat or log n", not curve.shape().startswith("grows faster")
    out[-1].name += f": {curve.shape()}"
    return out


def _figure(value: float, unit: str) -> str:
    if unit == "deliveries/s":
        return f"{value:,.0f}/s"
    if unit == "bytes":
        return f"{value:,.0f} B"
    return f"{value:.2f} {unit}"


def chart(curves: list[Curve], path: Path) -> bool:
    """Draw the curves, each beside its baseline, on log-scaled work; False without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, axes = plt.subplots(2, 2, figsize=(10, 7), constrained_layout=True)
    for ax, curve in zip(axes.flat, curves):
        ax.plot(curve.xs, curve.ys, marker="o", label="salesplay-mock")
        ax.plot(curve.xs, curve.baselines, marker="s", linestyle="--", label=curve.baseline_label)
        ax.set_xscale("log")
        ax.set_xlabel(curve.x_label)
        ax.set_ylabel(curve.unit)
        ax.set_ylim(bottom=0)
        ax.set_title(f"{curve.title}: {curve.shape().split(' (')[0]}", fontsize=10)
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    fig.suptitle("salesplay-mock: cost against work (python -m bench.run)")
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return True
