// startMock and stop(): the ready line, and bad starts that end in a clear error within
// 10 s with nothing left running; the server ends with a failed test, Ctrl-C, or a forgotten stop.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { startMock } from "../src/index.js";
import { alive, eventually, fixture, runFixture } from "./helpers.js";

const RUNTIME = process.env.SALESPLAY_MOCK_TEST_RUNTIME; // podman or docker: run the image tests too
const IMAGE = process.env.SALESPLAY_MOCK_TEST_IMAGE ?? "salesplay-mock";

async function fails(start: Promise<unknown>, pattern: RegExp): Promise<Error> {
  const began = Date.now();
  const err = await start.then(() => assert.fail("the start should have failed"), (e: Error) => e);
  assert.match(err.message, pattern);
  assert.ok(Date.now() - began < 10_000, `the error took ${Date.now() - began} ms`);
  return err;
}

test("startMock reads the ready line, and stop() ends the server", { timeout: 60_000 }, async () => {
  const mock = await startMock({ clock: "manual" });
  assert.equal(mock.url, `http://127.0.0.1:${mock.port}`);
  assert.equal(mock.ready.clock, "manual");
  assert.equal(mock.apiUrl, `${mock.url}/v1.0`);
  const health = (await (await fetch(`${mock.url}/healthz`)).json()) as { ready: boolean };
  assert.equal(health.ready, true);
  assert.ok(alive(mock.ready.pid));
  await mock.stop();
  assert.equal(alive(mock.ready.pid), false);
  await mock.stop(); // twice is fine
});

test("a missing binary says what to install", { timeout: 30_000 }, async () => {
  await fails(startMock({ command: "/nowhere/salesplay-mock" }), /\/nowhere\/salesplay-mock was not found: install salesplay-mock/);
});

test("a port in use is named, and nothing is left running", { timeout: 30_000 }, async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
  const port = (taken.address() as { port: number }).port;
  try {
    await fails(startMock({ port }), new RegExp(`exited with status 1 before it was ready[^]*--port ${port}: another program is already listening`));
  } finally {
    taken.close();
  }
});

test("a server that dies during start-up is reported with its last words", { timeout: 30_000 }, async () => {
  await fails(startMock({ args: ["--retry-window", "forever"] }), /exited with status 2 before it was ready[^]*--retry-window/);
});

test("a server that never says it is ready is ended after the start timeout", { timeout: 30_000 }, async () => {
  const err = await fails(startMock({
    command: [process.execPath, "-e", "console.error('pid=' + process.pid); setInterval(() => {}, 1000)", "--"],
    startTimeout: 1500,
  }), /did not say it was ready within 1500 ms[^]*pid=\d+/);
  const pid = Number(/pid=(\d+)/.exec(err.message)![1]);
  await eventually(() => !alive(pid), "the silent server was killed");
});

test("a test that fails still ends the server, through its after() hook", { timeout: 60_000 }, async () => {
  const pidFile = join(tmpdir(), `spm-node-failing-${process.pid}.pid`);
  const run = runFixture(["--test", fixture("failing.test.mjs")], { PID_FILE: pidFile });
  assert.notEqual(await run.exited, 0, run.output());
  assert.match(run.output(), /this test fails on purpose/);
  const pid = Number(readFileSync(pidFile, "utf8"));
  await eventually(() => !alive(pid), "the failed suite's server ended");
});

test("Ctrl-C ends the server with the test run", { timeout: 60_000 }, async () => {
  const run = runFixture([fixture("waits-for-ctrl-c.mjs")]);
  const pid = await run.pid();
  assert.ok(alive(pid));
  run.proc.kill("SIGINT");
  await run.exited;
  await eventually(() => !alive(pid), "the server ended after Ctrl-C");
});

test("a forgotten stop() does not hold the run, and the server ends with it", { timeout: 60_000 }, async () => {
  const run = runFixture([fixture("forgets-to-stop.mjs")]);
  const pid = await run.pid();
  assert.equal(await run.exited, 0, run.output());
  await eventually(() => !alive(pid), "the forgotten server ended");
});

test("the image, under docker or podman", { skip: !RUNTIME && "set SALESPLAY_MOCK_TEST_RUNTIME=podman (or docker) to run it", timeout: 120_000 },
  async () => {
    const name = `spm-node-${process.pid}`;
    const mock = await startMock({ image: IMAGE, runtime: RUNTIME, name, startTimeout: 60_000 });
    const shop = mock.merchant();
    const hook = await shop.register("http://127.0.0.1:8080/_mock/sink/image", "receipts.update");
    const [receipt] = await shop.sell();
    await shop.assertDelivered(receipt!.deliveries[0]!, { attempts: 1 });
    await shop.assertEnabled(hook);
    await mock.stop();
    await fails(startMock({ image: "salesplay-mock-no-such-image", runtime: RUNTIME, name: `${name}-none` }),
      /the image salesplay-mock-no-such-image is not here: build it/);
  });
