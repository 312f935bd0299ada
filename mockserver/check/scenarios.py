"""The scenarios of a check, in the order they run: each sends what SalesPlay may send and
judges the answers by SalesPlay's rule (any 2xx, and promptly)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

import aiohttp

from mockserver.check import advice
from mockserver.check.payloads import LARGE_RECEIPT_LINES, LARGE_STOCK_COUNT, NEW_FIELD, CheckShop, Payload
from mockserver.check.report import RETRIED, Exchange, Latency, Result, duration, size
from mockserver.domain.vocabulary import EVENT_TYPES
from mockserver.engine.http_post import post

SLOW_MS = 1000.0  # SalesPlay asks for prompt answers and publishes no figure: above this, a warning
BURST = 50
ANSWER_KEPT = 2048  # bytes of each answer read and kept; the rest is drained, bounded, by post()
ANSWER_SHOWN = 500  # characters of it in the report: enough for an HTML error page's words
USER_AGENT = "SalesPlay-Webhooks (salesplay-mock check)"


class Probe:
    """What the scenarios send through: one session, the URL, the timeout, the headers
    that mark every request as the check's."""

    def __init__(self, session: aiohttp.ClientSession, url: str, timeout: float) -> None:
        self.session, self.url, self.timeout = session, url, timeout
        self.alone: list[tuple[str, Exchange]] = []  # deliveries sent one at a time, for the answer time
        self._sent = 0

    async def send(self, payload: Payload, scenario: str, *, alone: bool = True) -> Exchange:
        self._sent += 1
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, "X-Mock-Kind": "check",
                   "X-Mock-Check": scenario, "X-Mock-Event-Id": payload.event_id,
                   "X-Mock-Delivery-Id": f"{payload.event_id.replace('evt_', 'dlv_')}_{self._sent}",
                   "X-Mock-Attempt": "1"}
        out = await post(self.session, self.url, payload.body, headers, timeout=self.timeout, body_limit=ANSWER_KEPT)
        # post() always times what it did; only an attempt cut off by a stop has no duration.
        exchange = Exchange(payload.type, payload.about, len(payload.body), out.response_status, out.duration_ms or 0.0,
                            out.error_kind, out.error_message, (out.response_body or "")[:ANSWER_SHOWN],
                            (out.response_headers or {}).get("Location"))
        if alone:
            self.alone.append((scenario, exchange))
        return exchange


@dataclass
class Context:
    probe: Probe
    shop: CheckShop
    types: tuple[str, ...]  # the event types checked, in EVENT_TYPES order
    results: list[Result]

    @property
    def primary(self) -> str:
        """The type the single-type scenarios use: receipts, the one every receiver takes."""
        return "receipts.update" if "receipts.update" in self.types else self.types[0]

    def earlier(self, scenario_id: str) -> Result | None:
        return next((r for r in self.results if r.id == scenario_id), None)


Run = Callable[[Context], Awaitable[Result]]


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    run: Run


def judge(scenario: Scenario, sent: str, exchanges: list[Exchange], *, why: Callable[[Exchange], str] | None = None,
          fix: str | None = None) -> Result:
    """A pass when every answer is 2xx; otherwise a fail, explained by the first failure."""
    slowest = duration(max(e.ms for e in exchanges))
    received = ", then ".join(e.came_back() for e in exchanges) if len(exchanges) <= 2 else (
        ", ".join(str(e.status or e.error_kind) for e in exchanges) + f" (slowest {slowest})")
    failed = [e for e in exchanges if not e.ok]
    if not failed:
        return Result(scenario.id, scenario.title, "pass", sent, received, exchanges=tuple(exchanges))
    first = failed[0]
    reason = why(first) if why else f"the {first.event_type} ({first.sent}) {advice.explain(first)}"
    return Result(scenario.id, scenario.title, "fail", sent, received, reason=reason, kind=first.error_kind,
                  fix=advice.fix_for(first) or fix or advice.generic(first), salesplay=RETRIED,
                  exchanges=tuple(exchanges))


def _described(p: Payload) -> str:
    return f"{p.type}: {p.about} ({size(len(p.body))})"


async def sample_post(ctx: Context, scenario: Scenario) -> Result:
    payload = ctx.shop.sample(ctx.types[0])
    result = judge(scenario, _described(payload), [await ctx.probe.send(payload, scenario.id)])
    return result if result.status == "pass" else replace(result, salesplay=(
        "sends this POST when a webhook is set up, to check its URL: that check fails"))


def single_event(type_: str) -> Callable[[Context, Scenario], Awaitable[Result]]:
    async def run(ctx: Context, scenario: Scenario) -> Result:
        payload = ctx.shop.event(type_)
        return judge(scenario, _described(payload), [await ctx.probe.send(payload, scenario.id)])

    return run


async def duplicate_back_to_back(ctx: Context, scenario: Scenario) -> Result:
    payload = ctx.shop.one(ctx.primary)
    first = await ctx.probe.send(payload, scenario.id)
    second = await ctx.probe.send(payload, scenario.id)

    def why(failed: Exchange) -> str:
        if failed is first:
            return f"the first of the two {advice.explain(first)}"
        return f"the same event again, right after a 2xx, {advice.explain(second)}"

    # The duplicate is the cause only when the first copy was taken: two 503s are a receiver down.
    return judge(scenario, f"{_described(payload)}, twice", [first, second], why=why,
                 fix=advice.DUPLICATE if first.ok else None)


async def duplicate_concurrent(ctx: Context, scenario: Scenario) -> Result:
    payload = ctx.shop.one(ctx.primary)
    both = list(await asyncio.gather(*(ctx.probe.send(payload, scenario.id, alone=False) for _ in range(2))))

    def why(failed: Exchange) -> str:
        other = both[1] if failed is both[0] else both[0]
        return f"of two deliveries of the same event at once, one {advice.explain(failed)}" + (
            f"; the other got {other.status}" if other.ok else "")

    return judge(scenario, f"{_described(payload)}, twice at once", both, why=why,
                 fix=advice.DUPLICATE if any(e.ok for e in both) else None)


async def out_of_order(ctx: Context, scenario: Scenario) -> Result:
    chain = [p for p in ctx.shop.related() if p.type in ctx.types]
    if "receipts.update" not in ctx.types or len({p.type for p in chain}) < 2:
        return Result(scenario.id, scenario.title, "skip", "nothing", "nothing", reason=(
            "needs receipts.update and inventory_levels.update or credit_note.update among the events checked"))
    chain.reverse()  # the receipt last: its stock change and its refund arrive before it
    receipt = chain[-1].about
    exchanges = [await ctx.probe.send(p, scenario.id) for p in chain]

    def why(failed: Exchange) -> str:
        if failed is exchanges[-1]:
            return f"the {receipt}, arriving after its stock change and refund, {advice.explain(failed)}"
        return f"the {failed.event_type} ({failed.sent}), sent before its {receipt}, {advice.explain(failed)}"

    sent = f"a sale and its refund, last first: {', '.join(p.type for p in chain[:-1])}, then {receipt}"
    return judge(scenario, sent, exchanges, why=why, fix=advice.ORDER if any(e.ok for e in exchanges) else None)


async def burst(ctx: Context, scenario: Scenario) -> Result:
    payloads = ctx.shop.burst(ctx.types, BURST)
    exchanges = list(await asyncio.gather(*(ctx.probe.send(p, scenario.id, alone=False) for p in payloads)))
    latency = Latency.of([e.ms for e in exchanges])
    kinds = sorted({p.type for p in payloads})
    sent = f"{BURST} deliveries at once ({', '.join(kinds)}), as after an outage"
    ok = sum(e.ok for e in exchanges)
    received = f"{ok} x 2xx" + (f", {BURST - ok} failed" if ok < BURST else "") + f"; {latency}"
    result = Result(scenario.id, scenario.title, "pass", sent, received, exchanges=tuple(exchanges), latency=latency)
    if ok < BURST:
        failed = [e for e in exchanges if not e.ok]
        return replace(result, status="fail", kind=failed[0].error_kind, salesplay=RETRIED,
                       reason=f"{len(failed)} of {BURST} at once failed: {advice.tally(failed)}",
                       fix=advice.fix_for(failed[0]) or advice.generic(failed[0]))
    if latency.p95_ms > SLOW_MS:
        return replace(result, status="warn", kind="slow", fix=advice.PROMPT, salesplay=advice.slow(ctx.probe.timeout),
                       reason=f"slow under a burst: 95% of answers within {duration(latency.p95_ms)}, "
                              f"above {duration(SLOW_MS)}")
    return result


async def unknown_fields(ctx: Context, scenario: Scenario) -> Result:
    payload, places = ctx.shop.with_new_fields(ctx.primary)
    plain = ctx.earlier(f"event:{ctx.primary}")

    def why(failed: Exchange) -> str:
        accepted = ", while it accepted the same event type without them" if plain and plain.status == "pass" else ""
        return f"a {failed.event_type} with fields it has never seen {advice.explain(failed)}{accepted}"

    sent = f"{_described(payload)} with a new field '{NEW_FIELD}' in {places}"
    sent_one = await ctx.probe.send(payload, scenario.id)
    # New fields are the cause when the plain event was taken, or the receiver refused the body (4xx).
    cause = (plain is not None and plain.status == "pass") or (sent_one.status or 0) // 100 == 4
    return judge(scenario, sent, [sent_one], why=why, fix=advice.UNKNOWN if cause else None)


def _large(type_: str, make: Callable[[CheckShop], Payload], what: str) -> Callable[[Context, Scenario],
                                                                                    Awaitable[Result]]:
    async def run(ctx: Context, scenario: Scenario) -> Result:
        if type_ not in ctx.types:
            return Result(scenario.id, scenario.title, "skip", "nothing", "nothing",
                          reason=f"{type_} is not among the events checked")
        payload = make(ctx.shop)

        def why(failed: Exchange) -> str:
            return f"{what} ({size(failed.size)}) {advice.explain(failed)}"

        return judge(scenario, _described(payload), [await ctx.probe.send(payload, scenario.id)], why=why,
                     fix=advice.LARGE)

    return run


async def answer_time(ctx: Context, scenario: Scenario) -> Result:
    sent = ctx.probe.alone
    if not sent:
        return Result(scenario.id, scenario.title, "skip", "nothing", "nothing", reason="no delivery was sent alone")
    timeout = ctx.probe.timeout
    late = [(s, e) for s, e in sent if e.error_kind == "timeout"]
    slowest_in, slowest = max(sent, key=lambda pair: pair[1].ms)
    what = f"the answers to the {len(sent)} deliveries sent one at a time"
    received = f"slowest {duration(slowest.ms)} ({slowest_in}); the delivery timeout is {timeout:g} s"
    result = Result(scenario.id, scenario.title, "pass", what, received, exchanges=(slowest,))
    if late:
        return replace(result, status="fail", kind="timeout", fix=advice.PROMPT, salesplay=RETRIED, reason=(
            f"{len(late)} got no answer within the {timeout:g} s delivery timeout ({', '.join(s for s, _ in late)})"))
    if slowest.ms > SLOW_MS:
        return replace(result, status="warn", kind="slow", fix=advice.PROMPT, salesplay=advice.slow(timeout),
                       reason=f"{slowest_in} took {duration(slowest.ms)}, above {duration(SLOW_MS)}")
    return result


def plan(types: tuple[str, ...]) -> list[Scenario]:
    """The scenarios for these event types, in the order they run."""

    def scenario(id_: str, title: str, run: Callable[[Context, Scenario], Awaitable[Result]]) -> Scenario:
        def bound(ctx: Context) -> Awaitable[Result]:
            return run(ctx, made)

        made = Scenario(id_, title, bound)
        return made

    return [
        scenario("sample_post", "the sample POST sent at set-up", sample_post),
        *(scenario(f"event:{t}", f"one {t}", single_event(t)) for t in EVENT_TYPES if t in types),
        scenario("duplicate_back_to_back", "the same event twice, one after the other", duplicate_back_to_back),
        scenario("duplicate_concurrent", "the same event twice at once", duplicate_concurrent),
        scenario("out_of_order", "related events out of order", out_of_order),
        scenario("burst", f"a burst of {BURST} deliveries at once", burst),
        scenario("unknown_fields", "fields the receiver has never seen", unknown_fields),
        scenario("large_receipt", f"a receipt of {LARGE_RECEIPT_LINES} lines",
                 _large("receipts.update", CheckShop.large_receipt, f"a receipt of {LARGE_RECEIPT_LINES} lines")),
        scenario("large_stock_count", f"a stock count of {LARGE_STOCK_COUNT:,} levels",
                 _large("inventory_levels.update", CheckShop.large_stock_count,
                        f"a stock count of {LARGE_STOCK_COUNT:,} levels")),
        scenario("answer_time", "answer time against the delivery timeout", answer_time),
    ]
