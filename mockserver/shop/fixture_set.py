"""The committed fixture payloads (``fixtures/`` in the repository), as the package ships them.

The wheel carries them inside the package (``mockserver/fixtures``); a checkout reads the
repository's top-level folder. ``salesplay-mock fixtures`` writes them out and
``GET /_mock/fixtures/{type}`` serves them, so a ``pip install`` user has what the README links.
"""

from __future__ import annotations

import json
import shutil
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from mockserver.domain.vocabulary import EVENT_TYPES

MANIFEST = "MANIFEST.json"


def fixtures_dir() -> Path:
    """Inside the installed package, or the repository's fixtures/ when running from a checkout."""
    packaged = Path(str(resources.files("mockserver"))) / "fixtures"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / "fixtures"


@cache
def manifest() -> dict[str, Any]:
    """How the set was made: ``seed``, ``count``, ``locale`` and the ``faker`` version."""
    found: dict[str, Any] = json.loads((fixtures_dir() / MANIFEST).read_text("utf-8"))
    return found


def fixture_files(type_: str) -> list[Path]:
    """The files of one event type, in their order (0001.json, 0002.json...)."""
    return sorted((fixtures_dir() / type_).glob("*.json"))


@cache
def fixtures(type_: str) -> tuple[dict[str, Any], ...]:
    """The payloads of one event type, in the files' order."""
    return tuple(json.loads(path.read_text("utf-8")) for path in fixture_files(type_))


def copy_fixtures(out: Path, types: tuple[str, ...] = EVENT_TYPES) -> int:
    """Write ``out/MANIFEST.json`` and ``out/TYPE/0001.json``... byte for byte as committed;
    returns how many payload files. An OSError is the caller's to name."""
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(fixtures_dir() / MANIFEST, out / MANIFEST)
    written = 0
    for type_ in types:
        (out / type_).mkdir(exist_ok=True)
        for path in fixture_files(type_):
            shutil.copyfile(path, out / type_ / path.name)
            written += 1
    return written
