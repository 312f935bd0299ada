// A SalesPlay receiver in Express: stores each receipt once (by its id), keeps each product's
// stock with its name, fetched once from SalesPlay's REST API, and answers 500 while its
// database is down (503 when SalesPlay's API refuses), so that SalesPlay retries the event.
import express from "express";

export function createReceiver({ apiUrl, token }) {
  const db = { receipts: new Map(), stock: new Map(), products: new Map(), down: false };
  const app = express();
  app.locals.db = db;
  app.use(express.json({ limit: "10mb" }));

  app.post("/webhooks/salesplay", async (req, res) => {
    if (db.down) return res.status(500).json({ error: "database down" });
    const event = req.body;
    for (const receipt of event.receipts ?? []) db.receipts.set(receipt.receipt_id, receipt); // again: stored once
    for (const level of event.inventory_levels ?? []) {
      if (!db.products.has(level.product_id)) { // fetched once, kept across SalesPlay's retries
        const answer = await fetch(`${apiUrl}/products/${level.product_id}`, {
          headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        });
        if (!answer.ok) return res.status(503).json({ error: `SalesPlay's API answered ${answer.status}` });
        db.products.set(level.product_id, await answer.json());
      }
    }
    for (const level of event.inventory_levels ?? []) { // every product known before any level is stored
      const { name } = db.products.get(level.product_id);
      db.stock.set(`${level.shop_id}/${level.product_id}`, { name, in_stock: level.in_stock });
    }
    res.json({ ok: true });
  });
  return app;
}
