"""Where deliveries may go, checked on the addresses actually connected to, at delivery
time: public addresses only (``--public-urls-only``), and only the hosts of
``--deliver-only-to`` (compared by what they resolve to, not by how they are spelled).

Checking a webhook's URL when it is registered is not enough: a name can resolve to a
public address then and to 127.0.0.1 a moment later (DNS rebinding), and webhooks
registered before a flag was set are sent too. So the client's resolver refuses what the
rules refuse, and IP literals (which no resolver sees) are checked before connecting.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver, ResolveResult

from mockserver.webhook_rules import is_public

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class HostNotAllowed(OSError):
    """The host resolves only to addresses deliveries may not go to."""


class AddressGuard:
    def __init__(self, *, public_only: bool, only_to: tuple[str, ...], resolver: AbstractResolver) -> None:
        self.public_only = public_only
        self.only_to = only_to
        self.resolver = resolver

    @property
    def active(self) -> bool:
        return self.public_only or bool(self.only_to)

    async def refused(self, url: str) -> str | None:
        """Why a POST to ``url`` may not be made, for a host given as an IP address; None
        when it may (a host name is checked when the client resolves it)."""
        host = (urlsplit(url).hostname or "").lower()
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return None
        return await self.why_not(host, [address])

    async def why_not(self, host: str, addresses: list[Address]) -> str | None:
        """Why none of ``addresses`` (what ``host`` resolves to) may be connected to, or
        None when some may."""
        host = host.rstrip(".")  # the client asks for "example.com." (fully qualified)
        if self.public_only and not any(is_public(a) for a in addresses):
            shown = ", ".join(sorted({str(a) for a in addresses}))
            return f"{host} is {shown}, not a public address; the server delivers only to public ones"
        if self.not_listed(host) is not None:
            allowed = await self._allowed()
            if not any(a in allowed for a in addresses):
                return self.not_listed(host)
        return None

    def not_listed(self, host: str) -> str | None:
        """Why ``host`` is not one of the allowed hosts by name, if there is a list and it is not."""
        host = host.rstrip(".")
        if not self.only_to or host in self.only_to:
            return None
        return f"{host} is not one of the hosts deliveries may go to ({', '.join(self.only_to)})"

    def usable(self, addresses: list[Address]) -> list[Address]:
        """Of the addresses a host resolves to, those that may be connected to."""
        return [a for a in addresses if is_public(a)] if self.public_only else addresses

    async def _allowed(self) -> set[Address]:
        """What the allowed hosts resolve to now (a name may move, as containers do)."""
        found: set[Address] = set()
        for name in self.only_to:
            try:
                found.add(ipaddress.ip_address(name))
                continue
            except ValueError:
                pass
            try:
                found |= {ipaddress.ip_address(r["host"]) for r in await self.resolver.resolve(name, 0, socket.AF_UNSPEC)}
            except OSError:
                continue  # an allowed name that does not resolve allows nothing
        return found


class GuardedResolver(AbstractResolver):
    """The client's resolver, refusing what the guard refuses: a host that resolves only to
    addresses deliveries may not go to is a failed attempt of kind ``host_not_allowed``."""

    def __init__(self, guard: AddressGuard) -> None:
        self.guard = guard

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        try:
            results = await self.guard.resolver.resolve(host, port, family)
        except OSError:
            reason = self.guard.not_listed(host)
            if reason is not None:  # a name nobody allowed: that it does not resolve is beside the point
                raise HostNotAllowed(reason) from None
            raise
        addresses = [ipaddress.ip_address(r["host"]) for r in results]
        reason = await self.guard.why_not(host, addresses)
        if reason is not None:
            raise HostNotAllowed(reason)
        usable = {str(a) for a in self.guard.usable(addresses)}
        return [r for r in results if r["host"] in usable]

    async def close(self) -> None:
        await self.guard.resolver.close()
