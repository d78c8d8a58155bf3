// A throwaway Kubernetes API server for manifest tests: etcd (the Debian package etcd-server, on
// PATH) and kube-apiserver (built from Go modules by the toolchain; KUBE_APISERVER) on free
// loopback ports, with a temporary data directory, a self-signed serving certificate,
// a service-account key and a static admin token. Nothing else of a cluster runs: no controllers,
// no scheduler, no nodes, so objects are stored and validated but never acted on.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { freePort } from "../../src/platform/local/server";
import { request, type KubeApi } from "../cluster/kube";
import { startEtcd } from "../cluster/etcd";
import { Supervisor } from "../cluster/process";
import { toolchainReady } from "./toolchain";

/** The binary setup.sh builds (`ensure_kubernetes`); toolchain/lib.sh exports its path. */
export const kubeApiserverBin = process.env.KUBE_APISERVER ?? "";

export interface ApiServer extends KubeApi {
  stop(): Promise<void>;
}

/** Starts etcd and kube-apiserver; resolves once /readyz answers ok with the admin token. */
export async function startApiServer(): Promise<ApiServer> {
  await toolchainReady("kubernetes");
  if (!fs.existsSync(kubeApiserverBin))
    throw new Error(`no kube-apiserver at "${kubeApiserverBin}"; hint: run through npm test, whose setup builds it and sets KUBE_APISERVER`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-e2e-apiserver-"));
  const supervisor = new Supervisor(dir);
  const stop = async () => {
    await supervisor.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    const etcdUrl = await startEtcd(supervisor, dir);
    const securePort = await freePort();

    // A serving certificate for 127.0.0.1 that clients trust directly, and the key that signs
    // service-account tokens.
    const cert = path.join(dir, "serving.crt");
    const key = path.join(dir, "serving.key");
    execFileSync("openssl", [
      "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
      "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key, "-out", cert,
    ], { stdio: "pipe" });
    const serviceAccountKey = path.join(dir, "service-account.key");
    execFileSync("openssl", ["genrsa", "-out", serviceAccountKey, "2048"], { stdio: "pipe" });
    const token = randomBytes(24).toString("hex");
    const tokenFile = path.join(dir, "tokens.csv");
    fs.writeFileSync(tokenFile, `${token},e2e-admin,e2e-admin,"system:masters"\n`, { mode: 0o600 });

    const apiserver = supervisor.start("kube-apiserver", kubeApiserverBin, [
      `--etcd-servers=${etcdUrl}`,
      "--bind-address=127.0.0.1",
      `--secure-port=${securePort}`,
      `--tls-cert-file=${cert}`,
      `--tls-private-key-file=${key}`,
      "--service-account-issuer=https://kubernetes.default.svc",
      `--service-account-key-file=${serviceAccountKey}`,
      `--service-account-signing-key-file=${serviceAccountKey}`,
      "--authorization-mode=AlwaysAllow",
      `--token-auth-file=${tokenFile}`,
      // Only the range the API server allocates Service IPs from; nothing is sent there.
      "--service-cluster-ip-range=10.96.0.0/16",
      // No node runs behind this server: do not publish it as the `kubernetes` Service's endpoint.
      "--endpoint-reconciler-type=none",
      "--advertise-address=127.0.0.1",
    ]);
    const url = `https://127.0.0.1:${securePort}`;
    const server: ApiServer = { url, token, ca: fs.readFileSync(cert, "utf8"), stop };
    await supervisor.waitFor(apiserver, 120_000, async () => {
      const { status, body } = await request(server, "GET", "/readyz");
      return status === 200 && body === "ok";
    });
    return server;
  } catch (error) {
    await stop();
    throw error;
  }
}
