"""Run the server until SIGINT or SIGTERM; stop fast, keeping everything pending."""

from __future__ import annotations

import logging
import sys

from aiohttp import web

from mockserver import keys
from mockserver.app import create_app
from mockserver.config import Config
from mockserver.durations import human


def serve(config: Config) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    shown = "127.0.0.1" if config.host in ("0.0.0.0", "::") else config.host
    clock = config.clock if config.clock != "scaled" else f"scaled x{config.time_scale:g}"
    if config.clock == "scaled":
        clock += f" (48h of retries in {human(48 * 3600 / config.time_scale)})"

    app = create_app(config, hold_deliveries=True)

    def banner(_: str) -> None:
        """The server listens: say where, and start delivering (a webhook aimed at this
        server's own sink would otherwise meet a closed port)."""
        print(
            f"salesplay-mock on http://{shown}:{config.port}/  (API http://{shown}:{config.port}/v1.0, "
            f"db {config.db}, clock {clock})",
            file=sys.stderr,
            flush=True,
        )
        warning = scale_warning(config)
        if warning:
            logging.getLogger("salesplay_mock").warning("%s", warning)
        app[keys.engine].scheduler.release()

    web.run_app(
        app,
        host=config.host,
        port=config.port,
        print=banner,
        shutdown_timeout=3.0,
        access_log=None,
    )
    return 0


def scale_warning(config: Config) -> str | None:
    """What a scale does to a slow receiver, when it breaks the schedule: at 720x a 10 s
    timeout is 2 simulated hours, longer than the largest gap between two attempts."""
    if config.clock != "scaled" or config.delivery_timeout * config.time_scale <= config.schedule.largest_gap:
        return None
    return (f"at x{config.time_scale:g}, a receiver that takes the whole --delivery-timeout "
            f"({config.delivery_timeout:g} s) uses {human(config.delivery_timeout * config.time_scale)} of simulated "
            f"time per attempt, more than the schedule's largest gap ({human(config.schedule.largest_gap)}): such "
            f"a receiver gets fewer than {config.max_attempts} attempts before the retry window ends. For hang "
            "tests, lower --delivery-timeout or --time-scale, or use --clock manual")
