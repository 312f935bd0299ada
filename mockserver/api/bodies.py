"""Request bodies, bounded: each arrives within a deadline, and a compressed one is
unpacked only as far as the limit it will be held to.

A body that trickles in (two bytes of a hundred promised, then nothing) would hold its
connection, and a file descriptor, for as long as the client likes: past BODY_TIMEOUT the
request is answered 408. aiohttp's own unpacking is off (``auto_decompress``): it would
unpack a gzip bomb whole, while a JSON body is held to 64 KiB and a sink keeps 64 KiB.
"""

from __future__ import annotations

import asyncio
import zlib
from typing import Any

from aiohttp import web

from mockserver.api.errors import ApiError, BodyTimeout, PayloadTooLarge, UnsupportedMediaType, error_response

BODY_TIMEOUT = 10.0  # real seconds a request's body has to arrive, from the request's head
HANDLER_ARGS = {"auto_decompress": False}  # the app's server settings: bodies are unpacked here
# zlib's window bits: gzip, and zlib-wrapped deflate (what "deflate" means in HTTP); raw
# deflate (what some clients send as "deflate") is tried when the wrapped form fails.
_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


class _Stalled(asyncio.TimeoutError):
    """Set on a body's stream at its deadline: whatever reads the body stops with it (and
    aiohttp's own read of what is left, after the answer, takes it for the timeout it is)."""


@web.middleware
async def body_deadline(request: web.Request, handler: Any) -> web.StreamResponse:
    """A body not complete BODY_TIMEOUT seconds after its request began fails whatever is
    reading it: the answer is a 408, and the connection ends with it."""
    content = request.content
    if not request.body_exists or content.is_eof():
        response: web.StreamResponse = await handler(request)
        return response

    def too_slow() -> None:
        if not content.is_eof():
            content.set_exception(_Stalled())

    timer = asyncio.get_running_loop().call_later(BODY_TIMEOUT, too_slow)
    try:
        response = await handler(request)
        return response
    except _Stalled:
        answer = error_response(BodyTimeout(
            f"the request body did not arrive within {BODY_TIMEOUT:g} s; send it at once", field="body"))
        answer.force_close()
        return answer
    finally:
        timer.cancel()


class Unpacker:
    """A body's bytes as sent, unpacked as its Content-Encoding says, and at most ``limit``
    bytes of it (plus one, to know there was more): what lies past it is never unpacked."""

    def __init__(self, encoding: str | None, limit: int) -> None:
        self.encoding = (encoding or "identity").strip().lower()
        if self.encoding not in ("identity", *_WBITS):
            raise UnsupportedMediaType(f"Content-Encoding {self.encoding!r} is not supported; send the body as it "
                                       "is, or gzip or deflate it", field="Content-Encoding")
        self.limit = limit
        self.out = bytearray()
        self._raw = self.encoding == "deflate"  # the first bytes decide: wrapped or raw deflate
        self._zlib = zlib.decompressobj(_WBITS[self.encoding]) if self.encoding in _WBITS else None

    @property
    def over(self) -> bool:
        return len(self.out) > self.limit

    def feed(self, chunk: bytes) -> None:
        room = self.limit + 1 - len(self.out)
        if room <= 0 or not chunk:
            return
        if self._zlib is None:
            self.out += chunk[:room]
            return
        try:
            self.out += self._zlib.decompress(self._zlib.unconsumed_tail + chunk, room)
        except zlib.error:
            if not (self._raw and not self.out):
                raise self._broken() from None
            self._raw, self._zlib = False, zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, from the start
            self.feed(chunk)
            return
        self._raw = False

    def finish(self) -> bytes:
        """What was unpacked, once every byte was fed; a stream cut short is no body."""
        if self._zlib is not None and not self.over and not self._zlib.eof:
            raise self._broken()  # cut short: the stream never ended
        return bytes(self.out)

    def _broken(self) -> ApiError:
        return ApiError(f"the request body is not valid {self.encoding} data, as its Content-Encoding says",
                        field="Content-Encoding", code="bad_content_encoding")


async def read_body(request: web.Request, limit: int) -> bytes:
    """The whole body, unpacked, of at most ``limit`` bytes (413 past it)."""
    unpacker = Unpacker(request.headers.get("Content-Encoding"), limit)
    unpacker.feed(await request.read())  # as sent, bounded by the app's client_max_size
    body = unpacker.finish()
    if unpacker.over:
        raise PayloadTooLarge(f"the request body unpacks to more than the {limit // 1024} KiB this server "
                              "accepts; send a smaller one", field="body")
    return body
