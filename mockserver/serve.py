"""Run the server until SIGINT or SIGTERM; stop fast, keeping everything pending."""

from __future__ import annotations

import logging
import sys

from aiohttp import web

from mockserver.app import create_app
from mockserver.config import Config
from mockserver.schedule import human


def serve(config: Config) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    shown = "127.0.0.1" if config.host in ("0.0.0.0", "::") else config.host
    clock = config.clock if config.clock != "scaled" else f"scaled x{config.time_scale:g}"
    if config.clock == "scaled":
        clock += f" (48h of retries in {human(48 * 3600 / config.time_scale)})"

    def banner(_: str) -> None:
        print(
            f"salesplay-mock on http://{shown}:{config.port}/  (API http://{shown}:{config.port}/v1.0, "
            f"db {config.db}, clock {clock})",
            file=sys.stderr,
            flush=True,
        )

    web.run_app(
        create_app(config),
        host=config.host,
        port=config.port,
        print=banner,
        shutdown_timeout=3.0,
        access_log=None,
    )
    return 0
