"""Files made from code (the receiver schemas, the REST API's schemas, parts of
openapi.json, the docs' operation tables): each generator's command line, which writes them,
or with ``--check`` says which are stale and changes nothing."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path


def generator_main(prog: str, about: str, made: Callable[[], dict[Path, str]], argv: list[str] | None = None) -> int:
    """``python -m <prog> [--check]``: write what ``made`` gives (path: text), or check it."""
    parser = argparse.ArgumentParser(prog=f"python -m {prog}", description=about)
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 naming each file that is not what the code makes")
    args = parser.parse_args(argv)
    files = made()
    stale = [path for path, text in files.items() if not path.exists() or path.read_text("utf-8") != text]
    if args.check:
        for path in stale:
            print(f"stale: {path} (run python -m {prog})")
        return 1 if stale else 0
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files[path], encoding="utf-8")
        print(f"wrote {path}")
    return 0

