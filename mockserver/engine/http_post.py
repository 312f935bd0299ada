"""One POST to a receiver, whatever it does: every outcome becomes an Outcome, never an exception."""

from __future__ import annotations

import asyncio
import ssl
import sys
import time
from collections.abc import Callable

import aiohttp
from yarl import URL

from mockserver.domain.models import Outcome
from mockserver.engine.address_guard import HostNotAllowed

MAX_HEADERS_KEPT = 100
# Past the part kept, the rest of an answer is read and dropped, as a real client would,
# up to this much: a body that goes on beyond it is a failed attempt, not a memory leak.
MAX_DRAINED = 16 * 1024 * 1024


# What aiohttp would otherwise add by itself; said here, so the attempt log has every header sent.
ACCEPT = {"Accept": "*/*", "Accept-Encoding": "gzip, deflate"}


class EndlessBody(Exception):
    pass


def as_sent(url: str, headers: dict[str, str], body: bytes) -> dict[str, str]:
    """Every header of the POST, in the order it goes on the wire: ``Host`` as aiohttp writes
    it (from the URL, the port only when it is not the scheme's), ``headers``, then what a
    client adds, ``Accept``, ``Accept-Encoding`` and ``Content-Length``. Given all of them,
    aiohttp adds nothing of its own."""
    host = URL(url).host_port_subcomponent
    return {**({"Host": host} if host else {}), **headers, **ACCEPT, "Content-Length": str(len(body))}


async def post(
    session: aiohttp.ClientSession,
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    timeout: float,
    body_limit: int,
) -> Outcome:
    started = time.perf_counter()

    def elapsed() -> float:
        return round((time.perf_counter() - started) * 1000, 3)

    try:
        # The timeout bounds the whole exchange, body included, whatever the receiver stalls on.
        exchange = _exchange(session, url, body, headers, body_limit, elapsed)
        if sys.version_info >= (3, 11):
            async with asyncio.timeout(timeout):  # no extra task per attempt, unlike wait_for
                return await exchange
        return await asyncio.wait_for(exchange, timeout)  # pragma: no cover - Python 3.10
    except asyncio.TimeoutError:
        return _failed(elapsed(), "timeout", f"no complete answer within {timeout:g} s")
    except EndlessBody:
        return _failed(elapsed(), "body_too_large", f"the answer went on past {MAX_DRAINED // 2**20} MiB")
    except aiohttp.ClientConnectorDNSError as exc:
        if isinstance(exc.os_error, HostNotAllowed):  # resolved, to where deliveries may not go
            return _failed(elapsed(), "host_not_allowed", str(exc.os_error))
        return _failed(elapsed(), "dns", f"the host {exc.host} could not be found ({_reason(exc.os_error)})")
    except aiohttp.ClientConnectorCertificateError as exc:
        return _failed(elapsed(), "tls", f"the receiver's TLS certificate was not accepted: {_reason(exc.certificate_error)}")
    except aiohttp.ClientConnectorSSLError as exc:
        return _failed(elapsed(), "tls", f"the TLS handshake with {exc.host}:{exc.port} failed: {_reason(exc.os_error)}")
    except (aiohttp.ClientSSLError, ssl.SSLError) as exc:
        return _failed(elapsed(), "tls", f"TLS failed: {_reason(exc)}")
    except aiohttp.ClientConnectorError as exc:
        if isinstance(exc.os_error, HostNotAllowed):  # the connector refused the address
            return _failed(elapsed(), "host_not_allowed", str(exc.os_error))
        return _failed(elapsed(), "connection_refused", _connect_failed(exc))
    except aiohttp.ServerDisconnectedError as exc:
        return _failed(elapsed(), "connection_closed", f"the receiver closed the connection: {exc}")
    except aiohttp.ClientPayloadError as exc:
        return _failed(elapsed(), "broken_body", f"the response body was cut off or malformed: {exc}")
    except aiohttp.ClientResponseError as exc:
        return _failed(elapsed(), "bad_http", f"the receiver did not speak valid HTTP: {exc.message}")
    except aiohttp.InvalidURL as exc:
        return _failed(elapsed(), "invalid_url", str(exc))
    except (aiohttp.ClientOSError, ConnectionError) as exc:
        return _failed(elapsed(), "connection_reset", str(exc) or type(exc).__name__)
    except aiohttp.ClientError as exc:
        return _failed(elapsed(), "client_error", f"{type(exc).__name__}: {exc}")


async def _exchange(
    session: aiohttp.ClientSession,
    url: str,
    body: bytes,
    headers: dict[str, str],
    body_limit: int,
    elapsed: Callable[[], float],
) -> Outcome:
    async with session.post(url, data=body, headers=headers, allow_redirects=False) as resp:
        kept, truncated = await _read_bounded(resp, body_limit)
        response_headers: dict[str, str] = {}
        for name, value in list(resp.headers.items())[:MAX_HEADERS_KEPT]:
            response_headers[name] = f"{response_headers[name]}, {value}" if name in response_headers else value
        if truncated:
            await _drain(resp)
        duration = elapsed()
        status = resp.status
        text = kept.decode("utf-8", errors="replace")
        if 200 <= status < 300:
            return Outcome("succeeded", duration, status, response_headers, text, truncated)
        if 300 <= status < 400:
            where = resp.headers.get("Location", "nowhere")
            kind, message = "redirect", f"the receiver redirected ({status}) to {where}; SalesPlay does not follow redirects"
        else:
            kind, message = "http_status", f"the receiver answered {status}, not 2xx"
        return Outcome("failed", duration, status, response_headers, text, truncated, kind, message)


async def _read_bounded(resp: aiohttp.ClientResponse, limit: int) -> tuple[bytes, bool]:
    """Up to ``limit`` bytes of the answer, and whether there was more."""
    content = resp.content
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = await content.read(limit + 1 - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if content.at_eof():  # the usual short answer: no extra read to learn it ended
            break
    kept = b"".join(chunks)
    return kept[:limit], size > limit


async def _drain(resp: aiohttp.ClientResponse) -> None:
    """Read what is left of the answer without keeping it."""
    drained = 0
    while chunk := await resp.content.readany():
        drained += len(chunk)
        if drained > MAX_DRAINED:
            resp.close()
            raise EndlessBody


def _reason(error: BaseException) -> str:
    """What went wrong, without the library's wrapping (``ssl:default [Connect call failed ...]``)."""
    for name in ("verify_message", "reason", "strerror"):
        text = getattr(error, name, None)
        if isinstance(text, str) and text:
            return text.replace("_", " ").lower() if name == "reason" else text.lower()
    return str(error) or type(error).__name__


def _connect_failed(exc: aiohttp.ClientConnectorError) -> str:
    where = f"{exc.host}:{exc.port}"
    if isinstance(exc.os_error, ConnectionRefusedError):
        return f"nothing accepted the connection at {where} (connection refused): is the receiver running there?"
    return f"could not connect to {where}: {_reason(exc.os_error)}"


def _failed(duration: float, kind: str, message: str) -> Outcome:
    return Outcome("failed", duration, error_kind=kind, error_message=message)
