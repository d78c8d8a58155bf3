// Crash safety of the engine itself: `pulumi` killed with SIGKILL in the middle of an `up` (an
// out-of-memory kill, a lost CI runner) leaves the stack locked, creates pending, and objects in
// Keycloak the state does not know; with PULUMI_SKIP_CHECKPOINTS (the state saved only at the
// end) it knows none of that update's objects. `fleet repair` puts the stack right and the next
// plain `up` has nothing left to do; checked through the Admin REST API and a refreshed preview.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { LocalWorkspace } from "@pulumi/pulumi/automation";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { RealmSpec } from "../../src/config/spec/realm";
import { type LiveIds, readLiveIds } from "../../src/realm/adoption";
import { adminClient, createTestStack, type TestStack } from "./harness";

const ROLES = Array.from({ length: 30 }, (_, i) => `role-${i}`);
const GROUPS = Array.from({ length: 10 }, (_, i) => `group-${i}`);
const USERS = Array.from({ length: 8 }, (_, i) => `user-${i}`);
const specOf = (realm: string) =>
  [
    `realm: ${realm}`,
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

/** The `pulumi up` process of this stack that the Automation API started. */
function runningUps(stack: string): number[] {
  return fs
    .readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      try {
        const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
        return path.basename(argv[0]) === "pulumi" && argv.includes("up") && argv.includes(stack);
      } catch {
        return false;
      }
    });
}

/** The processes below pid (the language host, the program, the provider plugin). */
function descendants(pid: number): number[] {
  const children = fs
    .readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
  return children.flatMap((child) => [child, ...descendants(child)]);
}

/** What the spec declares, read back from Keycloak. */
async function live(realm: string) {
  const kc = await adminClient();
  kc.setConfig({ realmName: realm });
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

/** The realm's objects in a state export (not the provider, the component or the stack). */
const keycloakResources = (state: string): { urn: string; type: string }[] =>
  (JSON.parse(state).deployment.resources ?? []).filter((r: { type: string }) => r.type.startsWith("keycloak:"));

/** Starts an up and kills the engine with SIGKILL once it has created a dozen objects; the rest of its processes go too. */
async function killedUp(test: TestStack, stack: string): Promise<void> {
  const up = test.up();
  const created = () => test.output.join("").split("\n").filter((line) => /keycloak:.*created/.test(line)).length;
  for (let waited = 0; created() < 12 && waited < 300_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
  const [engine, ...others] = runningUps(stack);
  expect(others).toEqual([]);
  const below = descendants(engine);
  process.kill(engine, "SIGKILL");
  for (const pid of below) process.kill(pid, "SIGKILL");
  await expect(up).rejects.toThrow(/SIGKILL/);
  test.output.length = 0;
}

/** What Keycloak holds of the realm's declared objects, by the names adoption looks them up by. */
const inKeycloak = async (realm: string) => readLiveIds(await adminClient(), RealmSpec.parse(parse(specOf(realm))), realm);

/**
 * repair must name each interrupted create, and every object of the realm the state lacked as
 * adopted when Keycloak had it `before` repair, as created when not: nothing made twice.
 */
async function expectRepaired(test: TestStack, realm: string, stdout: string, interrupted: { resource: { urn: string } }[], before: { live: LiveIds; state: string }) {
  for (const { resource } of interrupted) expect(stdout).toContain(`${resource.urn.split("::").pop()}: interrupted while creating`);
  const held = new Set(keycloakResources(before.state).map((r) => r.urn));
  for (const { urn, type } of keycloakResources(test.exportState()).filter((r) => !held.has(r.urn))) {
    const name = urn.split("::").pop()!;
    expect(stdout).toContain(`${name}: ${before.live.importId(type, name) !== undefined ? "Keycloak already had it: imported into the state" : "created"}`);
  }
  expect(stdout).toMatch(new RegExp(`stack ${realm} matches the code again \\(\\d+ objects? adopted`));
  expect(await live(realm)).toEqual(declared);
  // The next plain up has nothing left to do, and a refreshed preview finds Keycloak as declared.
  expect((await test.up()).summary.resourceChanges).not.toHaveProperty("create");
  expect(Object.keys((await test.stack.preview()).changeSummary)).toEqual(["same"]);
}

describe("the engine killed in the middle of an up", () => {
  let test: TestStack;

  it("leaves a locked stack with pending creates that repair puts right", async () => {
    const realm = "engine-kill";
    test = await createTestStack(realm, { realms: { "engine-kill.yaml": specOf(realm) } });
    await killedUp(test, realm);

    // As Pulumi leaves it: locked, with creates pending, some of which Keycloak carried out.
    const pending = JSON.parse(test.exportState()).deployment.pending_operations ?? [];
    expect(pending.length).toBeGreaterThan(0);
    await expect(test.up()).rejects.toThrow(/locked/);

    const before = { live: await inKeycloak(realm), state: test.exportState() };
    const repair = await test.fleet(["repair", "--stack", realm]);
    expect(repair.stderr).not.toMatch(/^error:/m);
    expect(repair.code).toBe(0);
    expect(repair.stdout).toMatch(/removed the lock of an update that no longer runs \(pid \d+/);
    console.log(`engine-kill: ${pending.length} creates were pending; repair said:\n${repair.stdout}`);
    expect(JSON.parse(test.exportState()).deployment.pending_operations ?? []).toEqual([]);
    await expectRepaired(test, realm, repair.stdout, pending, before);
  });

  it("finds nothing to repair on a healthy stack", async () => {
    const repair = await test.fleet(["repair", "--stack", "engine-kill"]);
    expect(repair.code).toBe(0);
    expect(repair.stdout).toMatch(/nothing to repair: stack engine-kill matches the code/);
  });

  it("refuses to remove the lock of an update that still runs", async () => {
    const locks = path.join(test.projectDir, ".fleet", "state", ".pulumi", "locks", "organization", "keycloak-fleet", "engine-kill");
    fs.mkdirSync(locks, { recursive: true });
    const lock = path.join(locks, "held.json");
    fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, username: "root", hostname: os.hostname(), timestamp: new Date().toISOString() }));
    const repair = await test.fleet(["repair", "--stack", "engine-kill"]);
    expect(repair.code).toBe(1);
    expect(repair.stderr).toMatch(new RegExp(`locked by an update that may still run \\(pid ${process.pid}`));
    expect(fs.existsSync(lock)).toBe(true);
    fs.rmSync(lock);
    await test.destroy();
  });

  it("with the state saved only at the end (PULUMI_SKIP_CHECKPOINTS), repair adopts every object the update made", async () => {
    const realm = "engine-kill-fast";
    const fast = await createTestStack(realm, { realms: { "fast.yaml": specOf(realm) } });
    (fast.stack.workspace as LocalWorkspace).envVars.PULUMI_SKIP_CHECKPOINTS = "true";
    await killedUp(fast, realm);
    // Nothing of the killed update reached the state; Keycloak has the realm and part of it.
    expect(keycloakResources(fast.exportState())).toEqual([]);
    expect(await (await adminClient()).realms.findOne({ realm })).toBeTruthy();

    const before = { live: await inKeycloak(realm), state: fast.exportState() };
    const repair = await fast.fleet(["repair", "--stack", realm]);
    expect(repair.code).toBe(0);
    // Every object the killed update had made is adopted, none created twice.
    const adopted = [...repair.stdout.matchAll(/^ {2}\S+(?: \S+)* (\S+): Keycloak already had it: imported/gm)].length;
    expect(adopted).toBeGreaterThanOrEqual(12);
    await expectRepaired(fast, realm, repair.stdout, [], before);
    await fast.destroy();
    expect(await (await adminClient()).realms.findOne({ realm })).toBeFalsy();
  });
});
