// Bad input stops the real engine before any resource is touched: one row per representative
// class, each refused by `pulumi up` with file, line, field and hint, with Keycloak and the
// stack's state unchanged, and by `npm run fleet -- check` (no engine) with the same line.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { adminClient, createTestStack } from "./harness";

const SECRET = "Pl41n-T3xt-S3cret-of-the-refusal-test";

interface Row {
  /** Stack name, and the class of bad input. */
  stack: string;
  name: string;
  realm: string;
  config?: Record<string, string>;
  /** The start of the problem line both refusals print; `<line of KEY>` is the stack file's line of KEY. */
  line: string;
  /** Further parts of the problem line. */
  contains?: string[];
  /** A secret written in the wrong place, which nothing may print. */
  secret?: string;
}

const app = `realm: refused
clients:
  - clientId: app
    redirectUris: [https://app.example.com/callback]
`;

const rows: Row[] = [
  {
    stack: "bad-root-url",
    name: "a client root URL that is not a URL",
    realm: `${app}    rootUrl: "htp:/app example.com"\n`,
    line: 'stacks/refused.yaml:5: clients[0] (app).rootUrl: expected an absolute http(s) URL, got "htp:/app example.com": its scheme "htp" is not http or https',
    contains: ['hint: write it like "https://app.example.com"'],
  },
  {
    stack: "long-name",
    name: "a 300,000-character display name",
    realm: `realm: refused\ndisplayName: ${"x".repeat(300_000)}\n`,
    line: "stacks/refused.yaml:2: displayName: expected a display name of at most 255 characters (Keycloak stores it in a column of 255 since 26.7), got 300000 characters",
    contains: ["hint: shorten it"],
  },
  {
    stack: "rtl-group",
    name: "a right-to-left override in a group name",
    realm: 'realm: refused\ngroups:\n  - name: "admins\\u202Egpj.exe"\n',
    line: 'stacks/refused.yaml:3: groups[0] (admins\\u{202E}gpj.exe).name: the group name "admins\\u{202E}gpj.exe" contains U+202E at character 7 of 14, a bidirectional control character',
    contains: ["hint: retype it without that character"],
  },
  {
    stack: "master",
    name: "the master realm without existing: true",
    realm: "realm: master\ndisplayName: Taken Over\n",
    line: 'stacks/refused.yaml:1: realm: realm "master" always exists',
    contains: ["hint: add existing: true to adopt it"],
  },
  {
    stack: "alias-bomb",
    name: "a YAML alias bomb",
    realm: fs.readFileSync(path.join(__dirname, "../fixtures/realms/alias-bomb.yaml"), "utf8"),
    line: 'stacks/refused.yaml:3: (yaml): refused: its aliases (*name) expand to more than 100 copies, the shape of a "billion laughs" attack',
  },
  {
    stack: "plain-secret",
    name: "a plain-text client secret",
    realm: `${app}    secret: ${SECRET}\n`,
    line: "stacks/refused.yaml:5: clients[0] (app).secret: a plain-text value where a secret reference {config: <stack config key>} or {generate: true} belongs",
    contains: ["hint: write {config: appClientSecret} and set the secret with pulumi config set --secret appClientSecret <value>"],
    secret: SECRET,
  },
  {
    stack: "otp-digits",
    name: "OTP with 7 digits",
    realm: "realm: refused\nauthentication:\n  otp: { digits: 7 }\n",
    line: "stacks/refused.yaml:3: authentication.otp.digits: expected 6 or 8 digits (the code lengths Keycloak's OTP policy offers), got 7",
  },
  {
    stack: "bad-platform",
    name: "an unknown platform in the stack config",
    realm: "realm: refused\n",
    config: { platform: "docker" },
    line: 'Pulumi.bad-platform.yaml:<line of keycloak-fleet:platform>: keycloak-fleet:platform: expected one of "local", "external", "kubernetes", got "docker"',
    contains: ["hint: local runs Keycloak on this machine"],
  },
];

/** The line number of `key` in the stack file the harness wrote. */
function lineOfKey(projectDir: string, stack: string, key: string): number {
  const lines = fs.readFileSync(path.join(projectDir, `Pulumi.${stack}.yaml`), "utf8").split("\n");
  const index = lines.findIndex((line) => line.trimStart().startsWith(`${key}:`));
  expect(index, `${key} in Pulumi.${stack}.yaml`).toBeGreaterThanOrEqual(0);
  return index + 1;
}

/** What Keycloak holds that a refused up could have touched: the realms, and master's settings. */
async function keycloakSnapshot(): Promise<unknown> {
  const kc = await adminClient();
  const realms = (await kc.realms.find()).map((realm) => realm.realm).sort();
  return { realms, master: await kc.realms.findOne({ realm: "master" }) };
}

describe("refusing bad input with the real engine", () => {
  it.each(rows)("refuses $name before anything is deployed, and check refuses it the same way", async (row) => {
    const test = await createTestStack(row.stack, { realms: { "refused.yaml": row.realm }, config: row.config });
    const line = row.line.replace(/<line of ([^>]+)>/, (_, key: string) => String(lineOfKey(test.projectDir, row.stack, key)));
    const before = await keycloakSnapshot();

    const error = await test.up().then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error, "pulumi up should have failed").toBeDefined();
    const refusal = error!.message;
    expect(refusal).toContain("keycloak-fleet refused the configuration (1 problem); nothing was deployed:");
    expect(refusal).toContain(line);
    for (const part of row.contains ?? []) expect(refusal).toContain(part);
    expect(refusal).not.toMatch(/\n\s+at .*\.ts:\d+/); // no stack trace

    const state = JSON.parse(test.exportState());
    const types = (state.deployment.resources ?? []).map((r: { type: string }) => r.type);
    expect(types.filter((t: string) => t !== "pulumi:pulumi:Stack")).toEqual([]);
    expect(await keycloakSnapshot()).toEqual(before);
    expect(await (await adminClient()).realms.findOne({ realm: "refused" })).toBeNull();

    const check = await test.fleet(["check", "--stack", row.stack]);
    expect(check.code).toBe(1);
    expect(check.stdout).toBe("");
    const checkLines = check.stderr.split("\n").filter((l) => l.startsWith("  "));
    expect(checkLines).toHaveLength(1);
    expect(checkLines[0].trim().startsWith(line)).toBe(true);
    // The very same problem line as the program's.
    expect(refusal).toContain(checkLines[0].trim());

    if (row.secret) {
      for (const printed of [refusal, test.output.join(""), check.stdout, check.stderr, test.exportState()]) expect(printed).not.toContain(row.secret);
    }
  });

  it("check accepts a valid stack without starting the engine", async () => {
    const test = await createTestStack("check-ok", { realms: { "ok.yaml": app } });
    const check = await test.fleet(["check", "--stack", "check-ok"]);
    expect(check).toMatchObject({ code: 0, stdout: "ok: 1 realm spec, stack config valid\n" });
    const state = JSON.parse(test.exportState());
    expect(state.deployment.resources ?? []).toEqual([]);
  });
});
