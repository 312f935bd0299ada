// The server as a child process: `salesplay-mock serve --port 0`, or its image under docker
// or podman. Started when its ready line comes (JSON on stdout); ended by stop(), and, should
// a test forget it or the run be interrupted (Ctrl-C, SIGTERM), when this process ends.

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createInterface } from "node:readline";

export interface ReadyLine {
  ready: true;
  url: string;
  api_url: string;
  port: number;
  clock: "scaled" | "real" | "manual";
  time_scale: number;
  version: string;
  pid: number;
}

export interface Launch {
  /** the program and its arguments */
  argv: string[];
  env: NodeJS.ProcessEnv;
  /** a container's name and runtime: removed on stop, and asked for its published port */
  container?: { name: string; runtime: string };
  startTimeout: number;
  stopTimeout: number;
  /** what the server says on stderr, line by line (default: kept for errors only) */
  log?: (line: string) => void;
  /** what to say when the program is not there */
  missing: string;
}

const running = new Set<Child>();

/** A started server process (or container), and how to end it. */
export class Child {
  private exited: Promise<number | null>;
  private code: number | null | undefined = undefined;

  constructor(readonly proc: ChildProcess, readonly launch: Launch) {
    this.exited = new Promise((resolve) => proc.once("exit", (code, signal) => {
      this.code = code ?? (signal ? 128 : null);
      running.delete(this);
      resolve(this.code);
    }));
    running.add(this);
    watchExits();
  }

  get alive(): boolean {
    return this.code === undefined;
  }

  /** End it: SIGTERM (a container: `stop`), then SIGKILL past the stop timeout. */
  async stop(): Promise<number | null> {
    if (!this.alive) return this.code ?? null;
    const { container } = this.launch;
    if (container) {
      spawn(container.runtime, ["stop", "-t", String(Math.ceil(this.launch.stopTimeout / 1000)), container.name],
        { stdio: "ignore" }).on("error", () => undefined);
    } else {
      this.proc.kill("SIGTERM");
    }
    const timer = setTimeout(() => this.kill(), this.launch.stopTimeout);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** At once, and synchronously: for the end of this process, or a start that failed. */
  kill(): void {
    const { container } = this.launch;
    if (container) {
      try {
        execFileSync(container.runtime, ["rm", "-f", container.name], { stdio: "ignore", timeout: 10_000 });
      } catch {
        // already gone
      }
    }
    if (this.alive) this.proc.kill("SIGKILL");
  }

  /** Wait for the ready line; a clear error, and nothing left running, when it does not come. */
  async ready(): Promise<ReadyLine> {
    const tail: string[] = [];
    const said = () => (tail.length ? `; it said:\n  ${tail.slice(-8).join("\n  ")}` : "");
    createInterface({ input: this.proc.stderr! }).on("line", (line) => {
      this.launch.log?.(line);
      tail.push(line);
      if (tail.length > 50) tail.shift();
    });
    const lines = createInterface({ input: this.proc.stdout! });
    try {
      return await new Promise<ReadyLine>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(
          `salesplay-mock did not say it was ready within ${this.launch.startTimeout} ms${said()}`)), this.launch.startTimeout);
        const settle = (fn: () => void) => { clearTimeout(timer); fn(); };
        lines.on("line", (line) => {
          const parsed = parseReady(line);
          if (parsed) settle(() => resolve(parsed));
          else tail.push(line);
        });
        this.proc.once("error", (err: NodeJS.ErrnoException) => settle(() => reject(new Error(
          err.code === "ENOENT" ? this.launch.missing : `${this.launch.argv[0]} could not be started: ${err.message}`))));
        this.exited.then((code) => settle(() => reject(new Error(
          `salesplay-mock exited with status ${code} before it was ready (${this.launch.argv.join(" ")})${said()}`))));
      });
    } catch (err) {
      this.kill();
      await Promise.race([this.exited, new Promise((r) => setTimeout(r, 2000))]);
      throw err;
    } finally {
      // From now on the server's output is read but does not keep this process alive: a
      // forgotten stop() still lets a test run end (and the exit hook ends the server).
      for (const stream of [this.proc.stdout, this.proc.stderr] as unknown as { unref?: () => void }[]) stream?.unref?.();
      this.proc.unref();
    }
  }
}

/** Start a program and return its child; stop() or this process's end ends it. */
export function launch(options: Launch): Child {
  const [program, ...args] = options.argv;
  const proc = spawn(program as string, args, { env: options.env, stdio: ["ignore", "pipe", "pipe"] });
  return new Child(proc, options);
}

/** A container name of our own, so stop() and the exit hook can remove it. */
export function containerName(prefix = "salesplay-mock"): string {
  return `${prefix}-${process.pid}-${randomBytes(4).toString("hex")}`;
}

function parseReady(line: string): ReadyLine | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const parsed = JSON.parse(line) as Partial<ReadyLine>;
    return parsed.ready === true && typeof parsed.port === "number" ? (parsed as ReadyLine) : undefined;
  } catch {
    return undefined;
  }
}

let watching = false;

/** End every server still running when this process ends: normally, on an uncaught error, or
 * on Ctrl-C / SIGTERM / SIGHUP (then the signal goes on to do what it would have done). */
function watchExits(): void {
  if (watching) return;
  watching = true;
  process.on("exit", () => {
    for (const child of running) child.kill();
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const onSignal = () => {
      for (const child of running) child.kill();
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}
