"""What ``salesplay-mock record`` does: run the recorder until Ctrl-C or SIGTERM, saying
where it listens, where it keeps what arrives and where its page is; or, with ``--from``,
write recordings already made as fixtures."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from aiohttp import web

from mockserver.cli.commands import CommandFailed
from mockserver.cli.fidelity import checked_url
from mockserver.fidelity.fixtures import FixtureWriter
from mockserver.fidelity.recorder import RECORDER, RecordSettings, create_record_app
from mockserver.fidelity.recording import RecordedRequest
from mockserver.fidelity.report import printable
from mockserver.fidelity.sources import files_of, read
from mockserver.server.serve import CannotStart, listen_on


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def settings_from(args: argparse.Namespace) -> RecordSettings:
    if args.forward is not None:
        checked_url("--forward", args.forward)
        if args.status != 200 or args.fail_first:
            raise ValueError("--forward: the receiver's answer is SalesPlay's answer; leave out --status and --fail-first")
    if not 0 < args.forward_timeout <= 3600:
        raise ValueError(f"--forward-timeout: must be more than 0 and at most 3600 seconds, not {args.forward_timeout:g}")
    if not 0 < args.max_request_size <= args.max_session_size:
        raise ValueError("--max-request-size: must be more than 0 and at most --max-session-size")
    return RecordSettings(out=args.out, status=args.status, fail_first=args.fail_first,
                          max_request=args.max_request_size, max_session=args.max_session_size, forward=args.forward,
                          forward_timeout=args.forward_timeout, as_fixtures=args.as_fixtures)


def _prepare_out(out: Path) -> None:
    """A .jsonl path must be new; anything else is a folder (made by the recorder when missing)."""
    if out.suffix == ".jsonl":
        if out.exists():
            raise CommandFailed(f"--out {out}: exists already; give a new file, or a folder for a new session file")
        if not out.parent.is_dir():
            raise CommandFailed(f"--out {out}: the folder {out.parent} does not exist; create it first")
        return
    if out.exists() and not out.is_dir():
        raise CommandFailed(f"--out {out}: is a file; give a folder, or a new file ending in .jsonl")


def record(args: argparse.Namespace) -> int:
    if args.sources:
        return as_fixtures(args)
    settings = settings_from(args)
    _prepare_out(settings.out)
    try:
        sock = listen_on(args.host, args.port)
    except CannotStart as exc:
        raise CommandFailed(str(exc)) from None
    port = args.port if sock is None else sock.getsockname()[1]
    try:
        app = create_record_app(settings, log=_say)
    except OSError as exc:
        if sock is not None:
            sock.close()
        raise CommandFailed(f"--out {settings.out}: cannot write there ({(exc.strerror or str(exc)).lower()})") from None
    recorder = app[RECORDER]
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    answer = (f"forwarded to {settings.forward}" if settings.forward else f"answered {settings.status}"
              + (f" (500 to the first {settings.fail_first} attempt(s) of each payload)" if settings.fail_first else ""))

    def banner(_: str) -> None:
        _say(f"salesplay-mock record on http://{shown}:{port}/ : every request is kept in {recorder.writer.path} "
             f"and {answer}")
        _say("  point a SalesPlay webhook at this server through your tunnel (any path)"
             + ("" if settings.forward else "; nothing is forwarded anywhere"))
        _say(f"  this session's page: http://{shown}:{port}{recorder.page_path}")

    try:
        web.run_app(app, host=args.host if sock is None else None, port=args.port if sock is None else None,
                    sock=sock, print=banner, shutdown_timeout=3.0, access_log=None, auto_decompress=False)
    except OSError as exc:
        raise CommandFailed(f"--port {args.port}: cannot listen there ({(exc.strerror or str(exc)).lower()})") from None
    finally:
        if sock is not None:
            sock.close()
    _say(f"{recorder.requests} request(s) arrived, kept in {recorder.writer.path}"
         + (f"; {recorder.not_kept} not kept" if recorder.not_kept else "")
         + f". Compare them with the mock: salesplay-mock compare {recorder.writer.path}")
    return 0


def as_fixtures(args: argparse.Namespace) -> int:
    """``record --as-fixtures DIR --from RECORDING``: no server, the files written."""
    if args.as_fixtures is None:
        raise ValueError("--from: give --as-fixtures DIR too (the recordings' payloads are written there)")
    if args.as_fixtures.exists() and not args.as_fixtures.is_dir():
        raise CommandFailed(f"--as-fixtures {args.as_fixtures}: is a file; give a folder")
    writer = FixtureWriter(args.as_fixtures, limit=args.max_session_size)
    skipped: Counter[str] = Counter()
    try:
        for path in files_of(args.sources):
            for item in read(path):
                if isinstance(item, RecordedRequest):
                    made = writer.add(item)
                    if not isinstance(made, Path):
                        skipped[made] += 1
    except OSError as exc:
        raise CommandFailed(f"--as-fixtures {args.as_fixtures}: cannot write there "
                            f"({(exc.strerror or str(exc)).lower()})") from None
    _say(f"wrote {len(writer.files)} fixture(s) to {args.as_fixtures}")
    for why, n in skipped.most_common():
        _say(f"  skipped {n}: {printable(why, 200)}")
    return 0
