"""salesplay-mock's image as a test dependency, with Testcontainers for Python: started once
for the tests, ready when its /healthz says so, removed after them."""

import json
import os
import urllib.request

import pytest
from testcontainers.core.container import DockerContainer
from testcontainers.core.wait_strategies import HttpWaitStrategy

IMAGE = os.environ.get("SALESPLAY_MOCK_IMAGE", "salesplay-mock")


@pytest.fixture(scope="session")
def salesplay_url():
    ready = HttpWaitStrategy(8080, "/healthz").for_response_predicate(lambda body: json.loads(body)["ready"])
    container = (DockerContainer(IMAGE).with_exposed_ports(8080)
                 .with_command("serve --clock manual --db :memory:").waiting_for(ready))
    with container:
        yield f"http://{container.get_container_host_ip()}:{container.get_exposed_port(8080)}"


def call(base, method, path, body=None):
    request = urllib.request.Request(base + path, method=method, data=body and json.dumps(body).encode(),
                                     headers={"Authorization": "Bearer testcontainers",
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as resp:
        return json.loads(resp.read())


def test_a_sale_is_delivered_to_a_webhook_inside_the_container(salesplay_url):
    call(salesplay_url, "POST", "/v1.0/webhook", {"url": "http://127.0.0.1:8080/_mock/sink/tc", "event": "receipts.update"})
    events = call(salesplay_url, "POST", "/_mock/events", {"operation": "sale"})["events"]
    receipt = next(e for e in events if e["type"] == "receipts.update")
    assert receipt["deliveries"][0]["status"] == "succeeded"  # on the manual clock, made before the answer
