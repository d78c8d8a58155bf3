// The policy pack's realm and client rules (policy/): each one fires on a resource that breaks
// it and stays silent on one that keeps it; then all of them on what the program really
// declares for the repository's example spec and for a fixture spec that breaks some.
import * as path from "node:path";
import * as keycloak from "@pulumi/keycloak";
import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it } from "vitest";
import type { RealmSpec } from "../../src/config/spec/realm";
import { connectKeycloak } from "../../src/platform";
import { Realm } from "../../src/realm/realm";
import { minimumPasswordLength, otpProblems } from "../../policy/realm";
import { wildcardReach } from "../../policy/clients";
import { KEYCLOAK } from "../../policy/resources";
import { stackFacts } from "../../policy/stack";
import { unitConfig } from "./fixtures";
import { recordRegistrations, settled, type Registration } from "./mocks";
import { declared, messages, violations, type Declared } from "./policy-harness";

const registrations: Registration[] = recordRegistrations();
beforeEach(() => {
  registrations.length = 0;
});

/** A realm as the program declares it from a spec that keeps every rule. */
const goodRealm = (props: Record<string, unknown> = {}): Declared => ({
  type: KEYCLOAK.realm,
  name: "platform",
  props: {
    realm: "platform",
    sslRequired: "external",
    passwordPolicy: "length(12) and notUsername",
    securityDefenses: { bruteForceDetection: { maxLoginFailures: 10 } },
    otpPolicy: { type: "totp", algorithm: "HmacSHA1", digits: 6, period: 30, lookAheadWindow: 1 },
    ...props,
  },
});

const client = (props: Record<string, unknown>, type: string = KEYCLOAK.openidClient): Declared => ({
  type,
  name: `platform/${props.clientId ?? "app"}`,
  props: { clientId: "app", accessType: "CONFIDENTIAL", standardFlowEnabled: true, validRedirectUris: ["https://app.example.com/callback"], ...props },
});

describe("the pack's type tokens", () => {
  it("are the @pulumi/keycloak resource types the program declares", () => {
    const token = (resource: unknown) => (resource as { __pulumiType: string }).__pulumiType;
    expect(KEYCLOAK).toEqual({ realm: token(keycloak.Realm), openidClient: token(keycloak.openid.Client), samlClient: token(keycloak.saml.Client) });
  });
});

describe("stackFacts", () => {
  it("reads the platform and the admin host from the stack config the engine hands the pack", () => {
    pulumi.runtime.setAllConfig({
      "keycloak-fleet:platform": "kubernetes",
      "keycloak-fleet:kubernetes": JSON.stringify({ hostname: "id.example.com", adminHostname: "id-admin.example.com", adminAllowlist: ["10.20.0.0/16"] }),
    });
    expect(stackFacts()).toEqual({ platform: "kubernetes", adminHostname: "id-admin.example.com" });
    pulumi.runtime.setAllConfig({ "keycloak-fleet:platform": "external", "keycloak-fleet:kubernetes": "not json" });
    expect(stackFacts()).toEqual({ platform: "external", adminHostname: undefined });
    pulumi.runtime.setAllConfig({});
    expect(stackFacts()).toEqual({ platform: undefined, adminHostname: undefined });
  });
});

describe("realm-ssl-required (mandatory)", () => {
  it("refuses sslRequired none on the external and kubernetes platforms, and where the stack names none", async () => {
    for (const platform of ["external", "kubernetes"])
      expect(await messages("realm-ssl-required", goodRealm({ sslRequired: "none" }), { platform })).toEqual([
        `realm "platform": sslRequired is "none" on the ${platform} platform, so Keycloak takes passwords and issues tokens over plain HTTP from any network; hint: set sslRequired: external (TLS except from private addresses) or all in the realm spec; "none" is for the local platform only`,
      ]);
    expect(await messages("realm-ssl-required", goodRealm({ sslRequired: "none" }), {})).toEqual([expect.stringContaining("on a stack without keycloak-fleet:platform")]);
  });

  it("accepts none on the local platform, and external or all anywhere", async () => {
    expect(await messages("realm-ssl-required", goodRealm({ sslRequired: "none" }), { platform: "local" })).toEqual([]);
    for (const sslRequired of ["external", "all"]) expect(await messages("realm-ssl-required", goodRealm({ sslRequired }), { platform: "kubernetes" })).toEqual([]);
  });
});

describe("realm-brute-force-protection (mandatory)", () => {
  it("refuses a realm without brute-force detection", async () => {
    expect(await messages("realm-brute-force-protection", goodRealm({ securityDefenses: undefined }))).toEqual([
      'realm "platform": brute-force detection is off, so anyone may guess passwords without limit; hint: add bruteForce: {} to the realm spec (30 failures, then growing waits up to 15 minutes) or set its maxFailures, waitIncrement and maxWait',
    ]);
    expect(await messages("realm-brute-force-protection", goodRealm({ securityDefenses: { headers: {} } }))).toHaveLength(1);
  });

  it("accepts a realm with it", async () => {
    expect(await messages("realm-brute-force-protection", goodRealm())).toEqual([]);
  });
});

describe("realm-password-length (mandatory)", () => {
  it("reads the minimum length of Keycloak's policy syntax", () => {
    expect(minimumPasswordLength("length(12) and notUsername")).toBe(12);
    expect(minimumPasswordLength("upperCase(1) and length( 16 )")).toBe(16);
    expect(minimumPasswordLength("length")).toBe(8);
    expect(minimumPasswordLength("notUsername and maxLength(64)")).toBe(0);
    expect(minimumPasswordLength(undefined)).toBe(0);
  });

  it("refuses a realm without a password policy, or with one shorter than 12", async () => {
    expect(await messages("realm-password-length", goodRealm({ passwordPolicy: undefined }))).toEqual([
      'realm "platform": it has no password policy, so a one-character password is accepted; the baseline is at least 12 (OWASP ASVS V2.1.1); hint: set passwordPolicy: "length(12) and notUsername" in the realm spec (or raise its length(...))',
    ]);
    expect(await messages("realm-password-length", goodRealm({ passwordPolicy: "length(8) and digits(1)" }))).toEqual([
      expect.stringContaining('realm "platform": its password policy "length(8) and digits(1)" allows passwords of 8 characters; the baseline is at least 12'),
    ]);
    expect(await messages("realm-password-length", goodRealm({ passwordPolicy: "notUsername" }))).toEqual([expect.stringContaining("allows passwords of any characters")]);
  });

  it("accepts 12 characters and more", async () => {
    for (const passwordPolicy of ["length(12)", "length(20) and notUsername and notEmail"])
      expect(await messages("realm-password-length", goodRealm({ passwordPolicy }))).toEqual([]);
  });
});

describe("realm-otp-policy (mandatory)", () => {
  it("names each problem of an OTP policy", () => {
    expect(otpProblems({ type: "totp", algorithm: "HmacMD5", digits: 7, period: 120 })).toEqual([
      'algorithm "HmacMD5" is not one of HmacSHA1, HmacSHA256, HmacSHA512',
      "7 digits (allowed: 6 or 8)",
      "a period of 120 s (allowed: 30 to 60 s)",
    ]);
    expect(otpProblems({ type: "sms" })).toEqual(['type "sms" is not totp or hotp']);
    expect(otpProblems({ type: "hotp", period: 5 })).toEqual([]);
  });

  it("refuses a realm whose OTP policy is not sane", async () => {
    expect(await messages("realm-otp-policy", goodRealm({ otpPolicy: { type: "totp", algorithm: "HmacSHA1", digits: 6, period: 15 } }))).toEqual([
      'realm "platform": its OTP policy has a period of 15 s (allowed: 30 to 60 s); hint: use authentication.otp: { type: totp, algorithm: HmacSHA1, digits: 6, period: 30 }, which every authenticator app supports',
    ]);
  });

  it("accepts sane policies, and a realm that keeps Keycloak's default", async () => {
    for (const otpPolicy of [
      { type: "totp", algorithm: "HmacSHA256", digits: 8, period: 60 },
      { type: "hotp", algorithm: "HmacSHA512", digits: 6 },
      undefined,
    ])
      expect(await messages("realm-otp-policy", goodRealm({ otpPolicy }))).toEqual([]);
  });
});

describe("client-redirect-uris-not-wildcard-only (mandatory) and client-redirect-uris-exact (advisory)", () => {
  it("tells how far a wildcard reaches", () => {
    const reach = (uris: string[]) => uris.map(wildcardReach);
    expect(reach(["*", "/*", "https://*", "http://*", "https://app.example.com*", "https:*", "com.example.app:*"])).toEqual(Array(7).fill("any"));
    expect(reach(["https://app.example.com/*", "https://app.example.com:8443/cb*", "/app/*", "com.example.app:/callback*"])).toEqual(Array(4).fill("path"));
    expect(reach(["https://app.example.com/callback", "/callback"])).toEqual(["none", "none"]);
  });

  it("refuses redirect URIs that reach any site, on OIDC and SAML clients", async () => {
    expect(await messages("client-redirect-uris-not-wildcard-only", client({ validRedirectUris: ["https://app.example.com/cb", "*", "https://*"] }))).toEqual([
      'client platform/app: redirect URIs "*", "https://*" let Keycloak send authorization codes and tokens to any site; hint: list the app\'s callback URLs, e.g. "https://app.example.com/oauth/callback"; a wildcard may follow a whole origin ("https://app.example.com/*")',
    ]);
    expect(await messages("client-redirect-uris-not-wildcard-only", client({ validRedirectUris: ["/*"] }, KEYCLOAK.samlClient))).toEqual([
      expect.stringContaining('client platform/app: redirect URI "/*" let Keycloak send'),
    ]);
  });

  it("only advises against a wildcard after a whole origin", async () => {
    const prefixed = client({ validRedirectUris: ["https://app.example.com/*"] });
    expect(await messages("client-redirect-uris-not-wildcard-only", prefixed)).toEqual([]);
    expect(await violations([prefixed], { platform: "local" }, "client-redirect-uris-exact")).toEqual([
      {
        policy: "client-redirect-uris-exact",
        enforcement: "advisory",
        message: 'client platform/app: redirect URI "https://app.example.com/*" matches any path of the app, an open redirect there leaks codes; hint: list the exact callback URLs instead',
        urn: undefined,
      },
    ]);
  });

  it("is silent on exact redirect URIs", async () => {
    expect(await violations([client({})], { platform: "local" }, "client-redirect-uris-not-wildcard-only")).toEqual([]);
    expect(await violations([client({})], { platform: "local" }, "client-redirect-uris-exact")).toEqual([]);
  });
});

describe("public-client-pkce (mandatory)", () => {
  it("refuses a public client with the code flow and no PKCE, or plain", async () => {
    expect(await messages("public-client-pkce", client({ clientId: "spa", accessType: "PUBLIC" }))).toEqual([
      'client platform/spa: a public client with the authorization code flow and no PKCE: it has no secret, so whoever intercepts a code can redeem it; hint: set pkceCodeChallengeMethod: "S256" (keycloak-fleet does for access: public); or make the client confidential',
    ]);
    expect(await messages("public-client-pkce", client({ accessType: "PUBLIC", pkceCodeChallengeMethod: "plain" }))).toEqual([
      expect.stringContaining('and PKCE method "plain"'),
    ]);
  });

  it("accepts S256, confidential clients, and public clients without the code flow", async () => {
    for (const props of [
      { accessType: "PUBLIC", pkceCodeChallengeMethod: "S256" },
      { accessType: "CONFIDENTIAL" },
      { accessType: "PUBLIC", standardFlowEnabled: false },
    ])
      expect(await messages("public-client-pkce", client(props))).toEqual([]);
  });
});

/** Declares a realm from a spec file as the program does, under mocks, and returns its resources. */
async function declaredRealm(projectDir: string, file: string): Promise<Declared[]> {
  const config = unitConfig(
    { platform: "local", realms: [file], local: { port: 18080 } },
    { adminPassword: "pw", adminClientSecret: "cs", secretSeed: "seed", githubClientSecret: "gh" },
    projectDir,
  );
  const spec: RealmSpec = config.realms[0].spec;
  const keycloakConnection = connectKeycloak(config);
  const realm = new Realm(spec.realm, { spec, keycloakUrl: keycloakConnection.url, secrets: config.secretStore }, { provider: keycloakConnection.provider });
  await settled(realm.url, ...Object.values(realm.clients).map((c) => c.clientId));
  return declared(registrations);
}

describe("the pack on what the program declares", () => {
  it("passes the repository's example realm (stacks/realms/platform.yaml) on every platform, advisories included", async () => {
    const resources = await declaredRealm(path.resolve(__dirname, "../.."), "stacks/realms/platform.yaml");
    expect(resources.filter((r) => r.type.startsWith("keycloak:")).length).toBeGreaterThan(20);
    for (const platform of ["local", "external", "kubernetes"]) expect(await violations(resources, { platform })).toEqual([]);
  });

  it("refuses the unit fixture realm, which keeps Keycloak's defaults: no brute-force detection, no password policy", async () => {
    const found = await violations(await declaredRealm(path.resolve(__dirname, "../fixtures"), "realms/valid.yaml"));
    expect(found.map((v) => `${v.enforcement} ${v.policy}`)).toEqual([
      "mandatory realm-brute-force-protection",
      "mandatory realm-password-length",
      "advisory client-redirect-uris-exact",
    ]);
  });
});
