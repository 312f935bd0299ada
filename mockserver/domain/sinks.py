"""What the sinks received: a few receivers inside the mock, kept in memory, by name,
within a memory budget shared by all of them (the oldest request goes first).

A sink belongs to the token that made it: the one whose webhook first posts to it (its
URL named the sink when registered) or that first read it. Only that token reads or
clears it; anyone may post to it, as to any receiver. A sink nobody has claimed (made by
a post alone) is shared until a token reads it. Each token's sinks, and the unclaimed
ones, are counted apart: a flood of new names evicts only the flooder's own sinks."""

from __future__ import annotations

import re
import sys
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from mockserver.domain import plain_json

KEEP = 1000  # requests kept per sink
MAX_SINKS = 10_000  # sinks in all; past it the oldest goes, whoever made it
MAX_SINKS_EACH = 100  # sinks of one token (and unclaimed ones, together); past it their oldest goes
MAX_NAME = 100
_SINK_PATH = re.compile(r"/_mock/sink/([^/?#]+)$")
BODY_KEPT = 64 * 1024  # bytes of each request body kept; the rest is dropped, and says so
BODY_READ = 32 * 1024 * 1024  # bytes of a request body a sink reads (counting, not keeping, past BODY_KEPT)
OVERHEAD = 256  # bytes a kept request costs beyond its body and headers, roughly


@dataclass
class Received:
    seq: int  # across all sinks: which came first
    n: int
    received_at: str
    method: str
    headers: dict[str, str]
    body: bytes  # as received, up to BODY_KEPT bytes of it; made text when read
    truncated: bool

    @property
    def size(self) -> int:
        """The bytes this request holds in memory, as Python holds them (a text with one
        character outside Latin-1 takes 2 or 4 bytes for each of its characters)."""
        return (sys.getsizeof(self.body) + sys.getsizeof(self.headers)
                + sum(sys.getsizeof(k) + sys.getsizeof(v) for k, v in self.headers.items()) + OVERHEAD)

    def to_json(self) -> dict[str, Any]:
        text = self.body.decode("utf-8", errors="replace")
        body: Any = text
        if not self.truncated:
            try:  # shown as JSON when it is JSON the answer can carry; as text otherwise
                body = plain_json.loads(self.body)
            except plain_json.NotPlainJson:
                pass
        return {"n": self.n, "received_at": self.received_at, "method": self.method, "headers": self.headers,
                "body": body, "body_truncated": self.truncated}


@dataclass
class Sink:
    owner: str | None = None  # the merchant that made it; None: nobody has claimed it yet
    requests: int = 0
    received: deque[Received] = field(default_factory=deque)


class Sinks:
    def __init__(self, budget: int) -> None:
        self.budget = budget  # bytes all kept requests may take together
        self.used = 0
        self._sinks: dict[str, Sink] = {}
        self._seq = 0
        self._kept = 0  # requests kept, all sinks
        # (seq, sink) of every request kept, oldest first; an entry whose request is gone
        # already is skipped when it comes first, and the queue is rebuilt when such
        # entries outnumber the live ones.
        self._arrivals: deque[tuple[int, Sink]] = deque()

    def find(self, name: str) -> Sink | None:
        return self._sinks.get(name)

    def get(self, name: str, owner: str | None = None) -> Sink:
        """The sink of that name, made (for ``owner``) if there is none."""
        sink = self._sinks.get(name)
        if sink is None:
            mine = [n for n, s in self._sinks.items() if s.owner == owner]
            if len(mine) >= MAX_SINKS_EACH:
                self.clear(mine[0])  # this token's (or the unclaimed') oldest
            if len(self._sinks) >= MAX_SINKS:
                self.clear(next(iter(self._sinks)))  # the oldest of all
            sink = self._sinks[name] = Sink(owner)
        return sink

    def claim(self, name: str, owner: str) -> bool:
        """``owner`` makes the sink, or claims it if nobody has; whether it is now theirs."""
        sink = self.get(name, owner)
        if sink.owner is None:
            sink.owner = owner
        return sink.owner == owner

    def claim_url(self, url: str, owner: str) -> dict[str, str] | None:
        """A webhook of ``owner``'s posts to ``url``: if that is a sink, it is theirs (a
        warning when another token's it is)."""
        found = _SINK_PATH.search(urlsplit(url).path)
        name = unquote(found.group(1)) if found else ""
        if not name or len(name) > MAX_NAME or self.claim(name, owner):
            return None
        return {"code": "sink_of_another_token",
                "message": f"the sink {name!r} belongs to another token: it takes these deliveries, but only that "
                           "token can read them; choose another name"}

    def record(self, name: str, *, method: str, headers: dict[str, str], body: bytes, at: str,
               truncated: bool = False) -> Sink:
        """A request arrived: count it, and keep it (its body cut at BODY_KEPT; ``truncated``:
        it was cut already), dropping the oldest kept requests, of any sink, until all fit
        the budget."""
        sink = self.get(name)
        sink.requests += 1
        self._seq += 1
        kept = Received(self._seq, sink.requests, at, method, headers, body[:BODY_KEPT],
                        truncated or len(body) > BODY_KEPT)
        sink.received.append(kept)
        self._arrivals.append((kept.seq, sink))
        self.used += kept.size
        self._kept += 1
        if len(sink.received) > KEEP:
            self._forget_oldest(sink)
        while self.used > self.budget and (oldest := self._oldest()) is not None:
            self._forget_oldest(oldest)
        if len(self._arrivals) > 2 * self._kept + 1024:
            self._arrivals = deque(sorted(((r.seq, s) for s in self._sinks.values() for r in s.received),
                                          key=lambda entry: entry[0]))
        return sink

    def _oldest(self) -> Sink | None:
        """The sink whose oldest kept request is the oldest of all."""
        while self._arrivals:
            seq, sink = self._arrivals[0]
            if sink.received and sink.received[0].seq == seq:
                return sink
            self._arrivals.popleft()
        return None

    def _forget_oldest(self, sink: Sink) -> None:
        self.used -= sink.received.popleft().size
        self._kept -= 1

    def clear(self, name: str) -> None:
        sink = self._sinks.pop(name, None)
        if sink is not None:
            self.used -= sum(r.size for r in sink.received)
            self._kept -= len(sink.received)
            sink.received.clear()
