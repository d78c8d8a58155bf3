// etcd (Debian's etcd-server) for a test API server: one member on free loopback ports.
import * as path from "node:path";
import { freePort } from "../../src/platform/local/server";
import type { Supervisor } from "./process";

/** Starts etcd with its data under `dir`; resolves to its client URL once it reports healthy. */
export async function startEtcd(supervisor: Supervisor, dir: string): Promise<string> {
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const etcd = supervisor.start("etcd", "etcd", [
    "--name=test",
    `--data-dir=${path.join(dir, "etcd")}`,
    `--listen-client-urls=${clientUrl}`,
    `--advertise-client-urls=${clientUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=test=${peerUrl}`,
    "--log-level=warn",
  ]);
  await supervisor.waitFor(etcd, 30_000, async () => (await (await fetch(`${clientUrl}/health`, { signal: AbortSignal.timeout(2_000) })).text()).includes('"health":"true"'));
  return clientUrl;
}
