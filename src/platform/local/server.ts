// A Keycloak server on this machine, from the official distribution the toolchain unpacked into
// KEYCLOAK_HOME: dev mode, its embedded H2 database in a directory of its own, loopback only.
// Used by `npm run dev:up` and by the end-to-end tests; the Pulumi program itself only connects.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";

export interface LocalServerOptions {
  /** Directory for the database, the log and the pid file. */
  dataDir: string;
  port: number;
  /** The bootstrap administrator (a person) and the automation client the realm layer uses. */
  admin: { username: string; password: string; clientId: string; clientSecret: string };
  /** How long to wait for readiness; the first start also builds the distribution. */
  timeoutMs?: number;
}

export interface LocalServer {
  url: string;
  pid: number;
  logFile: string;
}

const keycloakHome = () =>
  process.env.KEYCLOAK_HOME ?? fail("KEYCLOAK_HOME is not set; hint: run through npm run dev:up or npm test, which provision it");

function fail(message: string): never {
  throw new Error(message);
}

/** Starts Keycloak unless the one recorded in dataDir still answers; returns once it is ready. */
export async function startLocalKeycloak(options: LocalServerOptions): Promise<LocalServer> {
  fs.mkdirSync(options.dataDir, { recursive: true });
  const running = readRunning(options.dataDir);
  if (running && (await isReady(`${running.url}/realms/master`))) return running;

  if (!(await isPortFree(options.port)))
    fail(`port ${options.port} is in use; hint: stop what listens there or set keycloak-fleet:local.port to a free port`);
  const managementPort = await freePort();
  const logFile = path.join(options.dataDir, "keycloak.log");
  const log = fs.openSync(logFile, "a");
  const child = spawn(
    path.join(keycloakHome(), "bin", "kc.sh"),
    [
      "start-dev",
      "--http-host=127.0.0.1",
      `--http-port=${options.port}`,
      `--http-management-port=${managementPort}`,
      "--health-enabled=true",
      "--db=dev-file",
      `--db-url=jdbc:h2:file:${path.join(options.dataDir, "h2", "keycloakdb")};NON_KEYWORDS=VALUE`,
    ],
    {
      detached: true,
      stdio: ["ignore", log, log],
      env: {
        ...process.env,
        KC_BOOTSTRAP_ADMIN_USERNAME: options.admin.username,
        KC_BOOTSTRAP_ADMIN_PASSWORD: options.admin.password,
        KC_BOOTSTRAP_ADMIN_CLIENT_ID: options.admin.clientId,
        KC_BOOTSTRAP_ADMIN_CLIENT_SECRET: options.admin.clientSecret,
        JAVA_OPTS_KC_HEAP: "-Xms128m -Xmx768m",
      },
    },
  );
  child.unref();
  fs.closeSync(log);
  const server: LocalServer = { url: `http://127.0.0.1:${options.port}`, pid: child.pid!, logFile };
  fs.writeFileSync(path.join(options.dataDir, "server.json"), JSON.stringify({ ...server, managementPort }));
  await waitUntilReady(server, managementPort, options.timeoutMs ?? 240_000);
  return server;
}

/** Stops the Keycloak recorded in dataDir, if any; resolves once the process is gone. */
export async function stopLocalKeycloak(dataDir: string): Promise<boolean> {
  const running = readRunning(dataDir);
  fs.rmSync(path.join(dataDir, "server.json"), { force: true });
  if (!running || !isAlive(running.pid)) return false;
  process.kill(-running.pid, "SIGTERM");
  for (let waited = 0; isAlive(running.pid) && waited < 30_000; waited += 250) await sleep(250);
  if (isAlive(running.pid)) process.kill(-running.pid, "SIGKILL");
  return true;
}

/** The server recorded in dataDir if its process is alive. */
function readRunning(dataDir: string): (LocalServer & { managementPort: number }) | undefined {
  const file = path.join(dataDir, "server.json");
  if (!fs.existsSync(file)) return undefined;
  const server = JSON.parse(fs.readFileSync(file, "utf8"));
  return isAlive(server.pid) ? server : undefined;
}

async function waitUntilReady(server: LocalServer, managementPort: number, timeoutMs: number): Promise<void> {
  const health = `http://127.0.0.1:${managementPort}/health/ready`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(server.pid)) fail(`Keycloak exited during start-up; see ${server.logFile}`);
    if ((await isReady(health)) && (await isReady(`${server.url}/realms/master`))) return;
    await sleep(1000);
  }
  fail(`Keycloak was not ready after ${timeoutMs / 1000}s; see ${server.logFile}`);
}

async function isReady(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(3000) })).ok;
  } catch {
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A TCP port on loopback that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
