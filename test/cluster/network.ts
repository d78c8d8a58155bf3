// The test cluster's network on this machine: a Linux bridge with a private address that pods
// attach to (through the CNI bridge plugin), a route that keeps the Service range on that
// bridge, and a guard chain that drops any pod or Service traffic headed anywhere but the
// bridge, so nothing the cluster runs reaches past this machine. Teardown also removes what
// kubelet and kube-proxy leave in iptables.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";

export const BRIDGE = "kfleet0";
/** The node's address: kubelet refuses a loopback node IP, so the node lives on the bridge. */
export const NODE_IP = "10.213.0.1";
export const POD_CIDR = "10.213.0.0/24";
export const SERVICE_CIDR = "10.214.0.0/24";
/** The `kubernetes` Service takes the first address of the Service range. */
export const KUBERNETES_SERVICE_IP = "10.214.0.1";
const GUARD = "KFLEET-GUARD";

/** Kernel settings the cluster changes, restored at teardown. */
const SYSCTLS = ["/proc/sys/net/ipv4/ip_forward", "/proc/sys/net/bridge/bridge-nf-call-iptables", "/proc/sys/net/bridge/bridge-nf-call-ip6tables"];

export function sh(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** For teardown: a step that has nothing left to remove must not stop the others. */
function quietly(command: string, args: string[]): void {
  try {
    sh(command, args);
  } catch {
    // already gone
  }
}

/** Creates the bridge, the Service route and the guard; returns the sysctl values to restore. */
export function setUpNetwork(): Record<string, string> {
  const saved = Object.fromEntries(SYSCTLS.filter((f) => fs.existsSync(f)).map((f) => [f, fs.readFileSync(f, "utf8").trim()]));
  sh("ip", ["link", "add", BRIDGE, "type", "bridge"]);
  sh("ip", ["addr", "add", `${NODE_IP}/24`, "dev", BRIDGE]);
  sh("ip", ["link", "set", BRIDGE, "up"]);
  sh("ip", ["route", "add", SERVICE_CIDR, "dev", BRIDGE]);
  // Bridged pod-to-pod traffic must pass iptables for kube-proxy's Service rules; forwarding
  // lets pods reach each other and the node.
  for (const file of SYSCTLS) if (fs.existsSync(file)) fs.writeFileSync(file, "1");
  sh("iptables", ["-N", GUARD]);
  // The node's own address is local: its traffic to itself goes over loopback.
  sh("iptables", ["-A", GUARD, "-o", "lo", "-j", "RETURN"]);
  for (const range of [POD_CIDR, SERVICE_CIDR]) {
    sh("iptables", ["-A", GUARD, "-s", range, "!", "-o", BRIDGE, "-j", "DROP"]);
    sh("iptables", ["-A", GUARD, "-d", range, "!", "-o", BRIDGE, "-j", "DROP"]);
  }
  sh("iptables", ["-I", "FORWARD", "-j", GUARD]);
  sh("iptables", ["-I", "OUTPUT", "-j", GUARD]);
  return saved;
}

/**
 * Removes the bridge, the guard and every KUBE-* chain kubelet and kube-proxy created (in
 * iptables and ip6tables, every table), and restores the sysctls. Safe to run when some or all
 * of it is already gone, which is how a run cleans up after an earlier one that was killed.
 */
export function tearDownNetwork(saved: Record<string, string> = {}): void {
  for (const tool of ["iptables", "ip6tables"]) {
    for (const table of ["filter", "nat", "mangle"]) removeChains(tool, table, (chain) => chain.startsWith("KUBE-") || chain === GUARD);
  }
  quietly("ip", ["link", "del", BRIDGE]);
  for (const [file, value] of Object.entries(saved)) fs.writeFileSync(file, value);
}

/** Deletes the rules that jump to matching chains, then the chains themselves. */
function removeChains(tool: string, table: string, matches: (chain: string) => boolean): void {
  let rules: string[];
  try {
    rules = sh(tool, ["-w", "-t", table, "-S"]).split("\n");
  } catch {
    return;
  }
  const chains = rules.filter((r) => r.startsWith("-N ")).map((r) => r.slice(3)).filter(matches);
  if (chains.length === 0) return;
  for (const rule of rules) {
    const jump = / -j (\S+)/.exec(rule)?.[1];
    if (rule.startsWith("-A ") && jump && chains.includes(jump)) quietly(tool, ["-w", "-t", table, "-D", ...words(rule).slice(1)]);
  }
  for (const chain of chains) quietly(tool, ["-w", "-t", table, "-F", chain]);
  for (const chain of chains) quietly(tool, ["-w", "-t", table, "-X", chain]);
}

/** The words of an `iptables -S` line; quoted comments stay one word, without their quotes. */
function words(rule: string): string[] {
  return [...rule.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : m[2]));
}
