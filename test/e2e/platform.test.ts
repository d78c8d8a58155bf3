// The data-science platform example of stacks/realms/platform.yaml, deployed for real and
// checked through Keycloak: role mappings, real browser logins, tokens, secrets, updates.
import * as fs from "node:fs";
import * as path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, nextStep, startLogin } from "./browser";
import { adminClient, createTestStack, type TestStack } from "./harness";
import { exampleWithAdmin, expectAliceFirstLogin, expectPlatformDeployed, GITHUB_SECRET, grafanaLogin as flow } from "./platform-example";

describe("the data-science platform example on a real Keycloak", () => {
  let test: TestStack;
  let browser: Browser;
  let outputs: any;
  const writeSpec = (yaml: string) => fs.writeFileSync(path.join(test.projectDir, "stacks", "platform.yaml"), yaml);

  beforeAll(async () => {
    test = await createTestStack("platform", { realms: { "platform.yaml": exampleWithAdmin() }, secrets: { githubClientSecret: GITHUB_SECRET } });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    if (await (await adminClient()).realms.findOne({ realm: "platform" })) await test.destroy();
  });

  it("deploys the realm with its clients, groups, role mappings and GitHub login", async () => {
    const result = await test.up();
    expect(result.summary.result).toBe("succeeded");
    outputs = result.outputs.realmOutputs.value.platform;
    await expectPlatformDeployed(await adminClient(), outputs);
  });

  it("makes alice change her temporary password, then gives her a token with her groups and client roles", async () => {
    await expectAliceFirstLogin(browser, outputs, "alice-new-password-1");
  });

  it("sends an admin to OTP setup at browser login, and not an analyst", async () => {
    const { page, code } = await startLogin(browser, flow("ada", outputs.users.ada.initialPassword));
    expect(await nextStep(page, code)).toBe("configure-otp");
    expect(await page.textContent("body")).toMatch(/authenticator/i);
    await page.close();

    const analyst = await startLogin(browser, flow("alice", "alice-new-password-1"));
    expect(await nextStep(analyst.page, analyst.code)).toBe("code");
    await analyst.page.close();
  });

  it("keeps the GitHub secret, client secrets and generated passwords out of the state and output", async () => {
    const exported = test.exportState();
    const raw = test.rawState();
    const secrets = [GITHUB_SECRET, outputs.users.alice.initialPassword, outputs.users.ada.initialPassword, ...["jupyterhub", "conda-store", "grafana"].map((c) => outputs.clients[c].clientSecret)];
    for (const secret of secrets) {
      expect(secret).toBeTruthy();
      expect(exported).not.toContain(secret);
      expect(raw).not.toContain(secret);
      expect(test.output.join("")).not.toContain(secret);
    }
  });

  it("updates exactly the changed resource, in place, and ignores reordered lists", async () => {
    writeSpec(exampleWithAdmin((spec) => (spec.clients.find((c: any) => c.clientId === "grafana").name = "Grafana (renamed)")));
    const changed = await test.stack.preview({ diff: true });
    expect(changed.changeSummary).toEqual({ same: expect.any(Number), update: 1 });
    expect(changed.stdout).toContain('name: "Grafana" => "Grafana (renamed)"');
    expect(changed.stdout).not.toMatch(/replace/);
    await test.up();
    const kc = await adminClient();
    kc.setConfig({ realmName: "platform" });
    expect((await kc.clients.find({ clientId: "grafana" }))[0].name).toBe("Grafana (renamed)");

    writeSpec(
      exampleWithAdmin((spec) => {
        spec.clients.find((c: any) => c.clientId === "grafana").name = "Grafana (renamed)";
        spec.clients.reverse();
        spec.groups.reverse();
        spec.users.reverse();
      }),
    );
    const reordered = await test.stack.preview();
    expect(Object.keys(reordered.changeSummary)).toEqual(["same"]);
  });

  it("changes nothing on another up", async () => {
    const result = await test.up();
    expect(Object.keys(result.summary.resourceChanges ?? {})).toEqual(["same"]);
  });
});
