// The local platform in production mode (`keycloak-fleet:local: {port, mode: production}`):
// `kc.sh start` on a PostgreSQL server of its own, the platform example deployed onto it by the
// real engine, checked through Keycloak, a real login, and PostgreSQL itself.
import * as fs from "node:fs";
import * as path from "node:path";
import KcAdminClient from "@keycloak/keycloak-admin-client";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryLocalPostgres } from "../../src/platform/local/postgres";
import { launchBrowser } from "./browser";
import { createTestStack, type TestStack } from "./harness";
import { startTestKeycloak, type TestKeycloak } from "./keycloak-server";
import { exampleWithAdmin, expectAliceFirstLogin, expectPlatformDeployed, GITHUB_SECRET } from "./platform-example";
import { isAlive } from "../../src/platform/local/process";

describe("the local platform in production mode, on PostgreSQL", () => {
  let server: TestKeycloak;
  let test: TestStack;
  let browser: Browser;
  let outputs: any;

  const adminApi = async () => {
    const kc = new KcAdminClient({ baseUrl: server.url, realmName: "master" });
    await kc.auth({ grantType: "client_credentials", clientId: server.admin.clientId, clientSecret: server.admin.clientSecret });
    return kc;
  };
  const sql = (statement: string) => queryLocalPostgres(path.join(server.dataDir, "postgres"), server.databasePassword!, statement);

  beforeAll(async () => {
    server = await startTestKeycloak("production", { production: true });
    test = await createTestStack("production", {
      realms: { "platform.yaml": exampleWithAdmin() },
      secrets: { githubClientSecret: GITHUB_SECRET, adminPassword: server.admin.password, adminClientSecret: server.admin.clientSecret },
    });
    // The stack a user writes for this mode; the program must accept it as it is.
    await test.stack.setConfig("keycloak-fleet:local.port", { value: String(server.port) }, true);
    await test.stack.setConfig("keycloak-fleet:local.mode", { value: "production" }, true);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.remove();
  });

  it("runs Keycloak in production mode on the local PostgreSQL", async () => {
    // Quarkus names the profile it started with: "prod" for kc.sh start, "dev" for start-dev.
    expect(fs.readFileSync(server.server().logFile, "utf8")).toMatch(/Profile prod activated/);
    const info: any = await (await adminApi()).serverInfo.find();
    const jpa = Object.values(info.providers.connectionsJpa.providers)[0] as { operationalInfo: Record<string, string> };
    expect(jpa.operationalInfo.databaseProduct).toMatch(/^PostgreSQL 15\./);
    expect(jpa.operationalInfo.databaseUrl).toBe(server.server().database!.jdbcUrl);
  });

  it("deploys the platform example with the real engine, and its data lands in PostgreSQL", async () => {
    const result = await test.up();
    expect(result.summary.result).toBe("succeeded");
    outputs = result.outputs.realmOutputs.value.platform;
    await expectPlatformDeployed(await adminApi(), outputs);

    expect(await sql("select count(*) from realm where name = 'platform'")).toBe("1");
    const users = await sql("select u.username from user_entity u join realm r on r.id = u.realm_id where r.name = 'platform' order by u.username");
    expect(users.split("\n")).toEqual(["ada", "alice"]);
  });

  it("logs alice in: password change, then a token from the token endpoint with her groups and roles", async () => {
    await expectAliceFirstLogin(browser, outputs, "alice-production-password-1", server.url);
  });

  it("stops Keycloak and PostgreSQL, leaving no process behind", async () => {
    const keycloakPid = server.server().pid;
    const postgresPid = server.server().database!.pid;
    await server.remove();
    expect(processGroupAlive(keycloakPid)).toBe(false);
    expect(isAlive(postgresPid)).toBe(false);
    expect(processesMentioning(server.dataDir)).toEqual([]);
  });
});


/** Keycloak runs as a process group (kc.sh and its JVM). */
const processGroupAlive = (pgid: number) => isAlive(-pgid);

/** Command lines of live processes that name dir (PostgreSQL's postmaster names its data directory). */
function processesMentioning(dir: string): string[] {
  return fs
    .readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
        return cmdline.includes(dir) ? [`${pid}: ${cmdline}`] : [];
      } catch {
        return [];
      }
    });
}
