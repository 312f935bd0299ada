// What the package's own tests share: is a process alive, run a script, poll with a deadline.

import { spawn } from "node:child_process";

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Poll `check` until it holds, or fail with `what` past the deadline. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const fixture = (name: string): string => new URL(`../../test/fixtures/${name}`, import.meta.url).pathname;

/** Run node on a fixture; resolves with its stdout once it prints `{"pid": N}`, and the process. */
export function runFixture(args: string[], env: NodeJS.ProcessEnv = {}) {
  const childEnv = { ...process.env, ...env };
  delete childEnv.NODE_TEST_CONTEXT; // a suite run from a test is a run of its own, not a subtest
  const proc = spawn(process.execPath, args, { env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout.on("data", (chunk: Buffer) => { out += chunk.toString(); });
  proc.stderr.on("data", (chunk: Buffer) => { out += chunk.toString(); });
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  const pid = async (): Promise<number> => {
    await eventually(() => /\{"pid":\d+\}/.test(out), `the fixture printed its mock's pid (output: ${out})`, 30_000);
    return Number(/\{"pid":(\d+)\}/.exec(out)![1]);
  };
  return { proc, exited, pid, output: () => out };
}
