// Serving the receiver under test on 127.0.0.1 (a free port) for as long as a test needs it.

import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";

export interface Receiver {
  /** http://127.0.0.1:PORT */
  url: string;
  close(): Promise<void>;
}

/** Serve an Express app (or any request listener) on a free port of 127.0.0.1. */
export async function serve(app: RequestListener, options: { port?: number } = {}): Promise<Receiver> {
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
