"""Live parts that send only what changed. Each keyed piece of a live part (a delivery's
row, a webhook's row, an attempt, a payload) carries ``data-v``, a version: a short digest
of the data it was drawn from. The page's script says which versions it holds (the
``X-Have`` header); a piece whose version it holds is sent as an empty stub with
``data-same``, and the script keeps its own copy. Times in words are not part of a
version: the script rewrites them itself as the clock runs."""

from __future__ import annotations

import hashlib
import re

from aiohttp import web
from markupsafe import Markup

HAVE = "X-Have"
MOST = 500  # versions a client may say it holds (the page's script sends none past 6,000 characters)
_VERSION = re.compile(r"[0-9a-f]{10}")


def version(salt: str, *data: object) -> str:
    """The version of a piece drawn from ``data`` (frozen records, ids, strings): it
    changes when any of them does, and with ``salt`` (each server run draws anew)."""
    return hashlib.blake2b(repr((salt, data)).encode(), digest_size=5).hexdigest()


def held(request: web.Request) -> frozenset[str]:
    """The versions the page asking for a live part already has."""
    said = request.headers.get(HAVE, "").split(",")
    if len(said) > MOST:
        return frozenset()
    return frozenset(v for v in said if _VERSION.fullmatch(v))


def same(tag: str, id_: str, v: str) -> Markup:
    """The stub of a piece the page holds already: the script puts its own copy there."""
    return Markup('<{0} id="{1}" data-v="{2}" data-same></{0}>').format(Markup(tag), id_, v)
