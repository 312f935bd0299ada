// startMock: a fake SalesPlay for a test suite, from the installed CLI or from its image;
// connectMock: one already running (a CI service container, docker compose).

import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { type RequestListener } from "node:http";
import { Merchant } from "./merchant.js";
import { type Child, containerName, launch, type ReadyLine } from "./process.js";
import { type Receiver, serve } from "./receivers.js";

export interface StartOptions {
  /** manual (the default: time moves only by advance()), scaled or real */
  clock?: "manual" | "scaled" | "real";
  /** simulated seconds per real second on the scaled clock (the server's default: 720) */
  timeScale?: number;
  /** the simulated shops' seed (default 1: the same shop every run) */
  seed?: number;
  /** the sample POST at registration: off (the default here, so counts stay simple), report or strict */
  verify?: "off" | "report" | "strict";
  /** the port to listen on (default 0: a free one, which the ready line names) */
  port?: number;
  /** the SQLite file (default ":memory:") */
  db?: string;
  /** any other `serve` flags, e.g. ["--faults", "duplicate=0.5"] */
  args?: string[];
  /** extra environment for the server */
  env?: Record<string, string>;
  /** the CLI to run (default: $SALESPLAY_MOCK_BIN, else salesplay-mock on the PATH) */
  command?: string | string[];
  /** run this image instead of the CLI, with `runtime` (docker, or podman) */
  image?: string;
  /** the container runtime for `image` (default: $SALESPLAY_MOCK_RUNTIME, else docker) */
  runtime?: string;
  /** pull the image when it is not here (default false: the image is built locally) */
  pull?: boolean;
  /** the container's name (default: salesplay-mock-PID-RANDOM) */
  name?: string;
  /** how long the start may take, in ms (default 20000; a container's first start is slower) */
  startTimeout?: number;
  /** how long stop() waits after SIGTERM before SIGKILL, in ms (default 10000) */
  stopTimeout?: number;
  /** each line the server writes on stderr (its log); by default kept only for errors */
  log?: (line: string) => void;
}

/** A running mock: its address, a merchant per token, and stop(). */
export class MockServer {
  private receivers: Receiver[] = [];

  constructor(readonly url: string, readonly ready: Omit<ReadyLine, "url" | "api_url" | "port"> & { port: number },
              private readonly child?: Child) {}

  /** The base URL to give a receiver's integration code instead of https://api.salesplaypos.com/v1.0. */
  get apiUrl(): string {
    return `${this.url}/v1.0`;
  }

  get port(): number {
    return this.ready.port;
  }

  /** A handle on one merchant: the token names it, and each token's webhooks, shop and
   * (manual) clock are its own. Without a token, a new one: a merchant no other test sees. */
  merchant(token = `node-${randomBytes(6).toString("hex")}`): Merchant {
    return new Merchant(this.url, token);
  }

  /** Serve a receiver (an Express app, any Node request listener) on 127.0.0.1 for this
   * mock's life, and return its base URL. */
  async serve(app: RequestListener): Promise<string> {
    const receiver = await serve(app);
    this.receivers.push(receiver);
    return receiver.url;
  }

  /** Stop the receivers served and the server (SIGTERM, then SIGKILL past the stop timeout). Safe to call twice. */
  async stop(): Promise<void> {
    await Promise.all(this.receivers.splice(0).map((r) => r.close()));
    await this.child?.stop();
  }

  async [Symbol.asyncDispose ?? Symbol.for("Symbol.asyncDispose")](): Promise<void> {
    await this.stop();
  }
}

/** Start salesplay-mock (`serve --port 0`, or the image when `image` is given) and wait for its ready line. */
export async function startMock(options: StartOptions = {}): Promise<MockServer> {
  const flags = ["--clock", options.clock ?? "manual", "--verify", options.verify ?? "off", "--db", options.db ?? ":memory:",
    ...(options.timeScale !== undefined ? ["--time-scale", String(options.timeScale)] : []),
    ...(options.seed !== undefined ? ["--seed", String(options.seed)] : []), ...(options.args ?? [])];
  const common = { startTimeout: options.startTimeout ?? 20_000, stopTimeout: options.stopTimeout ?? 10_000, log: options.log };
  if (options.image !== undefined) return startImage(options.image, flags, options, common);
  const command = [options.command ?? process.env.SALESPLAY_MOCK_BIN ?? "salesplay-mock"].flat();
  const child = launch({
    ...common, argv: [...command, "serve", "--port", String(options.port ?? 0), ...flags],
    env: { ...process.env, ...options.env },
    missing: `${command[0]} was not found: install salesplay-mock (python3 -m venv .venv && .venv/bin/pip install ` +
      "salesplay-mock), then put it on the PATH, set SALESPLAY_MOCK_BIN=/path/to/salesplay-mock, or pass command",
  });
  const line = await child.ready();
  return new MockServer(line.url, line, child);
}

async function startImage(image: string, flags: string[], options: StartOptions,
                          common: Pick<Parameters<typeof launch>[0], "startTimeout" | "stopTimeout" | "log">): Promise<MockServer> {
  const runtime = options.runtime ?? process.env.SALESPLAY_MOCK_RUNTIME ?? "docker";
  const name = options.name ?? containerName();
  const env = Object.entries(options.env ?? {}).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
  const published = options.port ? `127.0.0.1:${options.port}:8080` : "127.0.0.1::8080";
  const child = launch({
    ...common, env: process.env, container: { name, runtime },
    argv: [runtime, "run", "--rm", "--name", name, "-p", published, "--pull", options.pull ? "missing" : "never", ...env,
      image, "serve", ...flags],
    missing: `${runtime} was not found: install it, or pass runtime: "podman" (or "docker")`,
  });
  let line: ReadyLine;
  try {
    line = await child.ready();
  } catch (err) {
    const text = String((err as Error).message);
    if (/image not known|no such image|unable to find image|pull access denied|manifest unknown/i.test(text)) {
      throw new Error(`the image ${image} is not here: build it in a salesplay-mock checkout with ` +
        `\`${runtime} build -t ${image} .\`${options.pull ? "" : " (or pass pull: true to pull it)"}\n${text}`);
    }
    throw err;
  }
  const port = hostPort(runtime, name);
  return new MockServer(`http://127.0.0.1:${port}`, { ...line, port }, child);
}

/** The host port the runtime published the container's 8080 on. */
function hostPort(runtime: string, name: string): number {
  const out = execFileSync(runtime, ["port", name, "8080/tcp"], { encoding: "utf8", timeout: 10_000 });
  const port = Number(out.trim().split("\n")[0]?.split(":").pop());
  if (!Number.isInteger(port) || port <= 0) throw new Error(`${runtime} port ${name} 8080/tcp said ${JSON.stringify(out)}`);
  return port;
}

/** A mock that is already running (a CI service container, docker compose): no process to stop. */
export async function connectMock(url: string, options: { timeout?: number } = {}): Promise<MockServer> {
  const base = url.replace(/\/+$/, "");
  const deadline = Date.now() + (options.timeout ?? 20_000);
  let last = "no answer";
  while (Date.now() < deadline) {
    try {
      const resp = await fetch(`${base}/healthz`);
      const health = (await resp.json()) as { ready?: boolean; version?: string; clock?: ReadyLine["clock"] };
      if (health.ready) {
        const clock = (await (await fetch(`${base}/_mock/clock`)).json()) as { scale?: number };
        return new MockServer(base, { ready: true, port: Number(new URL(base).port || 80), clock: health.clock ?? "scaled",
          time_scale: clock.scale ?? 1, version: health.version ?? "", pid: 0 });
      }
      last = JSON.stringify(health);
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`salesplay-mock at ${base} was not ready within ${options.timeout ?? 20_000} ms (${last})`);
}
