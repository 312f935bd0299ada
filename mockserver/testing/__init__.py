"""salesplay-mock inside a test suite: the mock on 127.0.0.1, the receiver under test beside
it, and a handle with readable calls.

``MockServer`` runs the mock on the current event loop; ``ThreadedMockServer`` on a loop of
its own in a thread, for sync tests of Flask, Django, FastAPI or WSGI receivers.
``AsyncSalesPlay`` talks to either over HTTP, as a receiver's own code would; ``SalesPlay``
is its synchronous twin. The pytest plugin builds its fixtures from these.

    client.py      reading: webhooks, events, deliveries (every page), schemas, validate
    assertions.py  assert_delivered, assert_delivered_once (per event), assert_disabled...
    checking.py    check(url) and assert_check_passes: salesplay-mock check from a test
    handle.py      acting: register, trigger, sell, advance, set_faults, serve_async
    sync.py        the sync twin, and serve()
    receivers.py   serving an ASGI, WSGI or aiohttp receiver
    servers.py     serving the mock
"""

from mockserver.testing.client import DEFAULT_TOKEN, MissingExtra, MockError
from mockserver.testing.handle import AsyncSalesPlay
from mockserver.testing.receivers import interface_of, start_receiver
from mockserver.testing.servers import LoopThread, MockServer, ThreadedMockServer
from mockserver.testing.sync import SalesPlay

__all__ = ["DEFAULT_TOKEN", "AsyncSalesPlay", "LoopThread", "MissingExtra", "MockError", "MockServer", "SalesPlay",
           "ThreadedMockServer", "interface_of", "start_receiver"]
