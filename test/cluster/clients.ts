// HTTP clients with addresses of their own, as an operator's laptop or a user's network has: each
// lives in a network namespace of its own, linked to the node by a veth pair, with an IPv4 /24
// and an IPv6 /64 out of network.ts's outside ranges (private to this machine; the guard drops
// anything that would leave it). A client's default route is the node, which forwards to the
// load balancer's addresses like a router in front of a cluster. Requests are made by curl run
// inside the namespace, so the source address the ingress controller sees is the client's.
import { execFile } from "node:child_process";
import { CLIENT_LINK_PREFIX, CLIENT_NETNS_PREFIX, enableIpv6Forwarding, sh } from "./network";

export interface Client {
  name: string;
  /** Where the client runs: a network namespace, or the node itself (its own address). */
  netns?: string;
  ipv4: string;
  ipv6: string;
}

/** Network `n` of the outside ranges: 10.215.n.0/24 and fd42:215:n::/64; the node is .1 / ::1 in it, the client .2 / ::2. */
export function clientNetwork(n: number): { ipv4: string; ipv6: string } {
  return { ipv4: `10.215.${n}.0/24`, ipv6: `fd42:215:${n}::/64` };
}

/** Creates a client on network `n` (1-255; 0 is the load balancer's). */
export function createClient(name: string, n: number): Client {
  const netns = `${CLIENT_NETNS_PREFIX}${name}`;
  const link = `${CLIENT_LINK_PREFIX}${name}`;
  const inside = (...args: string[]) => sh("ip", ["netns", "exec", netns, "ip", ...args]);
  sh("ip", ["netns", "add", netns]);
  sh("ip", ["link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", netns]);
  // No duplicate address detection on this point-to-point link: the addresses are usable at once.
  sh("ip", ["addr", "add", `10.215.${n}.1/24`, "dev", link]);
  sh("ip", ["-6", "addr", "add", `fd42:215:${n}::1/64`, "dev", link, "nodad"]);
  sh("ip", ["link", "set", link, "up"]);
  enableIpv6Forwarding(link);
  inside("link", "set", "lo", "up");
  inside("addr", "add", `10.215.${n}.2/24`, "dev", "eth0");
  inside("-6", "addr", "add", `fd42:215:${n}::2/64`, "dev", "eth0", "nodad");
  inside("link", "set", "eth0", "up");
  inside("route", "add", "default", "via", `10.215.${n}.1`);
  inside("-6", "route", "add", "default", "via", `fd42:215:${n}::1`);
  return { name, netns, ipv4: `10.215.${n}.2`, ipv6: `fd42:215:${n}::2` };
}

/** Deletes the client's namespace, and with it both ends of its link. */
export function removeClient(client: Client): void {
  if (client.netns) sh("ip", ["netns", "delete", client.netns]);
}

export interface Answer {
  status: number;
  body: string;
  /** The Location header of a redirect. */
  location: string;
}

export interface RequestOptions {
  /** The address that the URL's host resolves to: the load balancer's, of the family to use. */
  connectTo: string;
  /** The CA that signed the server's certificate. */
  ca: string;
  method?: string;
  /** Request headers; sent through curl's standard input like the body, so no secret shows in a process list. */
  headers?: Record<string, string>;
  /** A form body (application/x-www-form-urlencoded). */
  form?: Record<string, string>;
  /** Send the path exactly as written, dot segments included (curl normalises them otherwise). */
  pathAsIs?: boolean;
}

const MARK = "\n--keycloak-fleet-status--";

/** One HTTPS request from the client, on a new connection; fails only when no HTTP answer came. */
export async function requestFrom(client: Client, url: string, options: RequestOptions): Promise<Answer> {
  const { hostname, port } = new URL(url);
  const target = options.connectTo.includes(":") ? `[${options.connectTo}]` : options.connectTo;
  const config = [
    ["url", url],
    ["resolve", `${hostname}:${port || 443}:${target}`],
    ["cacert", options.ca],
    ["request", options.method ?? (options.form ? "POST" : "GET")],
    ...Object.entries(options.headers ?? {}).map(([name, value]) => ["header", `${name}: ${value}`]),
    ...(options.form ? [["data", new URLSearchParams(options.form).toString()]] : []),
    ["write-out", `${MARK}%{http_code} %{redirect_url}`],
  ];
  const flags = ["--silent", "--show-error", "--max-time", "20", ...(options.pathAsIs ? ["--path-as-is"] : []), "--config", "-"];
  const command = client.netns ? ["ip", ["netns", "exec", client.netns, "curl", ...flags]] as const : ["curl", flags] as const;
  const stdin = config.map(([name, value]) => `${name} = ${quoted(value)}`).join("\n");
  let stdout: string;
  try {
    stdout = await run(command[0], [...command[1]], stdin);
  } catch (error: any) {
    throw new Error(`${options.method ?? "GET"} ${url} from ${client.name} (${options.connectTo}): ${String(error.stderr || error.message).trim()}`);
  }
  const at = stdout.lastIndexOf(MARK);
  const [status, location = ""] = stdout.slice(at + MARK.length).split(" ");
  return { status: Number(status), body: stdout.slice(0, at), location };
}

/** A value of curl's config file: in double quotes, with backslash escapes. */
function quoted(value: string): string {
  const escapes: Record<string, string> = { "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t" };
  return `"${value.replace(/[\\"\n\r\t]/g, (c) => escapes[c])}"`;
}

function run(command: string, args: string[], stdin: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      error ? reject(Object.assign(error, { stderr })) : resolve(stdout),
    );
    child.stdin!.end(stdin);
  });
}
