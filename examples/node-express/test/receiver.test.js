// The Express receiver's tests, against a fake SalesPlay started by the salesplay-mock package.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { startMock } from "salesplay-mock";
import { createReceiver } from "../receiver.js";

const mock = await startMock({ clock: "manual" }); // salesplay-mock serve --port 0, for this file
after(() => mock.stop());
async function receiver() { // for each test a token of its own: a new shop, webhooks and clock
  const shop = mock.merchant();
  const app = createReceiver({ apiUrl: mock.apiUrl, token: shop.token });
  const hook = await shop.register(`${await mock.serve(app)}/webhooks/salesplay`, ["receipts.update", "inventory_levels.update"]);
  return { shop, hook, db: app.locals.db };
}

test("a sale's receipt is retried until the database is back, then stored once", async () => {
  const { shop, hook, db } = await receiver();
  db.down = true;
  const [receipt] = await shop.sell();
  await shop.advance("30s"); // the attempts at 0 s, 5 s and 15 s fail
  db.down = false;
  await shop.advance("20s"); // the 4th, at 35 s, succeeds
  const delivery = await shop.assertRetried(receipt.deliveries[0], { attempts: 4 });
  assert.deepEqual(delivery.attempts.map((a) => a.response_status), [500, 500, 500, 200]);
  await shop.assertEnabled(hook);
  assert.deepEqual([...db.receipts.keys()], [receipt.payload.receipts[0].receipt_id]);
});

test("48 hours of failures disable the webhook, and later sales skip it", async () => {
  const { shop, hook, db } = await receiver();
  db.down = true;
  await shop.sell();
  await shop.advance("48h"); // 200 attempts per event, in milliseconds
  await shop.assertDisabled(hook);
  await shop.sell();
  assert.equal((await shop.deliveries({ status: "skipped" })).length, 2);
  await shop.enable(hook);
});

test("each receipt is stored once when SalesPlay sends it twice at once", async () => {
  const { shop, hook, db } = await receiver();
  await shop.setFaults(hook, { duplicate: 1, duplicate_mode: "concurrent", seed: 3 });
  await shop.sell(3);
  const copies = await shop.deliveries({ kind: "duplicate", event_type: "receipts.update", status: "succeeded" });
  assert.equal(copies.length, 3); // each receipt sent twice, both answered 200
  assert.equal(db.receipts.size, 3); // and stored once
});

test("a stock level is kept with the product's name, read from SalesPlay's REST API", async () => {
  const { shop, db } = await receiver();
  const [, stock] = await shop.sell();
  await shop.assertDelivered(stock.deliveries[0], { attempts: 1 });
  for (const level of stock.payload.inventory_levels) {
    const product = await shop.read("products", level.product_id); // what the API says, read by the test too
    assert.deepEqual(db.stock.get(`${level.shop_id}/${level.product_id}`), { name: product.name, in_stock: level.in_stock });
  }
});

test("when the REST API limits its rate, the event is retried until every product is fetched", async () => {
  const { shop, db } = await receiver();
  await shop.setApiFaults({ rate_limit: 1 }); // one call per simulated minute, then 429
  const lines = ["10001", "10002", "10003"].map((product_code) => ({ product_code, quantity: 10 }));
  const { events } = await shop.operate("goods_receipt", { lines }); // new stock of three products arrives
  const stock = events.find((e) => e.type === "inventory_levels.update");
  await shop.advance("30m"); // retried on SalesPlay's schedule: one more product each minute
  const delivery = await shop.assertRetried(stock.deliveries[0]);
  assert.ok(delivery.attempts.slice(0, -1).every((a) => a.response_status === 503));
  await shop.assertDelivered(delivery);
  assert.equal(db.stock.size, stock.payload.inventory_levels.length);
});
