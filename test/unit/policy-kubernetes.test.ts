// The policy pack's kubernetes rules (policy/admin-exposure.ts) on the routes KeycloakCluster
// really declares, under mocks, for every ingress controller: silent on the component as it
// is; firing when an admin allowlist admits everyone or an admin route loses its allowlist.
import { beforeEach, describe, expect, it } from "vitest";
import { admitsEveryone, reachesAdmin } from "../../policy/admin-exposure";
import { ROUTING } from "../../policy/resources";
import { deployCluster } from "./fixtures";
import { recordRegistrations, type Registration } from "./mocks";
import { declared, urnOf, violations, type Declared } from "./policy-harness";

const sent: Registration[] = recordRegistrations();
beforeEach(() => {
  sent.length = 0;
});

const FACTS = { platform: "kubernetes", adminHostname: "id-admin.example.com" };
const gateway = (allowlistPolicy: string) => ({
  controller: "gateway",
  from: { namespace: "gateways" },
  gateway: { name: "public", namespace: "gateways", sectionName: "https", allowlistPolicy },
});
const CONTROLLERS: Record<string, Record<string, unknown>> = {
  traefik: { controller: "traefik" },
  "gateway with Traefik middlewares": gateway("traefik"),
  "gateway with Envoy Gateway policies": gateway("envoy-gateway"),
  "legacy ingress-nginx": { controller: "nginx-legacy" },
};

/** The cluster's resources as the rules see them. */
async function cluster(section: Record<string, unknown>): Promise<Declared[]> {
  await deployCluster(sent, { realmAllowlists: { staff: ["192.0.2.0/24"] }, ...section });
  return declared(sent);
}

const find = (resources: Declared[], type: string, name: string) => resources.find((r) => r.type === type && r.name === name)!;

describe("the kubernetes rules on KeycloakCluster's routes", () => {
  it("tell what admits everyone and which paths reach the admin API", () => {
    expect(["0.0.0.0/0", "::/0", " ::/0 "].every(admitsEveryone)).toBe(true);
    expect(["10.0.0.0/8", "2001:db8::/32", "10.0.0.0/10"].some(admitsEveryone)).toBe(false);
    expect(["/", "", "/admin", "/admin/realms", "/ad"].every(reachesAdmin)).toBe(true);
    expect(["/realms", "/resources", "/js", "/.well-known", "/realms/admin"].some(reachesAdmin)).toBe(false);
  });

  for (const [controller, ingress] of Object.entries(CONTROLLERS))
    it(`are silent on the component as declared (${controller})`, async () => {
      const resources = await cluster({ ingress });
      expect(resources.filter((r) => Object.values(ROUTING).includes(r.type as never)).length).toBeGreaterThanOrEqual(3);
      expect(await violations(resources, FACTS)).toEqual([]);
    });

  it("refuse an allowlist of 0.0.0.0/0 or ::/0, whatever controller holds it", async () => {
    for (const ingress of Object.values(CONTROLLERS)) {
      sent.length = 0;
      const found = await violations(await cluster({ ingress, adminAllowlist: ["10.20.0.0/16", "0.0.0.0/0", "::/0"] }), FACTS);
      expect(found).toEqual([
        {
          policy: "allowlist-not-everyone",
          enforcement: "mandatory",
          message: expect.stringMatching(
            /^(Middleware|SecurityPolicy|Ingress) keycloak-admin(-allowlist)?: its allowlist holds 0\.0\.0\.0\/0, ::\/0, which admits every address, so the route it guards is open to the internet; hint: list the operators' networks instead/,
          ),
          urn: undefined,
        },
      ]);
    }
  });

  it("refuse a Traefik admin route without its ipAllowList middleware", async () => {
    const resources = await cluster({ ingress: CONTROLLERS.traefik });
    const admin = find(resources, ROUTING.ingressRoute, "keycloak-admin");
    admin.props.spec.routes[0].middlewares = undefined;
    expect(await violations(resources, FACTS)).toEqual([
      {
        policy: "admin-behind-allowlist",
        enforcement: "mandatory",
        message:
          "IngressRoute keycloak-admin (host id-admin.example.com, paths /) serves Keycloak's admin console and Admin REST API to every network: it has no ipAllowList middleware; hint: give the route an ipAllowList Middleware (keycloak-fleet:kubernetes.adminAllowlist declares one)",
        urn: urnOf(admin),
      },
    ]);
  });

  it("refuse a middleware that is no allowlist, and a route that serves /admin on the public host", async () => {
    const resources = await cluster({ ingress: CONTROLLERS.traefik });
    find(resources, ROUTING.middleware, "keycloak-admin-allowlist").props.spec = { headers: {} };
    find(resources, ROUTING.ingressRoute, "keycloak-public").props.spec.routes[0].match = "Host(`id.example.com`) && PathPrefix(`/`)";
    const found = await violations(resources, FACTS, "admin-behind-allowlist");
    expect(found.map((v) => v.message)).toEqual([
      expect.stringContaining("IngressRoute keycloak-public (host id.example.com, paths /) serves Keycloak's admin console and Admin REST API to every network: it has no ipAllowList middleware"),
      expect.stringContaining("IngressRoute keycloak-admin (host id-admin.example.com, paths /) serves Keycloak's admin console and Admin REST API to every network: its middlewares (keycloak-admin-allowlist) include no ipAllowList Middleware of this stack"),
    ]);
  });

  it("refuse a Gateway API admin route when neither a Middleware filter nor a SecurityPolicy restricts it", async () => {
    for (const ingress of [CONTROLLERS["gateway with Traefik middlewares"], CONTROLLERS["gateway with Envoy Gateway policies"]]) {
      sent.length = 0;
      const resources = (await cluster({ ingress })).filter((r) => r.type !== ROUTING.securityPolicy);
      find(resources, ROUTING.httpRoute, "keycloak-admin").props.spec.rules[0].filters = undefined;
      expect((await violations(resources, FACTS, "admin-behind-allowlist")).map((v) => v.message)).toEqual([
        "HTTPRoute keycloak-admin (host id-admin.example.com, paths /) serves Keycloak's admin console and Admin REST API to every network: it has no ipAllowList middleware, and no Envoy Gateway SecurityPolicy denies by default; hint: set ingress.gateway.allowlistPolicy (traefik: an ipAllowList Middleware as ExtensionRef filter; envoy-gateway: a SecurityPolicy) and adminAllowlist",
      ]);
    }
  });

  it("refuse an nginx admin Ingress without the whitelist annotation", async () => {
    const resources = await cluster({ ingress: CONTROLLERS["legacy ingress-nginx"] });
    delete find(resources, ROUTING.ingress, "keycloak-admin").props.metadata.annotations["nginx.ingress.kubernetes.io/whitelist-source-range"];
    expect((await violations(resources, FACTS, "admin-behind-allowlist")).map((v) => v.message)).toEqual([
      expect.stringMatching(/^Ingress keycloak-admin \(host id-admin\.example\.com, paths \/\) serves .* the Ingress has no nginx\.ingress\.kubernetes\.io\/whitelist-source-range annotation/),
    ]);
  });
});
