// Bad input stops the real engine before any resource is touched.
import { describe, expect, it } from "vitest";
import { adminClient, createTestStack } from "./harness";

const badRealm = `
realm: refused
clients:
  - clientId: app
    redirectUris: ["https://app.example.com/callback", "not a url"]
`;

async function refusedUp(stackName: string, realmYaml: string, config: Record<string, string> = {}): Promise<string> {
  const test = await createTestStack(stackName, { realms: { "refused.yaml": realmYaml }, config });
  const error = await test.up().then(
    () => undefined,
    (e: Error) => e,
  );
  expect(error, "pulumi up should have failed").toBeDefined();
  const state = JSON.parse(test.exportState());
  const types = (state.deployment.resources ?? []).map((r: { type: string }) => r.type);
  expect(types.filter((t: string) => t !== "pulumi:pulumi:Stack")).toEqual([]);
  expect(await (await adminClient()).realms.findOne({ realm: "refused" })).toBeNull();
  return error!.message;
}

describe("refusing bad input with the real engine", () => {
  it("refuses an invalid redirect URI, naming file, line and field, and deploys nothing", async () => {
    const message = await refusedUp("bad-spec", badRealm);
    expect(message).toContain("keycloak-fleet refused the configuration (1 problem); nothing was deployed");
    expect(message).toContain('stacks/refused.yaml:5: clients[0] (app).redirectUris[1]: expected an absolute redirect URI');
  });

  it("refuses an unknown platform, naming the stack file and key", async () => {
    const message = await refusedUp("bad-platform", "realm: refused\n", { platform: "docker" });
    expect(message).toContain('Pulumi.bad-platform.yaml: keycloak-fleet:platform: expected one of "local", "external", "kubernetes", got "docker"');
  });
});
