// A real Keycloak for tests, from the distribution the toolchain provisioned: the run's shared
// one (global-setup.ts), and the extra ones a test needs for itself (a second region, a server
// to wipe or kill), each with its own data directory, loopback port and random admin secrets.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { randomSecret } from "../../src/ops/workspace";
import { freePort, startLocalKeycloak, stopLocalKeycloak, type LocalServer } from "../../src/platform/local/server";

export interface KeycloakUnderTest {
  url: string;
  port: number;
  admin: { username: string; password: string; clientId: string; clientSecret: string };
}

export interface TestKeycloak extends KeycloakUnderTest {
  dataDir: string;
  /** Production mode only: the password of its PostgreSQL user. */
  databasePassword?: string;
  /** The server as last started: its process, log and (production mode) database. */
  server(): LocalServer;
  /** Starts it again on the same port with the same admin secrets (after stop, kill or wipe). */
  start(): Promise<void>;
  /** Stops it gracefully. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash or an OOM kill would end it. */
  kill(): void;
  /** Stops it and deletes its database: the next start is an empty Keycloak. */
  wipe(): Promise<void>;
  /** Stops it and removes its directory. */
  remove(): Promise<void>;
}

export interface TestKeycloakOptions {
  /** Production mode (`kc.sh start`) on a PostgreSQL of its own, as `mode: production` runs it. */
  production?: boolean;
  /** The Keycloak distribution to run (another version); KEYCLOAK_HOME when unset. */
  keycloakHome?: string;
}

export async function startTestKeycloak(label = "keycloak", options: TestKeycloakOptions = {}): Promise<TestKeycloak> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `fleet-e2e-${label}-`));
  const port = await freePort();
  const admin = { username: "admin", password: randomSecret(), clientId: "keycloak-fleet", clientSecret: randomSecret() };
  const url = `http://127.0.0.1:${port}`;
  const production = options.production ? { databasePassword: randomSecret() } : undefined;
  let server: LocalServer | undefined;
  const start = async () => {
    server = await startLocalKeycloak({ dataDir, port, admin, production, keycloakHome: options.keycloakHome });
  };
  const stop = async () => {
    await stopLocalKeycloak(dataDir);
  };
  const wipeData = () => {
    for (const entry of fs.readdirSync(dataDir)) if (entry !== "keycloak.log") fs.rmSync(path.join(dataDir, entry), { recursive: true, force: true });
  };
  await start();
  return {
    url,
    port,
    admin,
    dataDir,
    databasePassword: production?.databasePassword,
    server: () => server!,
    start,
    stop,
    kill: () => {
      const { pid } = JSON.parse(fs.readFileSync(path.join(dataDir, "server.json"), "utf8"));
      process.kill(-pid, "SIGKILL");
    },
    wipe: async () => {
      await stop();
      wipeData();
    },
    remove: async () => {
      await stop();
      reportServerErrors(label, path.join(dataDir, "keycloak.log"));
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Keycloak's own account of a failure (a 500 says "consult the server log") goes with its data
 * directory: the ERROR lines it logged, with the stack lines right after them, are printed first.
 */
function reportServerErrors(label: string, logFile: string): void {
  if (!fs.existsSync(logFile)) return;
  const lines = fs.readFileSync(logFile, "utf8").split("\n");
  const errors = lines.flatMap((line, i) => (/ ERROR /.test(line) ? [line, ...lines.slice(i + 1, i + 6).filter((next) => /^\s+at |^Caused by/.test(next))] : []));
  if (errors.length > 0) console.log(`keycloak ${label} logged ${errors.length} error lines (the first 40):\n${errors.slice(0, 40).join("\n")}`);
}
