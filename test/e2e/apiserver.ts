// A throwaway Kubernetes API server for manifest tests: etcd (the Debian package etcd-server, on
// PATH) and kube-apiserver (built from Go modules by the toolchain; KUBE_APISERVER) on free
// loopback ports, with a temporary data directory, a self-signed serving certificate,
// a service-account key and a static admin token. Nothing else of a cluster runs: no controllers,
// no scheduler, no nodes, so objects are stored and validated but never acted on.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import { freePort } from "../../src/platform/local/server";

/** The binary setup.sh builds (`ensure_kube_apiserver`); toolchain/lib.sh exports its path. */
export const kubeApiserverBin = process.env.KUBE_APISERVER ?? "";

export interface ApiServer {
  /** https://127.0.0.1:<port> */
  url: string;
  /** Bearer token of an administrator (group system:masters; authorization is AlwaysAllow anyway). */
  token: string;
  /** The serving certificate, to trust in clients (see `request`). */
  ca: string;
  stop(): Promise<void>;
}

export interface ApiResponse {
  status: number;
  body: any;
  /** The API server's Warning headers (deprecations, unknown fields under Warn validation, ...). */
  warnings: string[];
}

/** Starts etcd and kube-apiserver; resolves once /readyz answers ok with the admin token. */
export async function startApiServer(): Promise<ApiServer> {
  if (!fs.existsSync(kubeApiserverBin))
    throw new Error(`no kube-apiserver at "${kubeApiserverBin}"; hint: run through npm test, whose setup builds it and sets KUBE_APISERVER`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-e2e-apiserver-"));
  const children: { name: string; child: ChildProcess; exited: Promise<void>; running: boolean }[] = [];
  const stop = async () => {
    // kube-apiserver first, so it does not log etcd's disappearance at length.
    for (const proc of [...children].reverse()) {
      if (proc.running) proc.child.kill("SIGTERM");
      await Promise.race([proc.exited, sleep(10_000)]);
      if (proc.running) proc.child.kill("SIGKILL");
      await Promise.race([proc.exited, sleep(2_000)]);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const run = (name: string, command: string, args: string[]) => {
    const log = fs.openSync(path.join(dir, `${name}.log`), "a");
    const child = spawn(command, args, { stdio: ["ignore", log, log] });
    fs.closeSync(log);
    const proc = { name, child, running: true, exited: Promise.resolve() };
    proc.exited = new Promise<void>((resolve) =>
      child.once("exit", () => {
        proc.running = false;
        resolve();
      }),
    );
    child.once("error", () => (proc.running = false));
    children.push(proc);
    return proc;
  };
  const logTail = (name: string) => {
    try {
      return fs.readFileSync(path.join(dir, `${name}.log`), "utf8").split("\n").slice(-40).join("\n");
    } catch {
      return "(no log)";
    }
  };

  try {
    // etcd: one member, its client and peer URLs on free loopback ports.
    const [etcdClient, etcdPeer, securePort] = [await freePort(), await freePort(), await freePort()];
    const peerUrl = `http://127.0.0.1:${etcdPeer}`;
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    const etcd = run("etcd", "etcd", [
      "--name=e2e",
      `--data-dir=${path.join(dir, "etcd")}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=e2e=${peerUrl}`,
      "--log-level=warn",
    ]);
    await waitFor("etcd", 30_000, () => etcd.running, logTail, async () => (await plainGet(`${etcdUrl}/health`)).includes('"health":"true"'));

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

    const apiserver = run("kube-apiserver", kubeApiserverBin, [
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
    await waitFor("kube-apiserver", 120_000, () => apiserver.running, logTail, async () => {
      const { status, body } = await request(server, "GET", "/readyz");
      return status === 200 && body === "ok";
    });
    return server;
  } catch (error) {
    await stop();
    throw error;
  }
}

/** One request to the API server with the admin token; JSON bodies are parsed, others returned as text. */
export function request(server: ApiServer, method: string, pathAndQuery: string, body?: unknown): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request(
      `${server.url}${pathAndQuery}`,
      {
        method,
        ca: server.ca,
        headers: {
          authorization: `Bearer ${server.token}`,
          accept: "application/json",
          ...(payload === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown = text;
          if (String(res.headers["content-type"] ?? "").includes("json")) {
            try {
              parsed = JSON.parse(text);
            } catch {
              // keep the text
            }
          }
          const warning = res.headers.warning;
          resolve({ status: res.statusCode ?? 0, body: parsed, warnings: warning === undefined ? [] : ([] as string[]).concat(warning) });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

function plainGet(url: string): Promise<string> {
  return fetch(url, { signal: AbortSignal.timeout(2_000) }).then((r) => r.text());
}

async function waitFor(name: string, timeoutMs: number, running: () => boolean, logTail: (name: string) => string, ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    if (!running()) throw new Error(`${name} exited during startup:\n${logTail(name)}`);
    try {
      if (await ready()) return;
    } catch (error) {
      last = String(error);
    }
    if (Date.now() > deadline) throw new Error(`${name} not ready after ${timeoutMs / 1000}s (${last}):\n${logTail(name)}`);
    await sleep(250);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
