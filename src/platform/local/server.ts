// A Keycloak server on this machine, from the official distribution the toolchain unpacked into
// KEYCLOAK_HOME: dev mode, its embedded H2 database in a directory of its own, loopback only; or
// production mode on a PostgreSQL of its own (production.ts).
// Used by `npm run dev:up` and by the end-to-end tests; the Pulumi program itself only connects.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { isLocalPostgresRunning, stopLocalPostgres, type LocalPostgres } from "./postgres";
import { prepareProductionLaunch } from "./production";
import { isAlive } from "./process";

export interface LocalServerOptions {
  /** Directory for the database, the log and the pid file. */
  dataDir: string;
  port: number;
  /**
   * The automation client the realm layer uses, and optionally a temporary admin user: a stack
   * that declares its permanent administrator (src/platform/administrator.ts) bootstraps none.
   */
  admin: { username?: string; password?: string; clientId: string; clientSecret: string };
  /** How long to wait for readiness; the first start also builds the distribution. */
  timeoutMs?: number;
  /** The Keycloak distribution to run; KEYCLOAK_HOME when unset (the tests choose another version). */
  keycloakHome?: string;
  /** Production mode (`kc.sh start`) on a PostgreSQL in dataDir/postgres; dev mode when unset. */
  production?: { databasePassword: string };
  /** Where to tell about slow steps (the production build); silent when unset. */
  progress?: (message: string) => void;
}

export interface LocalServer {
  url: string;
  pid: number;
  logFile: string;
  mode: "dev" | "production";
  /** Production mode's database. */
  database?: LocalPostgres;
}

const keycloakHome = (options: LocalServerOptions) =>
  options.keycloakHome ??
  process.env.KEYCLOAK_HOME ?? fail("KEYCLOAK_HOME is not set; hint: run through npm run dev:up or npm test, which provision it");

function fail(message: string): never {
  throw new Error(message);
}

/** Starts Keycloak unless the one recorded in dataDir still answers; returns once it is ready. */
export async function startLocalKeycloak(options: LocalServerOptions): Promise<LocalServer> {
  fs.mkdirSync(options.dataDir, { recursive: true });
  const mode = options.production ? "production" : "dev";
  const running = readRunning(options.dataDir);
  // A server of the other mode (the stack's mode changed), or one whose database died, makes
  // way; each mode keeps its own data.
  const databaseLost = mode === "production" && !isLocalPostgresRunning(path.join(options.dataDir, "postgres"));
  if (running && ((running.mode ?? "dev") !== mode || databaseLost)) await stopLocalKeycloak(options.dataDir);
  else if (running && (await isReady(`${running.url}/realms/master`))) return running;

  if (!(await isPortFree(options.port)))
    fail(`port ${options.port} is in use; hint: stop what listens there or set keycloak-fleet:local.port to a free port`);
  const managementPort = await freePort();
  const logFile = path.join(options.dataDir, "keycloak.log");
  const launch = options.production
    ? await prepareProductionLaunch({
        dataDir: options.dataDir,
        port: options.port,
        managementPort,
        databasePort: await freePort(),
        databasePassword: options.production.databasePassword,
        keycloakHome: keycloakHome(options),
        progress: options.progress ?? (() => {}),
      })
    : devLaunch(options, managementPort);
  const log = fs.openSync(logFile, "a");
  const child = spawn(
    path.join(launch.home, "bin", "kc.sh"),
    launch.args,
    {
      detached: true,
      stdio: ["ignore", log, log],
      env: {
        ...process.env,
        ...launch.env,
        ...bootstrapAdminUser(options.admin),
        KC_BOOTSTRAP_ADMIN_CLIENT_ID: options.admin.clientId,
        KC_BOOTSTRAP_ADMIN_CLIENT_SECRET: options.admin.clientSecret,
        JAVA_OPTS_KC_HEAP: "-Xms128m -Xmx768m",
      },
    },
  );
  child.unref();
  fs.closeSync(log);
  const server: LocalServer = { url: `http://127.0.0.1:${options.port}`, pid: child.pid!, logFile, mode, database: launch.database };
  fs.writeFileSync(path.join(options.dataDir, "server.json"), JSON.stringify({ ...server, managementPort }));
  // A first production start also creates the whole schema in PostgreSQL.
  await waitUntilReady(server, managementPort, options.timeoutMs ?? (options.production ? 360_000 : 240_000));
  return server;
}

/** Keycloak's temporary admin user, when one is asked for (both username and password). */
function bootstrapAdminUser({ username, password }: LocalServerOptions["admin"]): Record<string, string> {
  return username && password ? { KC_BOOTSTRAP_ADMIN_USERNAME: username, KC_BOOTSTRAP_ADMIN_PASSWORD: password } : {};
}

/** Dev mode: start-dev on its embedded H2 database in dataDir/h2. */
function devLaunch(options: LocalServerOptions, managementPort: number) {
  return {
    home: keycloakHome(options),
    args: [
      "start-dev",
      "--http-host=127.0.0.1",
      `--http-port=${options.port}`,
      `--http-management-port=${managementPort}`,
      "--health-enabled=true",
      "--db=dev-file",
      `--db-url=jdbc:h2:file:${path.join(options.dataDir, "h2", "keycloakdb")};NON_KEYWORDS=VALUE`,
    ],
    env: {},
    database: undefined,
  };
}

/**
 * Stops the Keycloak recorded in dataDir, if any, then its PostgreSQL (production mode), which
 * outlives its only client; resolves once both are gone. True when something was running.
 */
export async function stopLocalKeycloak(dataDir: string): Promise<boolean> {
  const running = readRunning(dataDir);
  fs.rmSync(path.join(dataDir, "server.json"), { force: true });
  const keycloakRan = running !== undefined && isAlive(running.pid);
  if (keycloakRan) {
    process.kill(-running.pid, "SIGTERM");
    for (let waited = 0; isAlive(running.pid) && waited < 30_000; waited += 250) await sleep(250);
    if (isAlive(running.pid)) process.kill(-running.pid, "SIGKILL");
  }
  const postgresRan = await stopLocalPostgres(path.join(dataDir, "postgres"));
  return keycloakRan || postgresRan;
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

/**
 * A loopback port nothing listens on, for a server that binds it some seconds later. Taken below
 * the kernel's range of ephemeral ports: a port from that range (what listening on port 0 hands
 * out) can meanwhile become the source port of any outgoing connection, and a busy test run
 * makes thousands ("Port already bound" at Keycloak's start). And below 30000, where Kubernetes
 * puts NodePorts.
 */
export async function freePort(): Promise<number> {
  const [ephemeralStart] = fs.existsSync(EPHEMERAL_RANGE) ? fs.readFileSync(EPHEMERAL_RANGE, "utf8").trim().split(/\s+/).map(Number) : [32768];
  const low = 20000;
  const high = Math.max(low + 1000, Math.min(30000, ephemeralStart));
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (await isPortFree(port)) return port;
  }
  throw new Error(`no free loopback port between ${low} and ${high}`);
}

const EPHEMERAL_RANGE = "/proc/sys/net/ipv4/ip_local_port_range";

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
