// The typed client against a real server: each merchant's own shop and clock, the actions,
// the reads, waitFor on a scaled clock, and assertions that fail with readable messages.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { connectMock, type MockServer, MockError, seconds, startMock } from "../src/index.js";

let mock: MockServer;
let scaled: MockServer;
before(async () => {
  [mock, scaled] = await Promise.all([startMock({ clock: "manual" }), startMock({ clock: "scaled", timeScale: 3600 })]);
});
after(() => Promise.all([mock.stop(), scaled.stop()]));

test("a retried delivery, asserted, with the attempts it took", async () => {
  const shop = mock.merchant();
  const hook = await shop.register(`${mock.url}/_mock/sink/retry?fail_first=3`, "receipts.update");
  const [receipt] = await shop.sell();
  assert.equal(receipt!.type, "receipts.update");
  assert.equal(await shop.advance("1m"), 3); // the attempts at 5 s, 15 s and 35 s
  const delivered = await shop.assertDelivered(receipt!.deliveries[0]!, { attempts: 4 });
  assert.deepEqual(delivered.attempts.map((a) => a.response_status), [500, 500, 500, 200]);
  await shop.assertRetried(delivered, { attempts: 4 });
  await shop.assertDeliveredOnce(receipt!);
  await shop.assertEnabled(hook);
  await assert.rejects(shop.assertDisabled(hook), /webhook wh_\w+ is enabled, not disabled; its latest delivery: dlv_\w+ \(event\) succeeded after 4 attempt/);
  await assert.rejects(shop.assertDelivered(delivered.id, { attempts: 1 }), /took 4 attempt\(s\), not 1: #1 500, #2 500, #3 500, #4 200/);
});

test("48 hours of failures disable the webhook", async () => {
  const shop = mock.merchant();
  const hook = await shop.register(`${mock.url}/_mock/sink/down?status=503`, "receipts.update");
  const [receipt] = await shop.sell();
  await shop.advance("48h");
  const disabled = await shop.assertDisabled(hook);
  assert.match(String(disabled.disabled_reason), /200/);
  const failed = await shop.delivery(receipt!.deliveries[0]!);
  assert.equal(failed.status, "failed");
  assert.equal(failed.attempt_count, 200);
  await assert.rejects(shop.assertDelivered(failed), /is failed, not succeeded/);
  await assert.rejects(shop.assertEnabled(hook), /webhook wh_\w+ is disabled: /);
  await shop.enable(hook);
  await shop.assertEnabled(hook);
});

test("a duplicate fault sends each event twice", async () => {
  const shop = mock.merchant();
  const hook = await shop.register(`${mock.url}/_mock/sink/dup`, "receipts.update");
  await shop.setFaults(hook, { duplicate: 1, duplicate_mode: "back_to_back", seed: 3 });
  const [receipt] = await shop.sell();
  const copies = await shop.deliveries({ kind: "duplicate", status: "succeeded" });
  assert.equal(copies.length, 1);
  await assert.rejects(shop.assertDeliveredOnce(receipt!), /got 2 2xx answer\(s\) from webhook/);
});

test("the business case: two of product 10003 sold by card, then one refunded", async () => {
  const shop = mock.merchant();
  await shop.register(`${mock.url}/_mock/sink/case`, ["receipts.update", "credit_note.update", "inventory_levels.update"]);
  const { made: [sale], events: sold } = await shop.operate("sale", { payment_type: "card", lines: [{ product_code: "10003", quantity: 2 }] });
  await shop.advance("7s");
  const { made: [refund], events } = await shop.operate("refund", {
    receipt_id: sale!.receipt_id, credit_note_type: "credit_note", lines: [{ product_code: "10003", quantity: 1 }] });
  assert.match(String(sale!.receipt_number), /^\d+-\d+$/);
  assert.match(String(refund!.credit_note_id), /^[A-Za-z0-9+/]{30}==?$|^[A-Za-z0-9+/]{32}$/);
  const note = events.find((e) => e.type === "credit_note.update")!.payload.credit_notes[0];
  assert.equal(note.receipt_id, sale!.receipt_id);
  assert.deepEqual(note.line_items.map((l: { product_code: string; quantity: number }) => [l.product_code, l.quantity]), [["10003", 1]]);
  const level = (e: { type: string; payload: { [key: string]: any } }[]) =>
    e.find((x) => x.type === "inventory_levels.update")!.payload.inventory_levels[0];
  assert.equal(level(sold).product_code, "10003");
  assert.equal(level(events).in_stock, level(sold).in_stock + 1); // the refund puts one back
  const after = await shop.read("receipts", String(sale!.receipt_id));
  assert.deepEqual((after as { credit_notes: { credit_note_id: string }[] }).credit_notes.map((n) => n.credit_note_id), [refund!.credit_note_id]);
  // The same story as one scenario, all or nothing, with its clock step.
  const steps = await shop.scenario([
    { name: "sold", operation: "sale", params: { payment_type: "card", lines: [{ product_code: "10003", quantity: 2 }] } },
    { advance: "7s" },
    { operation: "refund", params: { receipt_id: "${sold.receipt_id}", lines: [{ product_code: "10003", quantity: 1 }] } },
  ]);
  assert.deepEqual(steps.map((s) => s.advanced ?? s.made?.[0]?.operation), ["sale", 7, "refund"]);
  assert.ok((await shop.operations()).some((op) => op.name === "refund" && op.params.some((p) => p.name === "receipt_id")));
});

test("merchants are kept apart, and reset forgets one", async () => {
  const [a, b] = [mock.merchant(), mock.merchant()];
  await a.register(`${mock.url}/_mock/sink/a`, "products.update");
  assert.equal((await a.webhooks()).length, 1);
  assert.deepEqual(await b.webhooks(), []);
  await a.advance(90);
  assert.notEqual(await a.now(), await b.now());
  await a.reset();
  assert.deepEqual(await a.webhooks(), []);
});

test("the REST read side, typed by resource", async () => {
  const shop = mock.merchant();
  const [, stock] = await shop.sell();
  const level = stock!.payload.inventory_levels[0];
  const product = await shop.read("products", level.product_id);
  assert.equal(product.product_id, level.product_id);
  assert.equal((await shop.read("inventory", level.product_id)).product_id, level.product_id);
  const page = await shop.list("products", { limit: 2 });
  assert.equal(page.data.length, 2);
  assert.equal(typeof page.next, "string");
});

test("a refused call is a MockError naming the field and the rule", async () => {
  const shop = mock.merchant();
  const err = await shop.register("ftp://receiver.example/hook").then(() => assert.fail("accepted"), (e: MockError) => e);
  assert.ok(err instanceof MockError);
  assert.equal(err.status, 422);
  assert.equal(err.field, "url");
  assert.match(err.message, /POST \/v1.0\/webhook with 422: invalid_url: 'url' must start with http:\/\/ or https:\/\//);
  await assert.rejects(shop.read("products", "nope"), (e: MockError) => e.status === 422 && e.field === "product_id");
  await assert.rejects(shop.advance("soon"), /"soon" is not a duration/);
});

test("fixtures, schemas and the clock", async () => {
  const shop = mock.merchant();
  const fixtures = await shop.fixtures("credit_note.update");
  assert.equal(fixtures.length, 3);
  assert.equal(fixtures[0]!.type, "credit_note.update");
  assert.ok(((await shop.schema("receipts.update")).required as string[]).includes("receipts"));
  assert.equal((await shop.clock()).mode, "manual");
  assert.equal((await shop.schedule()).max_attempts, 200);
});

test("waitFor follows a scaled clock's own retries", async () => {
  const shop = scaled.merchant();
  await shop.register(`${scaled.url}/_mock/sink/scaled?fail_first=2`, "receipts.update");
  const [receipt] = await shop.sell();
  const done = await shop.waitFor(receipt!.deliveries[0]!, { status: "succeeded", timeout: 20_000 });
  assert.equal(done.attempt_count, 3);
  const other = await shop.register(`${scaled.url}/_mock/sink/never?status=500`, "customers.update");
  const [customer] = await shop.trigger("customers.update");
  const slow = customer!.deliveries.find((d) => d.webhook_id === other.id)!;
  await assert.rejects(shop.waitFor(slow, { status: "succeeded", timeout: 300 }),
    /delivery dlv_\w+ was not succeeded within 300 ms: dlv_\w+ \(event\) pending after \d+ attempt/);
});

test("durations read as the CLI reads them", () => {
  assert.equal(seconds("48h"), 172_800);
  assert.equal(seconds("1h30m"), 5400);
  assert.equal(seconds("500ms"), 0.5);
  assert.equal(seconds(12), 12);
  assert.throws(() => seconds("1 day"), /write 90s, 30m, 48h/);
  assert.throws(() => seconds(-1), /0 or more/);
});

test("connectMock reaches a mock that is already running, and says when none is", async () => {
  const running = await connectMock(`${mock.url}/`);
  assert.equal(running.url, mock.url);
  assert.equal(running.ready.clock, "manual");
  assert.deepEqual(await running.merchant().webhooks(), []);
  await running.stop(); // no process of its own: the server stays
  assert.equal((await fetch(`${mock.url}/healthz`)).status, 200);
  await assert.rejects(connectMock("http://127.0.0.1:9/", { timeout: 300 }), /salesplay-mock at http:\/\/127.0.0.1:9 was not ready within 300 ms/);
});
