// The local servers' processes (Keycloak, PostgreSQL), known by the pid each recorded.
import * as fs from "node:fs";

/**
 * Whether a process with this pid runs; a negative pid asks for any process of that process
 * group. A zombie does not count: a server started by a command that has exited is reparented
 * to pid 1, and on machines whose pid 1 never reaps (containers, micro-VMs) it stays a zombie
 * after it exits, which signal 0 alone reports as alive.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (!fs.existsSync("/proc/self/stat")) return true; // not Linux: signal 0 is all there is
  return pid > 0 ? isRunning(pid) : processIds().some((member) => statFields(member)?.[2] === String(-pid) && isRunning(member));
}

/** The fields of /proc/PID/stat after the command name (which may hold spaces): state, ppid, pgrp, ... */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  const state = statFields(pid)?.[0];
  return state !== undefined && state !== "Z" && state !== "X";
}

function processIds(): number[] {
  return fs.readdirSync("/proc").filter((entry) => /^\d+$/.test(entry)).map(Number);
}
