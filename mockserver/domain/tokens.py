"""Tokens and merchants: a Bearer token names its merchant, and a server may accept only some."""

from __future__ import annotations

import hashlib


def owner_of_token(token: str) -> str:
    """The merchant a token names; only a digest of the token is ever stored."""
    return hashlib.sha256(token.encode()).hexdigest()[:24]


def well_formed(token: str) -> bool:
    """A Bearer token is printable ASCII without spaces (RFC 6750's token characters, loosely)."""
    return bool(token) and all("!" <= ch <= "~" for ch in token)


def accepted(token: str, tokens: tuple[str, ...]) -> bool:
    """Whether this server takes ``token``: any well-formed one, or one of ``tokens`` if set."""
    return well_formed(token) and (not tokens or token in tokens)
