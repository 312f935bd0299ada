"""Where deliveries may go, checked on the address each connection is actually made to:
public addresses only (``--public-urls-only``), and only the hosts of ``--deliver-only-to``
(compared by what they resolve to, not by how they are spelled).

Checking a webhook's URL when it is registered is not enough: a name can resolve to a
public address then and to 127.0.0.1 a moment later (DNS rebinding), webhooks registered
before a flag was set are sent too, and the client reads a host otherwise than a URL
parser does (``http://１２７.０.０.１/`` is 127.0.0.1 to yarl, which then asks no resolver).
So the one check sits in the client's connector, where every attempt's connection is
made: each address is judged before it is connected to, and the socket's peer after.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Any

import aiohttp
from aiohappyeyeballs import AddrInfoType
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.client_proto import ResponseHandler
from yarl import URL

from mockserver.domain.errors import InvalidField
from mockserver.domain.webhook_rules import is_public

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class HostNotAllowed(OSError):
    """The host is, or resolves only to, addresses deliveries may not go to."""


def _address(text: str) -> Address:
    """An address as a socket gives it; an IPv4-mapped IPv6 peer is its IPv4 address."""
    address = ipaddress.ip_address(text)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


class AddressGuard:
    def __init__(self, *, public_only: bool, only_to: tuple[str, ...], resolver: AbstractResolver) -> None:
        self.public_only = public_only
        self.only_to = tuple(h.rstrip(".").lower() for h in only_to)
        self.resolver = resolver

    @property
    def active(self) -> bool:
        return self.public_only or bool(self.only_to)

    def connector(self, **options: Any) -> aiohttp.TCPConnector:
        """The client's connector, which refuses what the guard refuses (a plain one when
        the guard has no rule)."""
        if not self.active:
            return aiohttp.TCPConnector(resolver=self.resolver, **options)
        return GuardedConnector(self, resolver=_NamesOnly(self), **options)

    async def why_not(self, host: str, addresses: list[Address]) -> str | None:
        """Why none of ``addresses`` may be connected to for a URL whose host is ``host``
        (as the client reads it), or None when one may."""
        host = host.rstrip(".").lower()
        shown = ", ".join(sorted({str(a) for a in addresses}))
        if self.public_only and not any(is_public(a) for a in addresses):
            return f"{host} is {shown}, not a public address; the server delivers only to public ones"
        if self.only_to and host not in self.only_to:
            allowed = await self._allowed()
            if not any(a in allowed and (is_public(a) or not self.public_only) for a in addresses):
                return self.not_listed(host)
        return None

    def not_listed(self, host: str) -> str | None:
        """Why ``host`` is not one of the allowed hosts by name, if there is a list and it is not."""
        host = host.rstrip(".").lower()
        if not self.only_to or host in self.only_to:
            return None
        return f"{host} is not one of the hosts deliveries may go to ({', '.join(self.only_to)})"

    async def refused_url(self, url: str) -> str | None:
        """Why a POST to ``url`` would be refused, judged before sending anything (the page's
        check says it beside its form); None when it may go, or the host does not resolve."""
        host = URL(url).raw_host or ""  # the host as the client will use it, not as typed
        try:
            addresses = [_address(host)]
        except ValueError:
            try:
                found = await self.resolver.resolve(host, 0, socket.AF_UNSPEC)
            except OSError:
                return self.not_listed(host)
            addresses = [_address(r["host"]) for r in found]
        return await self.why_not(host, addresses) if addresses else None

    async def _allowed(self) -> set[Address]:
        """What the allowed hosts resolve to now (a name may move, as containers do)."""
        found: set[Address] = set()
        for name in self.only_to:
            try:
                found.add(_address(name))
                continue
            except ValueError:
                pass
            try:
                found |= {_address(r["host"]) for r in await self.resolver.resolve(name, 0, socket.AF_UNSPEC)}
            except OSError:
                continue  # an allowed name that does not resolve allows nothing
        return found


class GuardedConnector(aiohttp.TCPConnector):
    """A connector that connects only to addresses the guard allows, for every connection
    whatever the URL's host looked like: the addresses are judged before connecting, and
    the socket's peer once connected (a refused one is closed before anything is sent)."""

    def __init__(self, guard: AddressGuard, **options: Any) -> None:
        super().__init__(**options)
        self._guard = guard

    async def _wrap_create_connection(
        self, *args: Any, req: aiohttp.ClientRequest, addr_infos: list[AddrInfoType] | None = None,
        **kwargs: Any,
    ) -> tuple[asyncio.Transport, ResponseHandler]:
        host = req.url.raw_host or ""  # the host as the client uses it, however the URL spelled it
        if addr_infos is not None:  # aiohttp 3.10 and later: the addresses about to be tried
            kwargs["addr_infos"] = await self._usable(req, host, addr_infos)
        transport, protocol = await super()._wrap_create_connection(*args, req=req, **kwargs)
        peer = transport.get_extra_info("peername")
        reason = await self._guard.why_not(host, [_address(str(peer[0]))]) if peer else f"{host}: no peer address"
        if reason is not None:  # closed before a byte of the request is written
            transport.abort()
            raise aiohttp.ClientConnectorError(req.connection_key, HostNotAllowed(reason))
        return transport, protocol

    async def _usable(self, req: aiohttp.ClientRequest, host: str,
                      addr_infos: list[AddrInfoType]) -> list[AddrInfoType]:
        """Of the addresses about to be tried, those the guard allows; none: refused."""
        usable = [info for info in addr_infos if await self._guard.why_not(host, [_address(str(info[4][0]))]) is None]
        if not usable:
            reason = await self._guard.why_not(host, [_address(str(info[4][0])) for info in addr_infos])
            raise aiohttp.ClientConnectorError(req.connection_key, HostNotAllowed(reason or host))
        return usable


class _NamesOnly(AbstractResolver):
    """The client's resolver, but a name that is not one of ``--deliver-only-to``'s and does
    not resolve is refused as not allowed: that it does not resolve is beside the point."""

    def __init__(self, guard: AddressGuard) -> None:
        self.guard = guard

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        try:
            return await self.guard.resolver.resolve(host, port, family)
        except OSError:
            reason = self.guard.not_listed(host)
            if reason is not None:
                raise HostNotAllowed(reason) from None
            raise

    async def close(self) -> None:
        await self.guard.resolver.close()


async def check_public(url: str) -> None:
    """SalesPlay needs a URL reachable from the internet: refuse non-public addresses. The
    host is judged as the client will read it (``１２７.０.０.１`` is 127.0.0.1 to it)."""
    host = URL(url).raw_host or ""
    try:
        addresses = {ipaddress.ip_address(host)}
    except ValueError:
        loop = asyncio.get_running_loop()
        try:
            infos = await asyncio.wait_for(loop.getaddrinfo(host, None, type=socket.SOCK_STREAM), 5)
        except (OSError, asyncio.TimeoutError):
            raise InvalidField(
                f"'url' host {host!r} does not resolve; SalesPlay needs a publicly reachable URL",
                field="url",
                code="url_not_public",
            ) from None
        addresses = {ipaddress.ip_address(info[4][0]) for info in infos}
    for address in addresses:
        if not is_public(address):
            raise InvalidField(
                f"'url' host {host!r} is {address}, which is not a public address "
                "(loopback, private, link-local, reserved or multicast, or one of those inside an IPv6 form); "
                "SalesPlay only posts to publicly reachable URLs",
                field="url",
                code="url_not_public",
                hint="public_urls_only",
            )
