// The local platform's production mode: `kc.sh start` on a PostgreSQL of its own (postgres.ts),
// plain HTTP on loopback. Production mode refuses HTTP unless told, and needs an explicit
// hostname; TLS would only make every client here (the provider, the ops commands, the tests)
// trust a generated certificate for traffic that never leaves the machine.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { startLocalPostgres, KEYCLOAK_DB_USER, type LocalPostgres } from "./postgres";

/**
 * Build-time options of the optimized distribution. Health checks for the readiness wait; the
 * database vendor is fixed at build time, its URL and credentials are given at each start.
 */
const BUILD_OPTIONS = ["--db=postgres", "--health-enabled=true"];

export interface ProductionLaunch {
  /** The optimized distribution to run kc.sh from. */
  home: string;
  args: string[];
  env: Record<string, string>;
  database: LocalPostgres;
}

export interface ProductionOptions {
  /** The stack's data directory; the cluster lives in its postgres/ subdirectory. */
  dataDir: string;
  port: number;
  managementPort: number;
  /** A free loopback port for PostgreSQL if it does not run yet. */
  databasePort: number;
  databasePassword: string;
  /** The distribution the toolchain unpacked (KEYCLOAK_HOME). */
  keycloakHome: string;
  progress: (message: string) => void;
}

/** Starts the database, builds the distribution once, and says how to start Keycloak on them. */
export async function prepareProductionLaunch(options: ProductionOptions): Promise<ProductionLaunch> {
  const database = await startLocalPostgres({ dir: path.join(options.dataDir, "postgres"), password: options.databasePassword, port: options.databasePort });
  const home = await optimizedDistribution(options.keycloakHome, options.progress);
  const origin = `http://127.0.0.1:${options.port}`;
  return {
    home,
    args: [
      "start",
      "--optimized",
      "--http-enabled=true",
      "--http-host=127.0.0.1",
      `--http-port=${options.port}`,
      `--http-management-port=${options.managementPort}`,
      // The full origin: Keycloak's URLs (issuer, redirects) then say http and this port.
      `--hostname=${origin}`,
      // One server: no cluster transport looking for peers on the machine's interfaces.
      "--cache=local",
      `--db-url=${database.jdbcUrl}`,
      `--db-username=${KEYCLOAK_DB_USER}`,
    ],
    // In the environment, not on the command line, where any local user could read it.
    env: { KC_DB_PASSWORD: options.databasePassword },
    database,
  };
}

/**
 * A copy of the distribution beside it, built for production mode (`kc.sh build`), cached by
 * Keycloak version and build options: the dev distribution stays as it is, so dev and production
 * servers can alternate (as in the test suite) without rebuilding either.
 */
export async function optimizedDistribution(keycloakHome: string, progress: (message: string) => void): Promise<string> {
  const version = fs.readFileSync(path.join(keycloakHome, "version.txt"), "utf8").trim();
  const key = createHash("sha256").update(`${version}\n${BUILD_OPTIONS.join(" ")}`).digest("hex").slice(0, 12);
  const target = `${keycloakHome}-optimized-${key}`;
  if (fs.existsSync(path.join(target, "bin", "kc.sh"))) return target;

  progress(`building Keycloak for production mode (${BUILD_OPTIONS.join(" ")}) in ${target}; once per version, about a minute`);
  // A staging copy of our own, renamed into place when complete: a build that was killed or
  // one running beside it (parallel tests) never leaves a half-built target.
  const staging = fs.mkdtempSync(`${target}.staging-`);
  const buildLog = path.join(staging, "build.log");
  try {
    await run("cp", ["-a", `${keycloakHome}/.`, staging], buildLog);
    await run(path.join(staging, "bin", "kc.sh"), ["build", ...BUILD_OPTIONS], buildLog);
    fs.renameSync(staging, target);
  } catch (error) {
    if (fs.existsSync(path.join(target, "bin", "kc.sh"))) {
      fs.rmSync(staging, { recursive: true, force: true });
      return target;
    }
    const kept = `${target}.failed.log`;
    if (fs.existsSync(buildLog)) fs.copyFileSync(buildLog, kept);
    fs.rmSync(staging, { recursive: true, force: true });
    throw new Error(`building Keycloak for production mode failed (${(error as Error).message}); see ${kept}`);
  }
  return target;
}

function run(file: string, args: string[], logFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 900_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      fs.appendFileSync(logFile, `$ ${path.basename(file)} ${args.join(" ")}\n${stdout}${stderr}`);
      if (error) reject(new Error(`${path.basename(file)} exited with ${error.code ?? error.signal}`));
      else resolve();
    });
  });
}
