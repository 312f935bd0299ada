// salesplay-mock's image as a test dependency, with Testcontainers for Node: started before
// the tests, ready when its /healthz says so, removed after them.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { GenericContainer, Wait } from "testcontainers";

const IMAGE = process.env.SALESPLAY_MOCK_IMAGE ?? "salesplay-mock";
let container, base;

before(async () => {
  container = await new GenericContainer(IMAGE)
    .withExposedPorts(8080)
    .withCommand(["serve", "--clock", "manual", "--db", ":memory:"])
    .withWaitStrategy(Wait.forHttp("/healthz", 8080).forResponsePredicate((body) => JSON.parse(body).ready === true))
    .withStartupTimeout(60_000)
    .start();
  base = `http://${container.getHost()}:${container.getMappedPort(8080)}`;
}, { timeout: 120_000 });
after(() => container?.stop());

async function call(method, path, body) {
  const resp = await fetch(base + path, {
    method, body: body && JSON.stringify(body),
    headers: { Authorization: "Bearer testcontainers", "Content-Type": "application/json" },
  });
  assert.ok(resp.ok, `${method} ${path}: ${resp.status} ${await resp.clone().text()}`);
  return resp.json();
}

test("a sale is delivered to a webhook, inside the container", async () => {
  await call("POST", "/v1.0/webhook", { url: "http://127.0.0.1:8080/_mock/sink/tc", event: "receipts.update" });
  const { events } = await call("POST", "/_mock/events", { operation: "sale" });
  const receipt = events.find((e) => e.type === "receipts.update");
  assert.equal(receipt.deliveries[0].status, "succeeded"); // on the manual clock, made before the answer
});
