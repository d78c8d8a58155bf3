// Starts one real Keycloak (keycloak-server.ts) for the whole e2e run and stops it afterwards.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { TestProject } from "vitest/node";
import { type KeycloakUnderTest, startTestKeycloak } from "./keycloak-server";

declare module "vitest" {
  export interface ProvidedContext {
    keycloak: KeycloakUnderTest;
    /** A directory for this run's throwaway projects; removed when the run ends. */
    workDir: string;
  }
}

export default async function setup(project: TestProject) {
  const started = Date.now();
  const server = await startTestKeycloak("shared");
  console.log(`e2e: Keycloak ${process.env.KEYCLOAK_HOME} started at ${server.url} in ${Math.round((Date.now() - started) / 1000)}s`);
  project.provide("keycloak", { url: server.url, port: server.port, admin: server.admin });
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-e2e-projects-"));
  project.provide("workDir", workDir);
  return async () => {
    await server.remove();
    fs.rmSync(workDir, { recursive: true, force: true });
  };
}
