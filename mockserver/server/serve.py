"""Run the server until SIGINT or SIGTERM; stop fast, keeping everything pending.

Exit status: 0 after SIGTERM or Ctrl-C; 1 when it cannot start (the port, the database,
the ready file: one line on stderr names the flag); 2 for a bad command line (``cli/__init__.py``).
"""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
import sys

from aiohttp import web

from mockserver import __version__
from mockserver.domain.config import Config
from mockserver.domain.durations import compact, human
from mockserver.server import keys, ready
from mockserver.server.app import create_app


class CannotStart(Exception):
    """The server cannot listen where it was told; the message names the flag and says why."""


def serve(config: Config) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    problem = ready.check_ready_file(config.ready_file)
    if problem:
        raise CannotStart(problem)
    more_open_files()
    # Listening is checked before the database is touched: a port in use leaves no file behind.
    sock = listen_on(config.host, config.port)
    port = config.port if sock is None else sock.getsockname()[1]
    shown = "127.0.0.1" if config.host in ("0.0.0.0", "::") else config.host
    clock = config.clock if config.clock != "scaled" else f"scaled x{config.time_scale:g}"
    if config.clock == "scaled":
        window = config.retry_window
        real = window / config.time_scale
        took = human(real) if real >= 10 else f"{real:.2g}s"
        clock += f" ({compact(window)} of retries in {took})"

    app = create_app(config, hold_deliveries=True)

    def banner(_: str) -> None:
        """The server listens: say where, and start delivering (a webhook aimed at this
        server's own sink would otherwise meet a closed port)."""
        print(
            f"salesplay-mock on http://{shown}:{port}/  (API http://{shown}:{port}/v1.0, "
            f"db {config.db}, clock {clock}, version {__version__})",
            file=sys.stderr,
            flush=True,
        )
        note = scale_warning(config)  # once the server is up: a failed start ends on its one error line
        if note:  # the defaults give it too: a hang test at 720x gets far fewer than 200 attempts
            logging.getLogger("salesplay_mock").warning("%s", note)
        app[keys.running].release()
        announcing.append(asyncio.get_running_loop().create_task(_announce_when_ready(app, config, port)))

    announcing: list[asyncio.Task[None]] = []  # held, so the task is not collected half-way
    loop, loop_name = event_loop(config.loop)
    clock += f", {loop_name} loop"
    try:
        web.run_app(app, host=config.host if sock is None else None, port=config.port if sock is None else None,
                    sock=sock, print=banner, shutdown_timeout=3.0, access_log=None, loop=loop)
    except OSError as exc:  # taken between the check and the start: another program was quicker
        raise CannotStart(bind_problem(config.host, config.port, exc)) from None
    finally:
        if sock is not None:
            sock.close()
        ready.withdraw(config)
    return 0


async def _announce_when_ready(app: web.Application, config: Config, port: int) -> None:
    """The ready line, once the engine is wired (until then requests wait at the door). An
    engine that cannot start prints none: its error is in the log, and /healthz says so."""
    state = app[keys.running]
    await state.booted.wait()
    if state.failure is not None:
        return
    try:
        ready.announce(config, port)
    except OSError as exc:
        logging.getLogger("salesplay_mock").error("--ready-file %s: cannot write it: %s", config.ready_file, exc)


def more_open_files() -> None:
    """Raise this process's limit on open files to what the system allows it: at the
    common default of 1,024, as many clients holding a connection open would leave none
    for /healthz (each connection is a file). Bodies that never arrive are cut off anyway."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else 1 << 20
    if soft != resource.RLIM_INFINITY and soft < want:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
        except (ValueError, OSError):  # macOS caps it lower than it says: keep what there is
            pass


def listen_on(host: str, port: int) -> socket.socket | None:
    """Check that the server can listen on ``host``:``port``, in words when it cannot. Port
    0 asks for any free port: the socket bound is returned, so the banner can say which."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        raise CannotStart(bind_problem(host, port, exc)) from None
    family, kind, proto, _, address = infos[0]
    probe = socket.socket(family, kind, proto)
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server itself binds
        probe.bind(address)
    except OSError as exc:
        probe.close()
        raise CannotStart(bind_problem(host, port, exc)) from None
    if port == 0:
        probe.listen()
        return probe
    probe.close()
    return None


def bind_problem(host: str, port: int, exc: OSError | UnicodeError) -> str:
    if isinstance(exc, (socket.gaierror, UnicodeError)):
        return f"--host {host}: no such host or address here; use an address such as 127.0.0.1 or 0.0.0.0"
    if exc.errno == errno.EADDRINUSE:
        return (f"--port {port}: another program is already listening on {host}:{port}; stop it, "
                "or choose another --port")
    if exc.errno == errno.EACCES:
        return f"--port {port}: not allowed to listen on it (ports below 1024 need root); choose a port above 1023"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"--host {host}: not an address of this machine; use 127.0.0.1, 0.0.0.0 or one of its own"
    return f"--host {host} --port {port}: cannot listen there: {(exc.strerror or str(exc)).lower()}"


def scale_warning(config: Config) -> str | None:
    """What a scale does to a slow receiver, when it breaks the schedule: at 720x a 10 s
    timeout is 2 simulated hours, longer than the largest gap between two attempts."""
    if (config.clock != "scaled" or config.max_attempts < 2
            or config.delivery_timeout * config.time_scale <= config.schedule.largest_gap):
        return None
    return (f"at x{config.time_scale:g}, a receiver that takes the whole --delivery-timeout "
            f"({config.delivery_timeout:g} s) uses {human(config.delivery_timeout * config.time_scale)} of simulated "
            f"time per attempt, more than the schedule's largest gap ({human(config.schedule.largest_gap)}): such "
            f"a receiver gets fewer than {config.max_attempts} attempts before the retry window ends. For hang "
            "tests, lower --delivery-timeout or --time-scale, or use --clock manual")


def event_loop(choice: str) -> tuple[asyncio.AbstractEventLoop, str]:
    """The loop to serve on: uvloop when asked for or, by default, when installed."""
    if choice != "asyncio":
        try:
            import uvloop
        except ImportError:
            if choice == "uvloop":
                raise CannotStart("--loop uvloop (or SALESPLAY_MOCK_LOOP=uvloop): uvloop is not installed; "
                                  "pip install 'salesplay-mock[fast]'") from None
        else:
            return uvloop.new_event_loop(), "uvloop"
    return asyncio.new_event_loop(), "asyncio"
