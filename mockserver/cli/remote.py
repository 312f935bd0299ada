"""The command line's calls to a running mock: its address from --server, a JSON POST, and
what went wrong said in one line naming --server (unreachable, refused in the mock's own
words, or not the mock at all)."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from mockserver.cli.commands import CommandFailed


def server_url(text: str) -> str:
    """The mock's base URL from ``host:port``, ``host`` or a URL; a ValueError naming
    --server when it cannot be one."""
    raw = text.strip()
    url = raw if "://" in raw else f"http://{raw}"
    try:
        parts = urllib.parse.urlsplit(url)
        port_ok = parts.port is None or 0 < parts.port
    except ValueError:  # an unclosed [IPv6 or a port out of range
        parts, port_ok = urllib.parse.urlsplit(""), False
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok:
        raise ValueError(f"--server: {text!r} is not the mock's address; give host:port "
                         "(127.0.0.1:8080) or a URL (http://127.0.0.1:8080)")
    return url.rstrip("/")


def post_json(server: str, token: str, path: str, body: dict[str, Any], key: str) -> dict[str, Any]:
    """The mock's answer to a POST, which has the list ``key``; a CommandFailed naming
    --server when it cannot be reached, refuses (in its own words), or is not the mock."""
    base = server_url(server)
    request = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST", headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as resp:
            answer = json.loads(resp.read())
        if not isinstance(answer, dict) or not isinstance(answer[key], list):
            raise TypeError(key)
    except urllib.error.HTTPError as exc:
        raise CommandFailed(f"--server {base}: the mock refused: {_refusal(exc)}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        raise CommandFailed(f"--server {base}: cannot reach it ({_reason(reason)}); "
                            "is 'salesplay-mock serve' running?") from None
    except (ValueError, KeyError, TypeError):
        raise CommandFailed(f"--server {base}: what answered is not salesplay-mock; check the address") from None
    return answer


def _refusal(exc: urllib.error.HTTPError) -> str:
    """The mock's own JSON error, as words: '401 invalid_token: this access token ...'."""
    try:
        error = json.loads(exc.read())["error"]
        field = f" (field {error['field']})" if error.get("field") else ""
        return f"{exc.code} {error['code']}: {error['message']}{field}"
    except (ValueError, KeyError, TypeError):
        return f"{exc.code} {exc.reason}"


def _reason(reason: object) -> str:
    if isinstance(reason, socket.timeout):
        return "no answer within 60 s"
    if isinstance(reason, socket.gaierror):
        return "no such host"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    return str(reason)
