// The test cluster's network on this machine: a Linux bridge with private addresses (IPv4 and
// IPv6) that pods attach to (through the CNI bridge plugin), routes that keep the Service and
// load-balancer ranges on that bridge, and guard chains (iptables and ip6tables) that drop any
// pod, Service or test-client traffic headed anywhere but the bridge or the test clients' own
// links, so nothing the cluster or its clients send reaches past this machine. Teardown also
// removes what kubelet, kube-proxy and kube-router leave in iptables and ipset, and any test
// client's namespace.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";

export const BRIDGE = "kfleet0";
/** The node's address: kubelet refuses a loopback node IP, so the node lives on the bridge. */
export const NODE_IP = "10.213.0.1";
export const POD_CIDR = "10.213.0.0/24";
export const SERVICE_CIDR = "10.214.0.0/24";
/** The `kubernetes` Service takes the first address of the Service range. */
export const KUBERNETES_SERVICE_IP = "10.214.0.1";
/** The cluster is dual-stack: pods and Services get an IPv6 address too, from unique local ranges. */
export const NODE_IP6 = "fd42:213::1";
export const POD_CIDR6 = "fd42:213::/64";
export const SERVICE_CIDR6 = "fd42:214::/112";
/**
 * Addresses outside the cluster, made by the tests: the load balancer's addresses (the first
 * /24 and /64) and one network per test client (clients.ts). Private to this machine.
 */
export const OUTSIDE_CIDR = "10.215.0.0/16";
export const OUTSIDE_CIDR6 = "fd42:215::/48";
export const LOAD_BALANCER_CIDR = "10.215.0.0/24";
export const LOAD_BALANCER_CIDR6 = "fd42:215::/64";
/** Names of the test clients' network namespaces, and of their links on the node's side. */
export const CLIENT_NETNS_PREFIX = "kfleet-";
export const CLIENT_LINK_PREFIX = "kfc-";
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

/** Creates the bridge, its routes and the guards; returns the sysctl values to restore. */
export function setUpNetwork(): Record<string, string> {
  const saved = Object.fromEntries(SYSCTLS.filter((f) => fs.existsSync(f)).map((f) => [f, fs.readFileSync(f, "utf8").trim()]));
  sh("ip", ["link", "add", BRIDGE, "type", "bridge"]);
  sh("ip", ["addr", "add", `${NODE_IP}/24`, "dev", BRIDGE]);
  // No duplicate address detection: nothing else on this new bridge can hold the address.
  sh("ip", ["-6", "addr", "add", `${NODE_IP6}/64`, "dev", BRIDGE, "nodad"]);
  sh("ip", ["link", "set", BRIDGE, "up"]);
  sh("ip", ["route", "add", SERVICE_CIDR, "dev", BRIDGE]);
  sh("ip", ["route", "add", LOAD_BALANCER_CIDR, "dev", BRIDGE]);
  sh("ip", ["-6", "route", "add", SERVICE_CIDR6, "dev", BRIDGE]);
  sh("ip", ["-6", "route", "add", LOAD_BALANCER_CIDR6, "dev", BRIDGE]);
  // Bridged pod-to-pod traffic must pass iptables for kube-proxy's Service rules; forwarding
  // lets pods reach each other and the node.
  for (const file of SYSCTLS) if (fs.existsSync(file)) fs.writeFileSync(file, "1");
  // IPv6 forwarding for what arrives on the bridge only (the clients' links get the same), not
  // the machine-wide switch, which would also change how the host treats its own uplink. The
  // setting goes away with the bridge.
  enableIpv6Forwarding(BRIDGE);
  guard("iptables", [POD_CIDR, SERVICE_CIDR, OUTSIDE_CIDR]);
  guard("ip6tables", [POD_CIDR6, SERVICE_CIDR6, OUTSIDE_CIDR6]);
  return saved;
}

/** IPv6 forwarding of what arrives on `link` (Linux 6.17+), for the bridge and the clients' links. */
export function enableIpv6Forwarding(link: string): void {
  const file = `/proc/sys/net/ipv6/conf/${link}/force_forwarding`;
  if (!fs.existsSync(file)) throw new Error(`no ${file}: the dual-stack test network needs per-link IPv6 forwarding (net.ipv6.conf.<link>.force_forwarding, Linux 6.17 or later)`);
  fs.writeFileSync(file, "1");
}

/**
 * Drops traffic from or to `ranges` unless it leaves through loopback (the node's own addresses),
 * the bridge or a test client's link. It sits in the mangle table's POSTROUTING, the last hook
 * before a packet leaves (forwarded or the node's own, bridged ones included), where no rule of
 * kube-proxy or a network-policy controller can accept a packet before the guard sees it.
 */
function guard(tool: "iptables" | "ip6tables", ranges: string[]): void {
  const rule = (...args: string[]) => sh(tool, ["-w", "-t", "mangle", ...args]);
  rule("-N", GUARD);
  for (const link of ["lo", BRIDGE, `${CLIENT_LINK_PREFIX}+`]) rule("-A", GUARD, "-o", link, "-j", "RETURN");
  for (const range of ranges) {
    rule("-A", GUARD, "-s", range, "-j", "DROP");
    rule("-A", GUARD, "-d", range, "-j", "DROP");
  }
  rule("-I", "POSTROUTING", "-j", GUARD);
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
  // kube-router's address sets, once no rule refers to them.
  for (const set of policyIpsets()) quietly("ipset", ["destroy", set]);
  // A client's namespace takes its link (the node's end included) with it.
  for (const netns of clientNamespaces()) quietly("ip", ["netns", "delete", netns]);
  quietly("ip", ["link", "del", BRIDGE]);
  for (const [file, value] of Object.entries(saved)) fs.writeFileSync(file, value);
}

/** The address sets kube-router's firewall made (sources and destinations of each policy, "inet6:" for IPv6). */
export function policyIpsets(): string[] {
  let names: string;
  try {
    names = sh("ipset", ["list", "-n"]);
  } catch {
    return [];
  }
  return names.split("\n").filter((name) => /^(inet6:)?KUBE-(SRC|DST)-/.test(name));
}

/** The test clients' network namespaces that exist now. */
export function clientNamespaces(): string[] {
  return fs.existsSync("/run/netns") ? fs.readdirSync("/run/netns").filter((n) => n.startsWith(CLIENT_NETNS_PREFIX)) : [];
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
