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
  const keycloakHome = projectKeycloakHome(project);
  const server = await startTestKeycloak("shared", { keycloakHome });
  console.log(`${project.name}: ${keycloakVersion(keycloakHome)} (${keycloakHome}) started at ${server.url} in ${Math.round((Date.now() - started) / 1000)}s`);
  project.provide("keycloak", { url: server.url, port: server.port, admin: server.admin });
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-e2e-projects-"));
  project.provide("workDir", workDir);
  return async () => {
    await server.remove();
    fs.rmSync(workDir, { recursive: true, force: true });
  };
}

/** The distribution a project runs: its own env's KEYCLOAK_HOME (another version), else the toolchain's. */
function projectKeycloakHome(project: TestProject): string {
  const home = project.config.env?.KEYCLOAK_HOME ?? process.env.KEYCLOAK_HOME;
  if (!home || !fs.existsSync(path.join(home, "bin", "kc.sh")))
    throw new Error(
      `${project.name}: no Keycloak distribution at ${JSON.stringify(home ?? "")}; hint: run through npm test, whose toolchain/setup.sh --tests provisions every version the suite tests`,
    );
  return home;
}

/** "Keycloak 26.0.8", from the distribution's own version.txt ("Keycloak - Version 26.0.8"). */
function keycloakVersion(home: string): string {
  const text = fs.readFileSync(path.join(home, "version.txt"), "utf8");
  return `Keycloak ${/Version\s+(\S+)/.exec(text)?.[1] ?? text.trim()}`;
}
