"""An attempt as a curl command that sends the same request again: the same method, URL,
headers and body bytes, for replaying a delivery by hand from a terminal."""

from __future__ import annotations

import shlex

from mockserver.domain.models import Attempt

# curl writes these itself from the URL and the body, with the values the attempt had.
CURL_WRITES = {"host", "content-length"}


def curl(attempt: Attempt, body: str) -> str:
    """A bash command line: ``--http1.1`` as the engine speaks, every header as it was sent
    (curl's own Accept and User-Agent are replaced by them), no ``Expect: 100-continue`` that
    curl would add to a large body, and the body byte for byte."""
    lines = [f"curl --http1.1 -X POST {shlex.quote(attempt.url)}"]
    lines += [f"-H {shlex.quote(f'{name}: {value}')}" for name, value in attempt.request_headers.items()
              if name.lower() not in CURL_WRITES]
    lines += ["-H 'Expect:'", f"--data-binary {shlex.quote(body)}"]
    return " \\\n  ".join(lines)
