// Import and adoption, round trip: the kitchen-sink realm, deployed by the product on a real
// Keycloak, read back by the real CLI (`import`, live through the Admin API and from a partial
// export of the same realm) into a spec that must equal the original up to ordering, defaults
// and the exceptions named below, pass the project's own validation, and hold no secret; then
// that spec adopted by a new stack: every object imported, none created, replaced or deleted,
// Keycloak unchanged, the next preview empty, and a change to it updating just that object.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { groupPath } from "../../src/config/spec/groups";
import { RealmSpec } from "../../src/config/spec/realm";
import { readRealmSnapshot } from "../../src/ops/realm-snapshot";
import { SETTINGS_ONLY_TYPES } from "../../src/realm/adoption";
import { adminClient, createTestStack, keycloak, type TestStack, upWithSteps } from "./harness";
import { kitchenSinkSecrets, kitchenSinkSpec } from "./kitchen-sink";

const REALM = "imported-sink";
const original = kitchenSinkSpec.replace("realm: sink", `realm: ${REALM}`);
const secrets = kitchenSinkSecrets;

type Spec = Record<string, unknown>;

/**
 * What an import cannot give back, each for a reason:
 * - `existing: true`: the realm exists; the imported spec adopts it.
 * - users: users are data, not configuration (`users export` moves them); import leaves them out.
 * - a client secret the original generated ({generate: true}) comes back as {config: <clientId>Secret}:
 *   Keycloak holds the value, not how it was made, and adoption must keep the live value.
 * - tokens.offlineSessionIdleTimeout 30d and TERMS_AND_CONDITIONS disabled are Keycloak's defaults
 *   for a new realm: import writes what differs from the defaults only.
 * - group references come back as full paths ("research" -> "/research"), the same group.
 */
function withNamedExceptions(spec: Spec): Spec {
  const copy = structuredClone(spec) as Spec & {
    clients: { clientId: string; protocol: string; access: string; secret: Record<string, unknown> }[];
    tokens?: Record<string, string>;
    authentication: { requiredActions: { alias: string; enabled: boolean; default: boolean }[] };
    defaultGroups: string[];
    identityProviders: { mappers: { group?: string }[] }[];
  };
  delete copy.existing;
  delete copy.users;
  for (const client of copy.clients)
    if (client.protocol === "openid-connect" && client.access === "confidential" && client.secret.generate) client.secret = { config: `${client.clientId}Secret` };
  if (copy.tokens?.offlineSessionIdleTimeout === "30d") delete copy.tokens.offlineSessionIdleTimeout;
  copy.authentication.requiredActions = copy.authentication.requiredActions.filter((a) => !(a.alias === "TERMS_AND_CONDITIONS" && !a.enabled && !a.default));
  copy.defaultGroups = copy.defaultGroups.map(groupPath);
  for (const idp of copy.identityProviders) for (const mapper of idp.mappers) if (mapper.group) mapper.group = groupPath(mapper.group);
  return normalised(copy) as Spec;
}

/** Lists as sets: strings sorted, objects by their key; so that order never counts. */
function normalised(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(normalised);
    const key = (item: unknown) => (typeof item === "object" && item ? JSON.stringify(["clientId", "alias", "name", "username"].map((k) => (item as Record<string, unknown>)[k])) : JSON.stringify(item));
    return items.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  }
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, normalised(v)]),
    );
  return value;
}

/** A spec file as the program reads it: parsed, defaults filled in by the zod schema. */
const parsedSpec = (yaml: string) => RealmSpec.parse(parse(yaml)) as unknown as Spec;

describe("import of a realm into a spec", () => {
  let test: TestStack;

  beforeAll(async () => {
    test = await createTestStack("import", { realms: { "sink.yaml": original }, secrets });
    expect((await test.up()).summary.result).toBe("succeeded");
  });

  afterAll(async () => {
    if (await (await adminClient()).realms.findOne({ realm: REALM })) await test.destroy();
  });

  it("writes the live realm as the spec it was deployed from", async () => {
    const run = await test.fleet(["import", "--stack", "import", "--realm", REALM, "--out", "stacks/imported.yaml", "--report", "import-report.txt"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^wrote stacks\/imported\.yaml: \d+ objects/);
    const written = fs.readFileSync(path.join(test.projectDir, "stacks/imported.yaml"), "utf8");
    const imported = parsedSpec(written);
    expect(imported.existing).toBe(true);
    expect(normalised(withNamedExceptions(imported))).toEqual(withNamedExceptions(parsedSpec(original)));

    // The secrets are references, with the lines to set them; no value anywhere.
    for (const key of ["smtpPassword", "workerSecret", "apiSecret", "googleSecret", "corpSecret"])
      expect(run.stdout).toContain(`pulumi config set --stack import --secret ${key} <value>`);
    const report = fs.readFileSync(path.join(test.projectDir, "import-report.txt"), "utf8");
    for (const secret of Object.values(secrets)) for (const text of [written, run.stdout, run.stderr, report]) expect(text).not.toContain(secret);
    console.log(`import stdout:\n${run.stdout}\nimport report:\n${report}`);
  });

  it("writes the same spec from a partial export of the realm", async () => {
    const kc = await adminClient();
    const response = await fetch(`${keycloak().url}/admin/realms/${REALM}/partial-export?exportClients=true&exportGroupsAndRoles=true`, {
      method: "POST",
      headers: { authorization: `Bearer ${await kc.getAccessToken()}` },
    });
    expect(response.status).toBe(200);
    const exportFile = path.join(test.projectDir, "partial-export.json");
    fs.writeFileSync(exportFile, await response.text());

    const run = await test.fleet(["import", "--from-file", exportFile, "--out", "stacks/from-export.yaml"]);
    expect(run.code, run.stderr).toBe(0);
    // Service account roles are mappings of the service account users: an export without users
    // cannot hold them, and the import must say so rather than drop them silently.
    const users = (JSON.parse(fs.readFileSync(exportFile, "utf8")) as { users?: { serviceAccountClientId?: string }[] }).users ?? [];
    const hasServiceAccounts = users.some((u) => u.serviceAccountClientId === "worker");
    if (!hasServiceAccounts) expect(run.stderr).toContain("roles of client service accounts are not in it");
    const written = fs.readFileSync(path.join(test.projectDir, "stacks/from-export.yaml"), "utf8");
    const imported = withNamedExceptions(parsedSpec(written)) as Spec & { clients: { serviceAccountRoles?: unknown }[] };
    const expected = withNamedExceptions(parsedSpec(original)) as Spec & { clients: { serviceAccountRoles?: unknown }[] };
    // The one further exception of an export without users: service account roles (see above).
    if (!hasServiceAccounts) for (const client of expected.clients) delete client.serviceAccountRoles;
    expect(normalised(imported)).toEqual(normalised(expected));
    for (const secret of Object.values(secrets)) for (const text of [written, run.stdout, run.stderr]) expect(text).not.toContain(secret);
  });

  it("refuses to overwrite a file and names a realm that is not there", async () => {
    const again = await test.fleet(["import", "--stack", "import", "--realm", REALM, "--out", "stacks/imported.yaml"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("already exists");
    const missing = await test.fleet(["import", "--stack", "import", "--realm", "no-such-realm", "--out", "stacks/none.yaml"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("realm no-such-realm is not on the Keycloak of stack import");
  });

  describe("adopted by a new stack", () => {
    let adopter: TestStack;
    let imported: string;
    let before: unknown;

    beforeAll(async () => {
      imported = fs.readFileSync(path.join(test.projectDir, "stacks/imported.yaml"), "utf8");
      // The secrets import named, with their current values: the generated one read from Keycloak, as from the console.
      const kc = await adminClient();
      kc.setConfig({ realmName: REALM });
      const [api] = await kc.clients.find({ clientId: "api" });
      const apiSecret = (await kc.clients.getClientSecret({ id: api.id! })).value!;
      adopter = await createTestStack("adopter", { realms: { "imported.yaml": imported }, secrets: { ...secrets, apiSecret }, sameProjectAs: test });
      before = await readRealmSnapshot(await adminClient(), REALM);
    });

    it("imports every object, creates, replaces and deletes none, and changes nothing in Keycloak", async () => {
      const { steps, result } = await upWithSteps(adopter.stack);
      expect(result.summary.result).toBe("succeeded");
      // Resources that only hold settings of objects that exist anyway (events, a client's scope
      // lists, the user profile, flow bindings) cannot be imported: they are recorded by writing
      // the same values. Fields the provider does not read back on import (write-only secrets)
      // are written once more ("update"). The snapshot below shows none of it changed Keycloak.
      const objects = steps.filter(({ type }) => !SETTINGS_ONLY_TYPES.includes(type));
      expect(objects.filter(({ op }) => op !== "import" && op !== "update")).toEqual([]);
      expect(objects.length).toBeGreaterThanOrEqual(35);
      expect(steps.filter(({ type, op }) => SETTINGS_ONLY_TYPES.includes(type) && op !== "create")).toEqual([]);
      expect(await readRealmSnapshot(await adminClient(), REALM)).toEqual(before);
    });

    it("has nothing left to change on the next preview", async () => {
      const preview = await adopter.stack.preview({ diff: true });
      expect(Object.keys(preview.changeSummary)).toEqual(["same"]);
    });

    it("updates exactly the object whose spec changed, in place", async () => {
      expect(imported).toContain("http://localhost:3000/*");
      adopter.writeRealm("imported.yaml", imported.replace("http://localhost:3000/*", "http://localhost:4000/*"));
      const { steps, result } = await upWithSteps(adopter.stack);
      expect(result.summary.resourceChanges).toMatchObject({ update: 1 });
      expect(steps.filter(({ op }) => op !== "same" && op !== "refresh")).toEqual([{ op: "update", type: "keycloak:openid/client:Client", name: `${REALM}/spa` }]);
      const kc = await adminClient();
      kc.setConfig({ realmName: REALM });
      expect((await kc.clients.find({ clientId: "spa" }))[0].redirectUris).toEqual(["http://localhost:4000/*"]);
    });
  });
});
