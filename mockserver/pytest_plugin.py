"""pytest plugin: a fake SalesPlay in a receiver's own test suite.

Fixtures (registered through the ``pytest11`` entry point, so installing salesplay-mock is
enough):

- ``salesplay``: for ordinary tests. The mock runs on its own loop in a thread, with a
  manual clock, a fixed seed and an in-memory database; closed after the test.
- ``salesplay_async``: the same inside the test's own event loop (pytest-aiohttp or
  pytest-asyncio).
- ``salesplay_config``: the ``Config`` both are built from; override it to change anything.

Options (``pytest --salesplay-seed 7`` or ``salesplay_seed = 7`` in the ini file): host and
port (127.0.0.1 and a free port), seed, clock, time scale, database, delivery timeout,
sample POST, faults (``salesplay_faults = duplicate=0.5,reorder=1``); per webhook,
``set_faults()``. The receiver under test is served with ``salesplay.serve(app)``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from mockserver.cli.options import OPTION, config_from_text
from mockserver.domain.config import Config
from mockserver.testing import AsyncSalesPlay, MockServer, SalesPlay, ThreadedMockServer

# A fixed start, so payload times are the same on every run.
START = "2025-06-30T12:00:00Z"

# serve's options a test suite may set, with the defaults a test wants: a manual clock, a
# throwaway database, and the sample POST off (a test counts what its receiver got, and
# SalesPlay's set-up POST would be one more; turn it on to test that the receiver survives it).
DEFAULTS = {"host": "127.0.0.1", "port": "0", "seed": "1", "clock": "manual", "time_scale": "720", "db": ":memory:", "delivery_timeout": "5",
            "verify": "off", "sample_from": "separate", "faults": ""}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("salesplay-mock", "salesplay-mock: a fake SalesPlay POS")
    for name, default in DEFAULTS.items():
        help_ = f"{OPTION[name].help} (in tests: {default or 'none'}; ini: salesplay_{name})"
        group.addoption(f"--salesplay-{name.replace('_', '-')}", dest=f"salesplay_{name}", default=None, help=help_)
        parser.addini(f"salesplay_{name}", help_, default=default)


def _option(config: pytest.Config, name: str) -> str:
    value = config.getoption(f"salesplay_{name}")
    return str(value if value is not None else config.getini(f"salesplay_{name}"))


@pytest.fixture
def salesplay_config(pytestconfig: pytest.Config) -> Config:
    """The mock's configuration, from pytest options; override this fixture to change it."""
    raw = {name: value for name in DEFAULTS if (value := _option(pytestconfig, name))}
    return config_from_text({"clock_start": START, **raw}, where=lambda opt: f"--salesplay-{opt.name.replace('_', '-')}")


@pytest.fixture
def salesplay(salesplay_config: Config) -> Iterator[SalesPlay]:
    """A fake SalesPlay for sync tests, on its own loop in a thread; closed after the test,
    with every receiver ``salesplay.serve(app)`` started."""
    server = ThreadedMockServer(salesplay_config).start()
    try:
        client = SalesPlay(server)
        try:
            yield client
        finally:
            client.close()
    finally:
        server.stop()


try:
    import pytest_asyncio

    HAVE_ASYNC = True
except ImportError:  # pragma: no cover - async tests need pytest-aiohttp or pytest-asyncio
    HAVE_ASYNC = False

if HAVE_ASYNC:

    @pytest_asyncio.fixture
    async def salesplay_async(salesplay_config: Config) -> AsyncIterator[AsyncSalesPlay]:
        """A fake SalesPlay in the test's own event loop; closed after the test, with every
        receiver ``serve_async(app)`` started."""
        import aiohttp

        server = await MockServer(salesplay_config).start()
        try:
            async with aiohttp.ClientSession() as session:
                client = AsyncSalesPlay(server.url, session)
                try:
                    yield client
                finally:
                    await client.stop_receivers()
        finally:
            await server.stop()
