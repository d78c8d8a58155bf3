// The PostgreSQL server of the local platform's production mode: Debian's binaries (POSTGRES_BIN,
// provisioned by toolchain/setup.sh), a cluster of its own in a directory of the stack's data,
// TCP on loopback only. PostgreSQL refuses to run as root, so a product run as root runs it as
// the `postgres` account that Debian's package creates.
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { isAlive } from "./process";

/** The database and the user Keycloak logs in as (a superuser of a cluster nothing else uses). */
export const KEYCLOAK_DATABASE = "keycloak";
export const KEYCLOAK_DB_USER = "keycloak";

export interface LocalPostgresOptions {
  /** Directory of the cluster, its log and its record; created on the first start. */
  dir: string;
  /** Password of KEYCLOAK_DB_USER, set when the cluster is created. */
  password: string;
  /** Loopback port to listen on when it is not running yet. */
  port: number;
}

export interface LocalPostgres {
  port: number;
  pid: number;
  logFile: string;
  /** How Keycloak reaches it (--db-url). */
  jdbcUrl: string;
}

/** A process account to run PostgreSQL as; undefined: as ourselves. */
type Account = { uid: number; gid: number } | undefined;

function fail(message: string): never {
  throw new Error(message);
}

function tool(name: string): string {
  const bin = process.env.POSTGRES_BIN ?? fail("POSTGRES_BIN is not set; hint: run through npm run dev:up or npm test, which provision PostgreSQL");
  const file = path.join(bin, name);
  if (!fs.existsSync(file)) fail(`PostgreSQL is not installed (no ${file}); hint: bash toolchain/setup.sh --postgres installs it from Debian`);
  return file;
}

/** Starts the cluster in options.dir (creating it the first time) unless it already runs. */
export async function startLocalPostgres(options: LocalPostgresOptions): Promise<LocalPostgres> {
  const running = readRunning(options.dir);
  if (running && (await acceptsConnections(running.port))) return running;

  const account = serverAccount();
  const dataDir = path.join(options.dir, "data");
  prepareDirectory(options.dir, account);
  if (!fs.existsSync(path.join(dataDir, "PG_VERSION"))) await createCluster(options, dataDir, account);

  const logFile = path.join(options.dir, "postgres.log");
  // pg_ctl detaches the server into a session of its own and waits until it accepts connections.
  await run(account, tool("pg_ctl"), ["start", "--wait", "--timeout=120", "-D", dataDir, "-l", logFile, "-o", `-p ${options.port}`]).catch((error) =>
    fail(`PostgreSQL did not start: ${error.message.trim()}; see ${logFile}`),
  );
  const server = readRunning(options.dir) ?? fail(`PostgreSQL exited right after its start; see ${logFile}`);
  // Also when a first start stopped between initdb and here: the database is made once, by name.
  if ((await queryLocalPostgres(options.dir, options.password, `select count(*) from pg_database where datname = '${KEYCLOAK_DATABASE}'`, "postgres")) === "0")
    await queryLocalPostgres(options.dir, options.password, `create database ${KEYCLOAK_DATABASE}`, "postgres");
  return server;
}

/** Whether the cluster in dir has a live postmaster. */
export function isLocalPostgresRunning(dir: string): boolean {
  return readRunning(dir) !== undefined;
}

/** Stops the cluster in dir if it runs (fast shutdown: sessions end, data is flushed). */
export async function stopLocalPostgres(dir: string): Promise<boolean> {
  if (!readRunning(dir)) return false;
  await run(serverAccount(), tool("pg_ctl"), ["stop", "--wait", "--timeout=60", "-m", "fast", "-D", path.join(dir, "data")]);
  return true;
}

/**
 * Runs one SQL statement as Keycloak's database user, over loopback TCP, and returns psql's
 * unaligned output. The password travels in the environment, never on a command line.
 */
export async function queryLocalPostgres(dir: string, password: string, sql: string, database = KEYCLOAK_DATABASE): Promise<string> {
  const running = readRunning(dir) ?? fail(`no PostgreSQL runs in ${dir}`);
  const output = await run(undefined, tool("psql"), ["-h", "127.0.0.1", "-p", String(running.port), "-U", KEYCLOAK_DB_USER, "-d", database, "-X", "-v", "ON_ERROR_STOP=1", "-tAc", sql], {
    PGPASSWORD: password,
    PGCONNECT_TIMEOUT: "10",
  });
  return output.trim();
}

/** initdb with the password from a file only the server's account reads, removed right after. */
async function createCluster(options: LocalPostgresOptions, dataDir: string, account: Account): Promise<void> {
  const passwordFile = path.join(options.dir, "initdb-password");
  fs.writeFileSync(passwordFile, options.password, { mode: 0o600 });
  try {
    if (account) fs.chownSync(passwordFile, account.uid, account.gid);
    const args = ["-D", dataDir, "-U", KEYCLOAK_DB_USER, `--pwfile=${passwordFile}`, "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"];
    await run(account, tool("initdb"), args).catch((error) => fail(`initdb failed: ${error.message.trim()}`));
  } finally {
    fs.rmSync(passwordFile, { force: true });
  }
  // No unix socket: its path has a length limit and its directory needs rights that vary per machine.
  fs.appendFileSync(path.join(dataDir, "postgresql.conf"), "\n# keycloak-fleet: loopback TCP only\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\n");
}

/**
 * The cluster's directory belongs to the server's account and nobody else may read it
 * (PostgreSQL checks); the directory around it must let that account pass through.
 */
function prepareDirectory(dir: string, account: Account): void {
  fs.mkdirSync(dir, { recursive: true });
  if (account) {
    fs.chownSync(dir, account.uid, account.gid);
    const parent = path.dirname(dir);
    fs.chmodSync(parent, fs.statSync(parent).mode | 0o001);
  }
  fs.chmodSync(dir, 0o700);
}

/** Root runs the server as Debian's `postgres` account; anyone else as themselves. */
function serverAccount(): Account {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    return fail("PostgreSQL refuses to run as root and there is no postgres account; hint: install Debian's postgresql package (bash toolchain/setup.sh --postgres), which creates it");
  }
}

function run(account: Account, file: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { ...account, cwd: "/", env: { ...process.env, ...env }, timeout: 180_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(stderr || stdout || error.message)) : resolve(stdout),
    );
  });
}

/**
 * The server of the cluster in dir if its postmaster is alive, from the postmaster.pid file
 * PostgreSQL keeps (first line the pid, fourth the port), so nothing of ours can go stale.
 */
function readRunning(dir: string): LocalPostgres | undefined {
  const pidFile = path.join(dir, "data", "postmaster.pid");
  if (!fs.existsSync(pidFile)) return undefined;
  const lines = fs.readFileSync(pidFile, "utf8").split("\n");
  const [pid, port] = [Number(lines[0]), Number(lines[3])];
  if (!pid || !port || !isAlive(pid)) return undefined;
  return { pid, port, logFile: path.join(dir, "postgres.log"), jdbcUrl: `jdbc:postgresql://127.0.0.1:${port}/${KEYCLOAK_DATABASE}` };
}


async function acceptsConnections(port: number): Promise<boolean> {
  return run(undefined, tool("pg_isready"), ["-h", "127.0.0.1", "-p", String(port), "-t", "5"]).then(
    () => true,
    () => false,
  );
}
