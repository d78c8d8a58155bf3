// How `stack new` and `clone` assemble a stack before writing anything: --set assignments,
// secrets kept off the command line, and the program's own refusals before a stack exists.
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { CommandError } from "../../src/ops/console";
import { applyAssignments, checkDraft, missingSecretLines, type StackDraft } from "../../src/ops/stack-draft";

const fixtures = path.join(__dirname, "../fixtures");
const draft = (plain: Record<string, unknown> = {}, secrets: Record<string, string> = { secretSeed: "seed" }): StackDraft => ({
  name: "us",
  plain: { platform: "external", realms: ["realms/valid.yaml"], external: { url: "https://id.us.example.com" }, ...plain },
  secrets: { adminClientSecret: "client-secret", ...secrets },
});

describe("stack drafts", () => {
  it("reads --set values as YAML into nested keys, keeping what is already there", () => {
    const d = draft({ kubernetes: { hostname: "id.eu.example.com", replicas: 2 } });
    applyAssignments(d, ["kubernetes.replicas=3", "kubernetes.adminAllowlist=[10.0.0.0/8, 2001:db8::/48]", "keycloak-fleet:adminClientId=automation"]);
    expect(d.plain.kubernetes).toEqual({ hostname: "id.eu.example.com", replicas: 3, adminAllowlist: ["10.0.0.0/8", "2001:db8::/48"] });
    expect(d.plain.adminClientId).toBe("automation");
  });

  it("refuses secrets and malformed assignments on the command line", () => {
    expect(() => applyAssignments(draft(), ["secretSeed=abc"])).toThrow(/secrets do not go on the command line/);
    expect(() => applyAssignments(draft(), ["replicas"])).toThrow(/expected KEY=VALUE/);
    expect(() => applyAssignments(draft(), ["kubernetes..replicas=2"])).toThrow(CommandError);
  });

  it("accepts a valid draft and lists no missing secret", () => {
    expect(checkDraft(draft(), fixtures)).toEqual([]);
  });

  it("refuses a draft the program would refuse, naming the file and field, and never the secret", () => {
    const bad = draft({ external: { url: "not a url" } });
    expect(() => checkDraft(bad, fixtures)).toThrow(/stack us was not created[\s\S]*Pulumi\.us\.yaml: keycloak-fleet:external\.url: expected .*"not a url"/);
    try {
      checkDraft(bad, fixtures);
    } catch (error) {
      expect((error as Error).message).not.toContain("client-secret");
    }
  });

  it("turns secrets that are only missing into config lines to run, not a refusal", () => {
    const problems = checkDraft(draft({}, {}), fixtures);
    expect(problems.length).toBeGreaterThan(0);
    expect(missingSecretLines(problems, "us")).toEqual([expect.stringMatching(/^pulumi config set --stack us --secret secretSeed <value> {3}# realms\/valid\.yaml /)]);
  });
});
