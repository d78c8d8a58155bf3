// Adoption: a realm that already lives in Keycloak, declared with `existing: true`, is taken over
// by its first `up` object by object (Pulumi's import) without creating, replacing or deleting
// anything in Keycloak, and from then on is managed like any other.
import type { UpResult } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRealmSnapshot } from "../../src/ops/realm-snapshot";
import { SETTINGS_ONLY_TYPES } from "../../src/realm/adoption";
import { adminClient, createTestStack, type TestStack } from "./harness";
import { kitchenSinkSecrets, kitchenSinkSpec } from "./kitchen-sink";

const spec = kitchenSinkSpec.replace("realm: sink", "realm: adopted");
const existing = spec.replace("realm: adopted", "realm: adopted\nexisting: true");

type Step = { op: string; type: string; name: string };

/** Each resource step of an `up` as the engine reports it (op: create, import, update, same, ...). */
async function upSteps(test: TestStack): Promise<{ steps: Step[]; result: UpResult }> {
  const steps: Step[] = [];
  const result = await test.stack.up({
    onEvent: ({ resOutputsEvent }) => {
      const meta = resOutputsEvent?.metadata;
      if (meta?.type.startsWith("keycloak:") && !meta.type.startsWith("pulumi:")) steps.push({ op: meta.op, type: meta.type, name: meta.urn.split("::").pop()! });
    },
  });
  return { steps, result };
}

describe("adopting a realm that already exists", () => {
  let made: TestStack;
  let adopter: TestStack;
  let before: unknown;

  beforeAll(async () => {
    made = await createTestStack("made", { realms: { "made.yaml": spec }, secrets: kitchenSinkSecrets });
    expect((await made.up()).summary.result).toBe("succeeded");
    before = await readRealmSnapshot(await adminClient(), "adopted");
    // The same seed, as `clone` gives a new stack: the clients' derived secrets stay the same.
    const secretSeed = (await made.stack.getConfig("keycloak-fleet:secretSeed")).value;
    adopter = await createTestStack("adopter", { realms: { "adopter.yaml": existing }, secrets: { ...kitchenSinkSecrets, secretSeed }, sameProjectAs: made });
  });

  afterAll(async () => {
    const kc = await adminClient();
    if (await kc.realms.findOne({ realm: "adopted" })) await kc.realms.del({ realm: "adopted" });
  });

  it("imports every object Keycloak has, creates none, and changes nothing in Keycloak", async () => {
    const { steps, result } = await upSteps(adopter);
    expect(result.summary.result).toBe("succeeded");
    // Every object is imported; only resources that hold settings of existing objects, which
    // the provider cannot import, are recorded by writing them. Fields the provider does not
    // read back on import (write-only secrets, defaults) are written once more ("update"):
    // the snapshot below proves none of it changed anything in Keycloak.
    const settingsOnly = steps.filter(({ type }) => SETTINGS_ONLY_TYPES.includes(type));
    expect(steps.filter(({ type }) => !SETTINGS_ONLY_TYPES.includes(type)).filter(({ op }) => op !== "import" && op !== "update")).toEqual([]);
    expect(steps.length - settingsOnly.length).toBeGreaterThanOrEqual(40);
    expect(settingsOnly.filter(({ op }) => op !== "create")).toEqual([]);
    expect(result.summary.resourceChanges).not.toHaveProperty("replace");
    expect(result.summary.resourceChanges).not.toHaveProperty("delete");
    expect(await readRealmSnapshot(await adminClient(), "adopted")).toEqual(before);
  });

  it("has nothing left to change on the next preview", async () => {
    const preview = await adopter.stack.preview({ diff: true });
    expect(Object.keys(preview.changeSummary)).toEqual(["same"]);
  });

  it("updates exactly the object whose spec changed, in place", async () => {
    adopter.writeRealm("adopter.yaml", existing.replace("redirectUris: [http://localhost:3000/*]", "redirectUris: [http://localhost:4000/*]"));
    const { steps, result } = await upSteps(adopter);
    expect(result.summary.resourceChanges).toMatchObject({ update: 1 });
    expect(steps.filter(({ op }) => op !== "same" && op !== "refresh")).toEqual([{ op: "update", type: "keycloak:openid/client:Client", name: "adopted/spa" }]);
    const kc = await adminClient();
    kc.setConfig({ realmName: "adopted" });
    const [spa] = await kc.clients.find({ clientId: "spa" });
    expect(spa.redirectUris).toEqual(["http://localhost:4000/*"]);
  });
});
