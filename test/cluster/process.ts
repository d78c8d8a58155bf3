// Long-running test processes (etcd, the Kubernetes components, containerd, CoreDNS): started
// with their output in a log file of their own, watched for an early exit, stopped in reverse
// order of start. One module, so every server the tests run is started and stopped the same way.
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export interface Supervised {
  name: string;
  child: ChildProcess;
  running: boolean;
  exited: Promise<void>;
  log: string;
}

export class Supervisor {
  private readonly processes: Supervised[] = [];

  /** `logDir` receives `<name>.log` per process. */
  constructor(private readonly logDir: string) {}

  start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Supervised {
    const log = path.join(this.logDir, `${name}.log`);
    const fd = fs.openSync(log, "a");
    const child = spawn(command, args, { stdio: ["ignore", fd, fd], env });
    fs.closeSync(fd);
    const proc: Supervised = { name, child, running: true, exited: Promise.resolve(), log };
    proc.exited = new Promise<void>((resolve) =>
      child.once("exit", () => {
        proc.running = false;
        resolve();
      }),
    );
    child.once("error", () => (proc.running = false));
    this.processes.push(proc);
    return proc;
  }

  /** The last lines of a process's log, for error messages. */
  tail(name: string, lines = 40): string {
    const proc = this.processes.find((p) => p.name === name);
    try {
      return fs.readFileSync(proc?.log ?? path.join(this.logDir, `${name}.log`), "utf8").split("\n").slice(-lines).join("\n");
    } catch {
      return "(no log)";
    }
  }

  /** Resolves once `ready` answers true; fails early, with the log's tail, if the process exits. */
  async waitFor(proc: Supervised, timeoutMs: number, ready: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    for (;;) {
      if (!proc.running) throw new Error(`${proc.name} exited during startup:\n${this.tail(proc.name)}`);
      try {
        if (await ready()) return;
      } catch (error) {
        last = String(error);
      }
      if (Date.now() > deadline) throw new Error(`${proc.name} not ready after ${timeoutMs / 1000}s (${last}):\n${this.tail(proc.name)}`);
      await sleep(250);
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`, newest process first; all of them, or those named. */
  async stop(names?: string[], graceMs = 10_000): Promise<void> {
    const chosen = this.processes.filter((p) => !names || names.includes(p.name)).reverse();
    for (const proc of chosen) {
      this.processes.splice(this.processes.indexOf(proc), 1);
      if (proc.running) proc.child.kill("SIGTERM");
      await Promise.race([proc.exited, sleep(graceMs)]);
      if (proc.running) proc.child.kill("SIGKILL");
      await Promise.race([proc.exited, sleep(2_000)]);
    }
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a value other than undefined; fails with `what` and the last error. */
export async function eventually<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>, intervalMs = 1_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = String(error instanceof Error ? error.message : error);
    }
    if (Date.now() > deadline) throw new Error(`${what}: not after ${Math.round(timeoutMs / 1000)}s${last ? ` (${last})` : ""}`);
    await sleep(intervalMs);
  }
}
