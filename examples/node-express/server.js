// Runs the receiver: SALESPLAY_API_URL (https://api.salesplaypos.com/v1.0, or a mock's) and
// SALESPLAY_TOKEN say where to read products; PORT where to listen (default 3000).
import { createReceiver } from "./receiver.js";

const port = Number(process.env.PORT ?? 3000);
createReceiver({ apiUrl: process.env.SALESPLAY_API_URL, token: process.env.SALESPLAY_TOKEN }).listen(port, () => {
  console.error(`receiver on http://127.0.0.1:${port}/webhooks/salesplay`);
});
