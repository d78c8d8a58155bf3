// Every class of bad input the program refuses before it declares anything, one row each: the
// refusal names the file and line, the field, what was expected and a hint, never quotes a
// secret, and `check` (which reads Pulumi.<stack>.yaml itself, without the engine) prints the
// very same lines as the program.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, type Problem } from "../../src/config/errors";
import { loadFleetConfig } from "../../src/config/load";
import { received } from "../../src/config/schema-helpers";
import { readStackConfig } from "../../src/config/stack-file";
import { checkStack } from "../../src/ops/check";
import { CommandError } from "../../src/ops/console";

const STACK = "refusals";
const SECRET = "Pl41n-T3xt-S3cret-never-printed";

/** A valid external-platform stack file; encrypted values are never decrypted, so fake ciphertext does. */
const STACK_FILE = `config:
  keycloak-fleet:platform: external
  keycloak-fleet:external:
    url: https://id.example.com
  keycloak-fleet:realms:
    - stacks/realm.yaml
  keycloak-fleet:adminClientSecret:
    secure: v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAA
  keycloak-fleet:secretSeed:
    secure: v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAA
`;

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A project directory with the stack file and the realm spec stacks/realm.yaml. */
function project(realm: string, stackFile = STACK_FILE): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-refusal-"));
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, "stacks"));
  fs.writeFileSync(path.join(dir, "stacks", "realm.yaml"), realm);
  fs.writeFileSync(path.join(dir, `Pulumi.${STACK}.yaml`), stackFile);
  return dir;
}

/** What the program does: the engine's config values (here read from the same file) through loadFleetConfig. */
function programRefusal(dir: string): ConfigError {
  const read = readStackConfig(dir, STACK);
  if ("problems" in read) return new ConfigError(read.problems);
  try {
    loadFleetConfig(read.source);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected the configuration to be refused");
}

/** What `check` prints: its problem lines. */
function checkLines(dir: string): string[] {
  try {
    checkStack(dir, STACK);
  } catch (error) {
    if (!(error instanceof CommandError)) throw error;
    return error.message.split("\n").slice(1);
  }
  throw new Error("expected check to refuse the configuration");
}

interface Row {
  /** The class of bad input. */
  name: string;
  realm: string;
  stackFile?: string;
  /** The one problem expected: file with line, field, parts of the message. */
  file: string;
  field: string;
  expected: string | RegExp;
  hint: string | RegExp;
  /** A secret written in the wrong place, which no message may contain. */
  secret?: string;
}

const CLIENT = `realm: refused
clients:
  - clientId: app
    redirectUris: [https://app.example.com/callback]
`;

const rows: Row[] = [
  {
    name: "a client root URL that is not a URL",
    realm: `${CLIENT}    rootUrl: "htp:/app example.com"\n`,
    file: "stacks/realm.yaml:5",
    field: "clients[0] (app).rootUrl",
    expected: 'expected an absolute http(s) URL, got "htp:/app example.com": its scheme "htp" is not http or https; "htp:" is not followed by // and a host; it contains a space at character 9',
    hint: 'hint: write it like "https://app.example.com"',
  },
  {
    name: "a client base URL that is neither a URL nor a path",
    realm: `${CLIENT}    baseUrl: "javascript:alert(1)"\n`,
    file: "stacks/realm.yaml:5",
    field: "clients[0] (app).baseUrl",
    expected: 'its scheme "javascript" is not http or https',
    hint: "hint: write it like",
  },
  {
    name: "an identity provider URL without a host",
    realm: `realm: refused
identityProviders:
  - alias: corp
    type: oidc
    clientId: fleet
    clientSecret: { config: corpSecret }
    authorizationUrl: https://sso.example.com/auth
    tokenUrl: "https:/token"
`,
    stackFile: `${STACK_FILE}  keycloak-fleet:corpSecret:\n    secure: v1:AAAA\n`,
    file: "stacks/realm.yaml:8",
    field: "identityProviders[0] (corp).tokenUrl",
    expected: '"https:" is not followed by // and a host',
    hint: "hint: write it like",
  },
  {
    name: "an LDAP connection URL that is not ldap:// or ldaps://",
    realm: `realm: refused
userFederation:
  - name: corp
    connectionUrl: https://ldap.example.com
    bindDn: cn=fleet,dc=example,dc=com
    bindCredential: { config: ldapPassword }
    usersDn: ou=people,dc=example,dc=com
`,
    stackFile: `${STACK_FILE}  keycloak-fleet:ldapPassword:\n    secure: v1:AAAA\n`,
    file: "stacks/realm.yaml:4",
    field: "userFederation[0] (corp).connectionUrl",
    expected: 'expected ldap:// or ldaps:// URLs (several separated by a space), got "https://ldap.example.com": its scheme "https" is not ldap or ldaps',
    hint: 'hint: write it like "ldaps://ldap.example.com:636"',
  },
  {
    name: "a 300,000-character display name",
    realm: `realm: refused\ndisplayName: ${"x".repeat(300_000)}\n`,
    file: "stacks/realm.yaml:2",
    field: "displayName",
    expected: "expected a display name of at most 255 characters (Keycloak stores it in a column of 255 since 26.7), got 300000 characters",
    hint: "hint: shorten it",
  },
  {
    name: "a group name longer than Keycloak's column",
    realm: `realm: refused\ngroups:\n  - name: ${"g".repeat(256)}\n`,
    file: "stacks/realm.yaml:3",
    field: `groups[0] (${"g".repeat(40)}…).name`,
    expected: "expected a group name of at most 255 characters (Keycloak stores it in a column of 255), got 256 characters",
    hint: "hint: shorten it",
  },
  {
    name: "a redirect URI longer than Keycloak's column",
    realm: `realm: refused\nclients:\n  - clientId: app\n    redirectUris: [https://app.example.com/${"p".repeat(240)}]\n`,
    file: "stacks/realm.yaml:4",
    field: "clients[0] (app).redirectUris[0]",
    expected: "expected a redirect URI of at most 255 characters (Keycloak stores it in a column of 255), got 264 characters",
    hint: "hint: shorten it",
  },
  {
    name: "a user attribute value beyond the user profile's limit",
    realm: `realm: refused
userProfile:
  attributes: [{ name: team }]
users:
  - username: alice
    attributes: { team: ${"t".repeat(2049)} }
`,
    file: "stacks/realm.yaml:6",
    field: "users[0] (alice).attributes.team",
    expected: "expected an attribute value of at most 2048 characters (Keycloak's user profile allows 2048 to attributes without a length validator), got 2049 characters",
    hint: "hint: shorten it",
  },
  {
    name: "a right-to-left override in a group name",
    realm: 'realm: refused\ngroups:\n  - name: "admins\\u202Egpj.exe"\n',
    file: "stacks/realm.yaml:3",
    field: "groups[0] (admins\\u{202E}gpj.exe).name",
    expected: 'the group name "admins\\u{202E}gpj.exe" contains U+202E at character 7 of 14, a bidirectional control character',
    hint: "hint: retype it without that character",
  },
  {
    name: "a zero-width space in a role name",
    realm: 'realm: refused\nroles:\n  - "data\\u200Breader"\n',
    file: "stacks/realm.yaml:3",
    field: "roles[0]",
    expected: "contains U+200B at character 5 of 11, an invisible formatting character",
    hint: "hint: retype it without that character",
  },
  {
    name: "an emoji in a group name",
    realm: "realm: refused\ngroups:\n  - name: rocket 🚀\n",
    file: "stacks/realm.yaml:3",
    field: "groups[0] (rocket 🚀).name",
    expected: "contains U+1F680 at character 8 of 8, an emoji or pictographic symbol",
    hint: "hint: use letters, digits and punctuation, and put the emoji in a display name or description",
  },
  {
    name: "a control character in a client description",
    realm: `${CLIENT}    description: "bell\\u0007"\n`,
    file: "stacks/realm.yaml:5",
    field: "clients[0] (app).description",
    expected: "contains U+0007 at character 5 of 5, a control character",
    hint: "hint: retype it without that character",
  },
  {
    name: "a bidirectional override in a display name",
    realm: 'realm: refused\ndisplayName: "Login \\u202Eniamod\\u202C"\n',
    file: "stacks/realm.yaml:2",
    field: "displayName",
    expected: "contains U+202E at character 7 of 14, a bidirectional control character",
    hint: "hint: retype it without that character",
  },
  {
    name: "the master realm without existing: true",
    realm: "realm: master\ndisplayName: Taken Over\n",
    file: "stacks/realm.yaml:1",
    field: "realm",
    expected: 'realm "master" always exists (Keycloak creates it at its first start), so it cannot be created',
    hint: "hint: add existing: true to adopt it",
  },
  {
    name: "a YAML alias bomb",
    realm: fs.readFileSync(path.join(__dirname, "../fixtures/realms/alias-bomb.yaml"), "utf8"),
    file: "stacks/realm.yaml:3",
    field: "(yaml)",
    expected: 'refused: its aliases (*name) expand to more than 100 copies, the shape of a "billion laughs" attack',
    hint: "hint: write the values out",
  },
  {
    name: "a plain-text client secret",
    realm: `${CLIENT}    secret: ${SECRET}\n`,
    file: "stacks/realm.yaml:5",
    field: "clients[0] (app).secret",
    expected: "a plain-text value where a secret reference {config: <stack config key>} or {generate: true} belongs",
    hint: "hint: write {config: appClientSecret} and set the secret with pulumi config set --secret appClientSecret <value>, or write {generate: true}",
    secret: SECRET,
  },
  {
    name: "a plain-text identity provider secret (a number)",
    realm: `realm: refused
identityProviders:
  - alias: github
    type: github
    clientId: fleet
    clientSecret: 8675309123
`,
    file: "stacks/realm.yaml:6",
    field: "identityProviders[0] (github).clientSecret",
    expected: "a plain-text value where a secret reference {config: <stack config key>} belongs",
    hint: "hint: write {config: githubClientSecret} and set the secret with pulumi config set --secret githubClientSecret <value>",
    secret: "8675309123",
  },
  {
    name: "a secret typed in as the config key of a user password",
    realm: `realm: refused\nusers:\n  - username: alice\n    password: { config: "${SECRET} !" }\n`,
    file: "stacks/realm.yaml:4",
    field: "users[0] (alice).password",
    expected: "{config: ...} takes the name of a stack config key",
    hint: "hint: write {config: alicePassword} and set the secret with pulumi config set --secret alicePassword <value>",
    secret: SECRET,
  },
  {
    name: "a secret as a field name of the LDAP bind credential",
    realm: `realm: refused
userFederation:
  - name: corp
    connectionUrl: ldaps://ldap.example.com
    bindDn: cn=fleet,dc=example,dc=com
    bindCredential: { ${SECRET} }
    usersDn: ou=people,dc=example,dc=com
`,
    file: "stacks/realm.yaml:6",
    field: "userFederation[0] (corp).bindCredential",
    expected: "expected a secret reference {config: <stack config key>}; what is there has other fields (not shown",
    hint: "hint: write {config: corpBindCredential}",
    secret: SECRET,
  },
  {
    name: "a plain-text SMTP password",
    realm: `realm: refused
smtp:
  host: smtp.example.com
  from: keycloak@example.com
  auth: { username: mailer, password: [${SECRET}] }
`,
    file: "stacks/realm.yaml:5",
    field: "smtp.auth.password",
    expected: "a plain-text value where a secret reference {config: <stack config key>} belongs",
    hint: "hint: write {config: smtpAuthPassword}",
    secret: SECRET,
  },
  {
    name: "OTP with 7 digits",
    realm: "realm: refused\nauthentication:\n  otp: { digits: 7 }\n",
    file: "stacks/realm.yaml:3",
    field: "authentication.otp.digits",
    expected: "expected 6 or 8 digits (the code lengths Keycloak's OTP policy offers), got 7",
    hint: "hint: 6 is what most authenticator apps expect",
  },
  {
    name: "an OTP period outside its range",
    realm: "realm: refused\nauthentication:\n  otp: { period: 5 }\n",
    file: "stacks/realm.yaml:3",
    field: "authentication.otp.period",
    expected: "expected a whole number from 15 to 120 seconds, got 5",
    hint: /from 15 to 120/,
  },
  {
    name: "an unknown platform in the stack config",
    realm: "realm: refused\n",
    stackFile: STACK_FILE.replace("platform: external", "platform: docker"),
    file: `Pulumi.${STACK}.yaml:2`,
    field: "keycloak-fleet:platform",
    expected: 'expected one of "local", "external", "kubernetes", got "docker"',
    hint: "hint: local runs Keycloak on this machine",
  },
  {
    name: "a stack config URL that is not a URL",
    realm: "realm: refused\n",
    stackFile: STACK_FILE.replace("url: https://id.example.com", "url: htp:/id.example.com"),
    file: `Pulumi.${STACK}.yaml:4`,
    field: "keycloak-fleet:external.url",
    expected: 'its scheme "htp" is not http or https',
    hint: 'hint: write it like "https://id.example.com"',
  },
  {
    name: "a stack config label (a key with dots) of the wrong type",
    realm: "realm: refused\n",
    stackFile: `config:
  keycloak-fleet:platform: kubernetes
  keycloak-fleet:realms: [stacks/realm.yaml]
  keycloak-fleet:kubernetes:
    hostname: id.example.com
    adminHostname: id-admin.example.com
    adminAllowlist: [10.20.0.0/16]
    ingress:
      from:
        namespace: traefik
        podLabels:
          app.kubernetes.io/name: 5
  keycloak-fleet:secretSeed:
    secure: v1:AAAA
`,
    file: `Pulumi.${STACK}.yaml:12`,
    field: "keycloak-fleet:kubernetes.ingress.from.podLabels.app.kubernetes.io/name",
    expected: "expected string, got 5",
    hint: 'hint: write it in quotes ("5"), as YAML reads it unquoted as a number',
  },
  {
    name: "a stack config secret set as plain text",
    realm: "realm: refused\n",
    stackFile: `${STACK_FILE}  keycloak-fleet:adminPassword: ${SECRET}\n`,
    file: `Pulumi.${STACK}.yaml:11`,
    field: "keycloak-fleet:adminPassword",
    expected: "must be a secret",
    hint: "hint: set it again with pulumi config set --secret adminPassword",
    secret: SECRET,
  },
  {
    name: "a required stack config secret that is missing (the line of config:)",
    realm: "realm: refused\n",
    stackFile: STACK_FILE.replace("  keycloak-fleet:adminClientSecret:\n    secure: v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAA\n", ""),
    file: `Pulumi.${STACK}.yaml:1`,
    field: "keycloak-fleet:adminClientSecret",
    expected: "required secret is missing",
    hint: "hint: pulumi config set --secret adminClientSecret <value>",
  },
];

describe("refusals, one row per class of bad input", () => {
  it.each(rows)("$name", (row) => {
    const dir = project(row.realm, row.stackFile);
    const error = programRefusal(dir);
    const problem: Problem = { ...error.problems[0], missingSecret: undefined };
    expect(error.problems).toHaveLength(1);
    expect(problem).toMatchObject({ file: row.file, field: row.field });
    expect(problem.message).toEqual(typeof row.expected === "string" ? expect.stringContaining(row.expected) : expect.stringMatching(row.expected));
    expect(problem.message).toEqual(typeof row.hint === "string" ? expect.stringContaining(row.hint) : expect.stringMatching(row.hint));
    expect(error.message).toMatch(/^keycloak-fleet refused the configuration \(1 problem\); nothing was deployed:\n {2}/);

    const lines = checkLines(dir);
    expect(lines).toEqual(error.message.split("\n").slice(1));
    if (row.secret) {
      expect(error.message).not.toContain(row.secret);
      expect(lines.join("\n")).not.toContain(row.secret);
    }
  });
});

describe("what stays allowed", () => {
  const accepted = (realm: string) => {
    const dir = project(realm);
    expect(checkStack(dir, STACK)).toBe(1);
  };

  it("accepts names in any script, emoji and joiners in display names, the longest names Keycloak keeps", () =>
    accepted(`realm: allowed
displayName: "Plattform 🚀 \u0627\u200C\u0628"
groups:
  - name: Entwickler·innen
  - name: 開発者
  - name: ${"g".repeat(255)}
clients:
  - clientId: app
    description: "Line one\\nline two"
    rootUrl: https://app.example.com
    baseUrl: /home/
    redirectUris: [https://app.example.com/callback]
`));

  it("accepts the master realm with existing: true", () => accepted("realm: master\nexisting: true\n"));

  it("accepts a few aliases, as people use them to repeat a list", () =>
    accepted(`realm: allowed
clients:
  - clientId: a
    redirectUris: &uris [https://app.example.com/a, https://app.example.com/b]
  - clientId: b
    redirectUris: *uris
`));

  it("accepts several LDAP URLs separated by spaces", () => {
    const dir = project(
      `realm: allowed
userFederation:
  - name: corp
    connectionUrl: ldaps://ldap1.example.com:636 ldaps://ldap2.example.com:636
    bindDn: cn=fleet,dc=example,dc=com
    bindCredential: { config: ldapPassword }
    usersDn: ou=people,dc=example,dc=com
`,
      `${STACK_FILE}  keycloak-fleet:ldapPassword:\n    secure: v1:AAAA\n`,
    );
    expect(checkStack(dir, STACK)).toBe(1);
  });
});

describe("messages quote what they got, so that it shows", () => {
  it("spells out invisible characters and cuts long values", () => {
    expect(received("a\u202Eb")).toBe('"a\\u{202E}b"');
    expect(received("x".repeat(1000))).toBe(`"${"x".repeat(59)}… (1000 characters)`);
  });
});

describe("check", () => {
  it("counts encrypted stack values as secrets that are set, without decrypting them", () => {
    const dir = project(`${CLIENT}    secret: { config: appSecret }\n`, `${STACK_FILE}  keycloak-fleet:appSecret:\n    secure: v1:not-even-ciphertext\n`);
    expect(checkStack(dir, STACK)).toBe(1);
  });

  it("refuses a stack without a config file, naming the stacks that have one", () => {
    const dir = project("realm: refused\n");
    expect(() => checkStack(dir, "prod")).toThrow(expect.objectContaining({ message: `no Pulumi.prod.yaml in ${dir}`, hint: `the stacks with a config file here are ${STACK}` }));
    expect(() => checkStack(dir, "../etc/passwd")).toThrow(/is not a stack name/);
  });
});
