// Starts one real Keycloak (the distribution the toolchain provisioned) for the whole e2e run,
// on a free port with fresh random admin secrets, and stops it afterwards.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { TestProject } from "vitest/node";
import { freePort, startLocalKeycloak, stopLocalKeycloak } from "../../src/platform/local/server";
import { randomSecret } from "../../src/ops/workspace";

export interface KeycloakUnderTest {
  url: string;
  port: number;
  admin: { username: string; password: string; clientId: string; clientSecret: string };
}

declare module "vitest" {
  export interface ProvidedContext {
    keycloak: KeycloakUnderTest;
    /** A directory for this run's throwaway projects; removed when the run ends. */
    workDir: string;
  }
}

export default async function setup(project: TestProject) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-e2e-keycloak-"));
  const port = await freePort();
  const admin = { username: "admin", password: randomSecret(), clientId: "keycloak-fleet", clientSecret: randomSecret() };
  const started = Date.now();
  const server = await startLocalKeycloak({ dataDir, port, admin });
  console.log(`e2e: Keycloak ${process.env.KEYCLOAK_HOME} started at ${server.url} (pid ${server.pid}) in ${Math.round((Date.now() - started) / 1000)}s`);
  project.provide("keycloak", { url: server.url, port, admin });
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-e2e-projects-"));
  project.provide("workDir", workDir);
  return async () => {
    await stopLocalKeycloak(dataDir);
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(workDir, { recursive: true, force: true });
  };
}
