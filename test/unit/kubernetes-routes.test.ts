// The routing model behind every ingress controller: pure functions, no Pulumi.
import { describe, expect, it } from "vitest";
import { PUBLIC_PATHS, realmRouteName, routesFor, traefikMatch } from "../../src/platform/kubernetes/routes";

const config = { hostname: "id.example.com", adminHostname: "id-admin.example.com", adminAllowlist: ["10.0.0.0/8"] };

describe("routesFor", () => {
  it("serves the public paths openly, each allowlisted realm restricted and above them, and everything on the admin host", () => {
    expect(routesFor({ ...config, realmAllowlists: { staff: ["192.0.2.0/24"] } })).toEqual([
      { name: "public", host: "id.example.com", paths: PUBLIC_PATHS, priority: 10 },
      { name: "realm-staff", host: "id.example.com", paths: ["/realms/staff"], allowlist: ["192.0.2.0/24"], priority: 20 },
      { name: "admin", host: "id-admin.example.com", paths: ["/"], allowlist: ["10.0.0.0/8"], priority: 10 },
    ]);
  });

  it("never routes an admin, metrics or health path to the public host", () => {
    const publicPaths = routesFor(config).filter((r) => r.host === config.hostname).flatMap((r) => r.paths);
    for (const path of publicPaths) expect(path).toMatch(/^\/(realms|resources|js|\.well-known)(\/|$)/);
  });
});

describe("realmRouteName", () => {
  it("keeps Kubernetes-safe realm names and disambiguates the others with a hash", () => {
    expect(realmRouteName("staff")).toBe("realm-staff");
    const dotted = realmRouteName("Staff.EU");
    expect(dotted).toMatch(/^realm-staff-eu-[0-9a-f]{6}$/);
    expect(realmRouteName("staff_eu")).not.toBe(realmRouteName("staff.eu"));
  });
});

describe("traefikMatch", () => {
  it("matches path prefixes element by element, as the Gateway API and Ingress do", () => {
    expect(traefikMatch({ name: "r", host: "h.example.com", paths: ["/realms/a"], priority: 1 })).toBe(
      "Host(`h.example.com`) && (Path(`/realms/a`) || PathPrefix(`/realms/a/`))",
    );
    expect(traefikMatch({ name: "r", host: "h.example.com", paths: ["/"], priority: 1 })).toBe("Host(`h.example.com`) && (PathPrefix(`/`))");
  });
});
