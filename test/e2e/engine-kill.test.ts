// Crash safety of the engine itself: `pulumi` killed with SIGKILL in the middle of an `up` (an
// out-of-memory kill, a lost CI runner) leaves the stack locked and some creates pending, which
// Keycloak may or may not have carried out. `fleet repair` puts that right and the next plain
// `up` converges; checked through the Admin REST API and a refreshed preview.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { RealmSpec } from "../../src/config/spec/realm";
import { readLiveIds } from "../../src/realm/adoption";
import { adminClient, createTestStack, type TestStack } from "./harness";

const REALM = "engine-kill";
const ROLES = Array.from({ length: 30 }, (_, i) => `role-${i}`);
const GROUPS = Array.from({ length: 10 }, (_, i) => `group-${i}`);
const USERS = Array.from({ length: 8 }, (_, i) => `user-${i}`);
const spec = [
  `realm: ${REALM}`,
  "clients:",
  "  - clientId: app",
  "    redirectUris: [https://app.example.com/callback]",
  "    roles: [reader, writer]",
  "roles:",
  ...ROLES.map((name) => `  - name: ${name}`),
  "groups:",
  ...GROUPS.map((name, i) => `  - { name: ${name}, roles: { realm: [${ROLES[i]}], clients: { app: [reader] } } }`),
  "users:",
  ...USERS.map((name, i) => `  - { username: ${name}, email: ${name}@example.com, groups: [${GROUPS[i]}] }`),
].join("\n");

/** The `pulumi up` processes this test's Automation API started. */
function runningUps(): number[] {
  return fs
    .readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      try {
        const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
        return path.basename(argv[0]) === "pulumi" && argv.includes("up") && argv.includes(REALM);
      } catch {
        return false;
      }
    });
}

/** What the spec declares, read back from Keycloak. */
async function live() {
  const kc = await adminClient();
  kc.setConfig({ realmName: REALM });
  const groups = await kc.groups.find({ briefRepresentation: false, max: 100 });
  return {
    roles: (await kc.roles.find()).map((r) => r.name!).filter((n) => n.startsWith("role-")).sort(),
    groups: groups.map((g) => `${g.name} ${g.realmRoles?.join(",")}`).sort(),
    users: (await kc.users.find({ max: 100 })).map((u) => u.username!).sort(),
  };
}
const declared = {
  roles: [...ROLES].sort(),
  groups: GROUPS.map((name, i) => `${name} ${ROLES[i]}`).sort(),
  users: [...USERS].sort(),
};

const created = (test: TestStack) => test.output.join("").split("\n").filter((line) => /keycloak:.*created/.test(line)).length;

describe("the engine killed in the middle of an up", () => {
  let test: TestStack;

  it("leaves a stack that repair puts right, and a plain up converges", async () => {
    test = await createTestStack(REALM, { realms: { "engine-kill.yaml": spec } });
    const up = test.up();
    for (let waited = 0; created(test) < 12 && waited < 300_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    const engines = runningUps();
    expect(engines.length).toBe(1);
    process.kill(engines[0], "SIGKILL");
    await expect(up).rejects.toThrow(/SIGKILL/);

    // As Pulumi leaves it: locked, with creates pending, some of which Keycloak carried out.
    const state = JSON.parse(test.exportState());
    const pending = state.deployment.pending_operations ?? [];
    expect(pending.length).toBeGreaterThan(0);
    await expect(test.up()).rejects.toThrow(/locked/);

    const repair = await test.fleet(["repair", "--stack", REALM]);
    expect(repair.stderr).not.toMatch(/error:/);
    expect(repair.code).toBe(0);
    expect(repair.stdout).toMatch(/removed the lock of an update that no longer runs \(pid \d+/);
    // Each interrupted create is either imported (Keycloak had made it: the next up would have
    // failed with 409) or forgotten (it had not); which, Keycloak says.
    const inKeycloak = await readLiveIds(await adminClient(), RealmSpec.parse(parse(spec)), REALM);
    for (const op of pending) {
      const name = op.resource.urn.split("::").pop();
      const made = inKeycloak.importId(op.resource.type, name) !== undefined;
      expect(repair.stdout).toContain(`${name}: ${made ? "Keycloak had created it: imported" : "Keycloak never created it: forgotten"}`);
    }
    console.log(`engine-kill: ${pending.length} creates were pending; repair said:\n${repair.stdout}`);
    expect(repair.stdout).toContain(`now run: pulumi up --stack ${REALM}`);
    expect(JSON.parse(test.exportState()).deployment.pending_operations ?? []).toEqual([]);

    const result = await test.up();
    expect(result.summary.result).toBe("succeeded");
    expect(await live()).toEqual(declared);
    const preview = await test.stack.preview();
    expect(Object.keys(preview.changeSummary)).toEqual(["same"]);
  });

  it("finds nothing to repair on a healthy stack", async () => {
    const repair = await test.fleet(["repair", "--stack", REALM]);
    expect(repair.code).toBe(0);
    expect(repair.stdout).toMatch(/nothing to repair/);
  });

  it("refuses to remove the lock of an update that still runs", async () => {
    const locks = path.join(test.projectDir, ".fleet", "state", ".pulumi", "locks", "organization", "keycloak-fleet", REALM);
    fs.mkdirSync(locks, { recursive: true });
    const lock = path.join(locks, "held.json");
    fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, username: "root", hostname: os.hostname(), timestamp: new Date().toISOString() }));
    const repair = await test.fleet(["repair", "--stack", REALM]);
    expect(repair.code).toBe(1);
    expect(repair.stderr).toMatch(new RegExp(`locked by an update that may still run \\(pid ${process.pid}`));
    expect(fs.existsSync(lock)).toBe(true);
    fs.rmSync(lock);
  });

  it("removes the realm on destroy", async () => {
    await test.destroy();
    expect(await (await adminClient()).realms.findOne({ realm: REALM })).toBeFalsy();
  });
});
