// Runs a command as the bench's subject: its wall time, and the peak of the resident memory of
// the whole process tree it starts (for `pulumi up`: CLI and engine, language host, program,
// provider plugin; for `tofu apply`: tofu and the provider), sampled from /proc.
import { spawn } from "node:child_process";
import * as fs from "node:fs";

export interface CommandRun {
  seconds: number;
  /** The highest sum of the tree's resident set sizes seen, in MiB. */
  peakMiB: number;
  stdout: string;
  stderr: string;
  code: number;
}

const SAMPLE_MS = 100;
const PAGE_KIB = 4;

export interface CommandOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Exit codes that are answers, not failures (`tofu plan -detailed-exitcode`: 2 = changes). */
  answers?: number[];
}

/** Runs command; fails with its output when it exits with a code that is not 0 or an answer. */
export function runCommand(command: string, args: string[], { cwd, env, answers = [] }: CommandOptions): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    let peakKiB = 0;
    const sampler = setInterval(() => (peakKiB = Math.max(peakKiB, treeRssKiB(child.pid!))), SAMPLE_MS);
    child.on("error", (error) => {
      clearInterval(sampler);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearInterval(sampler);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const [stdout, stderr] = [Buffer.concat(out).toString("utf8"), Buffer.concat(err).toString("utf8")];
      if (code === null || (code !== 0 && !answers.includes(code))) reject(new Error(`${command} ${args.join(" ")} exited with ${code ?? signal}:\n${tail(stdout)}${tail(stderr)}`));
      else resolve({ seconds, peakMiB: peakKiB / 1024, stdout, stderr, code });
    });
  });
}

const tail = (text: string) => text.split("\n").slice(-40).join("\n");

/** The resident memory of pid and every process below it, in KiB. */
function treeRssKiB(root: number): number {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const pid = Number(entry);
      const ppid = Number(fields[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), pid]);
      // Field 24 of stat (22 after the name) is the resident set in pages.
      rss.set(pid, Number(fields[21]) * PAGE_KIB);
    } catch {
      // the process ended while we looked
    }
  }
  let total = 0;
  const pending = [root];
  while (pending.length) {
    const pid = pending.pop()!;
    total += rss.get(pid) ?? 0;
    pending.push(...(children.get(pid) ?? []));
  }
  return total;
}
